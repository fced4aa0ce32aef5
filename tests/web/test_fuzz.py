"""Seeded fuzzing of everything a client can send (issue 15): thousands of malformed
WebSocket messages and REST bodies. Never a 1011 close or a 5xx, never a non-finite
number in a reply, and a rejected message leaves the session's snapshot unchanged.

The generator mutates valid messages (every command, a real snapshot, configs) with
hostile values: huge and negative integers, booleans and strings where numbers go,
non-finite literals, deep nesting, long strings, unknown fields, wrong types.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from playground.web.frames import decode_frame
from playground.web.live import LiveSession, Message
from playground.web.protocol import VIEW_REQUESTS, ProtocolError, parse_message
from tests.web.conftest import TestClient, connect

SEED = 15
NASTY: list[Any] = [
    None, True, False, 0, -1, 1, 2**31, 2**53 + 1, -(2**63), 10**400, 1e308, -1e308, 1e-320,
    0.5, -0.0, 1e39, "", "1", " 7 ", "1_00", "NaN", "Infinity", "١٢٣", "x" * 5000, [], {},
    [1, 2], [[[[[]]]]], {"a": 1}, {"self": 1}, [None] * 50, "A", "all", "Z",
]  # fmt: skip
LITERALS = ["NaN", "Infinity", "-Infinity", "1" + "0" * 400, "1e400", "-1e400"]


def _valid_messages(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    config = {"dataset": "spiral", "hidden": [4, 3], "optimizer": "adam", "n_points": 200}
    custom = {"dataset": "custom", "problem": "regression",
              "custom_points": [[0, 0, 1.5], [1, 1, -2.0], [2, 0, 0.25]]}  # fmt: skip
    return [
        {"type": "configure", "config": config},
        {"type": "configure", "config": custom},
        {"type": "set", "changes": {"learning_rate": 0.1, "speed": 5}},
        {"type": "set", "changes": {"momentum": 0.5, "diagnostics": True}},
        {"type": "step", "n": 3},
        {"type": "play"},
        {"type": "pause", "run": "all"},
        {"type": "reset"},
        {"type": "regenerate"},
        {"type": "set_weight", "layer": 0, "i": 1, "j": 0, "value": 0.5},
        {"type": "set_weight", "layer": 1, "kind": "bias", "j": 0, "value": -1},
        {"type": "snapshot"},
        {"type": "restore", "snapshot": snapshot},
        {"type": "restore", "snapshot": snapshot["runs"][0]["trainer"], "as_new": True},
        {"type": "ack", "seq": 1},
        {"type": "fork", "step": 0},
        {"type": "new_run", "config": config, "select": False},
        {"type": "select", "run": "A"},
        {"type": "close_run", "run": "B"},
        {"type": "seek", "step": 1},
        {"type": "rewind", "step": 0},
        {"type": "timeline"},
        {"type": "set", "changes": {"hidden_layer": 0, "health": True}},
        {"type": "set_neuron", "layer": 0, "index": 1, "state": "off"},
        {"type": "set_neuron", "layer": 1, "index": 0, "state": "frozen"},
        {"type": "landscape", "resolution": 5, "span": 0.5, "seed": 3},
        {"type": "lr_range", "start": 1e-4, "stop": 1.0, "steps": 10},
    ]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every key path inside nested dicts and lists."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield (*prefix, k)
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value[:5]):
            yield (*prefix, i)
            yield from _paths(v, (*prefix, i))


def _mutate(rng: random.Random, message: dict[str, Any]) -> str:
    """One malformed message: a valid one with a value replaced, dropped, added or garbled."""
    m = json.loads(json.dumps(message))
    paths = list(_paths(m))
    action = rng.random()
    if action < 0.06:
        text = json.dumps(m)
        return text[: rng.randrange(len(text))]  # truncated JSON
    if action < 0.12 and paths:
        text = json.dumps(m)
        target = json.dumps(rng.choice(NASTY[:20]))
        literal = rng.choice(LITERALS)
        return text.replace(target, literal, 1) if target in text else text + literal
    if not paths:
        return json.dumps(rng.choice(NASTY))
    path = rng.choice(paths)
    parent = m
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    if action < 0.25 and isinstance(parent, dict):
        del parent[last]
    elif action < 0.32 and isinstance(parent, dict):
        parent[rng.choice(["extra", "self", "type", "run", "__class__"])] = rng.choice(NASTY)
    else:
        parent[last] = rng.choice(NASTY)
    return json.dumps(m)


def _finite(value: Any) -> bool:
    """No NaN or infinity anywhere, and every integer exact in a browser (|n| <= 2**53)."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return abs(value) <= 2**53
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return True


