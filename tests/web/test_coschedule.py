"""Co-scheduling (issue 14, part 6): a worker trains the runs of all its sessions that share
a shape as one stack, and each session gets exactly the results it would get alone."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from playground.config import RunConfig
from playground.engine.trainer import Trainer
from playground.web.coschedule import CoScheduler, Stats
from playground.web.frames import decode_frame
from playground.web.live import LiveSession, Message
from playground.web.offload import WorkPool
from playground.web.protocol import parse_message
from tests.web.conftest import TestClient, connect

SPIRAL = {"dataset": "spiral", "hidden": [8, 8, 8, 8, 8, 8], "activation": "tanh"}


def _send(session: LiveSession, message: dict[str, Any]) -> list[Message]:
    return session.handle(parse_message(json.dumps(message)))


def _session(name: str, config: dict[str, Any]) -> LiveSession:
    session = LiveSession(name)
    replies = _send(session, {"type": "configure", "config": config})
    assert replies[0]["type"] == "config", replies
    return session


def _assert_lone(session: LiveSession, config: dict[str, Any]) -> None:
    """The session's run is bit for bit the same config trained alone as many steps."""
    run = session.runs[session.selected].trainer
    lone = Trainer(RunConfig(**config))
    lone.step(run.step_count)
    assert run.step_count > 0
    for (w, b), (lw, lb) in zip(run.network.params, lone.network.params, strict=True):
        np.testing.assert_array_equal(w, lw)
        np.testing.assert_array_equal(b, lb)
    assert run.metrics() == lone.metrics()


def _with_pool(body: Callable[[CoScheduler], Any]) -> tuple[Any, Stats]:
    """``body(co)`` run on an event loop with a co-scheduler; its result and the stats."""
    pool = WorkPool(2, share=1.0, burst=1.0)
    co = CoScheduler(pool)

    async def main() -> Any:
        try:
            return await body(co)
        finally:
            co.close()

    try:
        return asyncio.run(main()), co.stats
    finally:
        pool.shutdown()


CONFIGS = [  # four SGD runs of one shape, two Adam runs of it, and another shape
    {**SPIRAL, "seed": 1},
    {**SPIRAL, "seed": 2, "learning_rate": 0.1},
    {**SPIRAL, "seed": 3, "regularization": "l2", "regularization_rate": 0.001, "dropout": 0.1},
    {**SPIRAL, "seed": 4, "grad_clip": 1.0, "schedule": "exponential"},
    {**SPIRAL, "seed": 5, "optimizer": "adam", "learning_rate": 0.01},
    {**SPIRAL, "seed": 1, "optimizer": "adam", "learning_rate": 0.003},
    {"dataset": "xor", "hidden": [4], "seed": 5},
]


def test_sessions_that_share_a_shape_train_as_one_stack_with_their_lone_results() -> None:
    sessions = [_session(f"s{i}", c) for i, c in enumerate(CONFIGS)]
    for i, session in enumerate(sessions):
        _send(session, {"type": "step", "n": 150 + 10 * i})  # different lengths and ends

    async def body(co: CoScheduler) -> None:
        while any(s.has_work() for s in sessions):
            busy = [s for s in sessions if s.has_work()]
            await asyncio.gather(*(co.work(s, 0.004) for s in busy))

    _, stats = _with_pool(body)
    for i, (session, config) in enumerate(zip(sessions, CONFIGS, strict=True)):
        assert session.runs[session.selected].trainer.step_count == 150 + 10 * i
        _assert_lone(session, config)
    # a staircase per shape: SGD 150, 160, 170, 180 steps stack as 4 x 150 + 3 x 10 + 2 x 10
    # (the last 10 alone); Adam 190 and 200 as 2 x 190 (+ 10 alone); xor's 210 alone
    assert stats.largest_stack == 4
    assert (stats.stacked_steps, stats.alone_steps) == (650 + 380, 10 + 10 + 210)


