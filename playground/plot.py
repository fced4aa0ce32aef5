"""Plotly figures of a trainer, for notebooks: ``boundary``, ``history`` and ``network``.

>>> from playground import RunConfig, Trainer, plot
>>> t = Trainer(RunConfig(dataset="xor", hidden=[4])); t.step(500)
>>> plot.boundary(t).show()     # decision boundary with training and test points

Each returns a ``plotly.graph_objects.Figure`` (plotly is a dependency: the page serves
its plotly.js). ``Trainer._repr_html_`` uses :func:`summary_html`.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from playground.engine.trainer import Trainer

BOUND = 6.0  # the square every dataset lies in (engine.datasets.BOUND)
_SCALE = [[0.0, "#f59322"], [0.5, "#e8eaeb"], [1.0, "#0877bd"]]  # the page's orange/blue


def _go() -> Any:
    import plotly.graph_objects as go

    return go


def boundary(trainer: Trainer, resolution: int = 100, test: bool = True) -> go.Figure:
    """The network's output over the plane (a heatmap) with the training (and test) points."""
    go = _go()
    rendering = trainer.render(resolution)
    output = np.asarray(rendering.output, dtype=float)
    if output.ndim == 3:  # multiclass: the winning class
        output = output.argmax(axis=0).astype(float)
    xs = np.linspace(-BOUND, BOUND, output.shape[-1])
    low, high = rendering.output_range
    fig = go.Figure()
    fig.add_trace(
        go.Heatmap(
            x=xs,
            y=xs,
            z=output,
            zmin=low,
            zmax=high,
            colorscale=_SCALE,
            name="output",
            opacity=0.8,
            colorbar={"title": "output"},
        )
    )
    sets = [("train", trainer.data.X_train, trainer.data.y_train, "circle")]
    if test:
        sets.append(("test", trainer.data.X_test, trainer.data.y_test, "circle-open"))
    for name, X, y, symbol in sets:
        fig.add_trace(
            go.Scatter(
                x=X[:, 0],
                y=X[:, 1],
                mode="markers",
                name=name,
                marker={
                    "color": y,
                    "colorscale": _SCALE,
                    "symbol": symbol,
                    "size": 6,
                    "line": {"width": 1, "color": "#333"},
                },
            )
        )
    fig.update_layout(
        title=f"{trainer.spec.dataset}: decision boundary at step {trainer.step_count}",
        xaxis={"title": "x1", "range": [-BOUND, BOUND]},
        yaxis={"title": "x2", "range": [-BOUND, BOUND], "scaleanchor": "x"},
        width=520,
        height=480,
    )
    return fig


def history(trainer: Trainer) -> go.Figure:
    """Loss (and, for classification, accuracy) per epoch, training and test."""
    go = _go()
    h = trainer.history
    fig = go.Figure()
    for key, dash in (("train_loss", "solid"), ("test_loss", "dash")):
        fig.add_trace(go.Scatter(x=h["epoch"], y=h[key], name=key, line={"dash": dash}))
    if any(v is not None for v in h["train_accuracy"]):
        for key, dash in (("train_accuracy", "solid"), ("test_accuracy", "dash")):
            fig.add_trace(
                go.Scatter(x=h["epoch"], y=h[key], name=key, yaxis="y2", line={"dash": dash})
            )
        fig.update_layout(yaxis2={"title": "accuracy", "overlaying": "y", "side": "right"})
    fig.update_layout(title="history", xaxis={"title": "epoch"}, yaxis={"title": "loss"})
    return fig


def _layers(trainer: Trainer) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(np.asarray(W), np.asarray(b)) for W, b in trainer.network.params]


