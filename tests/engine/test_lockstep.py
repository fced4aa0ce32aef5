"""Lockstep: trainers stepped as one stack behave exactly as if each had stepped alone."""

from __future__ import annotations

import numpy as np
import pytest

from playground.config import RunConfig
from playground.engine.lockstep import Lockstep, stackable, step_together
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


# A classroom's runs: started at different moments, so at different places in their epochs.
PHASED = [
    {"optimizer": "sgd", "learning_rate": 0.05},
    {"optimizer": "momentum", "momentum": 0.8, "schedule": "cosine", "decay_steps": 70},
    {"optimizer": "adamw", "weight_decay": 0.05, "dropout": 0.3},
    {"optimizer": "rmsprop", "regularization": "l2", "regularization_rate": 0.01},
    {"optimizer": "adagrad", "regularization": "l1", "regularization_rate": 0.001,
     "grad_clip": 0.5},
]  # fmt: skip


@pytest.mark.parametrize("settings", PHASED, ids=lambda s: str(s["optimizer"]))
def test_runs_at_different_places_in_their_epochs_train_as_one_stack(
    settings: dict[str, object],
) -> None:
    """120 points, batch 10 (every batch full): runs 0, 3 and 7 steps in stay in phase."""
    configs = [_config(seed=s, **settings) for s in (1, 2, 3)]
    group = [Trainer(c) for c in configs]
    lone = [Trainer(c) for c in configs]
    for t, lead in zip(group + lone, [0, 3, 7] * 2, strict=True):
        t.step(lead)
    assert len({t.state.position for t in group}) == 3 and stackable(group)
    for n in (25, 200):  # crosses epoch ends at different steps, and checkpoints (100)
        assert step_together(group, n) == [n] * 3
        for t in lone:
            t.step(n)
    for a, b in zip(group, lone, strict=True):
        _same(a, b)
    for a, b in zip(group, lone, strict=True):  # the checkpoints taken serve a rewind
        a.rewind(105)
        b.rewind(105)
        _same(a, b)


def test_out_of_phase_runs_train_alone_exactly() -> None:
    """115 training points at batch 10: the last batch is short, so only runs at the same
    place may share a stack; others still get their lone results."""
    configs = [_config(seed=s, n_points=230, train_fraction=0.5) for s in (1, 2)]
    group = [Trainer(c) for c in configs]
    lone = [Trainer(c) for c in configs]
    for t in (group[1], lone[1]):
        t.step(2)
    assert group[0].data.n_train == 115 and not stackable(group)
    assert step_together(group, 60) == [60, 60]
    for t in lone:
        t.step(60)
    for a, b in zip(group, lone, strict=True):
        _same(a, b)


def test_a_run_diverging_in_a_phased_stack_stops_alone() -> None:
    configs = [_config(optimizer="momentum", learning_rate=10.0, momentum=0.99, seed=2),
               _config(optimizer="momentum", learning_rate=0.05, seed=3),
               _config(optimizer="momentum", learning_rate=0.05, seed=4)]  # fmt: skip
    group = [Trainer(c) for c in configs]
    lone = [Trainer(c) for c in configs]
    for t, lead in zip(group + lone, [5, 0, 1] * 2, strict=True):
        t.step(lead)
    ran = step_together(group, 150)
    for t in lone:
        t.step(150)
    assert ran[0] < 150 and ran[1:] == [150, 150]
    for a, b in zip(group, lone, strict=True):
        _same(a, b)
    assert group[0].timeline[-1]["kind"] == "diverged"


def test_losses_handed_back_at_an_epoch_end_equal_lone_ones_and_follow_commands() -> None:
    # 60 training points, batch 10: step 60 ends an epoch, where the stack measures the
    # losses; the trainers keep those (not measured again) and they must be the lone ones
    configs = [_config(seed=1), _config(seed=2, optimizer="sgd", learning_rate=0.1)]
    pair, lone = [Trainer(c) for c in configs], [Trainer(c) for c in configs]
    assert step_together(pair, 60) == [60, 60]
    for t in lone:
        t.step(60)
    for a, b in zip(pair, lone, strict=True):
        assert (
            a.metrics() == b.metrics() and a.history["train_loss"][-1] == a.metrics()["train_loss"]
        )
    for t in (pair[0], lone[0]):  # an edit at the same step: the losses are measured anew
        t.set_weight(0, "weight", 0, 0, 3.0)
    assert pair[0].metrics() == lone[0].metrics() != pair[1].metrics()
    assert pair[0].metrics()["train_loss"] != pair[0].history["train_loss"][-1]
