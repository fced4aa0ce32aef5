"""Shared paths (engine.memo): a run that follows kept states ends up bit for bit where it
would have trained alone, and only fresh, merely trained runs share a path."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from playground.config import RunConfig
from playground.engine.memo import RunMemo, lineage
from playground.engine.trainer import Trainer

LESSON = RunConfig(dataset="spiral", hidden=[6, 5], n_points=120, optimizer="adam",
                   learning_rate=0.01, dropout=0.1, seed=7)  # fmt: skip


def _same(a: Trainer, b: Trainer, *, timeline: bool = True) -> None:
    np.testing.assert_array_equal(a.state.params, b.state.params)
    np.testing.assert_array_equal(a.state.backup, b.state.backup)
    np.testing.assert_array_equal(a.state.order, b.state.order)
    assert a.optimizer.state_dict() == b.optimizer.state_dict()
    assert a.state.rng.bit_generator.state == b.state.rng.bit_generator.state
    assert a.state.dropout_rng.bit_generator.state == b.state.dropout_rng.bit_generator.state
    assert a.metrics() == b.metrics() and a.history == b.history
    assert a.state.health == b.state.health
    assert a.timeline == b.timeline or not timeline  # (a reconfigured run tells its story)
    assert (a.state.position, a.epoch, a.step_count) == (b.state.position, b.epoch, b.step_count)
    assert [c.state.step for c in a.recorder.checkpoints] == [
        c.state.step for c in b.recorder.checkpoints
    ]


def _lead(memo: RunMemo, trainer: Trainer, chunks: list[int], *others: Trainer) -> None:
    """``trainer`` trains ``chunks`` and keeps its states, while ``others`` (pages of the
    same config, seen on its path first) wait."""
    for other in others:
        memo.shared(other)
    for n in chunks:
        before = trainer.step_count
        trainer.step(n)
        memo.keep(trainer, before)


def test_a_page_that_follows_kept_states_is_its_lone_run_bit_for_bit() -> None:
    memo = RunMemo(8 << 20)
    leader, follower, lone = Trainer(LESSON), Trainer(LESSON), Trainer(LESSON)
    _lead(memo, leader, [30, 30, 30, 30, 30], follower)  # step 100 (a checkpoint) inside
    assert memo.jump(follower, 25) == 0  # nothing kept at or before step 25
    assert memo.jump(follower, 140) == 120  # 30, 60, 90: the largest first; stops at 100
    lone.step(120)
    _same(follower, lone)
    assert memo.jump(follower, 30) == 30 and memo.jump(follower, 10) == 0
    lone.step(30)
    _same(follower, lone)
    follower.step(77)  # and it trains on from there as the lone run does
    lone.step(77)
    _same(follower, lone)
    assert memo.stats.steps == 150 and memo.stats.jumps == 2


def test_a_jump_stops_at_every_checkpoint_step_and_takes_the_checkpoint() -> None:
    memo = RunMemo(8 << 20)
    leader = Trainer(LESSON, checkpoint_every=20)
    follower, lone = Trainer(LESSON, checkpoint_every=20), Trainer(LESSON, checkpoint_every=20)
    _lead(memo, leader, [15, 15, 15, 15], follower)  # chunks end 15, 30, 45, 60; checkpoints 20, 40
    # from 0: 15 (the largest kept before 20), 20 (a checkpoint, kept from the leader's
    # timeline), 40, then 45; 60 is out of reach (n = 50)
    assert memo.jump(follower, 50) == 45
    lone.step(45)
    _same(follower, lone)
    follower.rewind(20)  # the checkpoints it took serve a rewind exactly
    lone.rewind(20)
    _same(follower, lone)


def _edits() -> list[tuple[str, Any]]:
    return [
        ("weight edit", lambda t: t.set_weight(0, "weight", 0, 0, 0.5)),
        ("live change", lambda t: t.reconfigure(LESSON.model_copy(update={"learning_rate": 0.1}))),
        ("rewind", lambda t: t.rewind(10)),
        ("neuron surgery", lambda t: t.set_neuron(0, 1, "off")),
    ]


@pytest.mark.parametrize(("name", "edit"), _edits(), ids=[n for n, _ in _edits()])
def test_a_run_leaves_the_shared_path_for_good_once_anything_but_training_happens(
    name: str, edit: Any
) -> None:
    memo = RunMemo(8 << 20)
    run = Trainer(LESSON)
    _lead(memo, Trainer(LESSON), [20, 20, 20], run)
    run.step(20)
    assert lineage(run) == lineage(Trainer(LESSON)) is not None
    edit(run)
    assert lineage(run) is None, name
    assert memo.jump(run, 40) == 0 and memo.position(run) is None


def test_forks_and_restored_runs_are_not_on_a_shared_path() -> None:
    run = Trainer(LESSON)
    run.step(20)
    assert lineage(run.fork()) is None and lineage(run.at(10)) is None
    assert lineage(Trainer.restore(run.snapshot())) is None


def test_reset_or_a_change_before_training_puts_a_run_back_on_the_fresh_path() -> None:
    memo = RunMemo(8 << 20)
    other = LESSON.model_copy(update={"seed": 8})
    run = Trainer(LESSON)
    run.reconfigure(other)  # before training: drawn afresh from the new config
    _lead(memo, Trainer(other), [25, 25], run)
    assert lineage(run) == lineage(Trainer(other))
    assert memo.jump(run, 50) == 50
    lone = Trainer(other)
    lone.step(50)
    _same(run, lone, timeline=False)
    run.set_weight(0, "weight", 0, 0, 0.5)
    run.reset()  # exactly Trainer(config) again
    assert lineage(run) == lineage(Trainer(other)) and memo.jump(run, 25) == 25


def test_a_diverging_leader_keeps_nothing_past_it_and_the_follower_diverges_alone() -> None:
    wild = RunConfig(dataset="spiral", hidden=[6], n_points=120, optimizer="momentum",
                     learning_rate=10.0, momentum=0.99, seed=2)  # fmt: skip
    memo = RunMemo(8 << 20)
    leader, follower, lone = Trainer(wild), Trainer(wild), Trainer(wild)
    _lead(memo, leader, [10] * 15, follower)
    assert leader.diverged is not None
    moved = memo.jump(follower, 150)
    assert moved < leader.diverged["step"]  # only states before it were kept
    follower.step(150 - moved)
    lone.step(150)
    assert follower.diverged == lone.diverged and follower.timeline == lone.timeline
    np.testing.assert_array_equal(follower.state.params, lone.state.params)


def test_the_memo_stays_within_its_bytes_and_zero_keeps_nothing() -> None:
    small = RunMemo(40_000)
    _lead(small, Trainer(LESSON), [5] * 40, Trainer(LESSON))
    assert 0 < len(small) < 40 and small.nbytes <= 40_000 and small.stats.evicted > 0
    off = RunMemo(0)
    _lead(off, Trainer(LESSON), [5] * 4, Trainer(LESSON))
    assert len(off) == 0 and off.jump(Trainer(LESSON), 20) == 0
    small.clear()
    assert len(small) == 0 and small.nbytes == 0


def test_a_path_only_one_run_walks_keeps_nothing() -> None:
    memo = RunMemo(8 << 20)
    alone = Trainer(LESSON)
    _lead(memo, alone, [20, 20])
    assert len(memo) == 0 and not memo.shared(alone)
    twin = Trainer(LESSON)  # a second page arrives: from now on the path is kept
    assert memo.shared(twin) and memo.shared(alone)
    _lead(memo, alone, [20])
    assert len(memo) == 1 and memo.jump(twin, 40) == 0  # steps 20 and 40 were not kept
    assert memo.jump(twin, 60) == 60
