"""Timeline: rewind to any past step bit-for-bit, fork, bounded checkpoint memory."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from playground import RunConfig, Trainer

BASE = RunConfig(dataset="spiral", hidden=[6, 4], optimizer="adam", learning_rate=0.01,
                 dropout=0.1, batch_size=7, seed=3)  # fmt: skip
# (step, command) pairs applied along the way
COMMANDS: list[tuple[int, Any]] = [
    (130, ("config", {"learning_rate": 0.03, "beta1": 0.8})),
    (260, ("config", {"hidden": [6, 5, 3]})),
    (333, ("weight", (1, "weight", 2, 1, 0.75))),
    (
        410,
        ("config", {"optimizer": "momentum", "regularization": "l2", "regularization_rate": 0.001}),
    ),  # fmt: skip
]
TOTAL = 600


def _apply(t: Trainer, command: Any) -> None:
    what, value = command
    if what == "config":
        t.reconfigure(t.config.updated(**value))
    else:
        t.set_weight(*value)


def _fresh_until(k: int) -> Trainer:
    """A fresh run given the same commands up to step k (those at k included)."""
    t = Trainer(BASE)
    for at, command in COMMANDS:
        if at > k:
            break
        t.step(at - t.step_count)
        _apply(t, command)
    t.step(k - t.step_count)
    return t


def _recorded() -> Trainer:
    t = Trainer(BASE, checkpoint_every=50)
    for at, command in COMMANDS:
        t.step(at - t.step_count)
        _apply(t, command)
    t.step(TOTAL - t.step_count)
    return t


def _same(a: Trainer, b: Trainer) -> None:
    np.testing.assert_array_equal(a.network.flat, b.network.flat)
    sa, sb = a.snapshot(), b.snapshot()
    for key in ("optimizer", "rng", "order", "position", "step", "epoch", "config"):
        assert sa[key] == sb[key], key
    losses_a, losses_b = [], []
    for _ in range(50):
        a.step(1)
        b.step(1)
        losses_a.append(a.network.loss(a.train_features, a.data.y_train))
        losses_b.append(b.network.loss(b.train_features, b.data.y_train))
    assert losses_a == losses_b


@pytest.mark.parametrize("k", [0, 1, 99, 129, 130, 131, 259, 260, 261, 333, 334, 409, 410, 555])
def test_rewind_is_bit_identical_to_a_fresh_run_with_the_same_commands(k: int) -> None:
    t = _recorded()
    t.rewind(k)
    assert t.step_count == k
    _same(t, _fresh_until(k))


def test_rewind_discards_the_future_and_logs_it() -> None:
    t = _recorded()
    t.rewind(200)
    kinds = [e["kind"] for e in t.timeline]
    assert "architecture" not in kinds and kinds[-1] == "rewind"
    with pytest.raises(ValueError, match="step must be an integer in 0..200"):
        t.rewind(201)


def test_fork_keeps_the_parents_future_and_diverges_with_another_optimizer() -> None:
    parent = _recorded()
    untouched = _recorded()
    child = parent.fork(300)
    assert child.step_count == 300 and parent.step_count == TOTAL
    _same(child, _fresh_until(300))  # (steps both by 50)
    child.reconfigure(child.config.updated(optimizer="sgd"))
    parent.step(100)
    untouched.step(100)
    child.step(100)
    np.testing.assert_array_equal(parent.network.flat, untouched.network.flat)
    assert not np.array_equal(child.network.flat, parent.network.flat)
    assert child.timeline[-2]["kind"] == "fork"


def test_checkpoint_memory_stays_within_its_bound_on_a_long_run() -> None:
    bound = 600_000
    t = Trainer(
        RunConfig(dataset="xor", hidden=[8, 8], n_points=200),
        checkpoint_bytes=bound,
        checkpoint_every=250,
    )
    t.step(50_000)
    assert 0 < t.recorder.nbytes() <= bound
    assert len(t.recorder.checkpoints) >= 3
    steps = [c.state.step for c in t.recorder.checkpoints]
    assert steps == sorted(steps) and steps[0] == 0
    t.rewind(12_345)  # an old step: a longer replay, still exact
    _same(t, _long_fresh(12_345))


def _long_fresh(k: int) -> Trainer:
    t = Trainer(RunConfig(dataset="xor", hidden=[8, 8], n_points=200))
    t.step(k)
    return t


def test_timeline_records_what_changed() -> None:
    t = _recorded()
    events = t.timeline
    assert events[0] == {"step": 0, "epoch": 0, "kind": "start", "detail": "started"}
    details = {e["kind"]: e["detail"] for e in events}
    assert "learning_rate 0.01 → 0.03" in details["live"] or "optimizer" in details["live"]
    assert details["weight"] == "W1[2,1] = 0.75"
    assert details["architecture"] == "hidden 6,4 → 6,5,3"
    t.reset()
    assert t.timeline[-1]["kind"] == "reset" and t.first_step == 0