def network(trainer: Trainer) -> go.Figure:
    """The diagram: a node per feature and neuron, a link per weight (width and colour)."""
    go = _go()
    sizes = trainer.network.layer_sizes
    names = [list(trainer.spec.features)]
    names += [[f"L{i}.{j}" for j in range(n)] for i, n in enumerate(sizes[1:-1], start=1)]
    names += [[f"out.{j}" for j in range(sizes[-1])]]
    pos = [[(float(i), (n - 1) / 2 - j) for j in range(n)] for i, n in enumerate(sizes)]
    fig = go.Figure()
    params = _layers(trainer)
    biggest = max((float(np.abs(W).max()) for W, _ in params), default=1.0) or 1.0
    for layer, (W, _) in enumerate(params):
        for i in range(W.shape[0]):
            for j in range(W.shape[1]):
                w = float(W[i, j])
                (x0, y0), (x1, y1) = pos[layer][i], pos[layer + 1][j]
                fig.add_trace(
                    go.Scatter(
                        x=[x0, x1],
                        y=[y0, y1],
                        mode="lines",
                        showlegend=False,
                        hovertext=f"{names[layer][i]} → {names[layer + 1][j]}: {w:.3g}",
                        hoverinfo="text",
                        name="weight",
                        line={
                            "width": 0.5 + 4 * abs(w) / biggest,
                            "color": "#0877bd" if w >= 0 else "#f59322",
                        },
                    )
                )
    biases: list[np.ndarray | None] = [None, *(b.ravel() for _, b in params)]
    for layer, points in enumerate(pos):
        bias = biases[layer]
        text = [
            n if bias is None else f"{n} (bias {float(bias[k]):.3g})"
            for k, n in enumerate(names[layer])
        ]
        fig.add_trace(
            go.Scatter(
                x=[p[0] for p in points],
                y=[p[1] for p in points],
                mode="markers+text",
                text=names[layer],
                hovertext=text,
                hoverinfo="text",
                textposition="top center",
                marker={"size": 18, "color": "#fff", "line": {"width": 2, "color": "#555"}},
                name=f"layer {layer}",
                showlegend=False,
            )
        )
    fig.update_layout(
        title="network",
        xaxis={"visible": False},
        yaxis={"visible": False},
        plot_bgcolor="#fff",
    )
    return fig


def _boundary_svg(trainer: Trainer, resolution: int = 48) -> str:
    """A small picture of the boundary as an inline SVG of coloured cells (no extra deps)."""
    rendering = trainer.render(resolution)
    output = np.asarray(rendering.output, dtype=float)
    low, high = rendering.output_range
    if output.ndim == 3:
        output = output.argmax(axis=0) / max(1, output.shape[0] - 1)
        low, high = 0.0, 1.0
    span = (high - low) or 1.0
    cells = []
    n = output.shape[-1]
    for r in range(n):
        for c in range(n):
            t = min(1.0, max(0.0, (float(output[r, c]) - low) / span))
            a, b = (0xF5, 0x93, 0x22), (0x08, 0x77, 0xBD)
            rgb = "#" + "".join(f"{int(a[k] + (b[k] - a[k]) * t):02x}" for k in range(3))
            cells.append(f'<rect x="{c}" y="{n - 1 - r}" width="1" height="1" fill="{rgb}"/>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" width="120" '
        f'height="120" shape-rendering="crispEdges">{"".join(cells)}</svg>'
    )


def summary_html(trainer: Trainer) -> str:
    """Config summary, metrics and a small boundary picture (``Trainer._repr_html_``)."""
    m = trainer.metrics()
    spec = trainer.spec
    rows = {
        "dataset": spec.dataset,
        "layers": " → ".join(str(n) for n in trainer.network.layer_sizes),
        "step / epoch": f"{trainer.step_count} / {trainer.epoch}",
    }
    for key in ("train_loss", "test_loss", "train_accuracy", "test_accuracy"):
        value = m.get(key)
        if value is not None:
            rows[key] = f"{value:.4g}"
    table = "".join(
        f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
        for k, v in rows.items()
    )
    return (
        "<div class='nn-playground-trainer' style='display:flex;gap:1em;align-items:center'>"
        f"{_boundary_svg(trainer)}<table>{table}</table></div>"
    )
