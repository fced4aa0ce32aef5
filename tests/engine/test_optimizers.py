"""Optimizers: hand-recomputed updates, resumable state, validation, in-place updates."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from playground.engine.optimizers import (
    OPTIMIZER_HYPERPARAMETERS,
    OPTIMIZERS,
    clip_by_global_norm,
    make_optimizer,
)

P0 = [1.0, -2.0]
G1 = [0.5, -1.0]
G2 = [0.25, 2.0]
LR = 0.1


def two_steps(name: str, **hyper: float) -> tuple[np.ndarray, np.ndarray]:
    """Run two steps from P0 with G1 then G2; return the parameters after each."""
    opt = OPTIMIZERS[name](2, **hyper)
    param = np.array(P0)
    opt.step(param, np.array(G1), LR)
    first = param.copy()
    opt.step(param, np.array(G2), LR)
    return first, param


def check(name: str, hyper: dict[str, float], p1: list[float], p2: list[float]) -> None:
    first, second = two_steps(name, **hyper)
    np.testing.assert_allclose(first, p1, rtol=1e-12, atol=0)
    np.testing.assert_allclose(second, p2, rtol=1e-12, atol=0)


# --- each update rule, the first two steps worked out by hand ------------------------------


def test_sgd_by_hand() -> None:
    check("sgd", {}, [1.0 - 0.05, -2.0 + 0.1], [0.95 - 0.025, -1.9 - 0.2])


def test_momentum_by_hand() -> None:
    # v1 = g1 = [0.5, -1]; v2 = 0.9 * v1 + g2 = [0.45 + 0.25, -0.9 + 2] = [0.7, 1.1]
    check("momentum", {"momentum": 0.9}, [0.95, -1.9], [0.95 - 0.07, -1.9 - 0.11])


def test_nesterov_by_hand() -> None:
    # v1 = [0.5, -1]; step1 = g1 + 0.9 * v1 = [0.95, -1.9]
    # v2 = [0.7, 1.1]; step2 = g2 + 0.9 * v2 = [0.25 + 0.63, 2 + 0.99] = [0.88, 2.99]
    check(
        "nesterov",
        {"momentum": 0.9},
        [1.0 - 0.095, -2.0 + 0.19],
        [0.905 - 0.088, -1.81 - 0.299],
    )


def test_adagrad_by_hand() -> None:
    # s1 = [0.25, 1]; s2 = [0.25 + 0.0625, 1 + 4] = [0.3125, 5]
    p1 = [1.0 - 0.1 * 0.5 / (0.5 + 0.01), -2.0 + 0.1 * 1.0 / (1.0 + 0.01)]
    p2 = [
        p1[0] - 0.1 * 0.25 / (math.sqrt(0.3125) + 0.01),
        p1[1] - 0.1 * 2.0 / (math.sqrt(5.0) + 0.01),
    ]
    check("adagrad", {"epsilon": 0.01}, p1, p2)


def test_rmsprop_by_hand() -> None:
    # s1 = 0.1 * [0.25, 1] = [0.025, 0.1]
    # s2 = 0.9 * s1 + 0.1 * [0.0625, 4] = [0.0225 + 0.00625, 0.09 + 0.4] = [0.02875, 0.49]
    p1 = [
        1.0 - 0.1 * 0.5 / (math.sqrt(0.025) + 0.01),
        -2.0 + 0.1 * 1.0 / (math.sqrt(0.1) + 0.01),
    ]
    p2 = [
        p1[0] - 0.1 * 0.25 / (math.sqrt(0.02875) + 0.01),
        p1[1] - 0.1 * 2.0 / (0.7 + 0.01),
    ]
    check("rmsprop", {"rho": 0.9, "epsilon": 0.01}, p1, p2)


# Adam with beta1 0.9, beta2 0.999, epsilon 0.01 (large, so its placement matters).
# Step 1: m = [0.05, -0.1], v = [0.00025, 0.001]; corrections 0.1 and 0.001 give
#         m_hat = [0.5, -1], v_hat = [0.25, 1].
ADAM_DIR1 = [0.5 / (0.5 + 0.01), -1.0 / (1.0 + 0.01)]
# Step 2: m = 0.9 * m + 0.1 * g2 = [0.045 + 0.025, -0.09 + 0.2] = [0.07, 0.11]
#         v = 0.999 * v + 0.001 * g2^2 = [0.00024975 + 0.0000625, 0.000999 + 0.004]
#           = [0.00031225, 0.004999]
#         corrections 1 - 0.81 = 0.19 and 1 - 0.998001 = 0.001999
ADAM_DIR2 = [
    (0.07 / 0.19) / (math.sqrt(0.00031225 / 0.001999) + 0.01),
    (0.11 / 0.19) / (math.sqrt(0.004999 / 0.001999) + 0.01),
]
ADAM_HYPER = {"beta1": 0.9, "beta2": 0.999, "epsilon": 0.01}


def test_adam_by_hand() -> None:
    p1 = [1.0 - 0.1 * ADAM_DIR1[0], -2.0 - 0.1 * ADAM_DIR1[1]]
    p2 = [p1[0] - 0.1 * ADAM_DIR2[0], p1[1] - 0.1 * ADAM_DIR2[1]]
    check("adam", ADAM_HYPER, p1, p2)


def test_adamw_by_hand() -> None:
    # Decay uses the parameters from before each update: p -= lr * (dir + 0.1 * p).
    p1 = [
        1.0 - 0.1 * (ADAM_DIR1[0] + 0.1 * 1.0),
        -2.0 - 0.1 * (ADAM_DIR1[1] + 0.1 * -2.0),
    ]
    p2 = [
        p1[0] - 0.1 * (ADAM_DIR2[0] + 0.1 * p1[0]),
        p1[1] - 0.1 * (ADAM_DIR2[1] + 0.1 * p1[1]),
    ]
    check("adamw", {**ADAM_HYPER, "weight_decay": 0.1}, p1, p2)


def test_adamw_without_decay_is_adam() -> None:
    adamw = two_steps("adamw", **ADAM_HYPER, weight_decay=0.0)
    adam = two_steps("adam", **ADAM_HYPER)
    np.testing.assert_array_equal(adamw[1], adam[1])


# --- in place, shapes, learning rate ---------------------------------------------------------


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_step_updates_param_in_place(name: str) -> None:
    param = np.ones(6)
    weights = param[1:4]  # a layer's view into the flat vector
    address = param.__array_interface__["data"][0]
    opt = make_optimizer(name, 6)
    opt.step(param, np.full(6, 0.5), 0.1)
    assert param.__array_interface__["data"][0] == address
    assert np.all(weights < 1.0)
    np.testing.assert_array_equal(weights, param[1:4])


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_step_rejects_wrong_shapes(name: str) -> None:
    opt = make_optimizer(name, 4)
    with pytest.raises(ValueError, match="shape"):
        opt.step(np.zeros(5), np.zeros(5), 0.1)
    with pytest.raises(ValueError, match="shape"):
        opt.step(np.zeros(4), np.zeros((4, 1)), 0.1)


@pytest.mark.parametrize("lr", [-0.1, math.nan, math.inf])
def test_step_rejects_bad_learning_rate(lr: float) -> None:
    opt = make_optimizer("adam", 3)
    with pytest.raises(ValueError, match="lr"):
        opt.step(np.zeros(3), np.ones(3), lr)
    assert opt.t == 0


def test_zero_learning_rate_leaves_params_but_advances_state() -> None:
    # A cosine schedule ends at exactly 0; training must not crash there.
    opt = make_optimizer("momentum", 2)
    param = np.array(P0)
    opt.step(param, np.array(G1), 0.0)
    np.testing.assert_array_equal(param, P0)
    assert opt.t == 1
    assert opt.state_dict()["buffers"]["velocity"] == G1


# --- hyperparameters --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "field", "value"),
    [
        ("momentum", "momentum", 1.0),
        ("nesterov", "momentum", -0.1),
        ("rmsprop", "rho", 0.9999),
        ("adam", "beta1", 1.0),
        ("adam", "beta2", 0.99999),
        ("adam", "epsilon", 1e-13),
        ("adagrad", "epsilon", 0.1),
        ("adamw", "weight_decay", 1.5),
        ("adamw", "weight_decay", math.nan),
        ("adam", "beta1", math.inf),
    ],
)
def test_out_of_range_hyperparameter_is_named(name: str, field: str, value: float) -> None:
    with pytest.raises(ValueError, match=field):
        make_optimizer(name, 3, **{field: value})


def test_range_limits_are_inclusive() -> None:
    make_optimizer("momentum", 2, momentum=0.0)
    make_optimizer("momentum", 2, momentum=0.999)
    make_optimizer("adamw", 2, beta1=0.0, beta2=0.9999, epsilon=1e-12, weight_decay=1.0)
    make_optimizer("rmsprop", 2, rho=0.999, epsilon=1e-2)


def test_constructor_rejects_a_hyperparameter_it_does_not_use() -> None:
    with pytest.raises(ValueError, match="momentum"):
        OPTIMIZERS["adam"](3, momentum=0.9)


def test_constructor_rejects_non_numbers_and_bad_size() -> None:
    with pytest.raises(ValueError, match="beta1"):
        OPTIMIZERS["adam"](3, beta1="0.9")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="size"):
        OPTIMIZERS["sgd"](0)


def test_make_optimizer_ignores_unused_hyperparameters() -> None:
    opt = make_optimizer("sgd", 3, momentum=7.0, beta1=-1.0, weight_decay=9.0)
    assert opt.hyper == {}
    adam = make_optimizer("adam", 3, beta1=0.8, momentum=7.0, weight_decay=9.0)
    assert adam.hyper == {"beta1": 0.8, "beta2": 0.999, "epsilon": 1e-8}


def test_make_optimizer_rejects_unknown_name_listing_allowed() -> None:
    with pytest.raises(ValueError, match="lbfgs.*sgd, momentum, nesterov, adagrad"):
        make_optimizer("lbfgs", 3)


def test_registry_and_ui_metadata() -> None:
    assert list(OPTIMIZERS) == [
        "sgd",
        "momentum",
        "nesterov",
        "adagrad",
        "rmsprop",
        "adam",
        "adamw",
    ]
    assert OPTIMIZER_HYPERPARAMETERS["sgd"] == ()
    assert OPTIMIZER_HYPERPARAMETERS["rmsprop"] == ("rho", "epsilon")
    assert OPTIMIZER_HYPERPARAMETERS["adamw"] == ("beta1", "beta2", "epsilon", "weight_decay")
    for cls in OPTIMIZERS.values():
        assert cls.description and "\n" not in cls.description


def test_set_hyperparameters_changes_the_update_and_validates() -> None:
    opt = make_optimizer("momentum", 2, momentum=0.9)
    with pytest.raises(ValueError, match="momentum"):
        opt.set_hyperparameters(momentum=2.0)
    opt.set_hyperparameters(momentum=0.0)
    param = np.array(P0)
    opt.step(param, np.array(G1), LR)
    opt.step(param, np.array(G2), LR)
    # With momentum 0 this is plain SGD.
    np.testing.assert_allclose(param, [0.925, -2.1], rtol=1e-12)


def test_repr_names_class_and_hyperparameters() -> None:
    text = repr(make_optimizer("rmsprop", 5, rho=0.95))
    assert text.startswith("RMSProp(size=5")
    assert "rho=0.95" in text and "t=0" in text


# --- state_dict / load_state_dict -------------------------------------------------------------

NON_DEFAULT = {
    "momentum": 0.5,
    "rho": 0.8,
    "beta1": 0.7,
    "beta2": 0.99,
    "epsilon": 1e-6,
    "weight_decay": 0.05,
}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_resume_from_state_dict_is_bit_identical(name: str) -> None:
    rng = np.random.default_rng(7)
    grads = rng.normal(size=(20, 9))
    start = rng.normal(size=9)

    straight = make_optimizer(name, 9, **NON_DEFAULT)
    p_straight = start.copy()
    for g in grads:
        straight.step(p_straight, g, 0.05)

    first = make_optimizer(name, 9, **NON_DEFAULT)
    p_resumed = start.copy()
    for g in grads[:11]:
        first.step(p_resumed, g, 0.05)
    saved = json.loads(json.dumps(first.state_dict()))
    second = make_optimizer(name, 9)  # default hypers: the state must restore them
    second.load_state_dict(saved)
    for g in grads[11:]:
        second.step(p_resumed, g, 0.05)

    np.testing.assert_array_equal(p_resumed, p_straight)
    assert second.t == straight.t == 20
    assert second.state_dict() == straight.state_dict()


def test_state_dict_contents() -> None:
    opt = make_optimizer("adam", 2, **ADAM_HYPER)
    opt.step(np.array(P0), np.array(G1), LR)
    state = opt.state_dict()
    assert state["name"] == "adam" and state["size"] == 2 and state["t"] == 1
    assert state["hyper"] == ADAM_HYPER
    assert set(state["buffers"]) == {"m", "v"}
    assert state["buffers"]["m"] == pytest.approx([0.05, -0.1], rel=1e-12)
    assert all(type(x) is float for x in state["buffers"]["v"])


def _adam_state() -> dict:
    opt = make_optimizer("adam", 3)
    opt.step(np.zeros(3), np.ones(3), 0.1)
    return json.loads(json.dumps(opt.state_dict()))


def test_load_rejects_wrong_name() -> None:
    with pytest.raises(ValueError, match="name"):
        make_optimizer("adamw", 3).load_state_dict(_adam_state())


def test_load_rejects_wrong_size() -> None:
    with pytest.raises(ValueError, match="size"):
        make_optimizer("adam", 4).load_state_dict(_adam_state())
    state = _adam_state()
    state["buffers"]["v"] = [0.0, 0.0]
    with pytest.raises(ValueError, match="buffer v"):
        make_optimizer("adam", 3).load_state_dict(state)


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_load_rejects_non_finite_buffers(bad: float) -> None:
    state = _adam_state()
    state["buffers"]["m"][1] = bad
    with pytest.raises(ValueError, match="buffer m"):
        make_optimizer("adam", 3).load_state_dict(state)


def test_load_rejects_bad_hyper_and_step_counter() -> None:
    state = _adam_state()
    state["hyper"]["beta2"] = math.nan
    with pytest.raises(ValueError, match="beta2"):
        make_optimizer("adam", 3).load_state_dict(state)
    state = _adam_state()
    del state["hyper"]["epsilon"]
    with pytest.raises(ValueError, match="hyper"):
        make_optimizer("adam", 3).load_state_dict(state)
    state = _adam_state()
    state["t"] = -1
    with pytest.raises(ValueError, match="t must"):
        make_optimizer("adam", 3).load_state_dict(state)


def test_rejected_load_leaves_optimizer_unchanged() -> None:
    opt = make_optimizer("adam", 3, beta1=0.5)
    opt.step(np.zeros(3), np.full(3, 2.0), 0.1)
    before = opt.state_dict()
    state = _adam_state()
    state["buffers"]["v"][0] = math.nan
    with pytest.raises(ValueError):
        opt.load_state_dict(state)
    assert opt.state_dict() == before


# --- clip_by_global_norm ----------------------------------------------------------------------


def test_clip_scales_in_place_and_returns_the_old_norm() -> None:
    grad = np.array([0.0, 3.0, 4.0, 0.0])
    view = grad[1:3]
    assert clip_by_global_norm(grad, 1.0) == 5.0
    np.testing.assert_allclose(view, [0.6, 0.8], rtol=1e-15)
    assert math.sqrt(float(grad @ grad)) == pytest.approx(1.0, rel=1e-15)


@pytest.mark.parametrize("max_norm", [5.0, 10.0, 0.0])
def test_clip_leaves_small_gradients_and_zero_disables(max_norm: float) -> None:
    grad = np.array([3.0, 4.0])
    assert clip_by_global_norm(grad, max_norm) == 5.0
    np.testing.assert_array_equal(grad, [3.0, 4.0])


def test_clip_zero_gradient() -> None:
    grad = np.zeros(3)
    assert clip_by_global_norm(grad, 1.0) == 0.0
    np.testing.assert_array_equal(grad, 0.0)


def test_clip_huge_but_finite_gradient() -> None:
    grad = np.array([3e200, -4e200])
    assert clip_by_global_norm(grad, 2.0) == pytest.approx(5e200, rel=1e-15)
    np.testing.assert_allclose(grad, [1.2, -1.6], rtol=1e-15)


def test_clip_leaves_non_finite_gradient_alone() -> None:
    grad = np.array([1.0, math.inf, 2.0])
    assert clip_by_global_norm(grad, 1.0) == math.inf
    np.testing.assert_array_equal(grad, [1.0, math.inf, 2.0])
    grad = np.array([1.0, math.nan])
    assert math.isnan(clip_by_global_norm(grad, 1.0))
    assert grad[0] == 1.0


@pytest.mark.parametrize("max_norm", [-1.0, math.nan, math.inf])
def test_clip_rejects_bad_max_norm(max_norm: float) -> None:
    with pytest.raises(ValueError, match="max_norm"):
        clip_by_global_norm(np.ones(2), max_norm)
