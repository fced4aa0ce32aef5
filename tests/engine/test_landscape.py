"""Loss landscape: the centre is the objective, the path ends at the weights, filter
normalization, one batched computation that equals point-by-point evaluation."""

from __future__ import annotations

import numpy as np
import pytest

from playground import RunConfig, Trainer

REFERENCE = dict(dataset="spiral", hidden=[8] * 3, activation="tanh", n_points=200)


def objective(t: Trainer) -> float:
    return t.network.loss(t.train_features, t.data.y_train)


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"regularization": "l2", "regularization_rate": 0.01},
        {"regularization": "l1", "regularization_rate": 0.003},
        {"problem": "multiclass", "dataset": "blobs_k", "n_classes": 3},
        {"problem": "regression", "dataset": "plane"},
    ],
)
def test_centre_is_the_current_objective(changes: dict) -> None:
    t = Trainer(RunConfig(**{**REFERENCE, **changes}), checkpoint_every=20)
    t.run(epochs=8)
    for directions in ("random", "trajectory"):
        scape = t.landscape(directions=directions, resolution=11)
        assert scape.center_loss == pytest.approx(objective(t), abs=1e-9)
        assert scape.losses[5, 5] == scape.center_loss
        assert np.isfinite(scape.losses).all()


def test_grid_equals_point_by_point_evaluation() -> None:
    t = Trainer(RunConfig(**REFERENCE, regularization="l2", regularization_rate=0.01))
    t.run(epochs=2)
    scape = t.landscape(resolution=7, span=0.5, seed=3)
    theta = t.network.flat.copy()
    # recover the two directions from the grid's corners: points are theta + a d1 + b d2
    probe = t.fork()
    rng = np.random.default_rng([3, 17])
    from playground.engine.landscape import filter_normalized

    d1, d2 = filter_normalized(t.network, rng), filter_normalized(t.network, rng)
    for i, j in [(0, 0), (6, 2), (3, 5)]:
        probe.network.flat[...] = theta + scape.alphas[i] * d1 + scape.betas[j] * d2
        expected = probe.network.loss(probe.train_features, probe.data.y_train)
        assert scape.losses[j, i] == pytest.approx(expected, rel=1e-5)  # float32 batch
    np.testing.assert_array_equal(t.network.flat, theta)  # the run is untouched


def test_filter_normalization_matches_each_units_weight_norm() -> None:
    from playground.engine.landscape import filter_normalized

    t = Trainer(RunConfig(**REFERENCE))
    t.run(epochs=1)
    d = filter_normalized(t.network, np.random.default_rng(0))
    at = 0
    for W, b in t.network.params:
        D = d[at : at + W.size].reshape(W.shape)
        np.testing.assert_allclose(np.linalg.norm(D, axis=0), np.linalg.norm(W, axis=0),
                                   rtol=1e-12)  # fmt: skip
        assert not np.any(d[at + W.size : at + W.size + b.size])  # biases: no direction
        at += W.size + b.size


def test_path_ends_at_the_current_weights_and_replays_the_checkpoints() -> None:
    t = Trainer(RunConfig(**REFERENCE), checkpoint_every=25)
    t.run(steps=120)
    scape = t.landscape(directions="trajectory", resolution=9)
    np.testing.assert_array_equal(scape.path[-1], [0.0, 0.0])
    assert scape.path_steps == (0, 25, 50, 75, 100, 120)
    # along the trajectory's principal plane the path spans at most [-1, 1] (span 1 frames it)
    assert np.abs(scape.path).max() == pytest.approx(1.0, rel=1e-9)


def test_random_path_projects_checkpoints_and_ends_at_zero() -> None:
    t = Trainer(RunConfig(**REFERENCE), checkpoint_every=30)
    t.run(steps=100)
    scape = t.landscape()
    assert scape.path.shape == (5, 2) and tuple(scape.path[-1]) == (0.0, 0.0)
    assert scape.path_steps[-1] == 100


def test_trajectory_needs_a_path() -> None:
    t = Trainer(RunConfig(**REFERENCE))
    with pytest.raises(ValueError, match="directions"):
        t.landscape(directions="trajectory")


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"resolution": 30}, "resolution"),
        ({"resolution": 53}, "resolution"),
        ({"resolution": True}, "resolution"),
        ({"span": 0}, "span"),
        ({"span": float("nan")}, "span"),
        ({"directions": "pca"}, "directions"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_options_are_rejected_naming_the_field(options: dict, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        Trainer(RunConfig(**REFERENCE)).landscape(**options)


def test_loss_slice_centre_and_direction() -> None:
    t = Trainer(RunConfig(**REFERENCE))
    before = t.loss_slice(points=21)  # no update yet: along the negative gradient
    assert before.losses[10] == pytest.approx(objective(t), abs=1e-12)
    assert before.losses[11] < before.losses[10]  # downhill along the gradient's descent
    t.run(epochs=2)
    grad = t.network.grad_flat.copy()
    after = t.loss_slice(points=21, span=0.5)
    assert after.losses[10] == pytest.approx(objective(t), abs=1e-12)
    assert after.t[0] == -0.5 and after.t[-1] == 0.5
    np.testing.assert_array_equal(t.network.grad_flat, grad)


def test_path_keeps_only_checkpoints_of_the_current_architecture() -> None:
    t = Trainer(RunConfig(**REFERENCE), checkpoint_every=20)
    t.run(steps=60)
    t.reconfigure(RunConfig(**{**REFERENCE, "hidden": [8, 8, 4]}))
    t.run(steps=110)
    assert t.landscape(resolution=5).path_steps == (80, 100, 110)


def test_a_time_budget_bounds_the_work() -> None:
    from playground.engine.landscape import CHUNK_ELEMENTS, objectives

    t = Trainer(RunConfig(**REFERENCE))
    ticks = iter(range(1000))
    thetas = np.tile(t.network.flat, (CHUNK_ELEMENTS // (t.data.n_train * 8) * 3, 1))
    F, T = t.train_features, t.network.loss_fn.targets(t.data.y_train)
    assert len(objectives(t.network, F, T, thetas, seconds=5.0)) == len(thetas)
    with pytest.raises(ValueError, match="resolution"):  # one tick per chunk, a 1.5 s budget
        objectives(t.network, F, T, thetas, seconds=1.5, clock=lambda: float(next(ticks)))
