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
