"""A sweep inside a live session: up to 16 runs trained together, drawn as small multiples.

The page sends ``{"type": "sweep", "action": ...}`` (``docs/protocol.md``, Sweeps):
``start`` builds a ``Stack`` of the selected run's config over one or two varied settings
(``playground.sweeps`` grammar and limits), ``play`` / ``pause`` / ``step`` train it,
``view`` turns the overlaid loss curves on or off, ``open`` takes one cell out as a run of
the session (a fork: it continues exactly where the cell is), ``close`` drops the sweep.

Pacing is the runs' pacing: a sweep trains ``speed`` steps per frame, has at most one
frame in flight (released by ``ack``), and counts as R runs when the session's training
budget is shared. Its frame is small: one 32 x 32 uint8 thumbnail per cell.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from playground.config import ConfigError, RunConfig, parse_config
from playground.engine.render import grid_features
from playground.engine.stack import Stack
from playground.sweeps import parse_axes, spread, sweep_configs
from playground.web.frames import encode_frame, finite, quantize
from playground.web.protocol import ProtocolError

THUMB = 32  # side of each cell's thumbnail grid
MAX_CURVE_POINTS = 100  # per run, in the overlaid loss curves
Message = dict[str, Any]


def _thin(history: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """The test-loss curve with at most ``MAX_CURVE_POINTS`` points: epochs and losses."""
    step = max(1, -(-len(history["epoch"]) // MAX_CURVE_POINTS))
    return {"epoch": history["epoch"][::step], "test_loss": history["test_loss"][::step]}


class LiveSweep:
    """The sweep of one session: its stack, cells, thumbnails and pacing state."""

    def __init__(self, config: RunConfig, vary: dict[str, Any], curves: bool = False) -> None:
        self.axes = parse_axes(vary)
        grid = sweep_configs(config, self.axes)
        if config.spec().tf_mode:
            raise ConfigError("TF Playground mode (preset 'tfp') runs one run at a time; "
                              "choose preset none to sweep", "preset")  # fmt: skip
        self.values = [v for v, _ in grid]
        self.stack = Stack([c for _, c in grid])
        self.problem = config.problem
        self.features = list(config.features)
        self.curves = curves
        self.playing = False
        self.pending = 0
        self.since_frame = 0
        self.dirty = True
        self.in_flight: int | None = None
        self.step_seconds = 1e-3
        self._thumbs = np.zeros((self.size, THUMB, THUMB), dtype=np.uint8)

    @property
    def size(self) -> int:
        return self.stack.size

    def message(self, state: str) -> Message:
        """The ``sweep`` JSON message: what the sweep is and whether it plays."""
        return {"type": "sweep", "state": state, "axes": [a.to_dict() for a in self.axes],
                "cells": [{"index": i, "values": v} for i, v in enumerate(self.values)],
                "playing": self.playing}  # fmt: skip

    # Pacing ---------------------------------------------------------------------------
    def target(self, speed: int) -> int:
        if not self.stack.active:
            return 0
        if self.pending:
            return self.pending
        return speed - self.since_frame if self.playing and self.since_frame < speed else 0

    def due(self, speed: int) -> bool:
        if self.in_flight is not None or self.pending:
            return False
        return self.dirty or (self.playing and self.since_frame >= speed)

    def work(self, budget: float, speed: int, clock: Callable[[], float]) -> list[Message]:
        """Train for about ``budget`` seconds; a ``sweep`` message if training stopped."""
        start = clock()
        while (target := self.target(speed)) > 0:
            n = max(1, min(target, int(budget / self.step_seconds)))
            t0 = clock()
            ran = self.stack.step(n)
            if ran:
                self.step_seconds = max(1e-6, 0.7 * self.step_seconds + 0.3 * (clock() - t0) / ran)
            if self.pending:
                self.pending = max(0, self.pending - ran)
                self.dirty = self.dirty or not self.pending
            else:
                self.since_frame += ran
            if not self.stack.active:
                self.playing, self.pending, self.dirty = False, 0, True
                return [self.message("diverged")]
            if clock() - start >= budget:
                break
        return []

    # Frames ---------------------------------------------------------------------------
    def _cells(self) -> list[Message]:
        cells = []
        for i, values in enumerate(self.values):
            m = self.stack.metrics(i)
            cell = {"index": i, "values": values, **{k: m[k] for k in (
                "epoch", "step", "train_loss", "test_loss", "test_accuracy")},
                "diverged": self.stack.diverged(i)}  # fmt: skip
            if self.curves:
                cell["curve"] = _thin(self.stack.history(i))
            cells.append(cell)
        return cells

    def _draw(self) -> tuple[np.ndarray, dict[str, Any]]:
        """Thumbnails of every training cell (diverged cells keep their last picture)."""
        F, _ = grid_features(self.features, THUMB)
        for i, out in self.stack.outputs(F).items():
            if self.problem == "multiclass":
                self._thumbs[i] = np.argmax(out, axis=1).reshape(THUMB, THUMB)
                continue
            v = out[:, 0].reshape(THUMB, THUMB)
            if self.problem == "binary" and self.stack.runs[i].loss_fn.output_range[0] == 0.0:
                v = 2.0 * v - 1.0  # probability -> signed score, 0 on the boundary
            v, _ = finite(np.clip(v, -1.0, 1.0))
            self._thumbs[i] = quantize(v, -1.0, 1.0)
        if self.problem == "multiclass":
            return self._thumbs, {"kind": "class"}
        return self._thumbs, {"kind": "signed", "range": [-1.0, 1.0]}

    def frame(self, seq: int) -> bytes:
        """The sweep frame (``docs/protocol.md``, Sweeps); marks it in flight."""
        thumbs, extra = self._draw()
        cells = self._cells()
        header = {
            "type": "sweep", "seq": seq, "run": "sweep", "playing": self.playing,
            "problem": self.problem, "axes": [a.to_dict() for a in self.axes],
            "cells": cells, "spread": spread(self.axes, cells),
        }  # fmt: skip
        self.in_flight, self.dirty, self.since_frame = seq, False, 0
        return encode_frame(header, [("thumbs", thumbs, extra)])


def handle_sweep(session: Any, args: dict[str, Any]) -> list[Message]:
    """Apply one ``sweep`` command to ``session`` (a ``LiveSession``)."""
    action = args["action"]
    sweep: LiveSweep | None = session.sweep
    if action == "start":
        base = session.trainer.config if args["config"] is None else parse_config(args["config"])
        try:
            new = LiveSweep(base, args["vary"], args["curves"])
        except ConfigError as e:
            field = e.field if e.field in ("vary", "preset") else f"vary.{e.field}"
            raise ProtocolError(e.message, field) from None
        session.sweep = new
        return [new.message("ready")]
    if sweep is None:
        raise ProtocolError("no sweep: start one first", "action")
    if action == "close":
        session.sweep = None
        return [{"type": "sweep", "state": "closed"}]
    if action == "view":
        sweep.curves, sweep.dirty = args["curves"], True
        return []
    if action in ("play", "pause", "step"):
        sweep.playing = action == "play" and sweep.stack.active > 0
        sweep.pending = args["n"] if action == "step" and sweep.stack.active else 0
        sweep.dirty = True
        state = "diverged" if not sweep.stack.active else ("playing" if sweep.playing else "paused")
        return [sweep.message(state)]
    return _open(session, sweep, args)


def _open(session: Any, sweep: LiveSweep, args: dict[str, Any]) -> list[Message]:
    """Take cell ``args["cell"]`` out of the sweep as a run of the session (a fork)."""
    i = args["cell"]
    if not 0 <= i < sweep.size:
        raise ProtocolError(f"cell must be in 0..{sweep.size - 1}, got {i}", "cell")
    values = ", ".join(f"{k} {v}" for k, v in sweep.values[i].items())
    trainer = sweep.stack.trainer(i, f"opened from sweep cell {i} ({values}) at step "
                                     f"{sweep.stack.metrics(i)['step']}")  # fmt: skip
    return session.adopt_run(trainer, replace=args["replace"])
