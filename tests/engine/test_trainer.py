"""Trainer: determinism, snapshot/restore, live and architecture changes, commands, views.

A shared link must reproduce a run and a restored snapshot must continue it bit-for-bit,
so equality here is exact (``array_equal``), never approximate.
"""

from __future__ import annotations

import base64
import copy
import json
import math
from typing import Any

import numpy as np
import pytest

from playground import RunConfig, Trainer
from playground.engine.features import feature_matrix
from playground.engine.trainer import MAX_HISTORY, MAX_WEIGHT_EDIT

SMALL = dict(dataset="spiral", n_points=200, hidden=[6, 4], activation="tanh", seed=3)


def _run_state(snapshot: dict) -> dict:
    """A snapshot without its display timeline (which records restores and resets)."""
    return {k: v for k, v in snapshot.items() if k != "timeline"}


def trainer(**changes: Any) -> Trainer:
    return Trainer(RunConfig(**{**SMALL, **changes}))


def all_finite_or_none(values: Any) -> bool:
    return all(v is None or (isinstance(v, int | float) and math.isfinite(v)) for v in values)


# --- determinism --------------------------------------------------------------------------


def test_same_seed_gives_bit_identical_weights_after_200_steps() -> None:
    a, b = trainer(optimizer="adam", dropout=0.1), trainer(optimizer="adam", dropout=0.1)
    a.step(200)
    b.step(100)
    b.step(100)  # how the steps are grouped does not matter
    assert a.step_count == b.step_count == 200
    np.testing.assert_array_equal(a.network.flat, b.network.flat)
    assert a.metrics() == b.metrics()
    assert a.history == b.history


def test_another_seed_gives_other_data_and_weights() -> None:
    a, b = trainer(), trainer(seed=4)
    assert not np.array_equal(a.data.X_train, b.data.X_train)
    assert not np.array_equal(a.network.flat, b.network.flat)


def test_batch_size_does_not_change_data_or_first_weights() -> None:
    a, b = trainer(), trainer(batch_size=25)
    np.testing.assert_array_equal(a.data.X_train, b.data.X_train)
    np.testing.assert_array_equal(a.network.flat, b.network.flat)


# --- snapshot and restore -----------------------------------------------------------------

RESUMABLE = {
    "sgd": {},
    "adam-dropout-schedule": dict(optimizer="adam", dropout=0.2, schedule="step",
                                  decay_steps=40, learning_rate=0.02),
    "momentum-l2-clip": dict(optimizer="momentum", regularization="l2",
                             regularization_rate=0.001, grad_clip=1.0),
}  # fmt: skip


def through_json(snapshot: dict[str, Any]) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(json.dumps(snapshot, allow_nan=False))
    return loaded


@pytest.mark.parametrize("name", list(RESUMABLE))
def test_restored_snapshot_continues_bit_for_bit(name: str) -> None:
    whole = trainer(**RESUMABLE[name])
    whole.step(230)
    first = trainer(**RESUMABLE[name])
    first.step(97)  # mid-epoch (10 steps per epoch): order, position and rng all matter
    resumed = Trainer.restore(through_json(first.snapshot()))
    assert resumed.metrics() == first.metrics()
    resumed.step(133)
    np.testing.assert_array_equal(resumed.network.flat, whole.network.flat)
    assert _run_state(resumed.snapshot()) == _run_state(whole.snapshot())
    assert resumed.metrics() == whole.metrics()


def test_snapshot_is_plain_json_and_keeps_counters_and_history() -> None:
    t = trainer()
    t.step(35)
    snap = t.snapshot()
    assert through_json(snap) == snap
    restored = Trainer.restore(snap)
    assert (restored.step_count, restored.epoch) == (35, 3)
    assert restored.history == t.history
    assert restored.config == t.config


def tampered(change: Any) -> dict[str, Any]:
    t = trainer(optimizer="adam")
    t.step(15)
    snap = through_json(t.snapshot())
    change(snap)
    return snap


