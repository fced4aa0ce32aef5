"""preset="tfp": TF Playground's training rule, step for step.

The reference below is our own re-implementation of the update rule TF Playground
publishes in ``src/nn.ts`` and drives from ``playground.ts``: one node and one link at a
time, one example at a time, gradients accumulated per link and applied (divided by the
count) after every ``batch_size`` examples of the epoch, the count carrying over into the
next epoch; L2 / L1 applied at the old weight after the gradient step; with L1 a weight
that the penalty step takes across zero becomes 0 and its link is dead for good.
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any

import numpy as np
import pytest

from playground import RunConfig, Trainer

ACT = {
    "tanh": (math.tanh, lambda z: 1 - math.tanh(z) ** 2),
    "relu": (lambda z: max(0.0, z), lambda z: 0.0 if z <= 0 else 1.0),
    "linear": (lambda z: z, lambda z: 1.0),
}


class TfReference:
    """A plain-Python network of nodes and links, updated as TF Playground does."""

    def __init__(self, params: list[tuple[np.ndarray, np.ndarray]], acts: list[str], out: str):
        self.w = [W.tolist() for W, _ in params]  # w[k][i][j]: node i of layer k -> j
        self.b = [b.tolist() for _, b in params]
        self.acts = [*acts, out]
        self.dead = [[[False] * len(row) for row in W] for W in self.w]
        self.zero_acc()

    def zero_acc(self) -> None:
        self.acc_w = [[[0.0] * len(row) for row in W] for W in self.w]
        self.acc_b = [[0.0] * len(b) for b in self.b]
        self.count = 0

    def forward(self, x: list[float]) -> tuple[list[list[float]], list[list[float]]]:
        outs, zs = [x], []
        for k, W in enumerate(self.w):
            f = ACT[self.acts[k]][0]
            z = [self.b[k][j] + sum(outs[-1][i] * W[i][j] for i in range(len(W)))
                 for j in range(len(self.b[k]))]  # fmt: skip
            zs.append(z)
            outs.append([f(v) for v in z])
        return outs, zs

    def backprop(self, x: list[float], target: float) -> None:
        outs, zs = self.forward(x)
        out_der = [outs[-1][0] - target]  # d(0.5 (out - t)^2) / d out
        for k in range(len(self.w) - 1, -1, -1):
            der = ACT[self.acts[k]][1]
            input_der = [out_der[j] * der(zs[k][j]) for j in range(len(zs[k]))]
            for j, d in enumerate(input_der):
                self.acc_b[k][j] += d
                for i in range(len(self.w[k])):
                    self.acc_w[k][i][j] += d * outs[k][i]
            out_der = [sum(self.w[k][i][j] * input_der[j] for j in range(len(input_der)))
                       for i in range(len(self.w[k]))]  # fmt: skip
        self.count += 1

    def update(self, lr: float, reg: str, rate: float) -> None:
        if self.count == 0:
            return
        c = self.count
        for k, W in enumerate(self.w):
            for j in range(len(self.b[k])):
                self.b[k][j] -= lr * self.acc_b[k][j] / c
            for i, row in enumerate(W):
                for j, w in enumerate(row):
                    if self.dead[k][i][j]:
                        continue
                    r_der = (0.0 if w == 0 else math.copysign(1.0, w)) if reg == "l1" else w
                    r_der = 0.0 if reg == "none" else r_der
                    moved = w - lr / c * self.acc_w[k][i][j]
                    new = moved - lr * rate * r_der
                    if reg == "l1" and moved * new < 0:
                        row[j] = 0.0
                        self.dead[k][i][j] = True
                    else:
                        row[j] = new
        self.zero_acc()

    def loss(self, X: np.ndarray, t: np.ndarray) -> float:
        errors = [self.forward(list(x))[0][-1][0] - y for x, y in zip(X, t, strict=True)]
        return sum(0.5 * e * e for e in errors) / len(t)


def run_both(epochs: int, **config: Any) -> tuple[list[float], list[float], Trainer, TfReference]:
    trainer = Trainer(RunConfig(preset="tfp", **config))
    spec = trainer.spec
    net = trainer.network
    ref = TfReference([(W.copy(), b.copy()) for W, b in net.params], list(spec.activations),
                      "linear" if spec.problem == "regression" else "tanh")  # fmt: skip
    order = trainer.state.order.copy()  # shuffled once, walked in this order every epoch
    X = trainer.train_features
    t = trainer._T_train[:, 0]
    ours, theirs = [], []
    for _ in range(epochs):
        for i, row in enumerate(order):
            ref.backprop(list(X[row]), float(t[row]))
            if (i + 1) % spec.batch_size == 0:
                ref.update(spec.learning_rate, spec.regularization, spec.regularization_rate)
        theirs.append(ref.loss(X, t))
        trainer.step(trainer.steps_to_epoch_end())
        ours.append(trainer.metrics()["train_loss"])
    np.testing.assert_array_equal(trainer.state.order, order)
    return ours, theirs, trainer, ref


CASES = {
    # 34 training points, batches of 8: 2 examples carry into every next epoch
    "carry-over, no penalty": dict(n_points=68, batch_size=8, hidden=[3, 2]),
    "L2": dict(n_points=50, batch_size=4, hidden=[3], regularization="l2",
               regularization_rate=0.03, learning_rate=0.1, dataset="xor"),
    "L1 kills links": dict(n_points=46, batch_size=5, hidden=[4, 2], regularization="l1",
                           regularization_rate=0.03, learning_rate=0.1, activation="relu"),
    "regression": dict(n_points=40, batch_size=3, hidden=[3], dataset="plane", noise=10),
}  # fmt: skip


@pytest.mark.parametrize("name", list(CASES))
def test_follows_tf_playground_step_for_step(name: str) -> None:
    ours, theirs, trainer, ref = run_both(100, **CASES[name])
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)
    assert ours[-1] < ours[0]  # it learned something
    for (W, b), w_ref, b_ref in zip(trainer.network.params, ref.w, ref.b, strict=True):
        np.testing.assert_allclose(W, w_ref, rtol=0, atol=1e-9)
        np.testing.assert_allclose(b, b_ref, rtol=0, atol=1e-9)
    if name == "L1 kills links":
        dead = sum(d for layer in ref.dead for row in layer for d in row)
        assert dead > 0
        assert int(trainer.state.dead.sum()) == dead
        for W, dead_k in zip(trainer.network.params, ref.dead, strict=True):
            assert np.all(W[0][np.array(dead_k)] == 0.0)


def test_tfp_resolves_tf_playground_settings() -> None:
    trainer = Trainer(RunConfig(preset="tfp", optimizer="adam", loss="binary_cross_entropy"))
    spec = trainer.spec
    assert spec.tf_mode and spec.loss == "squared_error" and spec.optimizer == "sgd"
    assert spec.bias_init == 0.1 and set(spec.initializers) == {"uniform"}
    W = trainer.network.params[0][0]
    assert np.abs(W).max() <= 0.5 and np.all(trainer.network.params[0][1] == 0.1)
    first = trainer.state.order.copy()
    trainer.step(trainer.steps_to_epoch_end() * 3)
    np.testing.assert_array_equal(trainer.state.order, first)  # one shuffle, kept
    default = Trainer(RunConfig())
    assert not default.spec.tf_mode


def _through_json(snapshot: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(snapshot))


def _l1_run() -> Trainer:
    trainer = Trainer(RunConfig(preset="tfp", **{**CASES["L1 kills links"], "seed": 4}))
    trainer.step(trainer.steps_to_epoch_end() * 30)
    assert trainer.state.dead is not None and trainer.state.dead.any()
    return trainer


def test_a_resumed_l1_run_keeps_its_dead_links_and_continues_bit_for_bit() -> None:
    a = _l1_run()
    b = Trainer.restore(_through_json(a.snapshot()))
    np.testing.assert_array_equal(b.state.dead, a.state.dead)
    dead_before = a.state.dead.copy()
    a.step(200)
    b.step(200)
    np.testing.assert_array_equal(b.network.flat, a.network.flat)
    np.testing.assert_array_equal(b.state.dead, a.state.dead)
    assert np.all(b.network.flat[dead_before] == 0.0)  # dead links stayed dead


def _edit_dead(snapshot: dict[str, Any], where: str) -> dict[str, Any]:
    dead = np.frombuffer(base64.b64decode(snapshot["dead"]), "u1").copy()
    params = np.frombuffer(base64.b64decode(snapshot["params"]), "<f8")
    if where == "live weight":
        dead[int(np.flatnonzero(params != 0)[0])] = 1
    elif where == "bias":
        dead[-1] = 1  # the output bias
    else:
        dead = dead[:-1]
    snapshot["dead"] = base64.b64encode(dead.tobytes()).decode()
    return snapshot


@pytest.mark.parametrize(
    ("where", "message"),
    [("live weight", "exactly 0"), ("bias", "exactly 0"), ("short", "dead has")],
)
def test_restore_rejects_impossible_dead_links(where: str, message: str) -> None:
    snapshot = _edit_dead(_through_json(_l1_run().snapshot()), where)
    with pytest.raises(ValueError, match=message):
        Trainer.restore(snapshot)
