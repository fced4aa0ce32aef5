"""Lone trainers stepped together: the compare view's A and B, or a classroom's runs.

``Lockstep.step(trainers, n)`` and ``step_together(trainers, n)`` have exactly the effect
of ``t.step(n)`` on each trainer (bit for bit: parameters, optimizer state, random
streams, history, checkpoints and the divergence event), but when the trainers share
their shape (``stack.shape_key``) and are in phase in their epochs (``stack.phase_key``),
they train as one ``Stack``. ``Lockstep`` keeps its stack between calls and rebuilds it
only when a trainer was changed from outside (a command, a reset, an edit);
``step_together`` builds one for a single call (the live server's co-scheduler, whose
groups change from one batch to the next).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from playground.engine.stack import Stack, phase_key
from playground.engine.stack_rows import shape_key
from playground.engine.trainer import Trainer


def stackable(trainers: Sequence[Trainer]) -> bool:
    """True when these trainers can train as one stack right now."""
    if len(trainers) < 2 or not all(map(solo_stackable, trainers)):
        return False  # surgery, TF mode, divergence: each trains alone
    keys = {group_key(t) for t in trainers}
    return len(keys) == 1


def group_key(trainer: Trainer) -> tuple[Any, ...]:
    """Trainers with equal keys can train as one stack (if each is stackable at all)."""
    t = trainer
    return (*shape_key(t.spec, t.data.n_train, len(t.data.X_test)), phase_key(t))


def solo_stackable(trainer: Trainer) -> bool:
    """True when this trainer may join a stack at all (not diverged, TF mode or operated on)."""
    t = trainer
    return t.diverged is None and not t.spec.tf_mode and t.state.neurons is None


def advance(stack: Stack, trainers: Sequence[Trainer], n: int, *, last: bool = False
            ) -> list[int]:  # fmt: skip
    """Run ``n`` steps of ``stack``, whose run i continues ``trainers[i]``, and hand each
    run back to its trainer at its checkpoint steps (where ``Trainer.step`` would take a
    checkpoint) and at the end; returns the steps each ran. ``last``: the stack is dropped
    after this call, so its states are handed over without a second copy."""
    before = [t.step_count for t in trainers]
    runs = stack.runs
    done = 0
    every = [t.recorder.every for t in trainers]
    while done < n and stack.active:
        live = [i for i, r in enumerate(runs) if r.frozen is None]
        chunk = min(n - done, *(every[i] - runs[i].step % every[i] for i in live))
        done += stack.step(chunk)
        if done < n:  # hand over only the runs at a checkpoint now (the rest at the end)
            for i in live:
                if runs[i].frozen is None and runs[i].step % every[i] == 0:
                    _hand_back(stack, trainers[i], i, last)
    for i, t in enumerate(trainers):
        if runs[i].step != t.step_count or (runs[i].frozen is not None) != (t.diverged is not None):
            _hand_back(stack, t, i, last)
    return [t.step_count - b for t, b in zip(trainers, before, strict=True)]


def _hand_back(stack: Stack, trainer: Trainer, i: int, shared: bool) -> None:
    """Run ``i`` of ``stack`` becomes ``trainer``'s state, with the losses the stack
    measured at this very step (an epoch's end) so the trainer need not measure them again."""
    run = stack.runs[i]
    metrics = run.metrics if run.metrics_step == run.step and run.frozen is None else None
    trainer.continue_from(stack.state(i, shared=shared), run.what, metrics)


def step_together(trainers: Sequence[Trainer], n: int) -> list[int]:
    """``t.step(n)`` for every trainer, as one stack when ``stackable`` (one call's stack)."""
    if not stackable(trainers):
        return [t.step(n) for t in trainers]
    return advance(Stack.taking_over(trainers), trainers, n, last=True)


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
        ran = advance(stack, trainers, n)
        self._marks = [self._mark(t) for t in trainers]
        return ran