def b64(values: np.ndarray, dtype: str = "<f8") -> str:
    return base64.b64encode(np.asarray(values, dtype=dtype).tobytes()).decode()


def _nan_param(s: dict[str, Any]) -> None:
    flat = np.frombuffer(base64.b64decode(s["params"]), "<f8").copy()
    flat[5] = np.nan
    s["params"] = b64(flat)


def _short_params(s: dict[str, Any]) -> None:
    s["params"] = b64(np.frombuffer(base64.b64decode(s["params"]), "<f8")[:-1])


def _inf_adam_buffer(s: dict[str, Any]) -> None:
    name = next(iter(s["optimizer"]["buffers"]))
    n = len(base64.b64decode(s["params"])) // 8
    s["optimizer"]["buffers"][name] = b64(np.full(n, np.inf))


def _repeated_order(s: dict[str, Any]) -> None:
    order = np.frombuffer(base64.b64decode(s["order"]), "<i4").copy()
    order[1] = order[0]
    s["order"] = b64(order, "<i4")


TAMPERING = {
    "params count": (_short_params, "params has .* expected"),
    "nan in params": (_nan_param, "params contains NaN"),
    "inf in optimizer": (_inf_adam_buffer, "NaN or infinity"),
    "params not base64": (lambda s: s.update(params="!!"), "params is not valid base64"),
    "order not a permutation": (_repeated_order, "order must be a permutation"),
    "format": (lambda s: s.update(format="something/else"), "not a nn-playground/snapshot"),
    "version": (lambda s: s.update(version=4), "version 1 to 3"),
    "negative step": (lambda s: s.update(step=-1), "step must be an integer"),
    "position past data": (lambda s: s.update(position=10**6), "position must be"),
    "rng": (lambda s: s["rng"].update(state="x"), "rng state"),
    "history": (lambda s: s["history"].pop("epoch"), "history must have"),
    "history nan": (
        lambda s: s["history"].update(
            epoch=[float("nan")],
            train_loss=[1.0],
            test_loss=[1.0],
            train_accuracy=[1.0],
            test_accuracy=[1.0],
        ),
        "non-finite",
    ),  # fmt: skip
    "config": (lambda s: s["config"].update(hidden=[0]), "hidden"),
    "loss ceiling": (lambda s: s.update(loss_ceiling=-1.0), "loss_ceiling"),
}


@pytest.mark.parametrize("case", list(TAMPERING))
def test_restore_rejects_tampered_snapshots(case: str) -> None:
    change, message = TAMPERING[case]
    with pytest.raises(ValueError, match=message):
        Trainer.restore(tampered(change))


def test_restore_rejects_a_non_object() -> None:
    with pytest.raises(ValueError, match="JSON object"):
        Trainer.restore([1, 2])


# --- reconfigure: live, architecture, data --------------------------------------------------


def test_live_changes_keep_weights_and_counters() -> None:
    t = trainer()
    t.step(25)
    weights, history = t.network.flat.copy(), copy.deepcopy(t.history)
    assert t.reconfigure(t.config.updated(learning_rate=0.1)) == "live"
    assert t.metrics()["learning_rate"] == 0.1
    assert t.reconfigure(t.config.updated(optimizer="adam", regularization="l1")) == "live"
    np.testing.assert_array_equal(t.network.flat, weights)
    assert (t.step_count, t.epoch, t.history) == (25, 2, history)
    assert t.optimizer.state_dict()["name"] == "adam"
    assert t.optimizer.state_dict()["t"] == 0  # a new optimizer starts from fresh state
    t.step(1)
    assert t.step_count == 26


def test_live_change_equals_a_run_that_had_it_from_that_step() -> None:
    """The new learning rate acts from the next step on, and nothing else moves."""
    a = trainer()
    a.step(20)
    snap = a.snapshot()
    snap["config"]["learning_rate"] = 0.2
    b = Trainer.restore(snap)
    assert a.reconfigure(a.config.updated(learning_rate=0.2)) == "live"
    a.step(30)
    b.step(30)
    np.testing.assert_array_equal(a.network.flat, b.network.flat)


