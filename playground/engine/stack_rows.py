"""The per-run side of a stack: each run's own record, and its settings as columns.

``stack.py`` keeps the arrays (one row per training run); this module keeps what differs
per run: its config, random stream, counters and history (``StackRun``), and the per-run
settings in the form the stacked step uses (``RowSettings``: (R, 1) columns, or a plain
float where every run agrees, so a uniform sweep pays nothing for the generality).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from playground.engine.optimizers import OPTIMIZERS
from playground.engine.schedules import SCHEDULES
from playground.engine.spec import RunSpec
from playground.engine.stack_update import Column, columns
from playground.engine.state import RunState
from playground.engine.streams import RUN_STREAMS

#: what runs must share to train in one stack (with the number of points)
SHAPE_FIELDS = ("problem", "n_classes", "features", "hidden", "activations", "loss",
                "batch_size", "optimizer")  # fmt: skip


def shape_key(spec: RunSpec, n_train: int, n_test: int) -> tuple[Any, ...]:
    """What runs must share to train in one stack."""
    return (*(getattr(spec, f) for f in SHAPE_FIELDS), n_train, n_test)


def finite_or_none(x: float) -> float | None:
    return x if math.isfinite(x) else None


class StackRun:
    """Run r's own part: config, streams, counters, history and health; frozen once it
    leaves."""

    def __init__(self, trainer: Any) -> None:
        st = trainer.state
        self.config = trainer.config
        self.spec: RunSpec = trainer.spec
        self.rng: np.random.Generator = st.rng  # training stream (batch order)
        for name in RUN_STREAMS:  # every stream under its RunState name (rng among them),
            setattr(self, name, getattr(st, name))  # so streams.py's helpers read it here too
        self.step: int = st.step
        self.epoch: int = st.epoch
        self.history = {k: list(v) for k, v in st.history.items()}
        self.health = {k: list(v) for k, v in st.health.items()}  # aligned with history
        self.ceiling: float = st.loss_ceiling
        self.loss_fn = trainer.network.loss_fn
        self.frozen: RunState | None = None  # the final state once diverged
        self.what = ""  # what went wrong (the timeline's detail), once diverged
        self.metrics: dict[str, Any] | None = None
        self.metrics_step = -1

    @property
    def streams(self) -> dict[str, Any]:
        """The run's generators by ``RunState`` field name."""
        return {name: getattr(self, name) for name in RUN_STREAMS}

    def learning_rate(self) -> float:
        """The scheduled rate of the next step (``Trainer.learning_rate``'s arithmetic)."""
        spec = self.spec
        if spec.schedule == "constant":
            return float(spec.learning_rate)
        fn = SCHEDULES[spec.schedule].fn
        return float(fn(spec.learning_rate, self.step, spec.decay_rate, spec.decay_steps))


@dataclass
class RowSettings:
    """Per-row settings of the training rows, in the shapes the stacked step uses."""

    hyper: dict[str, Column]  # optimizer hyperparameters (and their ``1-name`` terms)
    lr: np.ndarray  # (R, 1) learning rates of the next step
    scheduled: list[int]  # rows whose rate changes every step
    clip: list[tuple[int, float]]  # (row, max norm) of rows that clip
    penalty: str | None  # None, "l1", "l2" or "mixed"
    rate: np.ndarray  # (R, 1) penalty rates (0 for rows without)
    is_l1: np.ndarray  # (R, 1) bool
    drop: list[list[float]]  # per row, per hidden layer
    dropout_rows: list[int]
    dropout_layers: list[bool]


def row_settings(runs: list[StackRun], optimizer: str, n_hidden: int) -> RowSettings:
    """The settings of ``runs`` (the training rows, in row order) as columns."""
    used = OPTIMIZERS[optimizer].hyperparameters
    hyper = columns([dict(r.spec.hyper()) for r in runs])
    kinds = [r.spec.regularization if r.spec.regularization_rate else "none" for r in runs]
    penalties = {k for k in kinds if k != "none"}
    drop = [[p if p > 0 else 0.0 for p in r.spec.dropouts] for r in runs]
    return RowSettings(
        hyper={k: v for k, v in hyper.items() if k.removeprefix("1-") in used},
        lr=np.array([r.learning_rate() for r in runs]).reshape(-1, 1),
        scheduled=[j for j, r in enumerate(runs) if r.spec.schedule != "constant"],
        clip=[(j, r.spec.grad_clip) for j, r in enumerate(runs) if r.spec.grad_clip],
        penalty=None if not penalties else penalties.pop() if len(penalties) == 1 else "mixed",
        rate=np.array(
            [
                r.spec.regularization_rate if k != "none" else 0.0
                for r, k in zip(runs, kinds, strict=True)
            ]
        ).reshape(-1, 1),  # fmt: skip
        is_l1=np.array([k == "l1" for k in kinds]).reshape(-1, 1),
        drop=drop,
        dropout_rows=[j for j, d in enumerate(drop) if any(d)],
        dropout_layers=[any(d[k] for d in drop) for k in range(n_hidden)],
    )
