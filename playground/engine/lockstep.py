"""Lone trainers stepped together: the compare view's A and B as one stack when they can.

``Lockstep.step(trainers, n)`` has exactly the effect of ``t.step(n)`` on each trainer
(bit for bit: parameters, optimizer state, random streams, history, checkpoints and the
divergence event), but when the trainers share their shape (``stack.shape_key``) and
their place in the epoch, they train as one ``Stack``. The stack is kept between calls
and rebuilt only when a trainer was changed from outside (a command, a reset, an edit).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from playground.engine.stack import Stack
from playground.engine.stack_rows import shape_key
from playground.engine.trainer import Trainer


def stackable(trainers: Sequence[Trainer]) -> bool:
    """True when these trainers can train as one stack right now."""
    if len(trainers) < 2 or any(t.diverged is not None or t.spec.tf_mode for t in trainers):
        return False
    if any(t.state.neurons is not None for t in trainers):  # surgery: each trains alone
        return False
    keys = {shape_key(t.spec, t.data.n_train, len(t.data.X_test)) for t in trainers}
    return len(keys) == 1 and len({t.state.position for t in trainers}) == 1


class Lockstep:
    """Keeps one stack for a group of trainers between calls (see the module docstring)."""

    def __init__(self) -> None:
        self._stack: Stack | None = None
        self._trainers: list[Trainer] = []
        self._marks: list[tuple[Any, ...]] = []

    def _mark(self, t: Trainer) -> tuple[Any, ...]:
        return (id(t.state), t.state.step, t.config, t.state.params.copy())

    def _valid(self, trainers: Sequence[Trainer]) -> bool:
        if self._stack is None or list(trainers) != self._trainers:
            return False
        for t, (state_id, step, config, params) in zip(trainers, self._marks, strict=True):
            same = id(t.state) == state_id and t.state.step == step and t.config is config
            if not same or not np.array_equal(t.state.params, params):
                return False
        return True

    def step(self, trainers: Sequence[Trainer], n: int) -> list[int]:
        """Run ``n`` steps of every trainer; returns the steps each ran."""
        if not stackable(trainers):
            self._stack = None
            return [t.step(n) for t in trainers]
        if not self._valid(trainers):
            self._stack = Stack.from_trainers(trainers)
            self._trainers = list(trainers)
        stack = self._stack
        assert stack is not None
        before = [t.step_count for t in trainers]
        every = trainers[0].recorder.every
        done = 0
        while done < n and stack.active:
            live = [t.step_count for t in trainers if t.diverged is None]
            chunk = min(n - done, *(every - s % every for s in live))  # hand over at checkpoints
            done += stack.step(chunk)
            for i, t in enumerate(trainers):
                if t.diverged is None:
                    t.continue_from(stack.state(i), stack.runs[i].what)
        self._marks = [self._mark(t) for t in trainers]
        return [t.step_count - b for t, b in zip(trainers, before, strict=True)]
