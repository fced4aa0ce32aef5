"""The ``/ws`` endpoint: one task reads and checks client messages, one task owns the session.

The reader enforces the input limits (size, rate, abuse, idle) and queues parsed commands;
the runner is the only code that touches the ``LiveSession`` or sends anything, so the
session needs no locks. The runner trains in slices of ``chunk_ms``, sends at most one
unacknowledged frame and at most ``max_fps`` frames per second. Every piece of session
work (a command, a training slice, a frame) runs in the worker's ``WorkPool`` in a fair
turn (``offload.py``) while the runner awaits it: the event loop itself only moves bytes.

Close codes: 1001 idle timeout, 1008 repeated bad or excessive messages, 1009 repeated
oversized messages, 1012 the server is restarting (after a last snapshot, see
``playground.web.shutdown``), 1013 the worker is full or this client address already has
``max_sessions_per_client`` sessions on it (sent after accepting, so a browser sees it).
Memory per connection is bounded: the reader waits while ``MAX_QUEUED_COMMANDS`` parsed
commands are queued, and a client that leaves a frame or reply unread for
``send_timeout`` seconds is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketDisconnected

from playground.web.coschedule import CoScheduler
from playground.web.frames import dumps, json_safe
from playground.web.limits import MAX_QUEUED_COMMANDS, TokenBucket, WindowCounter
from playground.web.live import LiveSession, Message
from playground.web.logs import SESSION_ID
from playground.web.memory import release_free_memory
from playground.web.offload import WorkPool
from playground.web.protocol import VIEW_REQUESTS, Command, ProtocolError, parse_message
from playground.web.registry import SessionRegistry, client_address
from playground.web.security import origin_allowed
from playground.web.settings import Settings

log = logging.getLogger("playground.web")


@dataclass(frozen=True)
class Close:
    """Ask the runner to close the socket (after sending ``messages``)."""

    code: int
    reason: str
    messages: tuple[Message, ...] = ()
    snapshot: bool = False  # send a last snapshot first (taken by the runner, in a turn)


@dataclass(frozen=True)
class Outgoing:
    """A message the reader wants sent (an error about a rejected message)."""

    message: Message


Item = Command | Close | Outgoing


class _Closed(Exception):
    """The runner closed the socket on purpose."""


class _Stalled(Exception):
    """The client left a message unread for ``send_timeout`` seconds: drop it, no handshake."""


_DISCONNECTS = (WebSocketDisconnect, WebSocketDisconnected, _Closed, _Stalled, OSError)


class Connection:
    """One accepted WebSocket and its session; ``run`` returns when the socket is done."""

    def __init__(
        self,
        websocket: WebSocket,
        settings: Settings,
        hello: dict[str, Any],
        work: WorkPool | None = None,
        session: LiveSession | None = None,
        coscheduler: CoScheduler | None = None,
    ) -> None:
        self.ws = websocket
        self.work = work
        self.coscheduler = coscheduler if work is not None else None
        self.settings = settings
        self.session = session or new_session(settings)
        self.queue: asyncio.Queue[Item] = asyncio.Queue(maxsize=MAX_QUEUED_COMMANDS)
        # every rejection counts, whether the reader or the session refused the message
        self.rejected = WindowCounter(settings.abuse_limit, settings.abuse_window)
        self._hello = hello
        self._last_frame = -1e9

    async def run(self) -> None:
        """Serve until the client leaves, idles out or is closed for abuse."""
        reader = asyncio.create_task(self._read())
        runner = asyncio.create_task(self._run())
        try:
            done, _ = await asyncio.wait({reader, runner}, return_when=asyncio.FIRST_COMPLETED)
            if reader in done and runner not in done and reader.exception() is None:
                if reader.result():  # the reader queued a Close: let the runner send it
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(asyncio.shield(runner), timeout=5.0)
                done = {task for task in (reader, runner) if task.done()}
            for task in done:
                error = None if task.cancelled() else task.exception()
                if error is not None and not isinstance(error, _DISCONNECTS):
                    raise error
        finally:
            for task in (reader, runner):
                task.cancel()
            for task in (reader, runner):
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    # Reading -------------------------------------------------------------------------
    async def _read(self) -> bool:
        """Read until the client leaves (False) or must be closed (True: a Close is queued)."""
        s = self.settings
        now = time.monotonic()
        bucket = TokenBucket(s.rate_limit, s.rate_burst, now)
        rejected = self.rejected
        oversized = WindowCounter(s.oversize_limit - 1, s.abuse_window)
        while True:
            try:
                message = await asyncio.wait_for(self.ws.receive(), timeout=s.idle_timeout)
            except TimeoutError:
                await self.queue.put(Close(1001, "idle timeout", snapshot=True))
                return True
            if message["type"] == "websocket.disconnect":
                return False
            now = time.monotonic()
            text = message.get("text")
            try:
                if text is None:
                    raise ProtocolError(
                        "binary messages are not accepted; send JSON text", "message"
                    )
                if len(text) > s.max_message_bytes or (
                    len(text) * 4 > s.max_message_bytes
                    and len(text.encode("utf-8")) > s.max_message_bytes
                ):
                    if oversized.add(now):
                        await self.queue.put(Close(1009, "repeated oversized messages"))
                        return True
                    raise ProtocolError(
                        f"message larger than {s.max_message_bytes} bytes", "message"
                    )
                if not bucket.allow(now):
                    raise ProtocolError(
                        f"too many messages: at most {s.rate_limit:g} per second", "message"
                    )
                command = parse_message(text)
            except ProtocolError as e:
                if rejected.add(now):
                    await self.queue.put(Close(1008, "too many rejected messages"))
                    return True
                await self.queue.put(Outgoing(e.to_message()))
                continue
            await self.queue.put(command)

    async def restart(self) -> None:
        """The server is stopping: send the page its snapshot, then close with 1012."""
        await self.queue.put(Close(1012, "service restart", snapshot=True))

    def _snapshot_or_none(self) -> Message:
        """A last snapshot before an idle or restart close, so the page can restore it later."""
        try:
            return {"type": "snapshot", "snapshot": self.session.snapshot()}
        except Exception:  # never let a snapshot problem keep an idle socket open
            log.exception("snapshot before idle close failed")
            return {"type": "event", "event": "idle", "message": "closing an idle session"}

    # Running -------------------------------------------------------------------------
    async def _offload(self, fn: Any, *args: Any) -> Any:
        """Run session work in this worker's pool (in a fair turn), or inline without one."""
        if self.work is None:
            return fn(*args)
        return await self.work.run(self.session.id, fn, *args)

    async def _send(self, messages: Iterable[Message]) -> None:
        for message in messages:
            await self._deliver(self.ws.send_text(_encode(message)))

    async def _send_texts(self, texts: Iterable[str]) -> None:
        for text in texts:
            await self._deliver(self.ws.send_text(text))

    async def _deliver(self, sending: Any) -> None:
        """Send within ``send_timeout``: a client that does not read is dropped, not waited on."""
        try:
            await asyncio.wait_for(sending, timeout=self.settings.send_timeout)
        except TimeoutError:
            raise _Stalled from None
        except RuntimeError:  # the server already closed it (e.g. 1007, invalid UTF-8)
            raise _Closed from None

    def _handle(self, item: Command) -> tuple[list[str], bool]:
        """Apply a command and encode the replies (in a work thread: a snapshot is big);
        also says whether the session refused it (an `error`), which counts as abuse."""
        try:
            replies = self.session.handle(item)  # never raises: errors come back as `error`
        except Exception:  # a last guard; the session's own boundary should catch it
            log.exception("session %s failed on %r", self.session.id, item.type)
            replies = [
                ProtocolError(
                    f"internal error while handling {item.type!r}", None, item.type
                ).to_message()
            ]
        refused = any(r.get("type") == "error" for r in replies)
        return [_encode(message) for message in replies], refused

    async def _apply(self, item: Item) -> None:
        if isinstance(item, Close):
            await self._send(item.messages)
            if item.snapshot:  # the session is the runner's: never read it from the reader
                await self._send([await self._offload(self._snapshot_or_none)])
            await self._deliver(self.ws.close(item.code, item.reason))
            raise _Closed
        if isinstance(item, Outgoing):
            await self._send([item.message])
            return
        if item.type in VIEW_REQUESTS:
            await self._view_request(item)
            return
        if item.type == "ack":  # the hot path: a few comparisons, not worth a thread hop
            texts, refused = self._handle(item)
        else:
            texts, refused = await self._offload(self._handle, item)
        await self._send_texts(texts)
        if refused and self.rejected.add(time.monotonic()):
            await self._deliver(self.ws.close(1008, "too many rejected messages"))
            raise _Closed

    async def _view_request(self, command: Command) -> None:
        """Compute an insight view in the work pool (other sessions keep running)."""
        try:
            # in the session's fair turn in the work pool, like any other session work
            data = await self._offload(lambda: self.session.view_job(command)())
        except ProtocolError as e:
            e.request = command.type
            await self._reject([e.to_message()])
            return
        except Exception:
            log.exception("session %s failed on %r", self.session.id, command.type)
            await self._send([ProtocolError(f"internal error while handling {command.type!r}",
                                            None, command.type).to_message()])  # fmt: skip
            return
        await self._deliver(self.ws.send_bytes(data))

    async def _reject(self, replies: list[Message]) -> None:
        """Send an error; too many rejections in the window close the socket (1008)."""
        await self._send(replies)
        if self.rejected.add(time.monotonic()):
            await self._deliver(self.ws.close(1008, "too many rejected messages"))
            raise _Closed

    async def _drain(self) -> None:
        while not self.queue.empty():
            await self._apply(self.queue.get_nowait())

    async def _run(self) -> None:
        session = self.session
        budget = self.settings.chunk_ms / 1000.0
        max_fps = self.settings.max_fps
        await self._send([{**self._hello, "session": session.id, **self._session_hello()}])
        with contextlib.suppress(_Closed):
            while True:
                await self._drain()
                # the cap is per run: n runs share n times the frames
                interval = 1.0 / (max_fps * len(session.runs))
                if session.frame_due():
                    wait = self._last_frame + interval - time.monotonic()
                    if wait <= 0:
                        await self._send_frame()
                        continue
                else:
                    wait = None
                if session.has_work():
                    # train ahead, but stop in time for a frame that is waiting on the cap
                    slice_ = budget if wait is None else max(min(budget, wait), 1e-4)
                    if (co := self._class()) is not None:  # with the worker's other sessions
                        await self._train_with_class(co, slice_, self._last_frame + interval)
                    else:
                        await self._send(await self._offload(session.work, slice_))
                    await asyncio.sleep(0)
                    continue
                try:
                    item = await asyncio.wait_for(self.queue.get(), timeout=wait)
                except TimeoutError:
                    continue
                await self._apply(item)

    def _session_hello(self) -> dict[str, Any]:
        return {
            "config": self.session.trainer.config.model_dump(mode="json"),
            "runs": self.session.runs_message()["runs"],
            "selected": self.session.selected,
            "view": self.session.view.model_dump(),
        }

    def _class(self) -> CoScheduler | None:
        """The worker's co-scheduler, when it takes this session's next piece of work."""
        co = self.coscheduler
        return co if co is not None and co.takes(self.session) else None

    async def _train_with_class(self, co: CoScheduler, budget: float, frame_after: float
                                ) -> None:  # fmt: skip
        """Train in the worker's next co-scheduled batch, and take the frame built there
        when it was due and the frame-rate cap allowed it by then."""
        events, frame = await co.work(self.session, budget, frame_after)
        await self._send(events)
        if frame is not None:
            data, frame_events, built = frame
            self._last_frame = built
            await self._deliver(self.ws.send_bytes(data))
            await self._send(frame_events)

    async def _send_frame(self) -> None:
        self._last_frame = time.monotonic()  # the cap counts from when a frame is due
        if (co := self._class()) is not None:  # and train the next frame's steps meanwhile
            budget = self.settings.chunk_ms / 1000.0
            frame, events, trained = await co.frame(self.session, budget)
        else:
            frame, events = await self._offload(self.session.next_frame)
            trained = []
        await self._deliver(self.ws.send_bytes(frame))
        await self._send([*events, *trained])


