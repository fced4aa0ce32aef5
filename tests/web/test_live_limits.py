"""/ws under pressure: pacing, bad input, abuse, divergence, session limits and lifetime."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import numpy as np
import pytest
from starlette.websockets import WebSocketDisconnect

from playground.web.frames import decode_frame
from playground.web.live import LiveSession
from playground.web.protocol import parse_message
from tests.web.conftest import Frame, Peer, TestClient, connect


def test_slow_reader_never_has_more_than_one_frame_queued(client: TestClient) -> None:
    with connect(client) as peer:
        peer.send("set", changes={"speed": 1})
        peer.expect("config")
        peer.frame()
        peer.send("play")
        assert peer.expect("event")["event"] == "playing"
        first = peer.frame(ack=False)
        time.sleep(0.3)  # a page that does not draw: the server must wait for its ack
        peer.send("snapshot")
        assert peer.expect("snapshot", ack=False)
        assert peer.frames[-1] is first, "no frame was sent while one was unacknowledged"
        assert peer.silent(0.2)
        peer.send("ack", seq=first.seq)
        second = peer.frame(ack=False)
        assert second.seq == first.seq + 1
        assert second.header["step"] - first.header["step"] == 1, "trains one frame ahead, no more"


def test_frame_rate_is_capped(make_client: Callable[..., TestClient]) -> None:
    with connect(make_client(max_fps=5)) as peer:
        peer.send("set", changes={"speed": 1})
        peer.expect("config")
        peer.send("play")
        start = time.monotonic()
        peer.expect("event")
        count = 0
        while time.monotonic() - start < 1.0:
            peer.frame()
            count += 1
        assert count <= 5 + 2


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("{oops", "message"),
        ('"play"', "type"),
        ('{"type": "fly"}', "type"),
        ('{"type": "step", "n": 0}', "n"),
    ],
)
def test_bad_messages_get_an_error_and_the_session_continues(
    client: TestClient, text: str, field: str | None
) -> None:
    with connect(client) as peer:
        peer.send_raw(text)
        error = peer.expect("error")
        assert error["field"] == field and error["message"]
        peer.send("step", n=2)
        assert peer.frame().header["step"] == 2


def test_binary_and_oversized_messages(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_message_bytes=2048, oversize_limit=3)
    with connect(client) as peer:
        peer.ws.send_bytes(b"\x00\x01")
        assert "binary" in peer.expect("error")["message"]
        big = json.dumps({"type": "set", "changes": {"pad": "x" * 3000}})
        for _ in range(2):
            peer.send_raw(big)
            error = peer.expect("error")
            assert error["field"] == "message" and "2048" in error["message"]
        peer.send("step", n=1)
        assert peer.frame().header["step"] == 1
        peer.send_raw(big)
        closed = peer.recv()
        assert closed == {"type": "close", "code": 1009, "reason": "repeated oversized messages"}


def test_too_many_messages_are_rejected_then_closed(make_client: Callable[..., TestClient]) -> None:
    client = make_client(rate_limit=1.0, rate_burst=5, abuse_limit=4)
    with connect(client) as peer:
        for _ in range(8):
            peer.send("ack", seq=0)
        errors = [peer.expect("error") for _ in range(3)]
        assert all("too many messages" in e["message"] for e in errors)
        for _ in range(2):
            peer.send("ack", seq=0)
        peer.expect("error")
        closed = peer.recv()
        assert closed == {"type": "close", "code": 1008, "reason": "too many rejected messages"}


def test_ack_of_an_unsent_frame_is_an_error(client: TestClient) -> None:
    with connect(client) as peer:
        peer.send("ack", seq=99)
        assert peer.expect("error")["field"] == "seq"


def _finite_frame(frame: Frame) -> None:
    for name, array in frame.arrays.items():
        assert np.isfinite(array.astype(np.float64)).all(), name


def test_divergence_sends_an_event_pauses_and_never_nan(client: TestClient) -> None:
    with connect(client) as peer:
        config = {"dataset": "plane", "learning_rate": 10, "hidden": [8], "activation": "linear"}
        peer.send("configure", config=config)
        peer.expect("config")
        peer.send("play")
        assert peer.expect("event")["event"] == "playing"
        event = peer.expect("event")
        assert event["event"] == "diverged" and "learning rate" in event["reason"]
        frame = peer.frame()
        assert not frame.header["playing"] and frame.header["diverged"]["step"] == event["step"]
        _finite_frame(frame)
        for key in ("train_loss", "test_loss"):
            value = frame.header[key]
            assert value is None or np.isfinite(value)
        peer.send("play")
        assert peer.expect("event")["event"] == "diverged", "stays paused until reset/changed"
        peer.send("step", n=5)
        assert peer.expect("event")["event"] == "diverged"
        peer.send("reset")
        assert peer.expect("event")["event"] == "reset"
        peer.send("set", changes={"learning_rate": 0.01})
        peer.expect("config")
        peer.send("step", n=5)
        frame = peer.frame()
        while frame.header["step"] == 0:  # frames drawn after reset/set may come first
            frame = peer.frame()
        assert frame.header["step"] == 5 and frame.header["diverged"] is None


def _sessions(client: TestClient) -> int:
    return int(client.get("/api/health").json()["sessions"])


def test_session_is_freed_on_disconnect(client: TestClient) -> None:
    with connect(client) as peer:
        peer.send("play")
        peer.frame()
        assert _sessions(client) == 1
    deadline = time.monotonic() + 5
    while _sessions(client) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _sessions(client) == 0


def test_a_full_worker_refuses_with_1013(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_sessions=1)
    with connect(client), client.websocket_connect("/ws") as ws:
        closed = Peer(ws).recv()
        assert closed["type"] == "close" and closed["code"] == 1013
        assert "busy" in closed["reason"]
    with connect(client) as peer:  # the slot is free again
        assert peer.frames


def test_idle_sessions_get_a_snapshot_then_close(make_client: Callable[..., TestClient]) -> None:
    with connect(make_client(idle_timeout=0.3)) as peer:
        snapshot = peer.expect("snapshot", timeout=3)
        assert snapshot["snapshot"]["runs"][0]["trainer"]["step"] == 0
        assert peer.recv() == {"type": "close", "code": 1001, "reason": "idle timeout"}


def test_foreign_origins_are_refused(make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    evil = client.websocket_connect("/ws", headers={"origin": "https://evil.example"})
    with pytest.raises(WebSocketDisconnect) as caught, evil:
        pass
    assert caught.value.code == 1008
    with connect(client, headers={"origin": "http://testserver"}) as peer:
        assert peer.frames
    allowing = make_client(allowed_origins="https://school.example")
    with connect(allowing, headers={"origin": "https://school.example"}) as peer:
        assert peer.frames


def test_the_largest_snapshot_fits_the_message_limit(client: TestClient) -> None:
    rng = np.random.default_rng(0)
    points = np.column_stack([rng.uniform(-6, 6, (5000, 2)), rng.integers(0, 2, 5000)])
    config = {"dataset": "custom", "problem": "binary", "custom_points": points.tolist(),
              "hidden": [32] * 8, "optimizer": "adam",
              "features": ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"]}  # fmt: skip
    with connect(client) as peer:
        peer.send("configure", config=config)
        peer.expect("config")
        peer.send("snapshot")
        snapshot = peer.expect("snapshot")["snapshot"]
        history = snapshot["runs"][0]["trainer"]["history"]
        for key in history:  # 2000 epochs of history, the most a session keeps
            history[key] = list(range(1, 2002)) if key == "epoch" else [0.1234567890123456] * 2001
        message = json.dumps({"type": "restore", "snapshot": snapshot})
        limit = client.get("/api/options").json()["limits"]["max_message_bytes"]
        assert len(message.encode()) < limit
        peer.send_raw(message)
        assert peer.expect("config")["change"] == "restore"
        assert peer.frame().header["layer_sizes"] == [7, *[32] * 8, 1]


def test_a_server_bug_in_one_command_is_an_error_not_a_crash(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: LiveSession, args: dict[str, object]) -> list[dict[str, object]]:
        raise RuntimeError("bug")

    monkeypatch.setattr(LiveSession, "_on_reset", broken)
    with connect(client) as peer:
        peer.send("reset")
        error = peer.expect("error")
        assert error["request"] == "reset" and "internal error" in error["message"]
        peer.send("step", n=1)
        assert peer.frame().header["step"] == 1


def test_weights_too_big_to_draw_count_as_divergence() -> None:
    session = LiveSession("s")
    session.handle(parse_message('{"type": "play"}'))
    W0 = session.trainer.network.params[0][0]
    W0[...] = 1e200  # finite in float64, infinite in the float32 picture
    frame, events = session.next_frame()
    assert [e["event"] for e in events if e["type"] == "event"] == ["diverged"]
    assert not session.playing
    assert session.trainer.diverged is not None and "overflowed" in events[0]["reason"]
    _, arrays = decode_frame(frame)
    assert all(np.isfinite(a.astype(np.float64)).all() for a in arrays.values())
    session.handle(parse_message('{"type": "ack", "seq": 1}'))
    assert session.frame_due(), "a frame showing the paused, diverged state follows"
    replies = session.handle(parse_message('{"type": "play"}'))
    assert replies[0]["event"] == "diverged"
