"""The insight views on the wire: frame parts for open views, binary replies to requests.

Two views follow the run frame by frame and travel inside its frames, only while open
(``View.hidden_layer >= 0``, ``View.health``): a closed view adds nothing to a frame and
costs nothing. Two are computed on request (``landscape``, ``lr_range``) on a fork of the
run, in a worker thread, and answered with one binary message in the frame layout
(``frames.py``) whose header ``type`` names the view. Every array is float32, finite.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from playground.engine import landscape, lr_range
from playground.engine.surgery import NEURON_STATES
from playground.engine.trainer import Trainer
from playground.web.frames import ArrayEntry, encode_frame, finite, json_safe
from playground.web.protocol import View

HEALTH_POINTS = 300  # epochs sent at most (older ones thinned evenly)


def insight_options() -> dict[str, Any]:
    """The views' options, defaults and limits for ``GET /api/options`` (``insight``)."""
    return {
        "landscape": {
            "directions": list(landscape.DIRECTIONS),
            "resolution": {"default": 31, "min": landscape.MIN_RESOLUTION,
                           "max": landscape.MAX_RESOLUTION, "odd": True},
            "span": {"default": 1.0, "min": 0.0, "max": landscape.MAX_SPAN, "exclusive_min": True},
        },
        "lr_range": {
            "start": {"default": 1e-5, "min": lr_range.MIN_LR, "max": lr_range.MAX_LR},
            "stop": {"default": 10.0, "min": lr_range.MIN_LR, "max": lr_range.MAX_LR},
            "steps": {"default": 200, "min": lr_range.MIN_STEPS, "max": lr_range.MAX_STEPS},
        },
        "neuron_states": list(NEURON_STATES),
    }  # fmt: skip


def _f32(a: np.ndarray) -> np.ndarray:
    return finite(np.asarray(a, dtype=np.float64).astype(np.float32))[0]


def hidden_part(trainer: Trainer, view: View) -> tuple[list[ArrayEntry], dict[str, Any] | None]:
    """Arrays and header entry of the hidden-space view (none while it is closed)."""
    depth = len(trainer.spec.hidden)
    if view.hidden_layer < 0 or depth == 0:
        return [], None
    layer = min(view.hidden_layer, depth - 1)
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            hs = trainer.hidden_space(layer)
    except ValueError as e:  # a diverged run: say so instead of drawing
        return [], {"layer": layer, "error": str(e).partition(": ")[2]}
    arrays: list[ArrayEntry] = [("hs_points", _f32(hs.points), {}),
                                ("hs_lattice", _f32(hs.lattice), {})]  # fmt: skip
    if hs.field is not None:
        arrays.append(("hs_field", _f32(hs.field), {}))
        arrays += [(f"hs_axis{i}", _f32(a), {}) for i, a in enumerate(hs.field_axes)]
    header = {
        "layer": hs.layer,
        "width": hs.width,
        "method": hs.method,
        "dims": int(hs.points.shape[1]),
        "explained_variance": list(hs.explained_variance),
        "threshold": hs.threshold,
        "n_train": hs.n_train,
    }
    return arrays, header


def health_part(trainer: Trainer, view: View) -> tuple[list[ArrayEntry], dict[str, Any] | None]:
    """Arrays and header entry of the health-over-time view (none while it is closed)."""
    if not view.health:
        return [], None
    report = trainer.health()
    epochs = report["epochs"]
    keep = np.unique(np.linspace(0, len(epochs) - 1, min(len(epochs), HEALTH_POINTS)).astype(int))
    arrays: list[ArrayEntry] = [("health_epochs", _f32(np.array(epochs, float)[keep]), {})]
    for key, name in (("grad_norm", "health_grad"), ("update_ratio", "health_update")):
        # (layers, epochs); a missing value is 0, which a log axis leaves out
        table = np.array(
            [[0.0 if v is None else v for v in layer[key]] for layer in report["layers"]], float
        ).reshape(len(report["layers"]), len(epochs))
        arrays.append((name, _f32(table[:, keep]), {}))
    header = {"warnings": report["warnings"], "explanation": report["explanation"]}
    return arrays, json_safe(header)


def landscape_job(
    trainer: Trainer, args: dict[str, Any], run: str, seconds: float
) -> Callable[[], bytes]:
    """A job (for a worker thread) computing the landscape of a fork of ``trainer``."""
    fork = trainer.fork(detail="landscape")

    def job() -> bytes:
        scape = fork.landscape(args["directions"], args["resolution"], args["span"], args["seed"],
                               seconds)  # fmt: skip
        cut = fork.loss_slice(span=args["span"])
        header = {
            "type": "landscape",
            "run": run,
            "step": fork.step_count,
            "directions": scape.directions,
            "center_loss": scape.center_loss,
            "span": scape.span,
            "path_steps": list(scape.path_steps),
        }
        arrays: list[ArrayEntry] = [
            ("alphas", _f32(scape.alphas), {}),
            ("betas", _f32(scape.betas), {}),
            ("losses", _f32(scape.losses), {}),
            ("path", _f32(scape.path), {}),
            ("slice_t", _f32(cut.t), {}),
            ("slice_losses", _f32(cut.losses), {}),
        ]
        return encode_frame(json_safe(header), arrays)

    return job


def range_job(
    trainer: Trainer, args: dict[str, Any], run: str, seconds: float
) -> Callable[[], bytes]:
    """A job (for a worker thread) running the LR range test on a fork of ``trainer``."""
    fork = trainer.fork(detail="learning-rate range test")

    def job() -> bytes:
        result = fork.lr_range_test(args["start"], args["stop"], args["steps"], seconds)
        header = {"type": "lr_range", "run": run, "step": fork.step_count,
                  "suggested": result.suggested, "stopped": result.stopped}  # fmt: skip
        arrays: list[ArrayEntry] = [
            ("learning_rates", _f32(result.learning_rates), {}),
            ("losses", _f32(result.losses), {}),
            ("smoothed", _f32(result.smoothed), {}),
        ]
        return encode_frame(json_safe(header), arrays)

    return job
