"""No message can crash a session or put a non-finite number on the wire; every rejection
leaves the session exactly as it was and counts toward the abuse limit (issue 15, items
3, 4, 5 and 9, each reproducer one test)."""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from playground.engine.trainer import Trainer
from playground.web.live import LiveSession, Message
from playground.web.protocol import ProtocolError, parse_message
from tests.web.conftest import TestClient, connect


def _send(session: LiveSession, message: dict[str, Any] | str) -> list[Message]:
    """What the socket does with one text message: parse (the reader), then handle."""
    text = message if isinstance(message, str) else json.dumps(message)
    try:
        command = parse_message(text)
    except ProtocolError as e:
        return [e.to_message()]
    return session.handle(command)


def _assert_refused(session: LiveSession, message: dict[str, Any] | str, field: str) -> Message:
    """The message is answered with one error naming ``field``; nothing else changed."""
    before = json.dumps(session.snapshot(), sort_keys=True)
    replies = _send(session, message)
    assert [r["type"] for r in replies] == ["error"], replies
    assert replies[0]["field"] == field, replies[0]
    assert json.dumps(session.snapshot(), sort_keys=True) == before
    return replies[0]


def _adam_session() -> LiveSession:
    session = LiveSession("s")
    _send(session, {"type": "configure", "config": {"optimizer": "adam", "hidden": [3]}})
    _send(session, {"type": "step", "n": 30})
    session.work(10.0)
    return session


def _run_snapshot(session: LiveSession) -> dict[str, Any]:
    return json.loads(json.dumps(_send(session, {"type": "snapshot", "run": "A"})[0]["snapshot"]))


def _restore(snap: dict[str, Any]) -> dict[str, Any]:
    return {"type": "restore", "snapshot": snap}


# 3. Messages that crashed a session -------------------------------------------------------
def test_a_weight_value_with_400_digits_is_an_error() -> None:
    session = LiveSession("s")
    text = '{"type":"set_weight","layer":0,"i":0,"j":0,"value":1' + "0" * 400 + "}"
    error = _assert_refused(session, text, "value")
    assert len(error["message"]) < 200


def test_set_self_is_an_unknown_field_not_an_internal_error() -> None:
    error = _assert_refused(LiveSession("s"), {"type": "set", "changes": {"self": 1}}, "self")
    assert "unknown field" in error["message"]


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda s, n: s["optimizer"].__setitem__("t", 10**400), "adam t"),
        (lambda s, n: s.__setitem__("position", n), "position == training-set size"),
        (lambda s, n: s["history"]["epoch"].append(10**400), "huge history entry"),
        (lambda s, n: s.__setitem__("loss_ceiling", 10**400), "huge loss ceiling"),
        (lambda s, n: s.__setitem__("loss_ceiling", 1e308), "ceiling that disables divergence"),
        (lambda s, n: s.__setitem__("diverged", {"step": 10**400, "reason": "x"}), "#4"),
        (lambda s, n: s.__setitem__("version", True), "version true"),
        (lambda s, n: s.__setitem__("version", 2.0), "version 2.0"),
        (lambda s, n: s["rng"].__setitem__("inc", "١٢٣"), "Arabic-Indic digits"),
        (lambda s, n: s["optimizer"]["hyper"].__setitem__("beta1", 0.5), "beta1 not the config's"),
        (lambda s, n: s.__setitem__("step", 2**53 + 1), "step beyond 2**53"),
        (lambda s, n: s.__setitem__("epoch", -1), "negative epoch"),
    ],
)
def test_a_tampered_snapshot_is_refused_and_changes_nothing(
    change: Callable[[dict[str, Any], int], None], why: str
) -> None:
    session = _adam_session()
    snap = _run_snapshot(session)
    change(snap, session.trainer.data.n_train)
    if why == "huge history entry":  # keep the lists of one length
        for values in snap["history"].values():
            if len(values) < len(snap["history"]["epoch"]):
                values.append(None)
    _assert_refused(session, _restore(snap), "snapshot")


def test_a_negative_second_moment_is_refused() -> None:
    session = _adam_session()
    snap = _run_snapshot(session)
    v = np.frombuffer(base64.b64decode(snap["optimizer"]["buffers"]["v"]), "<f8").copy()
    v[0] = -1.0
    snap["optimizer"]["buffers"]["v"] = base64.b64encode(v.tobytes()).decode()
    error = _assert_refused(session, _restore(snap), "snapshot")
    assert "negative" in error["message"]


def test_the_same_validator_guards_resume() -> None:
    """Restore, upload (the page sends `restore`) and ``--resume`` share Trainer.restore."""
    snap = _run_snapshot(_adam_session())
    snap["loss_ceiling"] = 1e308
    with pytest.raises(ValueError, match="loss_ceiling"):
        Trainer.restore(snap)


