"""Training health over time: per-epoch records, cause-specific warnings, leaky ReLU."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from playground import RunConfig, Trainer

DEEP = dict(dataset="xor", hidden=[8] * 6, n_points=300)


def kinds(t: Trainer) -> list[str]:
    return [w["kind"] for w in t.health()["warnings"]]


def test_deep_sigmoid_net_reports_vanishing_gradients_with_the_right_advice() -> None:
    t = Trainer(RunConfig(**DEEP, activation="sigmoid"))
    t.run(epochs=5)
    report = t.health()
    vanishing = [w for w in report["warnings"] if w["kind"] == "vanishing"]
    assert len(vanishing) == 1
    advice = vanishing[0]["advice"]
    assert "ReLU" in advice and "He initialization" in advice and "fewer layers" in advice
    assert not any(w["kind"] == "update_low" for w in report["warnings"])
    assert all("Raise the learning rate" not in w["advice"] for w in report["warnings"])
    first = report["layers"][0]["grad_norm"]
    last = report["layers"][-1]["grad_norm"]
    assert len(first) == len(report["epochs"]) == 5
    assert all(a < b / 100 for a, b in zip(first, last, strict=True))  # what the chart shows
    assert report["explanation"]


def test_same_depth_with_relu_reports_no_vanishing() -> None:
    t = Trainer(RunConfig(**DEEP, activation="relu"))
    t.run(epochs=5)
    assert "vanishing" not in kinds(t)


@pytest.mark.parametrize("activation", ["relu", "leaky_relu"])
def test_leaky_relu_units_are_never_dead(activation: str) -> None:
    t = Trainer(RunConfig(dataset="circle", hidden=[6, 4], activation=activation))
    for j in range(6):
        t.set_weight(0, "bias", None, j, -100.0)  # every unit of layer 1 negative everywhere
    t.step(1)
    dead = t.diagnostics()["layers"][0]["dead_fraction"]
    if activation == "relu":
        assert dead == 1.0 and "dead" in kinds(t)
        dead_warning = next(w for w in t.health()["warnings"] if w["kind"] == "dead")
        assert "leaky ReLU" in dead_warning["advice"] and "He" in dead_warning["advice"]
    else:
        assert dead is None and "dead" not in kinds(t)


def test_knocked_out_units_are_not_reported_dead() -> None:
    t = Trainer(RunConfig(dataset="circle", hidden=[4], activation="relu"))
    for j in range(3):
        t.set_neuron(0, j, "off")
    assert t.diagnostics()["layers"][0]["dead_fraction"] in (0.0, 1.0)
    assert t.diagnostics()["layers"][0]["dead_fraction"] != 0.75


def test_high_learning_rate_warns_about_the_update_ratio() -> None:
    t = Trainer(RunConfig(dataset="spiral", hidden=[8, 8], optimizer="sgd", learning_rate=3.0,
                          grad_clip=1.0))  # fmt: skip
    t.run(epochs=3)
    high = [w for w in t.health()["warnings"] if w["kind"] == "update_high"]
    assert high and "Lower the learning rate" in high[0]["advice"]


def test_health_record_follows_history_through_rewind_and_snapshot() -> None:
    t = Trainer(RunConfig(dataset="circle", n_points=200), checkpoint_every=10)
    t.run(epochs=6)
    assert len(t.state.health["grad_norm"]) == len(t.history["epoch"]) == 6
    t.rewind(35)
    assert len(t.state.health["grad_norm"]) == len(t.history["epoch"]) == 3
    restored = Trainer.restore(json.loads(json.dumps(t.snapshot())))
    for key, values in t.state.health.items():  # float32 on the wire: a display record
        np.testing.assert_allclose(restored.state.health[key], values, rtol=1e-6)
    snap = t.snapshot()
    negative = b"\0\0\x80\xbf" * 3 * snap["health"]["layers"]  # -1.0f
    snap["health"]["update_ratio"] = base64.b64encode(negative).decode()
    with pytest.raises(ValueError, match="health"):
        Trainer.restore(snap)


def layers(n: int, **fields: object) -> dict:
    return {"layers": [{"layer": k, "dead_fraction": None, "saturated_fraction": None,
                        **fields} for k in range(n)]}  # fmt: skip


def test_each_cause_gets_its_own_advice() -> None:
    from playground.engine.health import warnings

    steady = {"grad_norm": [[0.1, 0.1, 0.1]] * 5, "update_ratio": [[1e-3] * 3] * 5}
    assert warnings(steady, ["relu"] * 2, layers(3), 0.5) == []
    growing = {"grad_norm": [[g] * 3 for g in (0.1, 1, 10, 100, 1000)],
               "update_ratio": [[1e-3] * 3] * 5}  # fmt: skip
    [exploding] = warnings(growing, ["relu"] * 2, layers(3), 0.5)
    assert exploding["kind"] == "exploding" and "clipping" in exploding["advice"]
    slow = {"grad_norm": [[0.1] * 3] * 5, "update_ratio": [[1e-7] * 3] * 5}
    kinds = {w["kind"]: w["advice"] for w in warnings(slow, ["relu"] * 2, layers(3), 0.5)}
    assert set(kinds) == {"update_low"} and "Raise the learning rate" in kinds["update_low"]
    assert warnings(slow, ["relu"] * 2, layers(3), 0.001) == []  # learned: tiny steps are fine
    saturated = warnings(steady, ["tanh"] * 2, layers(3, saturated_fraction=0.8), 0.5)
    assert {w["kind"] for w in saturated} == {"saturated"}
    assert "smaller initial weights" in saturated[0]["advice"]