def test_a_diverging_session_stops_alone_and_the_class_goes_on() -> None:
    momentum = {**SPIRAL, "optimizer": "momentum", "learning_rate": 0.05}
    configs = [{**momentum, "seed": 1}, {**momentum, "seed": 2, "learning_rate": 10.0,
               "momentum": 0.99}, {**momentum, "seed": 3}]  # fmt: skip
    sessions = [_session(f"s{i}", c) for i, c in enumerate(configs)]
    for session in sessions:
        _send(session, {"type": "step", "n": 120})
    events: list[list[Message]] = [[] for _ in sessions]

    async def body(co: CoScheduler) -> None:
        while any(s.has_work() for s in sessions):
            busy = [i for i, s in enumerate(sessions) if s.has_work()]
            results = await asyncio.gather(*(co.work(sessions[i], 0.004) for i in busy))
            for i, (messages, _) in zip(busy, results, strict=True):
                events[i] += messages

    _with_pool(body)
    assert [e["event"] for e in events[1]] == ["diverged"]
    assert events[0] == [] and events[2] == []
    for i in (0, 2):
        _assert_lone(sessions[i], configs[i])
    diverged = sessions[1].runs[sessions[1].selected].trainer
    lone = Trainer(RunConfig(**configs[1]))
    lone.step(120)
    assert diverged.diverged is not None and diverged.step_count == lone.step_count


def test_frames_are_built_in_the_batch_and_the_next_steps_train_meanwhile() -> None:
    sessions = [_session(f"s{i}", c) for i, c in enumerate(CONFIGS[:3])]
    for session in sessions:
        _send(session, {"type": "set", "changes": {"speed": 10}})
        _send(session, {"type": "play"})
    seen: list[list[int]] = [[] for _ in sessions]

    async def body(co: CoScheduler) -> None:
        for _ in range(12):  # as the socket loop does: train until due, then the frame
            while not all(s.frame_due() for s in sessions):
                await asyncio.gather(*(co.work(s, 0.05) for s in sessions if not s.frame_due()))
            results = await asyncio.gather(*(co.frame(s, 0.05) for s in sessions))
            for i, (data, _, trained) in enumerate(results):
                header, arrays = decode_frame(data)
                assert header["type"] == "frame" and arrays["output"].shape == (100, 100)
                assert trained == []
                seen[i].append(header["step"])
                _send(sessions[i], {"type": "ack", "seq": header["seq"]})

    _, stats = _with_pool(body)
    for steps in seen:  # each frame shows `speed` more steps than the one before
        assert steps == list(range(0, 120, 10))
    for session, config in zip(sessions, CONFIGS, strict=False):
        _assert_lone(session, config)
    assert stats.frames == 36 and stats.stacked_steps >= 3 * 100


def test_a_batch_charges_its_cpu_to_the_sessions_it_served() -> None:
    sessions = [_session(f"s{i}", c) for i, c in enumerate(CONFIGS[:2])]
    for session in sessions:
        _send(session, {"type": "step", "n": 400})

    async def body(co: CoScheduler) -> list[float]:
        await asyncio.gather(*(co.work(s, 0.02) for s in sessions))
        return [co.pool.scheduler.rate(s.id) for s in sessions]  # recent CPU, per session

    rates, stats = _with_pool(body)
    assert stats.largest_stack == 2 and all(r > 0 for r in rates), rates


@pytest.mark.parametrize("coschedule", [True, False])
def test_live_sessions_of_one_worker_get_their_lone_results(
    make_client: Callable[..., TestClient], coschedule: bool
) -> None:
    client = make_client(coschedule=coschedule)
    configs = CONFIGS[:3]
    with connect(client) as a, connect(client) as b, connect(client) as c:
        peers = [a, b, c]
        for peer, config in zip(peers, configs, strict=True):
            peer.send("configure", config=config)
            peer.expect("config")
            peer.send("play")
        for _ in range(15):
            for peer in peers:
                peer.frame()
        for peer in peers:
            peer.send("pause")
            peer.expect("event")
        health = client.get("/api/health").json()
    if coschedule:
        stats = health["coschedule"]  # (whether they stacked depends on timing here)
        assert stats["requests"] > 0 and stats["frames"] > 0
    else:
        assert "coschedule" not in health or health["coschedule"] is None
    for peer, config in zip(peers, configs, strict=True):
        last = peer.frames[-1].header
        lone = Trainer(RunConfig(**config))
        lone.step(last["step"])
        assert last["train_loss"] == lone.metrics()["train_loss"]


def test_a_session_with_dear_frames_keeps_its_own_turns() -> None:
    """A big network drawn on large grids must not hold up a whole class's batch."""
    light = _session("light", CONFIGS[0])
    heavy = _session("heavy", {"dataset": "spiral", "hidden": [32] * 8, "n_points": 5000})
    _send(heavy, {"type": "set", "changes": {"resolution": 200, "neuron_resolution": 64}})
    co = CoScheduler(WorkPool(1, share=1.0, burst=1.0), max_frame_seconds=0.010)
    try:
        for session in (light, heavy):
            _send(session, {"type": "play"})
            assert co.takes(session)  # nothing known about its frames yet
            session.next_frame()  # the first frame (points, cold caches) costs more
            session.next_frame()
        assert co.takes(light) and not co.takes(heavy), (light.frame_seconds, heavy.frame_seconds)
        replies = _send(light, {"type": "fork"})  # two runs owing steps: its own turns
        assert replies[0]["type"] != "error", replies
        _send(light, {"type": "play", "run": "all"})
        assert not co.takes(light)
    finally:
        co.pool.shutdown()


