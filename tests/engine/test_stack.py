"""Stacked training equals lone training, run by run, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from playground.config import RunConfig
from playground.engine.stack import Stack
from playground.engine.trainer import Trainer

STEPS = 200


def _config(**kw: object) -> RunConfig:
    base: dict[str, object] = {"dataset": "spiral", "hidden": [6, 5], "activation": "tanh",
                               "n_points": 120, "batch_size": 10, "seed": 3}  # fmt: skip
    base.update(kw)
    return RunConfig(**base)


def _assert_same(stack: Stack, i: int, lone: Trainer) -> None:
    """Run i of the stack holds exactly what the lone trainer holds."""
    state = stack.state(i)
    np.testing.assert_array_equal(state.params, lone.state.params)
    np.testing.assert_array_equal(state.backup, lone.state.backup)
    np.testing.assert_array_equal(state.order, lone.state.order)
    assert state.step == lone.step_count and state.epoch == lone.epoch
    assert state.position == lone.state.position
    assert state.optimizer.state_dict() == lone.optimizer.state_dict()
    assert state.rng.bit_generator.state == lone.state.rng.bit_generator.state
    assert stack.history(i) == lone.history
    assert state.health == lone.state.health  # the per-epoch health record too
    assert stack.metrics(i) == lone.metrics()
    assert stack.diverged(i) == lone.diverged


def _check(configs: list[RunConfig], steps: int = STEPS) -> Stack:
    stack = Stack(configs)
    assert stack.step(steps) == steps or stack.active < len(configs)
    for i, config in enumerate(configs):
        lone = Trainer(config)
        lone.step(steps)
        _assert_same(stack, i, lone)
    return stack


@pytest.mark.parametrize(
    "optimizer", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"]
)
def test_every_optimizer_matches_lone_runs_with_per_run_settings(optimizer: str) -> None:
    hyper = {
        "momentum": [{"momentum": 0.5}, {"momentum": 0.9}],
        "nesterov": [{"momentum": 0.8}, {"momentum": 0.95}],
        "rmsprop": [{"rho": 0.8}, {"rho": 0.95}],
        "adam": [{"beta1": 0.8}, {"beta2": 0.99}],
        "adamw": [{"weight_decay": 0.1}, {"weight_decay": 0.001}],
        "adagrad": [{"epsilon": 1e-6}, {"epsilon": 1e-8}],
    }.get(optimizer, [{}, {}])
    lr = 0.03 if optimizer in ("sgd", "momentum", "nesterov", "adagrad") else 0.01
    configs = [
        _config(optimizer=optimizer, learning_rate=lr, seed=1, **hyper[0]),
        _config(optimizer=optimizer, learning_rate=lr * 2, seed=2, **hyper[1]),
        _config(optimizer=optimizer, learning_rate=lr / 3, seed=1, **hyper[1]),
    ]
    _check(configs)


@pytest.mark.parametrize("schedule", ["step", "exponential", "cosine"])
def test_schedules_match(schedule: str) -> None:
    configs = [
        _config(schedule=schedule, decay_rate=0.5, decay_steps=40, learning_rate=0.1),
        _config(schedule=schedule, decay_rate=0.9, decay_steps=70, learning_rate=0.3, seed=4),
        _config(learning_rate=0.2, seed=5),  # constant beside scheduled ones
    ]
    _check(configs)


def test_regularization_dropout_clipping_and_init_match() -> None:
    configs = [
        _config(regularization="l2", regularization_rate=0.01, optimizer="momentum"),
        _config(regularization="l1", regularization_rate=0.003, optimizer="momentum", seed=9),
        _config(optimizer="momentum", dropout=0.2, seed=4),
        _config(
            optimizer="momentum", dropout=0.5, regularization="l1", regularization_rate=0.001
        ),  # fmt: skip
        _config(optimizer="momentum", grad_clip=0.05, initializer="he_normal"),
        _config(optimizer="momentum", bias_init=0.1, initializer="uniform", seed=11),
    ]
    _check(configs)


def test_multiclass_and_regression_match() -> None:
    _check([_config(dataset="blobs_k", problem="multiclass", n_classes=3, seed=s, hidden=[5])
            for s in (1, 2)])  # fmt: skip
    _check([_config(dataset="plane", problem="regression", seed=s, learning_rate=0.01)
            for s in (1, 2)])  # fmt: skip


def test_runs_differ_and_each_is_reproducible() -> None:
    configs = [_config(seed=1), _config(seed=2), _config(seed=1, learning_rate=0.3)]
    a, b = Stack(configs), Stack(configs[::-1])
    a.step(100)
    b.step(100)
    p = [a.state(i).params for i in range(3)]
    assert not np.array_equal(p[0], p[1]) and not np.array_equal(p[0], p[2])
    for i in range(3):  # a run's result does not depend on its neighbours or its place
        np.testing.assert_array_equal(p[i], b.state(2 - i).params)


def test_one_diverging_run_does_not_disturb_the_others() -> None:
    configs = [_config(optimizer="momentum", seed=1),
               _config(optimizer="momentum", learning_rate=10.0, momentum=0.99, seed=2),
               _config(optimizer="momentum", seed=3)]  # fmt: skip
    stack = _check(configs, steps=150)
    assert stack.diverged(1) is not None and "diverged" in stack.diverged(1)["reason"]
    assert stack.diverged(0) is None and stack.diverged(2) is None
    assert stack.active == 2


def test_taking_a_run_out_continues_it_exactly() -> None:
    configs = [_config(seed=1, dropout=0.1), _config(seed=2, dropout=0.3)]
    stack = Stack(configs)
    stack.step(37)
    child = stack.trainer(1)
    child.step(63)
    lone = Trainer(configs[1])
    lone.step(100)
    np.testing.assert_array_equal(child.state.params, lone.state.params)
    assert child.metrics() == lone.metrics()


def test_from_trainers_and_shape_checks() -> None:
    a, b = Trainer(_config(seed=1)), Trainer(_config(seed=2, learning_rate=0.1))
    a.step(25)
    b.step(25)
    stack = Stack.from_trainers([a, b])
    stack.step(30)
    a.step(30)
    b.step(30)
    np.testing.assert_array_equal(stack.state(0).params, a.state.params)
    np.testing.assert_array_equal(stack.state(1).params, b.state.params)
    with pytest.raises(ValueError, match="shape"):
        Stack([_config(), _config(hidden=[4])])
    with pytest.raises(ValueError, match="shape"):
        Stack([_config(), _config(batch_size=5)])
    with pytest.raises(ValueError, match="not stackable"):
        Stack([_config(preset="tfp")])


def test_a_run_whose_gradient_overflows_leaves_the_stack_alone() -> None:
    configs = [_config(dataset="plane", problem="regression", activation="linear",
                       learning_rate=lr, seed=2) for lr in (10.0, 0.01, 3.0)]  # fmt: skip
    stack = _check(configs, steps=60)
    assert "gradient became infinite" in stack.diverged(0)["reason"]
    assert stack.diverged(1) is None and stack.active == 1


def test_runs_with_neuron_surgery_are_not_stacked() -> None:
    plain, cut = Trainer(_config()), Trainer(_config(seed=4))
    cut.set_neuron(0, 2, "off")
    with pytest.raises(ValueError, match="run 1 has knocked-out or frozen neurons"):
        Stack.from_trainers([plain, cut])
