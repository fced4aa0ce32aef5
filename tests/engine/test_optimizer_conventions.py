"""The optimizers follow PyTorch's conventions, as documented in optimizers.py."""

from __future__ import annotations

import numpy as np
import pytest

from playground.engine.optimizers import make_optimizer

G = [np.array([0.5, -2.0, 1e-3]), np.array([-1.0, 0.25, 3.0]), np.array([0.1, 0.1, -0.2])]
W0 = np.array([1.0, -0.5, 0.2])
LR = 0.1


def torch_style(name: str) -> np.ndarray:
    """Three steps written from PyTorch's documented update rules."""
    w = W0.copy()
    mu, rho, b1, b2, eps, wd = 0.9, 0.9, 0.9, 0.999, 1e-8, 0.01
    v = np.zeros(3)
    s = np.zeros(3)
    m = np.zeros(3)
    for t, g in enumerate(G, start=1):
        if name == "momentum":
            v = mu * v + g
            w = w - LR * v
        elif name == "nesterov":
            v = mu * v + g
            w = w - LR * (g + mu * v)
        elif name == "adagrad":
            s = s + g * g  # accumulator starts at 0
            w = w - LR * g / (np.sqrt(s) + eps)  # eps outside the root
        elif name == "rmsprop":
            s = rho * s + (1 - rho) * g * g
            w = w - LR * g / (np.sqrt(s) + eps)
        else:
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            step = (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
            w = w - LR * (step + (wd * w if name == "adamw" else 0.0))
    return w


@pytest.mark.parametrize("name", ["momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"])
def test_three_steps_match_pytorch_conventions(name: str) -> None:
    opt = make_optimizer(name, 3)
    w = W0.copy()
    for g in G:
        opt.step(w, g.copy(), LR)
    np.testing.assert_allclose(w, torch_style(name), rtol=1e-12, atol=1e-15)


def test_adamw_decay_mask_leaves_masked_entries_undecayed() -> None:
    mask = np.array([1.0, 0.0, 1.0])
    masked = make_optimizer("adamw", 3, weight_decay=0.5, decay_mask=mask)
    plain = make_optimizer("adam", 3)
    w, v = W0.copy(), W0.copy()
    g = G[0]
    masked.step(w, g.copy(), LR)
    plain.step(v, g.copy(), LR)
    np.testing.assert_allclose(w, v - LR * 0.5 * W0 * mask, rtol=1e-12, atol=1e-15)
    with pytest.raises(ValueError, match="decay_mask"):
        make_optimizer("adamw", 3, decay_mask=np.array([1.0, 0.5, 1.0]))


def test_the_trainers_adamw_decays_weights_but_not_biases_like_l1_l2() -> None:
    """One step of AdamW differs from Adam by lr * λ * w on the weights only."""
    from playground import RunConfig, Trainer

    base = dict(dataset="xor", n_points=60, hidden=[4], learning_rate=0.01, bias_init=0.5)
    adamw = Trainer(RunConfig(**base, optimizer="adamw", weight_decay=0.2))
    adam = Trainer(RunConfig(**base, optimizer="adam"))
    start = adam.network.flat.copy()
    adamw.step(1)
    adam.step(1)
    mask = adam.network.weight_mask
    expected = adam.network.flat - 0.01 * 0.2 * start * mask
    np.testing.assert_allclose(adamw.network.flat, expected, rtol=1e-12, atol=1e-15)
    biases = mask == 0
    np.testing.assert_array_equal(adamw.network.flat[biases], adam.network.flat[biases])
