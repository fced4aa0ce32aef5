"""Every client message type of /ws through the test client (docs/protocol.md)."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable

import numpy as np

from playground.config import RunConfig
from playground.engine.trainer import Trainer
from playground.web.frames import dequantize
from tests.web.conftest import Frame, Peer, TestClient, connect


def test_hello_and_first_frame_follow_the_protocol(client: TestClient) -> None:
    with connect(client) as peer:
        hello = peer.hello  # type: ignore[attr-defined]
        assert set(hello) >= {"version", "session", "options", "limits", "config", "view"}
        assert hello["config"] == RunConfig().model_dump(mode="json")
        assert hello["limits"]["max_fps"] == 240 and hello["view"]["speed"] == 25
        frame = peer.frames[0]
        h, a = frame.header, frame.arrays
        assert h["type"] == "frame" and h["seq"] == 1 and h["step"] == 0 and h["epoch"] == 0
        assert h["layer_sizes"] == [2, 4, 2, 1] and h["problem"] == "binary"
        assert h["features"] == ["x1", "x2"] and h["activations"] == ["tanh", "tanh"]
        assert a["output"].shape == (100, 100) and a["output"].dtype == np.uint8
        assert a["neurons"].shape == (6, 16, 16) and a["neuron_ranges"].shape == (6, 2)
        assert a["features"].shape == (2, 16, 16) and a["W1"].shape == (4, 2)
        assert a["points"].shape == (500, 2) and a["is_train"].sum() == 250
        # the picture is the engine's, within one quantization step
        trainer = Trainer(RunConfig())
        rendering = trainer.render(100, 16)
        spec = next(s for s in h["arrays"] if s["name"] == "output")
        lo, hi = spec["range"]
        decoded = dequantize(a["output"], lo, hi)
        assert np.abs(decoded - rendering.output).max() <= (hi - lo) / 255
        np.testing.assert_array_equal(a["W0"], trainer.network.params[0][0].astype(np.float32))
        x1_grid = dequantize(a["features"][0], *a["feature_ranges"][0])
        assert x1_grid[0, 0] < x1_grid[0, -1], "column index runs along x1"
        assert frame.size < 32 * 1024


def test_points_are_sent_only_when_the_data_changes(client: TestClient) -> None:
    with connect(client) as peer:
        peer.send("step", n=3)
        later = peer.frame()
        assert "points" not in later.arrays and later.header["data_version"] == 1
        peer.send("regenerate")
        config = peer.expect("config")
        assert config["change"] == "data" and config["config"]["seed"] == 2
        fresh = peer.frame()
        assert fresh.header["data_version"] == 2 and fresh.header["step"] == 0
        assert not np.array_equal(fresh.arrays["points"], peer.frames[0].arrays["points"])


def test_loss_falls_on_xor_while_playing(client: TestClient) -> None:
    with connect(client) as peer:
        peer.send("configure", config={"dataset": "xor", "hidden": [8], "learning_rate": 0.1})
        assert peer.expect("config")["change"] == "data"
        first = peer.frame()
        peer.send("play")
        assert peer.expect("event")["event"] == "playing"
        frames = [peer.frame() for _ in range(40)]
        steps = [f.header["step"] for f in frames]
        assert all(b - a == 25 for a, b in zip(steps, steps[1:], strict=False))
        assert frames[-1].header["train_loss"] < 0.6 * first.header["train_loss"]
        assert frames[-1].header["train_accuracy"] > 0.9
        peer.send("pause")
        assert peer.expect("event")["event"] == "paused"


def test_step_runs_exactly_n_steps_then_one_frame(client: TestClient) -> None:
    with connect(client) as peer:
        peer.send("step", n=37)
        frame = peer.frame()
        assert frame.header["step"] == 37 and not frame.header["playing"]
        assert peer.silent(0.2)
        trainer = Trainer(RunConfig())
        trainer.step(37)
        assert frame.header["train_loss"] == trainer.metrics()["train_loss"]


def test_set_changes_live_fields_and_view(client: TestClient) -> None:
    with connect(client) as peer:
        peer.send("step", n=10)
        before = peer.frame()
        peer.send("set", changes={"learning_rate": 0.3, "speed": 3, "resolution": 40})
        reply = peer.expect("config")
        assert reply["change"] == "live" and reply["config"]["learning_rate"] == 0.3
        assert reply["view"]["speed"] == 3 and reply["view"]["resolution"] == 40
        after = peer.frame()
        assert after.header["step"] == 10, "a live change keeps the run"
        np.testing.assert_array_equal(after.arrays["W0"], before.arrays["W0"])
        assert after.arrays["output"].shape == (40, 40)
        peer.send("set", changes={"hidden": [4, 3]})
        assert peer.expect("config")["change"] == "architecture"
        kept = peer.frame()
        assert kept.arrays["W1"].shape == (4, 3)
        np.testing.assert_array_equal(kept.arrays["W0"], before.arrays["W0"])


def test_set_weight_edits_one_parameter(client: TestClient) -> None:
    with connect(client) as peer:
        peer.send("set_weight", layer=1, kind="weight", i=2, j=1, value=-3.5)
        frame = peer.frame()
        assert frame.arrays["W1"][2, 1] == -3.5
        peer.send("set_weight", layer=2, kind="bias", j=0, value=1.25)
        assert peer.frame().arrays["b2"][0] == 1.25
        peer.send("set_weight", layer=7, kind="bias", j=0, value=1)
        error = peer.expect("error")
        assert error["field"] == "layer" and error["request"] == "set_weight"


def test_reset_restores_the_first_weights(client: TestClient) -> None:
    with connect(client) as peer:
        peer.send("step", n=50)
        peer.frame()
        peer.send("reset")
        assert peer.expect("event")["event"] == "reset"
        frame = peer.frame()
        assert frame.header["step"] == 0
        np.testing.assert_array_equal(frame.arrays["W0"], peer.frames[0].arrays["W0"])


def _continue(peer: Peer, start: int, n: int) -> Frame:
    """Run ``n`` steps from step ``start``; frames of earlier commands may come first."""
    peer.send("step", n=n)
    frame = peer.frame()
    while frame.header["step"] != start + n:
        frame = peer.frame()
    return frame


def test_snapshot_restore_continues_bit_for_bit(make_client: Callable[..., TestClient]) -> None:
    config = {"dataset": "spiral", "hidden": [6, 5], "optimizer": "adam", "dropout": 0.2,
              "learning_rate": 0.01, "batch_size": 7}  # fmt: skip
    with connect(make_client()) as a:
        a.send("configure", config=config)
        a.expect("config")
        _continue(a, 0, 33)
        a.send("set", changes={"speed": 4})
        a.expect("config")
        a.send("snapshot")
        snap = a.expect("snapshot")["snapshot"]
        expected = _continue(a, 33, 41)
    with connect(make_client()) as b:  # a fresh app: nothing shared but the snapshot
        b.send("restore", snapshot=snap)
        reply = b.expect("config")
        assert reply["change"] == "restore" and reply["view"]["speed"] == 4
        restored = b.frame()
        assert restored.header["step"] == 33 and "points" in restored.arrays
        got = _continue(b, 33, 41)
    for key in ("step", "epoch", "train_loss", "test_loss", "train_accuracy", "learning_rate"):
        assert got.header[key] == expected.header[key], key
    for name, array in expected.arrays.items():
        np.testing.assert_array_equal(got.arrays[name], array, err_msg=name)


def test_invalid_snapshots_are_refused_and_change_nothing(client: TestClient) -> None:
    with connect(client) as peer:
        peer.send("step", n=5)
        peer.frame()
        peer.send("snapshot")
        good = peer.expect("snapshot")["snapshot"]
        run = good["runs"][0]

        def with_trainer(trainer: object) -> dict:
            return {**good, "runs": [{**run, "trainer": trainer}]}

        nan_params = base64.b64encode(np.full(23, np.nan).tobytes()).decode()
        short_params = base64.b64encode(np.zeros(3).tobytes()).decode()
        bad_snapshots = [
            {**good, "format": "other"},
            {**good, "view": {"speed": -1}},
            with_trainer({**run["trainer"], "params": nan_params}),
            with_trainer({**run["trainer"], "params": short_params}),
            with_trainer({**run["trainer"], "config": {"hidden": [99]}}),
            with_trainer("nope"),
            {**good, "runs": [run, run]},
        ]
        for bad in bad_snapshots:
            peer.send("restore", snapshot=bad)
            error = peer.expect("error")
            assert error["field"] == "snapshot" and error["request"] == "restore", error
        peer.send("step", n=1)
        assert peer.frame().header["step"] == 6, "the session went on as before"


def test_invalid_configure_and_set_change_nothing(client: TestClient) -> None:
    with connect(client) as peer:
        for kind, body, field in [
            ("configure", {"config": {"hidden": [4, 40]}}, "hidden"),
            ("configure", {"config": {"dataset": "moon"}}, "dataset"),
            ("set", {"changes": {"learning_rate": -1}}, "learning_rate"),
            ("set", {"changes": {"speed": 5000}}, "speed"),
            ("set", {"changes": {"wings": 2}}, "wings"),
        ]:
            peer.send(kind, **body)
            error = peer.expect("error")
            assert error["field"] == field and error["request"] == kind, error
        peer.send("snapshot")
        snap = peer.expect("snapshot")["snapshot"]
        assert snap["runs"][0]["trainer"]["config"] == RunConfig().model_dump(mode="json")
        assert snap["view"]["speed"] == 25


def test_multiclass_and_regression_frames(client: TestClient) -> None:
    with connect(client) as peer:
        peer.send("configure", config={"dataset": "blobs_k", "n_classes": 4})
        peer.expect("config")
        frame = peer.frame()
        assert frame.header["problem"] == "multiclass"
        assert frame.arrays["output"].shape == (4, 100, 100)
        assert set(np.unique(frame.arrays["labels"])) == {0, 1, 2, 3}
        peer.send("configure", config={"dataset": "plane", "hidden": []})
        peer.expect("config")
        frame = peer.frame()
        assert frame.header["problem"] == "regression" and frame.header["train_accuracy"] is None
        assert "neurons" not in frame.arrays and frame.header["layer_sizes"] == [2, 1]


def test_diagnostics_and_stop_epoch(client: TestClient) -> None:
    with connect(client) as peer:
        peer.send("set", changes={"diagnostics": True, "stop_epoch": 2, "speed": 10})
        peer.expect("config")
        frame = peer.frame()
        assert len(frame.header["diagnostics"]["layers"]) == 3
        peer.send("play")
        done = peer.expect("event")
        while done["event"] != "done":
            done = peer.expect("event")
        frame = peer.frame()
        assert frame.header["epoch"] == 2 and not frame.header["playing"]
        assert frame.header["step"] == 50, "250 training points / batch 10 = 25 steps per epoch"


def test_reset_regenerate_and_restore_pause_a_playing_session(client: TestClient) -> None:
    with connect(client) as peer:
        peer.send("snapshot")
        snapshot = peer.expect("snapshot")["snapshot"]
        for command, fields, answer in [("reset", {}, "event"), ("regenerate", {}, "config"),
                                        ("restore", {"snapshot": snapshot}, "config")]:  # fmt: skip
            peer.send("play")
            assert peer.expect("event")["event"] == "playing"
            peer.send(command, **fields)
            paused = peer.expect("event")
            assert paused["event"] == "paused", command
            peer.expect(answer)
            frame = peer.frame()
            while frame.header["playing"]:  # a frame already in flight may say "playing"
                frame = peer.frame()
            assert peer.silent(0.2), f"no more frames after {command}"


def test_pause_interrupts_a_long_step(make_client: Callable[..., TestClient]) -> None:
    with connect(make_client(chunk_ms=1.0)) as peer:
        peer.send("configure", config={"hidden": [32, 32, 32], "batch_size": 200})
        peer.expect("config")
        peer.send("step", n=10_000)
        peer.send("pause")
        assert peer.expect("event")["event"] == "paused"
        peer.send("snapshot")
        step = peer.expect("snapshot")["snapshot"]["runs"][0]["trainer"]["step"]
        assert step < 10_000, "10000 steps of this network take seconds; pause came first"
        time.sleep(0.2)
        peer.send("snapshot")
        assert peer.expect("snapshot")["snapshot"]["runs"][0]["trainer"]["step"] == step, (
            "and it stays"
        )
