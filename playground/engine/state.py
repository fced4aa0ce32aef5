"""``RunState``: everything that determines a run's future, as one explicit value.

Parameters, optimizer state, the training and dropout random streams, the data order and
cursor, TF mode's dead links, counters, per-epoch history, divergence and the loss
ceiling: with the run's config (and the data it implies), a ``RunState`` is the whole
run. The trainer owns one live ``RunState`` and is its only writer; checkpoints, forks
and snapshots are copies of it. Neuron surgery (``neurons``) and the per-epoch health
record (``health``) live here too.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from playground.engine.optimizers import Optimizer


def copy_stream(stream: np.random.Generator) -> np.random.Generator:
    """An independent generator at exactly ``stream``'s state. For PCG64 (every stream
    here) a new generator takes the state dict: 4x cheaper than ``copy.deepcopy``, which
    pickles, and a run copies its streams at every checkpoint and hand-over."""
    bits = getattr(stream, "bit_generator", None)
    if type(bits) is not np.random.PCG64 or type(stream) is not np.random.Generator:
        return copy.deepcopy(stream)
    twin = np.random.PCG64(0)
    twin.state = bits.state
    return np.random.Generator(twin)


#: per epoch; ``learning_rate`` is the scheduled rate at the epoch's end (for the charts)
HISTORY_KEYS = (
    "epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy", "learning_rate",
)  # fmt: skip


HEALTH_KEYS = ("grad_norm", "update_ratio")  # per epoch: one value per weight layer


def empty_history() -> dict[str, list[Any]]:
    """A history with no epochs yet."""
    return {k: [] for k in HISTORY_KEYS}


#: the range of a run's divergence threshold: at least ``EXPLOSION_FACTOR`` × 0.05 (the
#: trainer's floor), at most 1e15 (a squared error of targets bounded by 1e6, with room);
#: a restored 1e308 would silently switch divergence detection off
LOSS_CEILING_RANGE = (0.5, 1e15)


def empty_health() -> dict[str, list[Any]]:
    """A health record with no epochs yet (entries align with ``history``'s)."""
    return {k: [] for k in HEALTH_KEYS}


@dataclass
class RunState:
    """A run's mutable state; ``config`` is the (immutable) configuration it runs under."""

    config: Any
    params: np.ndarray  # the flat parameter vector (the network's weights are views of it)
    optimizer: Optimizer
    rng: np.random.Generator  # training stream: batch order, new neurons' weights
    # dropout masks have their own stream, so dropout on/off never changes the data order
    dropout_rng: np.random.Generator
    order: np.ndarray  # this epoch's permutation of the training points
    position: int  # cursor into ``order``
    step: int
    epoch: int
    history: dict[str, list[Any]] = field(default_factory=empty_history)
    diverged: dict[str, Any] | None = None
    loss_ceiling: float = float("inf")
    backup: np.ndarray | None = None  # weights before the last update (rollback, update ratio)
    dead: np.ndarray | None = None  # TF mode: links L1 snapped to 0 (they stay at 0)
    # neuron surgery: one code per hidden unit (see engine.surgery), None = all active
    neurons: np.ndarray | None = None
    # per epoch, aligned with ``history``: per-layer gradient norm and update/weight ratio
    health: dict[str, list[Any]] = field(default_factory=empty_health)

    def copy(self, share_history: bool = False) -> RunState:
        """An independent copy. With ``share_history`` the history lists are shared.

        Sharing is safe for checkpoints: history lists are only ever appended to or
        replaced, so a checkpoint that remembers each list's length sees its own prefix.
        """
        history = dict(self.history) if share_history else {
            k: list(v) for k, v in self.history.items()
        }  # fmt: skip
        health = dict(self.health) if share_history else {
            k: list(v) for k, v in self.health.items()
        }  # fmt: skip
        return RunState(
            config=self.config,
            params=self.params.copy(),
            optimizer=copy.deepcopy(self.optimizer),
            rng=copy_stream(self.rng),
            order=self.order.copy(),
            position=self.position,
            step=self.step,
            epoch=self.epoch,
            history=history,
            diverged=None if self.diverged is None else dict(self.diverged),
            loss_ceiling=self.loss_ceiling,
            backup=None if self.backup is None else self.backup.copy(),
            dead=None if self.dead is None else self.dead.copy(),
            dropout_rng=copy_stream(self.dropout_rng),
            neurons=None if self.neurons is None else self.neurons.copy(),
            health=health,
        )

    def nbytes(self) -> int:
        """Bytes held by the arrays of this state (history excluded: it is shared)."""
        arrays = [self.params, self.order, *self.optimizer.arrays()]
        if self.backup is not None:
            arrays.append(self.backup)
        return int(sum(a.nbytes for a in arrays)) + 512  # + the small objects around them