def test_same_config_is_no_change() -> None:
    t = trainer()
    t.step(5)
    weights = t.network.flat.copy()
    assert t.reconfigure(t.config.updated()) == "none"
    np.testing.assert_array_equal(t.network.flat, weights)
    assert t.step_count == 5


def test_adding_a_neuron_keeps_the_old_neurons_weights() -> None:
    t = trainer()
    t.step(30)
    old = [(W.copy(), b.copy()) for W, b in t.network.params]
    assert t.reconfigure(t.config.updated(hidden=[7, 4])) == "architecture"
    new = t.network.params
    np.testing.assert_array_equal(new[0][0][:, :6], old[0][0])  # into the old neurons
    np.testing.assert_array_equal(new[0][1][:6], old[0][1])
    np.testing.assert_array_equal(new[1][0][:6], old[1][0])  # out of the old neurons
    np.testing.assert_array_equal(new[1][1], old[1][1])
    np.testing.assert_array_equal(new[2][0], old[2][0])
    assert np.any(new[0][0][:, 6] != 0)  # the new neuron gets fresh weights, not zeros
    assert (t.step_count, t.epoch) == (30, 3)
    t.step(1)
    assert t.step_count == 31


def test_removing_a_neuron_keeps_the_others() -> None:
    t = trainer()
    t.step(5)  # (before any training, a new shape draws every weight afresh)
    old = [(W.copy(), b.copy()) for W, b in t.network.params]
    t.reconfigure(t.config.updated(hidden=[6, 3]))
    np.testing.assert_array_equal(t.network.params[0][0], old[0][0])
    np.testing.assert_array_equal(t.network.params[1][0], old[1][0][:, :3])
    np.testing.assert_array_equal(t.network.params[2][0], old[2][0][:3])


def test_adding_a_layer_keeps_the_other_layers() -> None:
    t = trainer()
    t.step(30)
    old = [(W.copy(), b.copy()) for W, b in t.network.params]
    assert t.reconfigure(t.config.updated(hidden=[6, 4, 5])) == "architecture"
    assert t.network.layer_sizes == [2, 6, 4, 5, 1]
    for k in (0, 1):
        np.testing.assert_array_equal(t.network.params[k][0], old[k][0])
        np.testing.assert_array_equal(t.network.params[k][1], old[k][1])
    np.testing.assert_array_equal(t.network.params[3][1], old[2][1])  # the output bias
    assert t.config.activations == ["tanh"] * 3


def test_removing_a_feature_keeps_the_other_features_rows() -> None:
    t = trainer(features=["x1", "x2", "x1_sq"])
    t.step(10)
    W0 = t.network.params[0][0].copy()
    assert t.reconfigure(t.config.updated(features=["x1", "x1_sq"])) == "architecture"
    np.testing.assert_array_equal(t.network.params[0][0], W0[[0, 2]])
    assert t.reconfigure(t.config.updated(features=["sin_x1", "x1", "x1_sq"])) == "architecture"
    np.testing.assert_array_equal(t.network.params[0][0][1:], W0[[0, 2]])


@pytest.mark.parametrize("change", [dict(seed=9), dict(dataset="xor"), dict(noise=10.0)])
def test_a_data_change_starts_over(change: dict[str, Any]) -> None:
    t = trainer()
    t.step(30)
    new_config = t.config.updated(**change)
    assert t.reconfigure(new_config) == "data"
    fresh = Trainer(new_config)
    assert (t.step_count, t.epoch, t.history["epoch"]) == (0, 0, [])
    np.testing.assert_array_equal(t.network.flat, fresh.network.flat)
    np.testing.assert_array_equal(t.data.X_train, fresh.data.X_train)


# --- commands --------------------------------------------------------------------------------


def test_reset_returns_to_the_first_state() -> None:
    t = trainer(optimizer="adam")
    fresh = trainer(optimizer="adam")
    t.step(42)
    t.reset()
    assert _run_state(t.snapshot()) == _run_state(fresh.snapshot())
    t.step(42)
    fresh.step(42)
    np.testing.assert_array_equal(t.network.flat, fresh.network.flat)


