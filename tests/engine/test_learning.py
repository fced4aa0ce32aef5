"""Learning: seeded runs reach the targets of issue 3 within a stated epoch budget.

Each case writes out its whole config and budget, so a failure is a reproducible run, not
a flaky one: the data, the first weights and the mini-batch order all follow the seed.
The configs were chosen to pass with margin on every seed from 1 to 10 (worst seed in
the comment) while keeping the whole file within a couple of seconds.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from playground import RunConfig, Trainer

# name: (config, epochs, metric, target); accuracy must reach >= target, loss stay < target
CASES: dict[str, tuple[dict[str, Any], int, str, float]] = {
    # worst of seeds 1-10: 0.992
    "xor": (
        dict(dataset="xor", hidden=[8, 8], activation="tanh", optimizer="adam",
             learning_rate=0.02, batch_size=10, seed=1),
        40, "test_accuracy", 0.97,
    ),
    # worst of seeds 1-10: 1.0
    "circle": (
        dict(dataset="circle", hidden=[8, 8], activation="tanh", optimizer="adam",
             learning_rate=0.02, batch_size=10, seed=1),
        30, "test_accuracy", 0.97,
    ),
    # worst of seeds 1-10: 0.984 (10 % noise: variance 1.2, the two clusters touch)
    "gaussian": (
        dict(dataset="gaussian", noise=10, hidden=[], optimizer="adam", learning_rate=0.03,
             batch_size=10, seed=1),
        10, "test_accuracy", 0.97,
    ),
    # worst of seeds 1-10: 0.988
    "spiral": (
        dict(dataset="spiral", noise=0, features=["x1", "x2", "sin_x1", "sin_x2"],
             hidden=[16, 16], activation="tanh", optimizer="adam", learning_rate=0.01,
             batch_size=10, seed=1),
        100, "test_accuracy", 0.95,
    ),
    # worst of seeds 1-10: 0.952
    "spiral_k3": (
        dict(dataset="spiral_k", n_classes=3, features=["x1", "x2", "sin_x1", "sin_x2"],
             hidden=[16, 16], activation="tanh", optimizer="adam", learning_rate=0.01,
             batch_size=10, seed=1),
        100, "test_accuracy", 0.90,
    ),
    # worst of seeds 1-10: 0.0032 (5 % noise on the copy the target sees keeps a floor above 0)
    "plane": (
        dict(dataset="plane", noise=5, hidden=[4], activation="tanh", optimizer="adam",
             learning_rate=0.01, batch_size=10, seed=1),
        30, "test_loss", 0.01,
    ),
}  # fmt: skip


def passes(metric: str, value: float, target: float) -> bool:
    return value >= target if metric.endswith("accuracy") else value < target


@pytest.mark.parametrize("name", list(CASES))
def test_reaches_target_within_budget(name: str) -> None:
    config, epochs, metric, target = CASES[name]
    trainer = Trainer(RunConfig(**config))
    assert not passes(metric, trainer.metrics()[metric], target)  # it has to learn it
    steps_per_epoch = math.ceil(trainer.data.n_train / config["batch_size"])
    assert trainer.step(epochs * steps_per_epoch) == epochs * steps_per_epoch
    m = trainer.metrics()
    assert m["epoch"] == epochs
    assert trainer.diverged is None
    assert passes(metric, m[metric], target), f"{name}: {metric} = {m[metric]}"
