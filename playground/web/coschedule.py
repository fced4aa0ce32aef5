"""Co-scheduling: a worker trains the playing runs of all its sessions as stacks.

In a class, most pages play the same lesson config at the same moment. Trained one
session at a time, each of their steps is ~50 tiny NumPy calls of interpreter overhead,
and each piece of work is a thread hop of its own; trained together, runs that share a
shape cost little more than one (``engine.stack``). So each session's runner, instead of
running a training slice or building a frame itself, hands the request to the worker's
``CoScheduler``, which gathers the requests of every session that arrive while a batch is
running and serves them all in the next batch, in one work-pool turn:

- **Training.** A session qualifies when exactly one of its runs owes steps and that run
  may join a stack (``LiveSession.solo_plan``: not diverged, no neuron surgery, not TF
  mode, no sweep playing). Requests whose runs share their shape and their phase in the
  epoch (``lockstep.group_key``) train as a staircase of stacks
  (``lockstep.step_together``): all of them the fewest steps any of them owes, then the
  ones owing more go on together, and so on. Each run gets exactly the results it would
  get alone, bit for bit. A request that does not qualify trains alone, as without
  co-scheduling.
- **Shared paths.** Runs that pages play from their start and only trained (a class on
  one lesson: one config, one seed) are one run: a request first takes the steps it owes
  from the states kept for its path (``engine.memo``), requests at the same step train
  once for all (the others follow), and frames share their pictures by content
  (``frame_cache.py``). Still bit for bit each page's lone run.
- **Frames.** The due frames of the batch are built in the same turn: one thread hop
  for the whole class instead of one per frame. A training request may ask for its
  frame too, built right after its steps if by then the session's frame is due and its
  frame-rate cap allows (``frame_after``), saving a round trip. Stacking the grid passes
  themselves was measured and gains nothing: at 10,000 grid points a pass is arithmetic,
  not call overhead.

Each session keeps its own pacing: its runner still decides when it trains and when a
frame goes out (acks, ``max_fps``, speed), exactly as without co-scheduling. Each keeps its
fairness budget too: a request waits until its session's CPU balance allows
(``FairScheduler.ready``), and the batch's CPU time is charged back to the sessions in it
(a stack's time split evenly between its runs). ``PLAYGROUND_COSCHEDULE=0`` turns this off.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from playground.engine.lockstep import group_key, step_together
from playground.engine.memo import RunMemo
from playground.web.frame_cache import FrameCache
from playground.web.live import LiveSession, Message
from playground.web.offload import WorkPool

CLASS_KEY = "(co-scheduled batch)"  # the batch's own turn; its CPU is charged to sessions
MAX_BATCH = 256  # requests per batch (the stack's own limit)


@dataclass
class Stats:
    """What co-scheduling did in this worker (``/api/health`` reports it)."""

    batches: int = 0
    requests: int = 0
    stacked_steps: int = 0  # run-steps trained in stacks of two or more runs
    alone_steps: int = 0  # run-steps of co-scheduled requests trained alone
    largest_stack: int = 0
    frames: int = 0
    cpu_ms: int = 0  # CPU time of the batches (their threads), milliseconds
    wall_ms: int = 0  # wall time of the batches

    def public(self) -> dict[str, int]:
        return dict(self.__dict__)


#: a frame built in a batch: its bytes, its events and when it was built (monotonic)
Frame = tuple[bytes, list[Message], float]


@dataclass
class _Request:
    session: LiveSession
    budget: float | None  # seconds of training (after the frame, if any); None: no training
    future: asyncio.Future[Any]
    frame: bool = False  # build the next frame first
    frame_after: float | None = None  # a training request: then the frame, if due by then
    taken: bool = False  # in a running batch


@dataclass
class _Outcome:
    """Results per request (or the exception to raise there) and CPU per session."""

    results: list[Any] = field(default_factory=list)
    charges: dict[str, float] = field(default_factory=lambda: defaultdict(float))


class CoScheduler:
    """Gathers the training and frame requests of a worker's sessions into batches."""

    def __init__(self, pool: WorkPool, *, batch_budget: float = 0.016,
                 max_frame_seconds: float = 0.010, memo_bytes: int = 0) -> None:  # fmt: skip
        self.pool = pool
        # pages on one shared path (one lesson from its start): states and pictures once
        self.memo = RunMemo(memo_bytes // 2)
        self.frames = FrameCache(memo_bytes - memo_bytes // 2, shares=self.memo.shared)
        self.batch_budget = batch_budget  # seconds one stack may train in one batch
        self.max_frame_seconds = max_frame_seconds  # dearer frames keep their own turns
        self.stats = Stats()
        self._pending: list[_Request] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._step_seconds: dict[tuple[Any, ...], float] = {}  # per group: one lockstep step

    def __repr__(self) -> str:
        return f"CoScheduler(pending={len(self._pending)}, {self.stats})"

    def public_stats(self) -> dict[str, int]:
        """``Stats`` plus what the shared paths saved: run-steps taken from kept states
        (``memo_steps``), states kept now (``memo_states``) and frames whose pictures
        another page's frame had built (``shared_frames``)."""
        return {**self.stats.public(), "memo_steps": self.memo.stats.steps,
                "memo_states": len(self.memo), "shared_frames": self.frames.hits}  # fmt: skip

    def forget(self) -> None:
        """Drop every kept state and picture (the worker's last page left)."""
        self.memo.clear()
        self.frames.clear()

    # Requests (on the event loop) -----------------------------------------------------
    def takes(self, session: LiveSession) -> bool:
        """True when ``session``'s next piece of work should go to a batch
        (``LiveSession.joins_class``); otherwise it runs in its own turn as without
        co-scheduling."""
        return session.joins_class(self.max_frame_seconds)

    async def work(self, session: LiveSession, budget: float, frame_after: float | None = None
                   ) -> tuple[list[Message], Frame | None]:  # fmt: skip
        """``session.work(budget)``, trained in the next batch (stacked where it can be);
        then, if the session's frame is due and ``time.monotonic() >= frame_after``, its
        ``next_frame()`` too. Returns the training events and the frame, if one was built.
        """
        result: tuple[list[Message], Frame | None] = await self._submit(
            session, budget, frame_after
        )
        return result

    async def frame(self, session: LiveSession, budget: float | None = None
                    ) -> tuple[bytes, list[Message], list[Message]]:  # fmt: skip
        """``session.next_frame()``, built in the next batch; then, with a ``budget``,
        ``session.work(budget)`` if the session has training to do (the steps of the
        next frame, trained while this one is on its way: in the same stacks as the other
        sessions' steps). Returns the frame, its events and the training's events."""
        result: tuple[bytes, list[Message], list[Message]] = await self._submit(
            session, budget, frame=True
        )
        return result

    async def _submit(self, session: LiveSession, budget: float | None,
                      frame_after: float | None = None, frame: bool = False) -> Any:  # fmt: skip
        await self.pool.scheduler.ready(session.id)  # the session's own CPU budget
        self._start()
        assert self._wake is not None
        future = asyncio.get_running_loop().create_future()
        request = _Request(session, budget, future, frame, frame_after)
        self._pending.append(request)
        self._wake.set()
        try:
            return await asyncio.shield(request.future)
        except asyncio.CancelledError:
            if request.taken:  # the batch is using the session: let it finish first
                with contextlib.suppress(BaseException):
                    await request.future
            else:
                with contextlib.suppress(ValueError):
                    self._pending.remove(request)
            raise

    def _start(self) -> None:
        """Start the dispatcher on the running loop (again, if the app moved to a new one)."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._task is None or self._task.done():
            self._loop = loop
            self._wake = asyncio.Event()
            self._pending = [r for r in self._pending if r.future.get_loop() is loop]
            self._task = loop.create_task(self._dispatch(), name="co-scheduler")

    async def _dispatch(self) -> None:
        """Serve pending requests in batches, one batch at a time (more gather meanwhile)."""
        assert self._wake is not None
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                batch = [r for r in self._pending[:MAX_BATCH] if not r.future.done()]
                del self._pending[:MAX_BATCH]
                for request in batch:
                    request.taken = True
                try:
                    outcome = await self.pool.run(CLASS_KEY, self._run_batch, batch, charge=False)
                except Exception as e:  # a bug in the batch itself: fail its requests only
                    outcome = _Outcome([e] * len(batch))
                for key, seconds in outcome.charges.items():
                    self.pool.scheduler.charge(key, seconds)
                for request, result in zip(batch, outcome.results, strict=True):
                    if request.future.done():
                        continue
                    if isinstance(result, BaseException):
                        request.future.set_exception(result)
                    else:
                        request.future.set_result(result)

    def close(self) -> None:
        """Stop the dispatcher (the app is shutting down)."""
        if self._task is not None:
            self._task.cancel()

    # The batch (in a work thread) -----------------------------------------------------
    def _run_batch(self, batch: list[_Request]) -> _Outcome:
        """Build the batch's frames, train its training requests (stacked by group), then
        build the frames that training requests asked for."""
        start, cpu0 = time.perf_counter(), time.thread_time()
        n = len(batch)
        frames: list[Any] = [None] * n
        trained: list[Any] = [[] for _ in range(n)]
        outcome = _Outcome([None] * n)
        for i, request in enumerate(batch):
            if request.frame:
                frames[i] = self._timed(request, partial(request.session.next_frame, self.frames),
                                        outcome)  # fmt: skip
                self.stats.frames += 1
        groups: dict[tuple[Any, ...], list[tuple[int, Any, int, int]]] = defaultdict(list)
        leading: set[Any] = set()  # (path, step, steps) of runs that train for their twins
        twins: list[tuple[int, Any, int, int]] = []  # same path, step and steps: follow
        for i, request in enumerate(batch):
            if request.budget is None or isinstance(frames[i], BaseException):
                continue
            if request.frame and not request.session.has_work():
                continue
            plan = _guard(partial(request.session.solo_plan, request.budget))
            if isinstance(plan, BaseException) or plan is None:
                trained[i] = self._alone(request, outcome)
                continue
            run, steps, owed = plan
            # steps another page trained already cost nothing: take all it owes at once
            jumped = _guard(partial(self.memo.jump, run.trainer, owed))
            if isinstance(jumped, BaseException):
                trained[i] = jumped
                continue
            steps = min(steps, owed - jumped)
            if not steps:
                trained[i] = _guard(partial(request.session.book, run, jumped))
            else:
                path = self.memo.position(run.trainer)
                walk = None if path is None else (*path, steps)
                if walk is not None and walk in leading:
                    twins.append((i, run, steps, jumped))
                    continue
                if walk is not None:
                    leading.add(walk)
                groups[group_key(run.trainer)].append((i, run, steps, jumped))
        for key, members in groups.items():
            self._train_group(key, members, batch, trained, outcome)
        for i, run, steps, jumped in twins:  # the run they follow has trained: follow it
            more = _guard(partial(self.memo.jump, run.trainer, steps))
            if isinstance(more, BaseException):
                trained[i] = more
            else:
                trained[i] = _guard(partial(batch[i].session.book, run, jumped + more))
        for i, request in enumerate(batch):
            if isinstance(frames[i], BaseException):
                outcome.results[i] = frames[i]
            elif isinstance(trained[i], BaseException):  # a bug: the session closes (1011)
                outcome.results[i] = trained[i]
            elif request.frame:
                outcome.results[i] = (*frames[i], trained[i])
            else:
                frame = _guard(partial(self._frame_after, request, outcome))
                ok = not isinstance(frame, BaseException)
                outcome.results[i] = (trained[i], frame) if ok else frame
        self.stats.batches += 1
        self.stats.requests += n
        self.stats.cpu_ms += round((time.thread_time() - cpu0) * 1000)
        self.stats.wall_ms += round((time.perf_counter() - start) * 1000)
        return outcome

    def _train_group(self, key: tuple[Any, ...], members: list[tuple[int, Any, int, int]],
                     batch: list[_Request], trained: list[Any], outcome: _Outcome
                     ) -> None:  # fmt: skip
        """Runs of one shape and phase, as a staircase of stacks: all of them train the
        fewest steps any of them owes, then those owing more go on together, and so on
        (the last one alone); each run then books its steps in its session (with those it
        took from the memo first, ``jumped``) and its new states are kept in the memo."""
        before = [run.trainer.step_count for _, run, _, _ in members]
        if len(members) == 1 and not members[0][3]:
            i, run = members[0][:2]
            trained[i] = self._alone(batch[i], outcome)
            _guard(partial(self.memo.keep, run.trainer, before[0]))
            return
        per_step = self._step_seconds.get(key)
        cap = None if per_step is None else max(1, int(self.batch_budget / per_step))
        want = [steps if cap is None else min(steps, cap) for _, _, steps, _ in members]
        ran = [0] * len(members)
        failed: dict[int, Exception] = {}
        live = list(range(len(members)))
        while live:
            n = min(want[m] - ran[m] for m in live)
            trainers = [members[m][1].trainer for m in live]
            start, cpu0 = time.perf_counter(), time.thread_time()
            try:
                got = step_together(trainers, n)
            except Exception as e:  # keep the class going: report it to these sessions only
                failed = dict.fromkeys(live, e)
                break
            wall, cpu = time.perf_counter() - start, time.thread_time() - cpu0
            size = len(live)
            if size > 1:
                if max(got) and len(members) == size:
                    self._step_seconds[key] = wall / max(got)
                self.stats.stacked_steps += sum(got)
                self.stats.largest_stack = max(self.stats.largest_stack, size)
            else:
                self.stats.alone_steps += sum(got)
            for m, k in zip(live, got, strict=True):
                outcome.charges[batch[members[m][0]].session.id] += cpu / size
                if k:
                    members[m][1].step_seconds = max(1e-6, wall / k / size)  # its share
                ran[m] += k
            # on: the runs that owe more steps (a run that diverged stopped short)
            live = [m for m, k in zip(live, got, strict=True) if k == n and ran[m] < want[m]]
        for m, (i, run, _, jumped) in enumerate(members):
            session = batch[i].session
            trained[i] = failed.get(m) or _guard(partial(session.book, run, jumped + ran[m]))
            _guard(partial(self.memo.keep, run.trainer, before[m]))

    def _frame_after(self, request: _Request, outcome: _Outcome) -> Frame | None:
        """The frame a training request asked for, if due and allowed now; else None."""
        session, after = request.session, request.frame_after
        if after is None or not session.frame_due() or time.monotonic() < after:
            return None
        built = self._timed(request, partial(session.next_frame, self.frames), outcome)
        if isinstance(built, BaseException):
            raise built  # _guard hands it to this request
        self.stats.frames += 1
        return (*built, time.monotonic())

    def _alone(self, request: _Request, outcome: _Outcome) -> Any:
        """A request that trains by itself, exactly as without co-scheduling."""
        session, budget = request.session, request.budget
        assert budget is not None
        before = _steps(session)
        result = self._timed(request, lambda: session.work(budget), outcome)
        self.stats.alone_steps += _steps(session) - before
        return result

    @staticmethod
    def _timed(request: _Request, fn: Callable[[], Any], outcome: _Outcome) -> Any:
        cpu0 = time.thread_time()
        result = _guard(fn)
        outcome.charges[request.session.id] += time.thread_time() - cpu0
        return result


def _steps(session: LiveSession) -> int:
    return sum(run.trainer.step_count for run in session.runs.values())


def _guard(fn: Callable[[], Any]) -> Any:
    """``fn()``, or the exception it raised (handed to that request's session only)."""
    try:
        return fn()
    except Exception as e:
        return e