def test_set_weight_edits_one_weight_or_bias_and_the_metrics_follow() -> None:
    t = trainer()
    before = t.metrics()["train_loss"]
    t.set_weight(2, "weight", 3, 0, 5.5)
    t.set_weight(0, "bias", None, 4, -2.0)
    assert t.network.params[2][0][3, 0] == 5.5
    assert t.network.params[0][1][4] == -2.0
    assert t.metrics()["train_loss"] != before


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((3, "weight", 0, 0, 1.0), "layer"),
        ((-1, "weight", 0, 0, 1.0), "layer"),
        ((True, "weight", 0, 0, 1.0), "layer"),
        ((0, "gain", 0, 0, 1.0), "kind"),
        ((0, "weight", 2, 0, 1.0), "i must"),
        ((0, "weight", None, 0, 1.0), "i must"),
        ((0, "weight", 0, 6, 1.0), "j must"),
        ((0, "bias", None, -1, 1.0), "j must"),
        ((0, "weight", 0, 0, float("nan")), "value"),
        ((0, "weight", 0, 0, float("inf")), "value"),
        ((0, "weight", 0, 0, MAX_WEIGHT_EDIT * 1.01), "value"),
        ((0, "weight", 0, 0, "1"), "value"),
    ],
)
def test_set_weight_rejects_out_of_range(args: tuple[Any, ...], field: str) -> None:
    t = trainer()
    weights = t.network.flat.copy()
    with pytest.raises(ValueError, match=field):
        t.set_weight(*args)
    np.testing.assert_array_equal(t.network.flat, weights)


@pytest.mark.parametrize("n", [-1, 1.5, True, "3"])
def test_step_rejects_a_bad_count(n: Any) -> None:
    with pytest.raises(ValueError, match="n must be a non-negative integer"):
        trainer().step(n)


def test_step_zero_does_nothing() -> None:
    t = trainer()
    weights = t.network.flat.copy()
    assert t.step(0) == 0
    assert t.step_count == 0
    np.testing.assert_array_equal(t.network.flat, weights)


# --- divergence ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "config",
    [
        dict(dataset="spiral", hidden=[8] * 6, activation="tanh", learning_rate=10.0),
        # linear layers overflow to infinity inside an epoch, not only at its end
        dict(dataset="plane", hidden=[32] * 8, activation="linear", learning_rate=10.0,
             batch_size=1),
    ],
    ids=["deep-tanh", "deep-linear-overflow"],
)  # fmt: skip
def test_divergence_stops_training_without_any_nan(config: dict[str, Any]) -> None:
    t = Trainer(RunConfig(optimizer="sgd", seed=1, **config))
    ran = t.step(2000)
    assert ran < 2000
    assert t.diverged is not None
    assert t.diverged["step"] in (ran, ran + 1)
    assert "learning rate" in t.diverged["reason"]
    assert f"step {t.diverged['step']}" in t.diverged["reason"]
    assert np.isfinite(t.network.flat).all()
    weights, state = t.network.flat.copy(), (t.step_count, t.epoch)
    assert t.step(10) == 0  # further steps do nothing
    np.testing.assert_array_equal(t.network.flat, weights)
    assert (t.step_count, t.epoch) == state
    assert all_finite_or_none(v for k, v in t.metrics().items())
    for values in t.history.values():
        assert all_finite_or_none(values)
    json.dumps(t.snapshot(), allow_nan=False)
    for layer in t.diagnostics()["layers"]:
        assert all_finite_or_none(layer[k] for k in ("grad_norm", "weight_norm", "update_ratio"))
    assert t.reconfigure(t.config.updated(learning_rate=0.001)) == "live"
    assert t.diverged is None  # a live change clears the state and training may resume


def test_a_lower_learning_rate_resumes_a_diverged_run() -> None:
    t = Trainer(RunConfig(dataset="spiral", hidden=[8] * 6, learning_rate=10.0, seed=1))
    t.step(2000)
    assert t.diverged is not None
    t.reconfigure(t.config.updated(learning_rate=0.001))
    assert t.step(30) == 30
    assert t.diverged is None


