"""Work off the event loop (issue 15): session work in pool threads, REST pool limits,
per-client session limit, the loop probe, selective permessage-deflate."""

from __future__ import annotations

import asyncio
import platform
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient
from websockets.extensions.permessage_deflate import PerMessageDeflate
from websockets.frames import Frame, Opcode

from playground.web import routes_api
from playground.web.app import create_app
from playground.web.deflate import SelectiveDeflate
from playground.web.live import LiveSession
from playground.web.settings import Settings
from tests.web.conftest import Peer, connect


def test_session_work_runs_in_the_work_pool_not_on_the_loop(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: dict[str, set[str]] = {"frame": set(), "work": set(), "handle": set()}
    for name, method in (("frame", "next_frame"), ("work", "work"), ("handle", "handle")):
        original = getattr(LiveSession, method)

        def spy(self: LiveSession, *a: Any, _n: str = name, _o: Any = original) -> Any:
            if not (a and getattr(a[0], "type", None) == "ack"):  # acks stay on the loop
                threads[_n].add(threading.current_thread().name)
            return _o(self, *a)

        monkeypatch.setattr(LiveSession, method, spy)
    with connect(client) as peer:
        peer.send("step", n=30)
        assert peer.frame().header["step"] == 30
        peer.send("snapshot")
        peer.expect("snapshot")
    for name, seen in threads.items():
        assert seen and all(t.startswith("playground-work") for t in seen), (name, seen)


def test_a_client_address_gets_at_most_its_share_of_sessions(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(max_sessions_per_client=1)
    with connect(client), client.websocket_connect("/ws") as ws:
        closed = Peer(ws).recv()
        assert closed["type"] == "close" and closed["code"] == 1013
        assert "at most 1 per client address" in closed["reason"]
    with connect(client) as peer:  # the first one left: room again
        assert peer.frames
    assert client.get("/api/options").json()["limits"]["max_sessions_per_client"] == 1


def test_hello_tells_the_page_how_often_to_take_a_snapshot(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(snapshot_every_seconds=2.5, snapshot_every_steps=300)
    with connect(client) as peer:
        limits = peer.hello["limits"]  # type: ignore[attr-defined]
        assert limits["snapshot_every_seconds"] == 2.5
        assert limits["snapshot_every_steps"] == 300


def test_rest_work_beyond_the_pool_and_its_queue_gets_503(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = routes_api.make_data

    def slow(config: Any) -> Any:
        time.sleep(0.3)
        return real(config)

    monkeypatch.setattr(routes_api, "make_data", slow)
    app = create_app(Settings(rest_max_jobs=1, rest_max_queued=1))

    async def three() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            body = {"config": {"n_points": 100}}
            return list(await asyncio.gather(*(c.post("/api/dataset", json=body) for _ in "abc")))

    answers = asyncio.run(three())
    assert sorted(r.status_code for r in answers) == [200, 200, 503]
    busy = next(r for r in answers if r.status_code == 503).json()
    assert "busy" in busy["error"] and busy["field"] is None


def test_big_rest_answers_are_gzipped_off_the_loop_and_read_the_same(client: TestClient) -> None:
    body = {"config": {"n_points": 2000}}
    plain = client.post("/api/dataset", json=body, headers={"Accept-Encoding": "identity"})
    zipped = client.post("/api/dataset", json=body, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip"
    data = plain.json()
    assert zipped.json() == data
    assert len(data["train"]["points"]) + len(data["test"]["points"]) == 2000


def test_the_loop_probe_reports_stalls_in_health_only_when_enabled(
    make_client: Callable[..., TestClient],
) -> None:
    assert "loop_stall_ms" not in make_client().get("/api/health").json()
    client = make_client(loop_probe=True)
    time.sleep(0.05)
    health = client.get("/api/health").json()
    assert health["loop_stall_ms"] >= health["loop_stall_p99_ms"] >= 0
    assert health["loop_busy_ms"] >= 0


def _frame(data: bytes) -> Frame:
    return Frame(Opcode.BINARY, data)


def test_selective_deflate_sends_big_messages_raw_and_stays_in_step() -> None:
    server = SelectiveDeflate(False, False, 12, 12, {"memLevel": 5}, limit=1000)
    page = PerMessageDeflate(False, False, 12, 12)  # the browser's side of the context
    messages = [b"small " * 100, bytes(range(256)) * 20, b"small " * 100, b"x" * 999]
    for data in messages:
        sent = server.encode(_frame(data))
        assert sent.rsv1 == (len(data) <= 1000)  # RSV1 marks a compressed message
        if len(data) > 1000:
            assert sent.data == data
        assert page.decode(sent).data == data


def test_the_serve_command_uses_the_selective_protocol() -> None:
    import inspect
    from types import SimpleNamespace

    from playground.web import serve
    from playground.web.deflate import SelectiveDeflateFactory
    from playground.web.transport import GuardedWebSocketProtocol

    assert "ws=GuardedWebSocketProtocol" in inspect.getsource(serve._serve)
    from playground.web.deflate import selective_server_protocol

    config = SimpleNamespace(ws_per_message_deflate=True, ws_max_size=1 << 20)
    protocol = selective_server_protocol(config, 65536)
    assert isinstance(protocol.available_extensions[0], SelectiveDeflateFactory)
    assert selective_server_protocol(SimpleNamespace(ws_per_message_deflate=False), 1) is None
    assert "selective_server_protocol" in GuardedWebSocketProtocol.__init__.__code__.co_names


def test_a_server_process_gives_blas_one_thread() -> None:
    from threadpoolctl import threadpool_info, threadpool_limits

    from playground.web.offload import limit_blas_threads

    blas = [i for i in threadpool_info() if i["user_api"] == "blas"]
    before = max((i["num_threads"] for i in blas), default=1)
    try:
        limit_blas_threads(1)
        assert all(i["num_threads"] == 1 for i in threadpool_info() if i["user_api"] == "blas")
    finally:
        threadpool_limits(limits=before, user_api="blas")


def test_the_dataset_answer_encoded_in_slices_is_the_plain_json(client: TestClient) -> None:
    from playground.config import RunConfig
    from playground.engine.trainer import make_data

    config = RunConfig(dataset="spiral_k", n_points=1234, seed=5)
    data = make_data(config)
    answer = client.post("/api/dataset", json={"config": config.model_dump(mode="json")}).json()
    assert answer["train"] == {"points": data.X_train.tolist(), "labels": data.y_train.tolist()}
    assert answer["test"] == {"points": data.X_test.tolist(), "labels": data.y_test.tolist()}
    assert answer["problem"] == "multiclass" and answer["config"]["n_points"] == 1234


def test_reserved_places_count_until_the_session_exists_or_is_given_back() -> None:
    from playground.web.registry import SessionRegistry

    registry = SessionRegistry(limit=2, per_client=1)
    registry.reserve("10.0.0.1")  # a session being created: the place is taken already
    assert registry.client_full("10.0.0.1") and not registry.client_full("10.0.0.2")
    registry.reserve("10.0.0.2")
    assert registry.full() and len(registry) == 0
    session = LiveSession("s1")
    registry.add(session)
    registry.release(None, "10.0.0.2")  # its creation failed: the place comes back
    assert not registry.full() and len(registry) == 1
    registry.release(session, "10.0.0.1")
    assert len(registry) == 0 and registry.reserved == 0 and registry.clients == {}


def test_the_deflate_level_setting_reaches_the_socket_protocol(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from types import SimpleNamespace

    from playground.web import transport
    from playground.web.deflate import selective_server_protocol

    config = SimpleNamespace(ws_per_message_deflate=True, ws_max_size=1 << 20)
    for level in (1, 6):
        monkeypatch.setenv("PLAYGROUND_WS_DEFLATE_LEVEL", str(level))
        transport._deflate_settings.cache_clear()
        protocol = selective_server_protocol(config, *transport._deflate_settings())
        assert protocol.available_extensions[0].compress_settings["level"] == level
    transport._deflate_settings.cache_clear()


def test_the_c_heap_keeps_freed_memory_only_when_asked() -> None:
    from playground.web.memory import keep_freed_memory

    assert keep_freed_memory(0) is False  # 0: the C library's defaults stay
    if sys.platform.startswith("linux") and "glibc" in platform.libc_ver()[0]:
        assert keep_freed_memory(64) is True
