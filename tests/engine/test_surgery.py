"""Neuron surgery: knock-out equals zeroed outgoing weights, frozen units do not move,
backprop differentiates the masked network, masks are part of the run's state."""

from __future__ import annotations

import json

import numpy as np
import pytest

from playground import RunConfig, Trainer
from playground.engine.surgery import network_masks
from tests.engine.test_network import numerical_gradient, relative_error, smooth_network

CONFIG = dict(dataset="circle", hidden=[4, 3], activation="tanh", n_points=200, seed=2)
GRID = np.stack(np.meshgrid(np.linspace(-6, 6, 15), np.linspace(-6, 6, 15)), -1).reshape(-1, 2)


def test_knock_out_equals_zeroing_outgoing_weights() -> None:
    t = Trainer(RunConfig(**CONFIG))
    t.run(epochs=3)
    zeroed = t.fork()
    for j in range(3):
        zeroed.set_weight(1, "weight", 2, j, 0.0)  # unit 2 of layer 0 -> every unit of layer 1
    before = t.predict(GRID)
    t.set_neuron(0, 2, "off")
    np.testing.assert_array_equal(t.predict(GRID), zeroed.predict(GRID))
    assert not np.array_equal(before, t.predict(GRID))  # the unit mattered
    assert t.neurons == [["active", "active", "off", "active"], ["active"] * 3]
    t.set_neuron(0, 2, "active")  # undo
    np.testing.assert_array_equal(t.predict(GRID), before)


def test_knock_out_changes_the_boundary_rendering() -> None:
    t = Trainer(RunConfig(**CONFIG))
    t.run(epochs=3)
    before = t.render(20).output
    t.set_neuron(1, 0, "off")
    after = t.render(20)
    assert not np.array_equal(before, after.output)
    assert not after.neurons[1][0].any()  # the knocked-out unit's picture is all 0


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam", "adamw"])
def test_frozen_unit_keeps_its_incoming_weights_and_bias(optimizer: str) -> None:
    t = Trainer(RunConfig(**CONFIG, optimizer=optimizer, learning_rate=0.01))
    t.run(steps=20)
    t.set_neuron(0, 1, "frozen")
    W, b = (a.copy() for a in t.network.params[0])
    W_out = t.network.params[1][0].copy()
    t.step(100)
    W_now, b_now = t.network.params[0]
    np.testing.assert_array_equal(W_now[:, 1], W[:, 1])
    assert b_now[1] == b[1]
    assert not np.array_equal(np.delete(W_now, 1, axis=1), np.delete(W, 1, axis=1))
    assert not np.array_equal(t.network.params[1][0][1], W_out[1])  # outgoing still learn


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "gelu"])
@pytest.mark.parametrize("reg", ["none", "l2"])
def test_backprop_differentiates_the_masked_network(activation: str, reg: str) -> None:
    net, X, y = smooth_network(activation, "binary_cross_entropy", "binary", 1, [4, 3, 4], reg)
    states = np.zeros(11, dtype=np.int8)
    states[[1, 6]] = 1  # two units off
    states[9] = 2  # one frozen (backprop still differentiates it; the trainer skips its update)
    net.unit_masks, net.frozen = network_masks(net.layer_sizes, states)
    analytic = np.concatenate([np.concatenate([g.ravel(), b]) for g, b in net.gradients(X, y)])
    numeric = numerical_gradient(net, X, y)
    assert np.linalg.norm(analytic) > 1e-6
    assert relative_error(analytic, numeric) < 1e-6
    # a knocked-out unit receives no data gradient on its incoming weights
    W_grad = net.gradients(X, y)[0][0]
    assert reg == "l2" or not W_grad[:, 1].any()


def test_surgery_is_logged_replayed_on_rewind_and_kept_in_snapshots() -> None:
    t = Trainer(RunConfig(**CONFIG), checkpoint_every=40)
    t.step(50)
    t.set_neuron(1, 1, "off")
    t.set_neuron(0, 0, "frozen")
    t.step(70)
    assert [e["kind"] for e in t.timeline][-2:] == ["neuron", "neuron"]
    reference = t.fork()
    t.step(60)
    t.rewind(120)
    np.testing.assert_array_equal(t.network.flat, reference.network.flat)
    assert t.neurons == reference.neurons
    t.rewind(45)  # before the surgery
    assert t.neurons == [["active"] * 4, ["active"] * 3]
    restored = Trainer.restore(json.loads(json.dumps(reference.snapshot())))
    assert restored.neurons == reference.neurons
    reference.step(30)
    restored.step(30)
    np.testing.assert_array_equal(restored.network.flat, reference.network.flat)


def test_surgery_survives_an_architecture_change_where_the_unit_survives() -> None:
    t = Trainer(RunConfig(**CONFIG))
    t.set_neuron(0, 3, "off")
    t.set_neuron(1, 1, "frozen")
    t.reconfigure(RunConfig(**{**CONFIG, "hidden": [4, 2, 2]}))
    assert t.neurons == [["active", "active", "active", "off"], ["active", "frozen"],
                         ["active", "active"]]  # fmt: skip
    t.reconfigure(RunConfig(**{**CONFIG, "hidden": [3]}))
    assert t.neurons == [["active"] * 3]


@pytest.mark.parametrize(
    ("args", "field"),
    [((2, 0, "off"), "layer"), ((0, 4, "off"), "index"), ((0, 0, "dead"), "state"),
     ((True, 0, "off"), "layer"), ((0, 1.0, "off"), "index")],
)  # fmt: skip
def test_bad_surgery_is_rejected_and_changes_nothing(args: tuple, field: str) -> None:
    t = Trainer(RunConfig(**CONFIG))
    events = len(t.timeline)
    with pytest.raises(ValueError, match=field):
        t.set_neuron(*args)
    assert len(t.timeline) == events and t.neurons == [["active"] * 4, ["active"] * 3]


@pytest.mark.parametrize(
    "neurons", [[["off"] * 4], [["off"] * 4, ["active"] * 2], [["off"] * 4, ["x"] * 3], "off"]
)
def test_snapshot_neurons_are_validated(neurons: object) -> None:
    snap = Trainer(RunConfig(**CONFIG)).snapshot()
    snap["neurons"] = neurons
    with pytest.raises(ValueError, match="neurons"):
        Trainer.restore(snap)