def new_session(settings: Settings) -> LiveSession:
    """A fresh live session with the worker's limits (its first trainer takes a few ms)."""
    return LiveSession(
        uuid.uuid4().hex[:12],
        max_runs=settings.max_runs,
        checkpoint_every=settings.checkpoint_every,
        checkpoint_bytes=settings.checkpoint_kib * 1024,
        view_seconds=settings.view_time_budget,
    )


def _encode(message: Message) -> str:
    try:
        return dumps(message)
    except ValueError:  # a NaN slipped into a message: send null, never NaN
        return dumps(json_safe(message))


async def serve_websocket(websocket: WebSocket) -> None:
    """The ``/ws`` endpoint: accept, refuse when full, run one live session, free it."""
    state = websocket.app.state
    settings: Settings = state.settings
    registry: SessionRegistry = state.sessions
    if not origin_allowed(websocket.headers, settings.origins):
        await websocket.close(1008, "origin not allowed")
        return
    await websocket.accept()
    if registry.full():
        await websocket.close(1013, f"server busy: {registry.limit} live sessions, try again later")
        return
    if state.drain.draining:
        await websocket.close(1012, "service restart")
        return
    client = client_address(websocket)
    if registry.client_full(client):
        await websocket.close(
            1013, f"too many sessions: at most {registry.per_client} per client address"
        )
        return
    work: WorkPool | None = getattr(state, "work", None)
    registry.reserve(client)
    session: LiveSession | None = None
    connection: Connection | None = None
    token = None
    try:
        if work is None:
            session = new_session(settings)
        else:
            session = await work.run("new", new_session, settings)
        registry.add(session)
        connection = Connection(
            websocket, settings, state.hello(), work, session, state.coscheduler
        )
        state.drain.add(connection)
        token = SESSION_ID.set(session.id)  # every log line of this session names it
        log.info("live session started")
        await connection.run()
    except WebSocketDisconnect:
        pass
    except Exception:
        log.exception("live session %s failed", session.id if session else "(new)")
        with contextlib.suppress(Exception):
            await websocket.close(1011, "internal error")
    finally:
        if connection is not None:
            state.drain.discard(connection)
        registry.release(session, client)
        if work is not None and session is not None:
            work.forget(session.id)
        if token is not None:
            log.info("live session ended")
            SESSION_ID.reset(token)
        if not registry.sessions:
            if state.coscheduler is not None:
                state.coscheduler.forget()  # its kept states and pictures
            release_free_memory()  # the class has left: give the pages back