def _reply(session: LiveSession, text: str) -> list[Message]:
    try:
        command = parse_message(text)
    except ProtocolError as e:
        return [e.to_message()]
    if command.type in VIEW_REQUESTS:  # the connection runs these in a worker thread
        try:
            header, arrays = decode_frame(session.view_job(command)())
        except ProtocolError as e:
            e.request = command.type
            return [e.to_message()]
        assert all(bool(np.isfinite(a).all()) for a in arrays.values())
        return [header]
    return session.handle(command)


def _fresh_session() -> tuple[LiveSession, dict[str, Any]]:
    session = LiveSession("fuzz", max_runs=3)
    session.handle(parse_message('{"type": "step", "n": 20}'))
    session.work(1.0)
    snapshot = json.loads(json.dumps(session.snapshot()))
    return session, snapshot


def test_thousands_of_malformed_messages_never_hurt_a_session() -> None:
    rng = random.Random(SEED)
    session, snapshot = _fresh_session()
    valid = _valid_messages(snapshot)
    counts = {"messages": 0, "rejected": 0, "frames": 0}
    before = session.snapshot()  # the state changes only when a message is accepted
    for i in range(2500):
        text = _mutate(rng, rng.choice(valid))
        replies = _reply(session, text)
        counts["messages"] += 1
        for reply in replies:
            json.dumps(reply, allow_nan=False)
            assert _finite(reply), (text[:200], reply)
        errors = [r for r in replies if r["type"] == "error"]
        if errors:
            counts["rejected"] += 1
            assert replies == errors[:1], (text[:200], replies)
            assert errors[0]["field"] is not None, (text[:200], errors[0])
            assert "internal error" not in errors[0]["message"], (text[:200], errors[0])
            assert session.snapshot() == before, text[:200]
        else:
            before = session.snapshot()
        if i % 25 == 0:
            session.work(0.002)
            if session.frame_due():
                frame, events = session.next_frame()
                header, arrays = decode_frame(frame)
                assert _finite(header) and all(_finite(e) for e in events)
                assert all(bool(np.isfinite(a).all()) for a in arrays.values())
                session.handle(parse_message(json.dumps({"type": "ack", "seq": header["seq"]})))
                counts["frames"] += 1
            before = session.snapshot()
    assert counts["rejected"] > 1500, counts


def test_malformed_messages_over_the_socket_never_close_it_with_1011(
    make_client: Callable[..., TestClient],
) -> None:
    rng = random.Random(SEED + 1)
    client = make_client(abuse_limit=100_000, rate_limit=100_000.0, rate_burst=100_000)
    with connect(client) as peer:
        peer.send("snapshot")
        snapshot = peer.expect("snapshot")["snapshot"]
        valid = _valid_messages(snapshot)
        for _ in range(500):
            peer.send_raw(_mutate(rng, rng.choice(valid)))
        peer.send("timeline")
        while True:  # everything answered, in order, up to the final timeline
            item = peer.recv()
            if isinstance(item, dict):
                assert item["type"] != "close", item
                assert _finite(item)
                if item["type"] == "timeline" and item.get("first_step") is not None:
                    break
        peer.send("pause", run="all")
        peer.send("step", n=1)
        assert peer.frame().header["type"] == "frame"


def _bodies(rng: random.Random) -> Iterator[bytes]:
    config = {"dataset": "xor", "hidden": [3], "n_points": 50}
    valid = [{"config": config, "epochs": 1}, {"config": config}, {"text": "1,2,0\n3,4,1\n"}]
    for _ in range(300):
        if rng.random() < 0.15:
            yield bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64)))
        else:
            yield _mutate(rng, rng.choice(valid)).encode()


def test_malformed_rest_bodies_never_get_a_5xx(make_client: Callable[..., TestClient]) -> None:
    rng = random.Random(SEED + 2)
    client = make_client(train_time_budget=0.05, train_max_epochs=3)
    statuses: dict[int, int] = {}
    routes = ["/api/train", "/api/dataset", "/api/points/parse"]
    for body in _bodies(rng):
        response = client.post(
            rng.choice(routes), content=body, headers={"content-type": "application/json"}
        )
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        assert response.status_code < 500, (body[:200], response.text[:300])
        data = json.loads(response.text, parse_constant=lambda c: float("nan"))
        assert _finite(data), body[:200]
        if response.status_code >= 400:
            assert set(data) == {"error", "field", "detail"}, data
    assert sum(v for k, v in statuses.items() if k >= 400) > 200, statuses
