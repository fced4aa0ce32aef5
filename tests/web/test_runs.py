"""Several runs per live session: fork, compare, seek, rewind, run limits, multi-run restore."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.web.conftest import Peer, connect


def _frame_of(peer: Peer, run: str):  # type: ignore[no-untyped-def]
    frame = peer.frame()
    while frame.header["run"] != run:
        frame = peer.frame()
    return frame


def _snapshot(peer: Peer, run: str) -> dict:
    peer.send("snapshot", run=run)
    message = peer.expect("snapshot")
    assert message["run"] == run
    return message["snapshot"]


def test_hello_lists_the_runs_and_the_limit(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        hello = ws.receive_json()
        assert hello["limits"]["max_runs"] == 4
        assert hello["selected"] == "A" and [r["id"] for r in hello["runs"]] == ["A"]


def test_fork_gives_a_second_run_that_commands_and_frames_name(client: TestClient) -> None:
    with connect(client) as peer:
        peer.send("step", n=40)
        assert _frame_of(peer, "A").header["step"] == 40
        peer.send("fork")
        runs = peer.expect("runs")
        assert runs["selected"] == "B" and [r["id"] for r in runs["runs"]] == ["A", "B"]
        assert runs["runs"][1]["parent"] == "A" and runs["runs"][1]["forked_at"] == 40
        assert peer.expect("config")["change"] == "fork"
        timeline = peer.expect("timeline")
        assert timeline["run"] == "B" and timeline["events"][-1]["kind"] == "fork"
        a, b = _snapshot(peer, "A"), _snapshot(peer, "B")
        assert a["params"] == b["params"] and a["rng"] == b["rng"]
        peer.send("set", run="B", changes={"optimizer": "adam", "learning_rate": 0.01})
        assert peer.expect("config")["run"] == "B"
        peer.send("step", run="all", n=30)
        seen = {}
        while len(seen) < 2:
            frame = peer.frame()
            if frame.header["step"] == 70:
                seen[frame.header["run"]] = frame
        assert set(seen) == {"A", "B"}
        a, b = _snapshot(peer, "A"), _snapshot(peer, "B")
        assert a["params"] != b["params"] and a["config"]["optimizer"] == "sgd"


def test_a_bad_command_on_one_run_leaves_both_as_they_were(client: TestClient) -> None:
    with connect(client) as peer:
        peer.send("fork")
        peer.expect("timeline")
        before = {r: _snapshot(peer, r) for r in ("A", "B")}
        for bad in (
            {"type": "set", "run": "B", "changes": {"learning_rate": -1}},
            {"type": "set_weight", "run": "A", "layer": 9, "i": 0, "j": 0, "value": 1},
            {"type": "rewind", "run": "B", "step": 5},
            {"type": "play", "run": "Z"},
            {"type": "fork", "step": 999},
        ):
            peer.send(bad.pop("type"), **bad)
            assert peer.expect("error")["field"] in ("learning_rate", "layer", "step", "run")
        assert {r: _snapshot(peer, r) for r in ("A", "B")} == before


def test_the_run_limit_is_enforced_with_a_clear_error(
    make_client: Callable[..., TestClient],
) -> None:
    with connect(make_client(max_runs=2)) as peer:
        peer.send("fork")
        peer.expect("runs")
        peer.send("new_run", config={"dataset": "xor"})
        error = peer.expect("error")
        assert error["field"] == "run" and "at most 2 runs" in error["message"]
        peer.send("close_run", run="B")
        assert [r["id"] for r in peer.expect("runs")["runs"]] == ["A"]
        peer.send("close_run", run="A")
        assert "at least one run" in peer.expect("error")["message"]


def test_seek_shows_the_past_and_rewind_returns_to_it(client: TestClient) -> None:
    with connect(client) as peer:
        peer.send("step", n=25)
        early = _frame_of(peer, "A")
        peer.send("step", n=75)
        assert _frame_of(peer, "A").header["step"] == 100
        peer.send("seek", step=25)
        past = _frame_of(peer, "A")
        assert past.header["at"] == 25 and past.header["step"] == 25
        assert past.header["test_loss"] == early.header["test_loss"]
        assert (past.arrays["W0"] == early.arrays["W0"]).all()
        assert _snapshot(peer, "A")["step"] == 100, "seeking leaves the run as it was"
        peer.send("rewind", step=25)
        assert peer.expect("config")["change"] == "rewind"
        assert peer.expect("timeline")["step"] == 25
        assert _snapshot(peer, "A")["step"] == 25


def test_a_multi_run_snapshot_restores_every_run(make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    with connect(client) as peer:
        peer.send("step", n=10)
        while _frame_of(peer, "A").header["step"] < 10:  # steps are work: let them finish
            pass
        peer.send("fork")
        peer.expect("timeline")
        peer.send("step", run="B", n=5)
        while _frame_of(peer, "B").header["step"] < 15:
            pass
        peer.send("snapshot")
        session = peer.expect("snapshot")["snapshot"]
        runs = {r: _snapshot(peer, r) for r in ("A", "B")}
    assert session["format"] == "nn-playground.session/2" and len(session["runs"]) == 2
    with connect(client) as peer:
        peer.send("restore", snapshot=session)
        restored = peer.expect("runs")
        assert [r["id"] for r in restored["runs"]] == ["A", "B"] and restored["selected"] == "B"
        for r in ("A", "B"):
            again = _snapshot(peer, r)
            assert again["params"] == runs[r]["params"] and again["step"] == runs[r]["step"]
        peer.send("restore", snapshot=runs["A"], as_new=True)
        assert [r["id"] for r in peer.expect("runs")["runs"]] == ["A", "B", "C"]