def _frame_arrays_of_lone(config: dict[str, Any], step: int) -> dict[str, np.ndarray]:
    """The arrays of a frame of ``config`` trained alone to ``step`` (a fresh session)."""
    session = _session("lone", config)
    _send(session, {"type": "step", "n": step}) if step else None
    while session.has_work():
        session.work(1.0)
    return decode_frame(session.next_frame()[0])[1]


def test_pages_on_one_lesson_share_steps_and_pictures_and_get_their_lone_frames() -> None:
    """Four pages of one config pressing play at different moments: the later ones take
    the steps and the pictures the first one computed, and each frame is the lone one."""
    lesson = {**SPIRAL, "seed": 3}
    sessions = [_session(f"s{i}", lesson) for i in range(4)]
    for session in sessions:
        _send(session, {"type": "set", "changes": {"speed": 10}})
    frames: list[list[tuple[int, dict[str, np.ndarray]]]] = [[] for _ in sessions]
    co = CoScheduler(WorkPool(2, share=1.0, burst=1.0), memo_bytes=16 << 20)

    async def body() -> None:
        for turn in range(14):
            if turn < len(sessions):  # one more page presses play each turn
                _send(sessions[turn], {"type": "play"})
            playing = sessions[: turn + 1]
            while not all(s.frame_due() for s in playing):
                await asyncio.gather(*(co.work(s, 0.05) for s in playing if not s.frame_due()))
            results = await asyncio.gather(*(co.frame(s, 0.05) for s in playing))
            for i, (data, _, _) in enumerate(results):
                header, arrays = decode_frame(data)
                frames[i].append((header["step"], arrays))
                _send(sessions[i], {"type": "ack", "seq": header["seq"]})

    try:
        asyncio.run(body())
    finally:
        co.close()
        co.pool.shutdown()
    stats = co.public_stats()
    assert stats["memo_steps"] >= 3 * 90 and stats["shared_frames"] >= 3 * 9, stats
    for i, session in enumerate(sessions):
        _assert_lone(session, lesson)
        assert [step for step, _ in frames[i]] == list(range(0, 10 * (14 - i), 10))
    for step, arrays in frames[3][::4]:  # the last page's frames are the lone run's frames
        lone = _frame_arrays_of_lone(lesson, step)
        for name in ("output", "neurons", "W0", "b0", "W6", "b6"):
            np.testing.assert_array_equal(arrays[name], lone[name])
    co.forget()
    assert co.public_stats()["memo_states"] == 0


def test_a_page_that_edits_its_run_leaves_the_shared_path_and_keeps_its_own_results(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(coschedule=True)
    lesson = {**SPIRAL, "seed": 4}
    with connect(client) as a, connect(client) as b:
        for peer in (a, b):
            peer.send("configure", config=lesson)
            peer.expect("config")
            peer.send("play")
        for _ in range(6):
            a.frame()
            b.frame()
        b.send("pause")
        edited_at = b.expect("event")["step"]
        b.send("set_weight", layer=0, kind="weight", i=0, j=0, value=0.5)
        b.expect("timeline")
        b.send("play")
        for _ in range(6):
            a.frame()
            last = b.frame()
        for peer in (a, b):
            peer.send("pause")
            peer.expect("event")
        frame_a = a.frames[-1].header
        health = client.get("/api/health").json()["coschedule"]
    assert health["memo_states"] > 0
    lone = Trainer(RunConfig(**lesson))
    lone.step(frame_a["step"])
    assert frame_a["train_loss"] == lone.metrics()["train_loss"]
    lone_b = Trainer(RunConfig(**lesson))  # the edited page: its own path, its lone result
    lone_b.step(edited_at)
    lone_b.set_weight(0, "weight", 0, 0, 0.5)
    lone_b.step(last.header["step"] - edited_at)
    assert last.header["train_loss"] == lone_b.metrics()["train_loss"]
    assert last.header["train_loss"] != lone.metrics()["train_loss"]
    # every page has left: the kept states and pictures are gone with them
    assert client.get("/api/health").json()["coschedule"]["memo_states"] == 0
