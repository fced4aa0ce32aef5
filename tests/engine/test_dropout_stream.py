"""Dropout draws from its own random stream (issue 10).

"With vs without dropout" must compare one thing: the mini-batch order (and every other
draw of the training stream) is the same whether dropout is on or off, and the dropout
stream is part of the run's state: snapshots, rewinds and forks keep it exactly.
"""

from __future__ import annotations

import json

import numpy as np

from playground import RunConfig, Trainer

CONFIG = dict(dataset="xor", n_points=120, hidden=[5, 3], batch_size=7, seed=11)


def orders(trainer: Trainer, epochs: int) -> list[list[int]]:
    seen = []
    for _ in range(epochs):
        seen.append(trainer.state.order.tolist())
        trainer.step(trainer.steps_to_epoch_end())
    return seen


def test_turning_dropout_on_keeps_the_batch_order() -> None:
    without = Trainer(RunConfig(**CONFIG))
    with_dropout = Trainer(RunConfig(**CONFIG, dropout=0.3))
    assert orders(without, 6) == orders(with_dropout, 6)
    state = without.state.rng.bit_generator.state
    assert with_dropout.state.rng.bit_generator.state == state
    assert not np.array_equal(without.network.flat, with_dropout.network.flat)


def test_turning_dropout_on_mid_run_keeps_the_order_too() -> None:
    a = Trainer(RunConfig(**CONFIG))
    b = Trainer(RunConfig(**CONFIG))
    a.step(20)
    b.step(20)
    b.reconfigure(b.config.updated(dropout=0.5))
    assert orders(a, 4) == orders(b, 4)


def test_the_dropout_stream_is_in_snapshots_and_rewinds() -> None:
    a = Trainer(RunConfig(**CONFIG, dropout=0.4))
    a.step(37)
    snapshot = json.loads(json.dumps(a.snapshot()))
    assert snapshot["version"] == 3 and snapshot["dropout_rng"]["bit_generator"] == "PCG64"
    b = Trainer.restore(snapshot)
    a.step(63)
    b.step(63)
    np.testing.assert_array_equal(a.network.flat, b.network.flat)
    ahead = a.network.flat.copy()
    a.rewind(37)
    a.step(63)
    np.testing.assert_array_equal(a.network.flat, ahead)


def test_a_version_2_snapshot_still_restores() -> None:
    a = Trainer(RunConfig(**CONFIG, dropout=0.2))
    a.step(15)
    old = json.loads(json.dumps(a.snapshot()))
    old["version"] = 2
    for key in ("dropout_rng", "dead"):
        del old[key]
    b = Trainer.restore(old)
    np.testing.assert_array_equal(b.network.flat, a.network.flat)
    assert b.step_count == 15
    b.step(10)  # its dropout stream starts where a fresh run's does
    assert np.isfinite(b.network.flat).all()