def test_weights_too_large_to_train_diverge_again_and_reset_recovers() -> None:
    config = RunConfig(dataset="plane", hidden=[32] * 8, activation="linear",
                       learning_rate=10.0, batch_size=1, seed=1)  # fmt: skip
    t = Trainer(config)
    t.step(2000)
    t.reconfigure(config.updated(learning_rate=0.001))
    assert t.step(3) == 0  # the kept weights still overflow: diverged again, no NaN
    assert t.diverged is not None and np.isfinite(t.network.flat).all()
    t.reset()
    assert t.diverged is None
    np.testing.assert_array_equal(t.network.flat, Trainer(config).network.flat)


# --- metrics and history ---------------------------------------------------------------------


def test_metrics_report_the_data_loss_and_accuracy_on_both_sets() -> None:
    t = trainer(regularization="l2", regularization_rate=0.1)
    t.step(25)
    m = t.metrics()
    assert set(m) >= {"epoch", "step", "train_loss", "test_loss", "train_accuracy",
                      "test_accuracy", "learning_rate"}  # fmt: skip
    net, feats, data = t.network, t.config.features, t.data
    F_train, F_test = feature_matrix(data.X_train, feats), feature_matrix(data.X_test, feats)
    assert m["train_loss"] == pytest.approx(net.data_loss(F_train, data.y_train), rel=1e-12)
    assert m["test_loss"] == pytest.approx(net.data_loss(F_test, data.y_test), rel=1e-12)
    predicted = (t.predict(data.X_test)[:, 0] >= 0.5).astype(float)
    assert m["test_accuracy"] == pytest.approx(float(np.mean(predicted == data.y_test)))
    assert (m["step"], m["epoch"]) == (25, 2)  # 100 training points, batch 10


def test_history_has_one_entry_per_epoch_matching_the_metrics_then() -> None:
    t = trainer()
    seen = []
    for _ in range(3):
        t.step(10)
        seen.append(t.metrics())
    assert t.history["epoch"] == [1, 2, 3]
    for k in ("train_loss", "test_loss", "train_accuracy", "test_accuracy"):
        assert t.history[k] == [m[k] for m in seen]


def test_regression_has_no_accuracy() -> None:
    t = trainer(dataset="plane")
    t.step(10)
    m = t.metrics()
    assert m["train_accuracy"] is None and m["test_accuracy"] is None
    assert t.history["train_accuracy"] == [None]


def test_long_history_is_thinned_not_dropped() -> None:
    t = trainer(n_points=20, batch_size=10, hidden=[2])  # one step per epoch
    t.step(MAX_HISTORY + 1)
    epochs = t.history["epoch"]
    assert len(epochs) <= MAX_HISTORY
    assert epochs[0] == 1 and epochs[-1] == MAX_HISTORY + 1
    assert all(a < b for a, b in zip(epochs, epochs[1:], strict=False))
    assert len({len(v) for v in t.history.values()}) == 1


# --- predict ----------------------------------------------------------------------------------


def test_predict_binary_and_multiclass() -> None:
    X = np.array([[0.0, 0.0], [1.0, -2.0], [5.0, 5.0]])
    binary = trainer()
    p = binary.predict(X)
    assert p.shape == (3, 1) and np.all((p > 0) & (p < 1))
    feats = feature_matrix(X, binary.config.features)
    np.testing.assert_array_equal(p, binary.network.predict(feats))
    multi = trainer(dataset="spiral_k", n_classes=4)
    q = multi.predict(X)
    assert q.shape == (3, 4)
    np.testing.assert_allclose(q.sum(axis=1), 1.0, rtol=1e-12)


@pytest.mark.parametrize("X", [np.zeros(2), np.zeros((3, 3)), np.zeros((1, 2, 2))])
def test_predict_rejects_bad_shapes(X: np.ndarray) -> None:
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        trainer().predict(X)


