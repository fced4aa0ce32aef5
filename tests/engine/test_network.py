"""Network: backprop checked against central differences of the exact objective.

``network.loss`` is what training minimizes and ``network.gradients`` must be its exact
gradient, for every activation, every loss, every penalty and several depths: teachers
explain gradients with these numbers. Weights and inputs are drawn so that no
pre-activation lies near a kink (ReLU family) and, with L1, no weight lies near 0, so the
finite differences measure a smooth function.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from playground.engine.activations import ACTIVATIONS
from playground.engine.losses import make_loss
from playground.engine.network import Network, parameter_count

ROWS = 5  # examples in the checked batch
N_IN = 3
H = 1e-5  # central-difference step
MARGIN = 1e-2  # no pre-activation closer than this to 0 (>= 1e-3 required)
MIN_WEIGHT = 0.3  # |w| >= this, so |w| is smooth under +-H (L1)
RATE = 0.1  # regularization rate of the checked penalties

# (loss name, problem, output units)
LOSS_CASES = [
    ("binary_cross_entropy", "binary", 1),
    ("squared_error", "binary", 1),
    ("squared_error", "regression", 1),
    ("cross_entropy", "multiclass", 3),
]
HIDDEN_SHAPES = {"h0": [], "h1": [4], "h3": [4, 3, 4]}


def labels(problem: str, rng: np.random.Generator) -> np.ndarray:
    if problem == "binary":
        return np.array([0.0, 1.0, 1.0, 0.0, 1.0])
    if problem == "multiclass":
        return np.array([0, 2, 1, 2, 0])
    return rng.normal(size=ROWS)


def pre_activations(net: Network, X: np.ndarray) -> list[np.ndarray]:
    """Every layer's pre-activation (hidden and output), recomputed from the parameters."""
    zs = []
    a = X
    for k, (W, b) in enumerate(net.params):
        z = a @ W + b
        zs.append(z)
        if k < len(net.activations):
            a = net.activations[k].forward(z)
    return zs


def smooth_network(
    activation: str, loss: str, problem: str, n_out: int, hidden: list[int], reg: str
) -> tuple[Network, np.ndarray, np.ndarray]:
    """A seeded network and batch with every pre-activation at least MARGIN from 0."""
    sizes = [N_IN, *hidden, n_out]
    net = Network(
        sizes,
        [activation] * len(hidden),
        make_loss(loss, problem),
        regularization=reg,
        regularization_rate=RATE if reg != "none" else 0.0,
    )
    rng = np.random.default_rng(20240611)
    y = labels(problem, rng)
    for _ in range(1000):
        X = rng.normal(size=(ROWS, N_IN))
        magnitude = rng.uniform(MIN_WEIGHT, 1.0, size=net.flat.size)
        net.flat[...] = magnitude * rng.choice([-1.0, 1.0], size=net.flat.size)
        if all(np.abs(z).min() >= MARGIN for z in pre_activations(net, X)):
            return net, X, y
    raise RuntimeError("no smooth draw found")  # pragma: no cover


