"""Lockstep: trainers stepped as one stack behave exactly as if each had stepped alone."""

from __future__ import annotations

import numpy as np

from playground.config import RunConfig
from playground.engine.lockstep import Lockstep, stackable
from playground.engine.trainer import Trainer


def _config(**kw: object) -> RunConfig:
    base: dict[str, object] = {"dataset": "spiral", "hidden": [6, 5], "n_points": 120,
                               "optimizer": "adam", "learning_rate": 0.01}  # fmt: skip
    return RunConfig(**{**base, **kw})


def _same(a: Trainer, b: Trainer) -> None:
    np.testing.assert_array_equal(a.state.params, b.state.params)
    assert a.optimizer.state_dict() == b.optimizer.state_dict()
    assert a.state.rng.bit_generator.state == b.state.rng.bit_generator.state
    assert a.metrics() == b.metrics() and a.history == b.history and a.diverged == b.diverged
    assert a.state.health == b.state.health and a.neurons == b.neurons
    assert a.timeline == b.timeline
    assert [c.state.step for c in a.recorder.checkpoints] == [
        c.state.step for c in b.recorder.checkpoints
    ]


def test_lockstep_equals_lone_steps_including_commands_and_rewind() -> None:
    configs = [_config(seed=1, dropout=0.2), _config(seed=2, schedule="cosine", decay_steps=90)]
    pair = [Trainer(c) for c in configs]
    lone = [Trainer(c) for c in configs]
    group = Lockstep()
    for n in (7, 60, 133):
        assert group.step(pair, n) == [n, n]
        for t in lone:
            t.step(n)
    for a, b in zip(pair, lone, strict=True):
        _same(a, b)
    for t in (pair[1], lone[1]):  # a command between calls: the stack is rebuilt
        t.set_weight(0, "weight", 0, 0, 0.5)
    group.step(pair, 50)
    for t in lone:
        t.step(50)
    for a, b in zip(pair, lone, strict=True):
        _same(a, b)
    for t in (pair[0], lone[0]):  # checkpoints taken while stacked serve a rewind
        t.rewind(120)
    _same(pair[0], lone[0])


def test_a_diverging_trainer_logs_it_and_the_other_goes_on() -> None:
    configs = [_config(optimizer="momentum", learning_rate=10.0, momentum=0.99, seed=2),
               _config(optimizer="momentum", learning_rate=0.05, seed=3)]  # fmt: skip
    pair = [Trainer(c) for c in configs]
    lone = [Trainer(c) for c in configs]
    ran = Lockstep().step(pair, 150)
    for t in lone:
        t.step(150)
    assert ran[0] < 150 and ran[1] == 150
    for a, b in zip(pair, lone, strict=True):
        _same(a, b)
    assert pair[0].timeline[-1]["kind"] == "diverged"


def test_runs_of_different_shapes_step_alone() -> None:
    pair = [Trainer(_config()), Trainer(_config(hidden=[3]))]
    assert not stackable(pair)
    assert Lockstep().step(pair, 5) == [5, 5]


def test_runs_with_neuron_surgery_train_alone_and_match_lone_runs() -> None:
    configs = [_config(seed=1), _config(seed=2)]
    pair = [Trainer(c) for c in configs]
    lone = [Trainer(c) for c in configs]
    for t in (pair[1], lone[1]):
        t.set_neuron(0, 1, "off")
        t.set_neuron(1, 0, "frozen")
    assert not stackable(pair)
    assert Lockstep().step(pair, 130) == [130, 130]
    for t in lone:
        t.step(130)
    for a, b in zip(pair, lone, strict=True):
        _same(a, b)