# --- rendering ----------------------------------------------------------------------------------


def test_render_shapes_and_dtype() -> None:
    t = trainer(features=["x1", "x2", "r"])
    r = t.render(30, 12)
    assert r.output.shape == (30, 30) and r.output.dtype == np.float32
    assert [n.shape for n in r.neurons] == [(6, 12, 12), (4, 12, 12)]
    assert all(n.dtype == np.float32 for n in r.neurons)
    assert r.features.shape == (3, 12, 12) and r.features.dtype == np.float32
    assert r.output_range == (0.0, 1.0)
    assert trainer(dataset="blobs_k", n_classes=5).render(20).output.shape == (5, 20, 20)


def test_render_orientation_row_is_x2_column_is_x1() -> None:
    t = trainer()
    t.step(20)
    R = 11
    xs = np.linspace(-6.0, 6.0, R)
    r = t.render(R)
    np.testing.assert_allclose(r.features[0], np.tile(xs, (R, 1)), rtol=1e-6)  # x1 by column
    np.testing.assert_allclose(r.features[1], np.tile(xs[:, None], (1, R)), rtol=1e-6)
    for i, j in [(0, R - 1), (R - 1, 0), (3, 8)]:
        expected = t.predict(np.array([[xs[j], xs[i]]]))[0, 0]
        assert r.output[i, j] == pytest.approx(expected, abs=1e-5)


def test_render_neuron_grids_are_the_hidden_activations() -> None:
    t = trainer()
    R = 9
    xs = np.linspace(-6.0, 6.0, R)
    first = t.render(R).neurons[0]
    W, b = t.network.params[0]
    i, j = 2, 7
    expected = np.tanh(np.array([xs[j], xs[i]]) @ W + b)
    np.testing.assert_allclose(first[:, i, j], expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("resolution", [1, 201, 2.5, True])
def test_render_rejects_bad_resolution(resolution: Any) -> None:
    with pytest.raises(ValueError, match="resolution"):
        trainer().render(resolution)


# --- diagnostics ---------------------------------------------------------------------------------


def test_diagnostics_norms_and_update_ratio() -> None:
    t = trainer()
    t.step(1)
    before = t.network.flat.copy()
    t.step(1)
    layers = t.diagnostics()["layers"]
    assert [d["layer"] for d in layers] == [0, 1, 2]
    W0, b0 = t.network.params[0]
    assert layers[0]["weight_norm"] == pytest.approx(float(np.linalg.norm(W0)), rel=1e-12)
    update = (t.network.flat - before)[: W0.size + b0.size]
    assert layers[0]["update_ratio"] == pytest.approx(
        float(np.linalg.norm(update) / np.linalg.norm(W0)), rel=1e-9
    )
    gW, gb = t.network.grads[2]
    assert layers[2]["grad_norm"] == pytest.approx(
        math.hypot(float(np.linalg.norm(gW)), float(np.linalg.norm(gb))), rel=1e-12
    )
    assert layers[2]["histogram"] is None and layers[2]["dead_fraction"] is None
    hist = layers[0]["histogram"]
    assert sum(hist["counts"]) == t.data.n_train * 6
    assert len(hist["edges"]) == len(hist["counts"]) + 1


def test_diagnostics_dead_and_saturated_units() -> None:
    t = trainer(hidden=[4, 4], activation=["relu", "tanh"])
    W0, b0 = t.network.params[0]
    W0[:, :2] = 0.0
    b0[:2] = -1.0  # two ReLU units output 0 on every point: dead
    W1, b1 = t.network.params[1]
    W1[:, :3] = 0.0
    b1[:3] = 5.0  # three tanh units sit at tanh(5) = 0.9999: saturated
    relu, tanh = t.diagnostics()["layers"][:2]
    assert relu["dead_fraction"] == 0.5
    assert relu["saturated_fraction"] is None  # ReLU is unbounded
    assert tanh["saturated_fraction"] == 0.75
    assert tanh["dead_fraction"] is None  # tanh units cannot die