def numerical_gradient(net: Network, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    g = np.empty(net.flat.size)
    for i in range(net.flat.size):
        keep = net.flat[i]
        net.flat[i] = keep + H
        up = net.loss(X, y)
        net.flat[i] = keep - H
        down = net.loss(X, y)
        net.flat[i] = keep
        g[i] = (up - down) / (2 * H)
    return g


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    scale = max(float(np.linalg.norm(a)), float(np.linalg.norm(b)), 1e-300)
    return float(np.linalg.norm(a - b)) / scale


@pytest.mark.parametrize("hidden", list(HIDDEN_SHAPES), ids=list(HIDDEN_SHAPES))
@pytest.mark.parametrize("reg", ["none", "l1", "l2"])
@pytest.mark.parametrize(
    ("loss", "problem", "n_out"), LOSS_CASES, ids=[f"{lo}-{p}" for lo, p, _ in LOSS_CASES]
)
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_gradients_match_central_differences(
    activation: str, loss: str, problem: str, n_out: int, reg: str, hidden: str
) -> None:
    net, X, y = smooth_network(activation, loss, problem, n_out, HIDDEN_SHAPES[hidden], reg)
    analytic = net.gradients(X, y)
    flat = np.concatenate([np.concatenate([gW.ravel(), gb]) for gW, gb in analytic])
    numeric = numerical_gradient(net, X, y)
    assert np.linalg.norm(flat) > 1e-6  # the check is not vacuous
    assert relative_error(flat, numeric) < 1e-6


def test_gradients_are_shaped_like_params_and_are_copies() -> None:
    net, X, y = smooth_network("tanh", "cross_entropy", "multiclass", 3, [4, 3], "l2")
    grads = net.gradients(X, y)
    assert [(g.shape, b.shape) for g, b in grads] == [(W.shape, b.shape) for W, b in net.params]
    before = [g.copy() for g, _ in grads]
    net.flat[...] *= 2.0
    net.gradients(X, y)  # overwrites the network's own buffers, not the returned arrays
    for g, (g_now, _) in zip(before, grads, strict=True):
        np.testing.assert_array_equal(g, g_now)


# --- the objective itself, recomputed by hand ---------------------------------------------


def one_layer(loss: str, problem: str, n_out: int, reg: str = "none") -> Network:
    """No hidden layer: the output pre-activation is X @ W + b, easy to recompute."""
    net = Network([2, n_out], [], make_loss(loss, problem), regularization=reg,
                  regularization_rate=0.5)  # fmt: skip
    net.flat[...] = np.linspace(-1.0, 1.0, net.flat.size)
    return net


X2 = np.array([[1.0, 2.0], [-0.5, 0.25], [3.0, -1.0]])


def test_binary_cross_entropy_value_by_hand() -> None:
    net = one_layer("binary_cross_entropy", "binary", 1)
    y = np.array([1.0, 0.0, 1.0])
    W, b = net.params[0]
    z = X2 @ W[:, 0] + b[0]
    p = 1.0 / (1.0 + np.exp(-z))
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert net.loss(X2, y) == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(net.predict(X2)[:, 0], p, rtol=1e-12)


def test_tanh_squared_error_uses_labels_plus_minus_one() -> None:
    net = one_layer("squared_error", "binary", 1)
    y = np.array([1.0, 0.0, 1.0])
    W, b = net.params[0]
    a = np.tanh(X2 @ W[:, 0] + b[0])
    expected = 0.5 * np.mean((a - np.array([1.0, -1.0, 1.0])) ** 2)
    assert net.loss(X2, y) == pytest.approx(expected, rel=1e-12)


def test_regression_squared_error_by_hand() -> None:
    net = one_layer("squared_error", "regression", 1)
    y = np.array([0.5, -2.0, 3.0])
    W, b = net.params[0]
    z = X2 @ W[:, 0] + b[0]
    assert net.loss(X2, y) == pytest.approx(0.5 * np.mean((z - y) ** 2), rel=1e-12)
    np.testing.assert_allclose(net.predict(X2)[:, 0], z, rtol=1e-12)


def test_softmax_cross_entropy_by_hand() -> None:
    net = one_layer("cross_entropy", "multiclass", 3)
    y = np.array([2, 0, 1])
    W, b = net.params[0]
    z = X2 @ W + b
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    assert net.loss(X2, y) == pytest.approx(-np.mean(np.log(p[np.arange(3), y])), rel=1e-12)
    np.testing.assert_allclose(net.predict(X2), p, rtol=1e-12)


@pytest.mark.parametrize(("reg", "penalty"), [("l2", lambda w: 0.25 * w @ w),
                                              ("l1", lambda w: 0.5 * np.abs(w).sum())])  # fmt: skip
def test_penalty_covers_weights_not_biases(reg: str, penalty: object) -> None:
    net = one_layer("squared_error", "regression", 1, reg)
    W, b = net.params[0]
    y = np.zeros(3)
    data = net.data_loss(X2, y)
    assert callable(penalty)
    assert net.loss(X2, y) == pytest.approx(data + penalty(W.ravel()), rel=1e-12)
    b[...] = 100.0  # a bias never pays a penalty
    assert net.penalty() == pytest.approx(penalty(W.ravel()), rel=1e-12)


def test_saturated_sigmoid_output_has_a_finite_loss() -> None:
    net = one_layer("binary_cross_entropy", "binary", 1)
    net.flat[...] = 400.0  # z = 1200 on the first row: exp(z) would overflow
    loss = net.loss(X2, np.array([0.0, 1.0, 1.0]))
    assert math.isfinite(loss) and loss > 100.0


# --- dropout masks: backprop differentiates the masked network -----------------------------


def test_backprop_with_dropout_masks_matches_central_differences() -> None:
    net, X, y = smooth_network("tanh", "binary_cross_entropy", "binary", 1, [4, 3], "none")
    rng = np.random.default_rng(3)
    masks = [(rng.random((ROWS, n)) >= 0.5) / 0.5 for n in (4, 3)]
    t = net.loss_fn.targets(y)

    def masked_loss() -> float:
        a = X
        for k, (W, b) in enumerate(net.params[:-1]):
            a = net.activations[k].forward(a @ W + b) * masks[k]
        W, b = net.params[-1]
        return net.loss_fn.value(a @ W + b, t)

    net.backprop(X, t, masks)
    analytic = net.grad_flat.copy()
    numeric = np.empty_like(analytic)
    for i in range(net.flat.size):
        keep = net.flat[i]
        net.flat[i] = keep + H
        up = masked_loss()
        net.flat[i] = keep - H
        numeric[i] = (up - masked_loss()) / (2 * H)
        net.flat[i] = keep
    assert relative_error(analytic, numeric) < 1e-6
    net.backprop(X, t, [None, None])
    np.testing.assert_array_equal(net.grad_flat, np.concatenate(
        [np.concatenate([gW.ravel(), gb]) for gW, gb in net.gradients(X, y)]))  # fmt: skip


# --- construction ---------------------------------------------------------------------------


def test_parameter_count_and_views() -> None:
    net = Network([2, 4, 3, 1], ["tanh", "relu"], make_loss("squared_error", "regression"))
    assert parameter_count([2, 4, 3, 1]) == 2 * 4 + 4 + 4 * 3 + 3 + 3 * 1 + 1
    assert net.flat.size == parameter_count([2, 4, 3, 1])
    assert net.depth == 3
    net.params[1][0][2, 1] = 7.0  # params are views into flat
    assert 7.0 in net.flat


@pytest.mark.parametrize(
    ("sizes", "acts", "reg", "match"),
    [
        ([2], [], "none", "at least an input and an output"),
        ([2, 3, 1], [], "none", "one activation per hidden layer"),
        ([2, 3, 1], ["tanh", "tanh"], "none", "one activation per hidden layer"),
        ([2, 3, 1], ["nope"], "none", "unknown activation 'nope'"),
        ([2, 3, 1], ["tanh"], "l3", "unknown regularization 'l3'"),
    ],
)
def test_invalid_construction_raises_value_error(
    sizes: list[int], acts: list[str], reg: str, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        Network(sizes, acts, make_loss("squared_error", "regression"), regularization=reg)
