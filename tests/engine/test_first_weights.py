"""The first weights are a function of the config alone (issue 10).

A link, the CLI, REST and Reset must start from the same weights: a run that has not
trained takes a new shape or initializer by drawing every weight as ``Trainer(config)``
does, and an initializer or bias-init change re-initializes the weights at any time.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from playground import RunConfig, Trainer

BASE = dict(dataset="circle", n_points=200, seed=5)


def fresh(**changes: Any) -> Trainer:
    return Trainer(RunConfig(**{**BASE, **changes}))


@pytest.mark.parametrize(
    "change",
    [
        dict(hidden=[8, 8]),
        dict(features=["x1", "x2", "x1_sq"]),
        dict(hidden=[8, 8], initializer="zeros"),
        dict(initializer="he_normal"),
        dict(bias_init=0.3),
        dict(activation="relu"),  # auto initializer: He instead of Glorot
        dict(activation="relu", hidden=[3], learning_rate=0.1),
    ],
)
def test_a_configure_before_training_starts_from_the_configs_own_weights(
    change: dict[str, Any],
) -> None:
    """The session's default run, configured by a URL, equals a fresh run of that URL."""
    t = fresh()
    t.reconfigure(t.config.updated(**change))
    target = fresh(**change)
    np.testing.assert_array_equal(t.network.flat, target.network.flat)
    t.step(120)
    target.step(120)
    np.testing.assert_array_equal(t.network.flat, target.network.flat)
    assert t.metrics()["test_loss"] == target.metrics()["test_loss"]
    t.reset()
    np.testing.assert_array_equal(t.network.flat, fresh(**change).network.flat)


def test_an_edited_weight_survives_a_shape_change_before_training() -> None:
    t = fresh()
    t.set_weight(0, "weight", 0, 0, 2.5)
    assert t.reconfigure(t.config.updated(hidden=[5, 2])) == "architecture"
    assert t.network.params[0][0][0, 0] == 2.5  # edited: transferred, not redrawn


@pytest.mark.parametrize("change", [dict(initializer="zeros"), dict(bias_init=-0.2)])
def test_an_initializer_change_reinitializes_the_weights_mid_run(change: dict[str, Any]) -> None:
    t = fresh()
    t.step(50)
    assert t.reconfigure(t.config.updated(**change)) == "init"
    target = fresh(**change)
    np.testing.assert_array_equal(t.network.flat, target.network.flat)
    assert (t.step_count, t.epoch) == (0, 0)
    assert t.timeline[-1]["kind"] == "init"


def test_an_activation_change_under_auto_initializer_keeps_the_weights() -> None:
    """auto resolves per activation, but only the user's choice means "draw again"."""
    t = fresh()
    t.step(30)
    weights = t.network.flat.copy()
    assert t.reconfigure(t.config.updated(activation="relu")) == "live"
    np.testing.assert_array_equal(t.network.flat, weights)
    assert t.step_count == 30


def test_switching_to_tf_mode_takes_tf_playgrounds_first_weights() -> None:
    t = fresh()
    t.step(30)
    assert t.reconfigure(t.config.updated(preset="tfp")) == "init"
    np.testing.assert_array_equal(t.network.flat, fresh(preset="tfp").network.flat)
