"""Insight views over /ws: frame parts while open (none while closed), landscape and
LR-range requests answered with binary float32 messages, neuron surgery."""

from __future__ import annotations

import numpy as np
import pytest

from playground.config import RunConfig
from playground.engine.trainer import Trainer
from tests.web.conftest import Frame, Peer, TestClient, connect

INSIGHT_ARRAYS = ("hs_points", "hs_lattice", "hs_field", "health_grad", "health_update")


def binary_reply(peer: Peer, kind: str) -> Frame:
    """Receive until a binary message whose header type is ``kind`` (frames are acked)."""
    while True:
        item = peer.recv()
        if isinstance(item, Frame):
            if item.header["type"] == kind:
                return item
            peer.send("ack", seq=item.seq)


def test_closed_views_add_nothing_to_frames(client: TestClient) -> None:
    with connect(client) as peer:
        peer.send("step", n=30)
        frame = peer.frame()
        assert not set(INSIGHT_ARRAYS) & set(frame.arrays)
        assert "hidden_space" not in frame.header and "health" not in frame.header
        assert frame.header["neurons"] is None


def test_hidden_space_travels_in_frames_while_open(client: TestClient) -> None:
    with connect(client) as peer:
        peer.send("set", changes={"hidden_layer": 1})
        peer.expect("config")
        frame = peer.frame()
        hs = frame.header["hidden_space"]
        assert hs["layer"] == 1 and hs["method"] == "axes" and hs["dims"] == 2
        trainer = Trainer(RunConfig())
        view = trainer.hidden_space(1)
        np.testing.assert_array_equal(frame.arrays["hs_points"], view.points.astype(np.float32))
        assert frame.arrays["hs_lattice"].shape == view.lattice.shape
        assert frame.arrays["hs_field"].dtype == np.float32
        peer.send("step", n=25)
        later = peer.frame()
        assert not np.array_equal(later.arrays["hs_points"], frame.arrays["hs_points"])
        peer.send("set", changes={"hidden_layer": -1})
        peer.expect("config")
        assert "hs_points" not in peer.frame().arrays


def test_health_travels_in_frames_while_open(client: TestClient) -> None:
    with connect(client) as peer:
        peer.send("configure", config={"dataset": "xor", "hidden": [8] * 6,
                                       "activation": "sigmoid", "n_points": 300})  # fmt: skip
        peer.expect("config")
        peer.send("set", changes={"health": True})
        peer.expect("config")
        peer.send("step", n=75)
        frame = peer.frame()
        while frame.header["step"] < 75:
            frame = peer.frame()
        health = frame.header["health"]
        assert any(w["kind"] == "vanishing" for w in health["warnings"])
        assert health["explanation"]
        assert frame.arrays["health_grad"].shape == (7, 5)
        assert frame.arrays["health_epochs"].tolist() == [1, 2, 3, 4, 5]
        assert frame.arrays["health_grad"][0, -1] < frame.arrays["health_grad"][-1, -1] / 100


def test_landscape_request_answers_with_float32_arrays(client: TestClient) -> None:
    with connect(client) as peer:
        peer.send("step", n=50)
        peer.frame()
        peer.send("landscape", resolution=11, span=0.5)
        reply = binary_reply(peer, "landscape")
        a = reply.arrays
        assert a["losses"].shape == (11, 11) and a["losses"].dtype == np.float32
        assert a["path"][-1].tolist() == [0.0, 0.0] and reply.header["step"] == 50
        trainer = Trainer(RunConfig())
        trainer.step(50)
        objective = trainer.network.loss(trainer.train_features, trainer.data.y_train)
        assert reply.header["center_loss"] == pytest.approx(objective, abs=1e-9)
        assert a["slice_losses"].shape == (51,)
        peer.send("landscape", directions="trajectory")
        error = peer.expect("error")
        assert error["field"] == "directions" and error["request"] == "landscape"


def test_lr_range_request_leaves_the_run_alone(client: TestClient) -> None:
    with connect(client) as peer:
        peer.send("configure", config={"dataset": "xor"})
        peer.expect("config")
        assert peer.frame().header["step"] == 0  # the new data's frame, before the request
        peer.send("lr_range", steps=100)
        reply = binary_reply(peer, "lr_range")
        assert reply.header["suggested"] is not None
        assert reply.arrays["smoothed"].dtype == np.float32
        peer.send("step", n=1)
        assert peer.frame().header["step"] == 1  # the run did not move during the test


def test_set_neuron_changes_the_boundary_and_is_reported(client: TestClient) -> None:
    with connect(client) as peer:
        peer.send("step", n=100)
        before = peer.frame()
        peer.send("set_neuron", layer=0, index=1, state="off")
        message = peer.expect("neurons")
        assert message["neurons"][0] == ["active", "off", "active", "active"]
        after = peer.frame()
        assert after.header["neurons"][0][1] == "off"
        assert not np.array_equal(after.arrays["output"], before.arrays["output"])
        assert not after.arrays["neurons"][1].any() or np.ptp(after.arrays["neurons"][1]) == 0


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ({"type": "landscape", "resolution": 52}, "resolution"),
        ({"type": "landscape", "resolution": 30}, "resolution"),
        ({"type": "landscape", "span": "wide"}, "span"),
        ({"type": "landscape", "directions": "up"}, "directions"),
        ({"type": "lr_range", "steps": 2}, "steps"),
        ({"type": "lr_range", "start": 1, "stop": 0.5}, "stop"),
        ({"type": "set_neuron", "layer": 0, "index": 9, "state": "off"}, "index"),
        ({"type": "set_neuron", "layer": 0, "index": 0, "state": "asleep"}, "state"),
        ({"type": "set", "changes": {"hidden_layer": 8}}, "hidden_layer"),
    ],
)
def test_bad_insight_messages_are_rejected_naming_the_field(
    client: TestClient, message: dict, field: str
) -> None:
    with connect(client) as peer:
        peer.send(**message)
        error = peer.expect("error")
        assert error["field"] == field