def test_an_untouched_snapshot_still_restores_bit_for_bit() -> None:
    session = _adam_session()
    snap = _run_snapshot(session)
    other = LiveSession("t")
    assert [r["type"] for r in _send(other, _restore(snap))][:2] == ["runs", "config"]
    assert np.array_equal(other.trainer.network.flat, session.trainer.network.flat)


# 4. Infinity must never reach the browser ------------------------------------------------
@pytest.mark.parametrize("target", [1e39, -1e300, 10**400])
def test_huge_regression_targets_are_refused(target: float) -> None:
    rows = [[0.0, 0.0, 1.0], [1.0, 1.0, target], [2.0, 1.0, 0.5]]
    config = {"dataset": "custom", "problem": "regression", "custom_points": rows}
    _assert_refused(LiveSession("s"), {"type": "configure", "config": config}, "custom_points")


def test_targets_within_the_bound_arrive_finite(client: TestClient) -> None:
    rows = [[0.0, 0.0, 1.0], [1.0, 1.0, 1e6], [2.0, 1.0, -1e6], [1.0, 2.0, 0.0]]
    config = {"dataset": "custom", "problem": "regression", "custom_points": rows}
    with connect(client) as peer:
        peer.send("configure", config=config)
        peer.expect("config")
        frame = peer.frame()
        assert np.isfinite(frame.arrays["labels"]).all()
        assert frame.arrays["labels"].max() == 1e6


# 9. Strict, typed validation ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("speed", True),
        ("speed", "5"),
        ("speed", " 7 "),
        ("speed", "1_00"),
        ("speed", 5.0),
        ("resolution", "100"),
        ("diagnostics", "yes"),
        ("diagnostics", 1),
        ("stop_epoch", False),
        ("hidden_layer", True),
        ("hidden_layer", "1"),
        ("hidden_layer", 1.0),
        ("health", 1),
        ("health", "true"),
        ("n_points", "300"),
        ("learning_rate", "0.1"),
    ],
)
def test_no_coercion_in_set(field: str, value: Any) -> None:
    _assert_refused(LiveSession("s"), {"type": "set", "changes": {field: value}}, field)


# 5. Every rejection counts toward the abuse limit ------------------------------------------
def test_300_rejected_sets_close_the_socket(make_client: Callable[..., TestClient]) -> None:
    """#5: 300 x set learning_rate -1 in 5 s never triggered the documented 1008."""
    with connect(make_client()) as peer:
        bad = json.dumps({"type": "set", "changes": {"learning_rate": -1}})
        for _ in range(300):
            peer.send_raw(bad)
        errors, close = 0, None
        while close is None:
            item = peer.recv()
            if isinstance(item, dict) and item["type"] == "error":
                errors += 1
            elif isinstance(item, dict) and item["type"] == "close":
                close = item
        assert close["code"] == 1008 and errors <= 51


def test_repeated_junk_configures_close_the_socket(client: TestClient) -> None:
    """#5: 335 x 1 MiB junk `configure` never triggered 1008 (default limits here)."""
    junk = [  # each just under the 1 MiB message limit
        json.dumps({"type": "configure", "config": {"a": [{}] * 262_000}}),  # too many objects
        json.dumps({"type": "configure", "config": {"a": "x" * 1_040_000}}),  # unknown field
    ]
    assert all(len(j) < 1_048_576 for j in junk)
    with connect(client) as peer:
        errors, close = 0, None
        for i in range(60):
            peer.send_raw(junk[i % 2])
        while close is None:
            item = peer.recv()
            if isinstance(item, dict) and item["type"] == "error":
                errors += 1
            elif isinstance(item, dict) and item["type"] == "close":
                close = item
        assert close["code"] == 1008 and errors <= 51


def test_errors_are_short_whatever_the_input() -> None:
    session = LiveSession("s")
    huge = "z" * 500_000
    for message in (
        {"type": "configure", "config": {"dataset": huge}},
        {"type": "configure", "config": {huge: 1}},
        {"type": "set", "changes": {huge: 1}},
        {"type": huge},
        {"type": "step", "n": huge},
    ):
        replies = _send(session, message)
        assert len(json.dumps(replies)) < 1000


def test_no_reply_carries_a_non_finite_number() -> None:
    """Every JSON reply must survive ``allow_nan=False`` (the wire never carries NaN)."""
    session = _adam_session()
    for message in (
        {"type": "timeline"},
        {"type": "snapshot"},
        {"type": "set", "changes": {"learning_rate": 10.0}},
    ):
        for reply in _send(session, message):
            json.dumps(reply, allow_nan=False)
    assert math.isfinite(session.trainer.loss_ceiling)
