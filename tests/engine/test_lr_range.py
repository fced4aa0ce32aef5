"""The learning-rate range test: the run is untouched, the suggestion is a rate that learns."""

from __future__ import annotations

import json

import numpy as np
import pytest

from playground import RunConfig, Trainer


def test_range_test_leaves_the_trainer_bit_identical() -> None:
    t = Trainer(RunConfig(dataset="xor", optimizer="adam", learning_rate=0.01))
    t.run(epochs=2)
    twin = Trainer(RunConfig(dataset="xor", optimizer="adam", learning_rate=0.01))
    twin.run(epochs=2)
    snap = json.dumps(t.snapshot())
    timeline = t.timeline
    result = t.lr_range_test(steps=100)
    assert len(result.losses) > 10
    assert json.dumps(t.snapshot()) == snap and t.timeline == timeline
    t.step(40)
    twin.step(40)
    np.testing.assert_array_equal(t.network.flat, twin.network.flat)


def test_suggestion_on_xor_with_the_default_net_actually_learns() -> None:
    config = RunConfig(dataset="xor")
    result = Trainer(config).lr_range_test()
    assert result.suggested is not None
    lrs = result.learning_rates
    assert lrs[0] == pytest.approx(1e-5) and np.all(np.diff(lrs) > 0)
    assert result.stopped in ("exploded", "diverged", "done")
    run = Trainer(config.updated(learning_rate=result.suggested))
    run.run(epochs=40)
    m = run.metrics()
    assert m["train_accuracy"] >= 0.9 and m["test_accuracy"] >= 0.9
    # ... where the default rate has barely started
    slow = Trainer(config.updated(learning_rate=1e-4))
    slow.run(epochs=40)
    assert slow.metrics()["train_loss"] > 2 * m["train_loss"]


def test_range_test_stops_when_the_loss_explodes() -> None:
    result = Trainer(RunConfig(dataset="circle")).lr_range_test(stop=100.0, steps=300)
    assert result.stopped in ("exploded", "diverged")
    assert len(result.losses) < 300 and np.isfinite(result.smoothed).all()


@pytest.mark.parametrize(
    ("options", "field"),
    [({"start": 0}, "start"), ({"stop": 1e3}, "stop"), ({"start": 1.0, "stop": 0.5}, "stop"),
     ({"steps": 5}, "steps"), ({"steps": 20.0}, "steps"), ({"start": True}, "start")],
)  # fmt: skip
def test_bad_options_are_rejected_naming_the_field(options: dict, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        Trainer(RunConfig()).lr_range_test(**options)


def test_a_time_budget_stops_the_test_early() -> None:
    from playground.engine.lr_range import range_test

    t = Trainer(RunConfig(dataset="xor"))
    ticks = iter(range(1000))
    result = range_test(t.fork(), 1e-5, 10.0, 200, seconds=30.0, clock=lambda: float(next(ticks)))
    assert result.stopped == "seconds" and len(result.losses) == 31


def test_tf_mode_steps_take_the_range_tests_rate() -> None:
    """TF Playground mode's own update rule uses the rate the range test gives a step."""
    config = RunConfig(dataset="xor", preset="tfp", learning_rate=0.03)
    slow, fast, plain = Trainer(config), Trainer(config), Trainer(config)
    slow.step(1, learning_rate=1e-6)
    fast.step(1, learning_rate=1.0)
    plain.step(1)
    start = Trainer(config).network.flat
    moved = [float(np.abs(t.network.flat - start).sum()) for t in (slow, plain, fast)]
    assert 0 < moved[0] < moved[1] < moved[2]
    result = Trainer(config).lr_range_test(steps=60)
    assert result.losses[-1] != pytest.approx(result.losses[0])
