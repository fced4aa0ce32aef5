"""Sweeps: one config trained many times with one or two settings varied, as one stack.

How sensitive is a result to the learning rate, and how much of it is luck (the seed)?
A sweep answers both: ``sweep(config, vary={"learning_rate": "0.001:1:log:8",
"seed": "1:4"})`` trains the grid of runs together (``engine.stack``: each run exactly
what it would be alone) and returns each run's metrics and history. The CLI
(``nn-playground sweep``), ``POST /api/sweep`` and the page's sweep view use this module,
so they agree on the grammar, the limits and the result's shape.

Only settings that keep the arrays' shapes can be swept (``SWEEPABLE``); batch size,
layers, features, activation and optimizer change the shapes and cannot be stacked.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from playground.config import ConfigError, RunConfig
from playground.engine.initializers import INITIALIZERS
from playground.engine.stack import Stack
from playground.engine.trainer import Trainer

MAX_SWEEP_RUNS = 16  # runs per sweep (a 4 x 4 grid): a sweep counts as this many runs
MAX_AXES = 2
#: field -> how its values are given: "log" (positive numbers, log-spacing allowed),
#: "number", "int" (a:b is an inclusive range) or "choice" (a comma list of names)
SWEEPABLE: dict[str, str] = {
    "learning_rate": "log",
    "seed": "int",
    "initializer": "choice",
    "regularization_rate": "log",
    "dropout": "number",
    "momentum": "number",
    "weight_decay": "log",
    "beta1": "number",
    "beta2": "number",
    "grad_clip": "number",
    "bias_init": "number",
    "decay_rate": "number",
    "noise": "number",
}
NOT_STACKABLE = ("batch_size", "hidden", "activation", "features", "optimizer", "loss",
                 "problem", "n_points", "train_fraction", "dataset", "preset")  # fmt: skip
CHOICES: dict[str, Sequence[str]] = {"initializer": tuple(INITIALIZERS)}
#: what the page offers, with a starting range each (``/api/options`` -> ``sweep``)
PAGE_FIELDS: dict[str, tuple[str, str]] = {
    "learning_rate": ("Learning rate (log-spaced)", "0.001:1:log:4"),
    "seed": ("Seed (luck)", "1:4"),
    "initializer": ("Initialization", "glorot_uniform,he_uniform,lecun_normal,uniform"),
    "regularization_rate": ("L2 rate (log-spaced)", "0.0001:0.1:log:4"),
    "dropout": ("Dropout rate", "0:0.6:lin:4"),
    "momentum": ("Momentum", "0:0.95:lin:4"),
}
NOT_STACKABLE_NOTE = (
    "Batch size, layers, features, activation and optimizer change the shape of the "
    "network's arrays, so runs differing in them cannot train in one stack."
)


def sweep_options() -> dict[str, Any]:
    """The sweep rules the page needs (``GET /api/options`` -> ``sweep``)."""
    return {
        "max_runs": MAX_SWEEP_RUNS,
        "max_axes": MAX_AXES,
        "fields": [
            {"name": k, "label": label, "default": spec} for k, (label, spec) in PAGE_FIELDS.items()
        ],  # fmt: skip
        "sweepable": list(SWEEPABLE),
        "not_stackable": list(NOT_STACKABLE),
        "note": NOT_STACKABLE_NOTE,
    }


@dataclass(frozen=True)
class Axis:
    """One swept setting and its values, in order."""

    field: str
    values: tuple[Any, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "values": list(self.values)}


def _number(field: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"expected a number, got {text!r}", field) from None
    if not math.isfinite(value):
        raise ConfigError(f"expected a finite number, got {text!r}", field)
    return value


def _tidy(value: float) -> float:
    return float(f"{value:.6g}")


def parse_axis(field: str, spec: Any) -> Axis:
    """An ``Axis`` from ``spec``: a list of values, ``"a:b:log:n"`` / ``"a:b:lin:n"``
    (n values from a to b), ``"a:b"`` (integers a..b) or ``"v1,v2,..."``."""
    if field in NOT_STACKABLE:
        raise ConfigError(f"{field} changes the network's arrays and cannot be swept in one "
                          f"stack; sweepable: {', '.join(SWEEPABLE)}", field)  # fmt: skip
    kind = SWEEPABLE.get(field)
    if kind is None:
        raise ConfigError(f"cannot be swept; sweepable: {', '.join(SWEEPABLE)}", field)
    if isinstance(spec, list | tuple):
        values: list[Any] = list(spec)
    elif not isinstance(spec, str) or not spec.strip():
        raise ConfigError("give a list of values or a text such as 0.001:1:log:8", field)
    elif ":" in spec:
        values = _range(field, kind, spec.strip())
    else:
        items = [s.strip() for s in spec.split(",") if s.strip()]
        values = items if kind == "choice" else [_number(field, s) for s in items]
        if kind == "int":
            values = [int(v) for v in values]
    if not values:
        raise ConfigError("no values to sweep", field)
    if len(values) > MAX_SWEEP_RUNS:
        raise ConfigError(f"at most {MAX_SWEEP_RUNS} values, got {len(values)}", field)
    if len(set(map(repr, values))) != len(values):
        raise ConfigError("values repeat", field)
    return Axis(field, tuple(values))


def _range(field: str, kind: str, spec: str) -> list[Any]:
    parts = spec.split(":")
    if kind == "choice":
        raise ConfigError(f"a comma list of names, e.g. {','.join(CHOICES[field][:2])}", field)
    if len(parts) == 2:
        lo, hi = (_number(field, p) for p in parts)
        if kind != "int" or lo != int(lo) or hi != int(hi) or hi < lo:
            raise ConfigError("a:b is an integer range (seed=1:4); use a:b:lin:n or "
                              "a:b:log:n for numbers", field)  # fmt: skip
        if hi - lo + 1 > MAX_SWEEP_RUNS:
            raise ConfigError(f"at most {MAX_SWEEP_RUNS} values, got {int(hi - lo + 1)}", field)
        return list(range(int(lo), int(hi) + 1))
    if len(parts) != 4 or parts[2] not in ("log", "lin"):
        raise ConfigError(f"expected a:b:log:n, a:b:lin:n or a:b, got {spec!r}", field)
    lo, hi = _number(field, parts[0]), _number(field, parts[1])
    try:
        n = int(parts[3])
    except ValueError:
        raise ConfigError(f"n must be an integer, got {parts[3]!r}", field) from None
    if not 1 <= n <= MAX_SWEEP_RUNS:
        raise ConfigError(f"n must be in 1..{MAX_SWEEP_RUNS}, got {n}", field)
    if parts[2] == "log":
        if lo <= 0 or hi <= 0:
            raise ConfigError("log spacing needs positive ends", field)
        values = [lo * (hi / lo) ** (i / (n - 1)) if n > 1 else lo for i in range(n)]
    else:
        values = [lo + (hi - lo) * i / (n - 1) if n > 1 else lo for i in range(n)]
    return [int(round(v)) if kind == "int" else _tidy(v) for v in values]


def parse_axes(vary: Mapping[str, Any] | Sequence[Axis] | Sequence[str]) -> list[Axis]:
    """Axes from ``{field: spec}``, ``["field=spec", ...]`` or ``Axis`` objects."""
    if isinstance(vary, Mapping):
        axes = [parse_axis(str(k), v) for k, v in vary.items()]
    else:
        axes = []
        for item in vary:
            if isinstance(item, Axis):
                axes.append(parse_axis(item.field, list(item.values)))
            elif isinstance(item, str) and "=" in item:
                name, spec = item.split("=", 1)
                axes.append(parse_axis(name.strip(), spec))
            else:
                raise ConfigError(f"expected field=values, got {item!r}", "vary")
    if not 1 <= len(axes) <= MAX_AXES:
        raise ConfigError(f"vary 1 or {MAX_AXES} settings, got {len(axes)}", "vary")
    if len({a.field for a in axes}) != len(axes):
        raise ConfigError("a setting is varied twice", "vary")
    n = math.prod(len(a.values) for a in axes)
    if n > MAX_SWEEP_RUNS:
        raise ConfigError(f"a sweep has at most {MAX_SWEEP_RUNS} runs, got {n}", "vary")
    return axes


def sweep_configs(
    config: RunConfig, axes: Sequence[Axis]
) -> list[tuple[dict[str, Any], RunConfig]]:
    """Every run of the grid (the last axis varies fastest) with its swept values.

    Sweeping the L2 rate of a run without a penalty turns L2 on; sweeping momentum of an
    optimizer without momentum uses ``momentum`` (otherwise every cell would be the same).
    """
    config = implied(config, axes)
    out = []
    for combo in itertools.product(*(a.values for a in axes)):
        values = dict(zip((a.field for a in axes), combo, strict=True))
        out.append((values, config.updated(**values)))
    return out


def implied(config: RunConfig, axes: Sequence[Axis]) -> RunConfig:
    """The base config a sweep over ``axes`` really uses (see ``sweep_configs``)."""
    fields = {a.field for a in axes}
    if "regularization_rate" in fields and config.regularization == "none":
        config = config.updated(regularization="l2")
    if "momentum" in fields and config.optimizer not in ("momentum", "nesterov"):
        config = config.updated(optimizer="momentum")
    return config


@dataclass(frozen=True)
class SweepResult:
    """Each run's swept values, metrics, history and divergence; JSON via ``to_dict``."""

    axes: list[Axis]
    runs: list[dict[str, Any]]
    stopped: str
    seconds: float
    config: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape shared by ``sweep --json`` and ``POST /api/sweep``."""
        return {
            "axes": [a.to_dict() for a in self.axes],
            "runs": self.runs,
            "stopped": self.stopped,
            "seconds": round(self.seconds, 4),
            "config": self.config,
            "spread": spread(self.axes, self.runs),
        }

    def table(self) -> str:
        """One line per run: swept values, epochs, losses, accuracy, divergence."""
        names = [a.field for a in self.axes]
        head = "".join(f"{n:>16}" for n in names)
        lines = [f"{head}{'epochs':>8}{'train loss':>12}{'test loss':>11}{'test acc':>10}"]
        for run in self.runs:
            m = run["metrics"]
            cells = "".join(f"{_show(run['values'][n]):>16}" for n in names)
            acc = m["test_accuracy"]
            lines.append(
                f"{cells}{m['epoch']:>8}{_show(m['train_loss']):>12}{_show(m['test_loss']):>11}"
                f"{'—' if acc is None else f'{acc:.1%}':>10}"
                + ("  diverged" if run["diverged"] else "")
            )
        return "\n".join(lines)


def spread(axes: Sequence[Axis], runs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]] | None:
    """How much is luck: min / median / max test loss across seeds, per value of the other
    swept setting (one row if only the seed varies); None when the seed is not swept.
    ``runs`` hold ``values`` and a test loss (``metrics.test_loss`` or ``test_loss``)."""
    if "seed" not in [a.field for a in axes]:
        return None
    other = next((a for a in axes if a.field != "seed"), None)
    rows = []
    for value in other.values if other else [None]:
        losses = []
        for run in runs:
            if other is None or run["values"][other.field] == value:
                loss = run["metrics"]["test_loss"] if "metrics" in run else run["test_loss"]
                if loss is not None and run.get("diverged") is None:
                    losses.append(float(loss))
        row: dict[str, Any] = {"field": other.field if other else None, "value": value,
                               "runs": len(losses)}  # fmt: skip
        if losses:
            row.update(min=min(losses), median=float(np.median(losses)), max=max(losses))
        else:
            row.update(min=None, median=None, max=None)
        rows.append(row)
    return rows


def _show(v: Any) -> str:
    if v is None:
        return "—"
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def _run_record(index: int, values: dict[str, Any], metrics: dict[str, Any],
                history: dict[str, list[Any]], diverged: Any) -> dict[str, Any]:  # fmt: skip
    return {"index": index, "values": values, "metrics": metrics,
            "history": {k: list(v) for k, v in history.items()}, "diverged": diverged}  # fmt: skip


def sweep(
    config: RunConfig | None = None,
    vary: Mapping[str, Any] | Sequence[Any] = (),
    *,
    epochs: int = 100,
    seconds: float | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> SweepResult:
    """Train the sweep of ``config`` over ``vary`` for ``epochs`` epochs (or ``seconds``).

    ``vary``: ``{"learning_rate": "0.001:1:log:8", "seed": "1:4"}`` (or a list of
    ``"field=spec"``); at most ``MAX_SWEEP_RUNS`` runs over at most two settings. Every run
    trains exactly as it would alone; a diverged run stops and the others go on.
    """
    config = config or RunConfig()
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ConfigError(f"must be a positive integer, got {epochs!r}", "epochs")
    axes = parse_axes(vary)
    grid = sweep_configs(config, axes)
    start = clock()
    runs: list[dict[str, Any]] = []
    if config.spec().tf_mode:  # TF Playground's rule is not stacked: one run at a time
        stopped = "epochs"
        for i, (values, cfg) in enumerate(grid):
            left = None if seconds is None else max(0.0, seconds - (clock() - start))
            res = Trainer(cfg).run(epochs=epochs, seconds=left, clock=clock)
            stopped = res.stopped if res.stopped == "seconds" else stopped
            runs.append(_run_record(i, values, res.metrics, res.history, res.diverged))
    else:
        stack = Stack([cfg for _, cfg in grid])
        stopped = stack.run(epochs=epochs, seconds=seconds, clock=clock)
        for i, (values, _) in enumerate(grid):
            runs.append(_run_record(i, values, stack.metrics(i), stack.history(i),
                                    stack.diverged(i)))  # fmt: skip
    base = implied(config, axes).model_dump(mode="json")
    return SweepResult(axes, runs, stopped, clock() - start, base)
