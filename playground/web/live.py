"""The live session state machine: one per WebSocket connection, no I/O.

A session holds up to ``max_runs`` runs (forks, an A/B comparison), each with an id.
``LiveSession`` applies validated commands (to the run they name, default the selected
one) and returns the JSON messages to send back; ``work`` runs a bounded slice of
training, shared round-robin between the runs that have work; ``next_frame`` encodes the
next due frame. The socket loop (``connection.py``) decides *when* to call them. Pacing
state, per run::

    playing      train `speed` steps per frame until pause, divergence or stop_epoch
    pending      steps left of a `step` command (one frame when they are done)
    dirty        something visible changed: send a frame as soon as allowed
    in_flight    seq of the frame sent but not yet acknowledged (at most one per run)

While a frame is in flight a run may train the next frame's steps (one frame ahead,
never more), so a slow page gets fewer frames and nothing queues up.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from playground.config import MAX_SEED, ConfigError, RunConfig, parse_config
from playground.engine.lockstep import Lockstep, solo_stackable, stackable
from playground.engine.trainer import Trainer
from playground.web.frame_builder import FrameState, build_frame
from playground.web.frame_cache import FrameCache
from playground.web.insight import landscape_job, range_job
from playground.web.live_sweep import handle_sweep
from playground.web.protocol import (
    MAIN_FIELD,
    VIEW_FIELDS,
    VIEW_REQUESTS,
    Command,
    ProtocolError,
    View,
    shown,
)

SNAPSHOT_FORMAT = "nn-playground.session/2"
SNAPSHOT_FORMATS = ("nn-playground.session/1", SNAPSHOT_FORMAT)
RUN_SNAPSHOT_FORMAT = "nn-playground/snapshot"
RUN_IDS = "ABCDEFGHIJKLMNOP"
Message = dict[str, Any]
log = logging.getLogger("playground.web")


def _event(name: str, message: str, step: int, run: str, **extra: Any) -> Message:
    return {"type": "event", "event": name, "message": message, "step": step, "run": run,
            **extra}  # fmt: skip


class Run:
    """One run of a session: its trainer and its pacing state."""

    def __init__(self, run_id: str, trainer: Trainer, parent: str | None = None,
                 forked_at: int | None = None) -> None:  # fmt: skip
        self.id = run_id
        self.trainer = trainer
        self.parent = parent
        self.forked_at = forked_at
        self.playing = False
        self.pending = 0
        self.since_frame = 0
        self.dirty = True
        self.in_flight: int | None = None
        self.data_version = 1
        self.sent_data_version = 0
        self.reported_divergence = trainer.diverged is not None
        self.step_seconds = 1e-3  # running estimate of one step's cost, for chunking
        self.seek: Trainer | None = None  # a past moment being shown (``seek``)

    def summary(self) -> Message:
        t = self.trainer
        return {
            "id": self.id,
            "step": t.step_count,
            "epoch": t.epoch,
            "playing": self.playing,
            "diverged": t.diverged is not None,
            "parent": self.parent,
            "forked_at": self.forked_at,
            "config": t.config.model_dump(mode="json"),
        }

    def target(self, speed: int) -> int:
        """Steps to run before the next frame: 0 when there is no training work."""
        if self.pending:
            return self.pending
        if self.playing and self.since_frame < speed:
            return speed - self.since_frame
        return 0


class LiveSession:
    """The runs of one connection plus the shared view; see the module docstring."""

    def __init__(self, session_id: str, config: RunConfig | None = None, *, max_runs: int = 4,
                 checkpoint_every: int = 100, checkpoint_bytes: int = 2 << 20,
                 view_seconds: float = 5.0) -> None:  # fmt: skip
        self.id = session_id
        self.max_runs = max_runs
        self.view_seconds = view_seconds  # time budget of a landscape / LR range request
        self._trainer_options = {"checkpoint_every": checkpoint_every,
                                 "checkpoint_bytes": checkpoint_bytes}  # fmt: skip
        self.view = View()
        self.seq = 0
        self.runs: dict[str, Run] = {}
        first = self._new_run(self._trainer(config or RunConfig()))
        self.selected = first.id
        self._turn = 0
        self.sweep: Any = None  # a LiveSweep (``live_sweep.py``) while the page shows one
        self._lockstep = Lockstep()  # compare: runs of one shape train as one stack
        self._group_seconds = 1e-3
        self.stacked_steps = 0  # run-steps trained that way (for benchmarks and tests)
        self.frame_seconds = 0.0  # CPU time the last frame took to build

    def __repr__(self) -> str:
        return f"LiveSession({self.id!r}, runs={list(self.runs)}, seq={self.seq})"

    def _trainer(self, config: RunConfig) -> Trainer:
        return Trainer(config, **self._trainer_options)

    def _new_run(self, trainer: Trainer, parent: str | None = None,
                 forked_at: int | None = None) -> Run:  # fmt: skip
        if len(self.runs) >= self.max_runs:
            raise ProtocolError(f"at most {self.max_runs} runs per session", "run")
        run_id = next(i for i in RUN_IDS if i not in self.runs)
        run = Run(run_id, trainer, parent, forked_at)
        self.runs[run_id] = run
        return run

    @property
    def trainer(self) -> Trainer:
        """The selected run's trainer."""
        return self.runs[self.selected].trainer

    @property
    def playing(self) -> bool:
        return any(r.playing for r in self.runs.values())

    # Messages ------------------------------------------------------------------------
    def config_message(self, change: str, run: Run | None = None) -> Message:
        """The ``config`` message: the accepted config, what kind of change it was, the view."""
        run = run or self.runs[self.selected]
        return {
            "type": "config",
            "run": run.id,
            "config": run.trainer.config.model_dump(mode="json"),
            "change": change,
            "view": self.view.model_dump(),
        }

    def runs_message(self) -> Message:
        """The ``runs`` message: every run's summary and which one is selected."""
        return {"type": "runs", "runs": [r.summary() for r in self.runs.values()],
                "selected": self.selected}  # fmt: skip

    def timeline_message(self, run: Run) -> Message:
        """The ``timeline`` message: the run's events and per-epoch history."""
        t = run.trainer
        history = {k: list(v) for k, v in t.history.items()}
        return {
            "type": "timeline",
            "run": run.id,
            "first_step": t.first_step,
            "step": t.step_count,
            "epoch": t.epoch,
            "events": t.timeline,
            "history": history,
        }

    def snapshot(self) -> Message:
        """Everything needed to continue this session elsewhere, bit-for-bit."""
        return {
            "format": SNAPSHOT_FORMAT,
            "runs": [
                {
                    "id": r.id,
                    "parent": r.parent,
                    "forked_at": r.forked_at,
                    "trainer": r.trainer.snapshot(),
                }  # fmt: skip
                for r in self.runs.values()
            ],
            "selected": self.selected,
            "view": self.view.model_dump(),
        }

    # Commands ------------------------------------------------------------------------
    def handle(self, command: Command) -> list[Message]:
        """Apply one command; returns the messages to send. A rejected command changes nothing."""
        if command.type in VIEW_REQUESTS:  # computed off the session loop: see view_job
            return [ProtocolError(f"{command.type} is answered by view_job", "type",
                                  command.type).to_message()]  # fmt: skip
        handler: Callable[[dict[str, Any]], list[Message]] = getattr(self, f"_on_{command.type}")
        try:
            return handler(command.args)
        except ProtocolError as e:
            e.request = command.type
            return [e.to_message()]
        except ConfigError as e:
            return [ProtocolError(e.message, e.field, command.type).to_message()]
        except Exception as e:  # the boundary: no message may crash a session
            log.exception("session %s: %r failed unexpectedly", self.id, command.type)
            name = MAIN_FIELD.get(command.type, "type")
            text = f"internal error while handling {command.type!r} ({type(e).__name__})"
            return [ProtocolError(text, name, command.type).to_message()]

    def _run(self, args: dict[str, Any]) -> Run:
        run_id = args.get("run") or self.selected
        run = self.runs.get(run_id)
        if run is None:
            raise ProtocolError(f"no run {run_id!r}; runs: {', '.join(self.runs)}", "run")
        return run

    def _targets(self, args: dict[str, Any]) -> list[Run]:
        if args.get("run") == "all":
            return list(self.runs.values())
        return [self._run(args)]

    def _leave_seek(self, run: Run) -> None:
        if run.seek is not None:
            run.seek = None
            run.dirty = True

    def _apply_config(self, run: Run, config: RunConfig, view: View | None = None) -> list[Message]:
        try:
            change = run.trainer.reconfigure(config)
        except ConfigError:
            raise
        except ValueError as e:
            raise ProtocolError(str(e)) from None
        if view is not None:
            self.view = view
        self._leave_seek(run)
        if change == "data":
            run.data_version += 1
        if change in ("data", "architecture"):
            run.step_seconds = 1e-3
        if run.trainer.diverged is None:
            run.reported_divergence = False
        run.dirty = True
        out = [self.config_message(change, run)]
        if change != "none":
            out.append(self.timeline_message(run))
        return out

    def _on_configure(self, args: dict[str, Any]) -> list[Message]:
        run = self._run(args)
        return self._apply_config(run, parse_config(args["config"]))

    def _on_set(self, args: dict[str, Any]) -> list[Message]:
        run = self._run(args)
        changes: dict[str, Any] = args["changes"]
        view_changes = {k: v for k, v in changes.items() if k in VIEW_FIELDS}
        run_changes = {k: v for k, v in changes.items() if k not in VIEW_FIELDS}
        for name in run_changes:
            if name not in RunConfig.model_fields:
                raise ProtocolError(f"unknown field {shown(name)}", name)
        view = self.view.updated(view_changes) if view_changes else self.view
        if run_changes:
            return self._apply_config(run, run.trainer.config.updated(**run_changes), view)
        self.view = view
        for r in self.runs.values():
            r.dirty = True
        return [self.config_message("none", run)]

    def _on_play(self, args: dict[str, Any]) -> list[Message]:
        out: list[Message] = []
        for run in self._targets(args):
            t = run.trainer
            self._leave_seek(run)
            if t.diverged is not None:
                out.append(self._divergence_event(run))
            elif self._reached_stop(run):
                epoch = self.view.stop_epoch
                out.append(_event("done", f"Reached the stop epoch {epoch}.", t.step_count, run.id))
            else:
                run.playing = True
                run.pending = 0
                out.append(_event("playing", "Training.", t.step_count, run.id))
        return out

    def _on_pause(self, args: dict[str, Any]) -> list[Message]:
        out = []
        for run in self._targets(args):
            run.playing = False
            run.pending = 0  # also interrupts a long `step`
            run.dirty = True
            out.append(_event("paused", "Paused.", run.trainer.step_count, run.id))
        return out

    def _halt(self, run: Run) -> list[Message]:
        """Stop playing and drop owed steps; a ``paused`` event if it was playing."""
        was_playing = run.playing
        run.playing = False
        run.pending = 0
        run.dirty = True
        step = run.trainer.step_count
        return [_event("paused", "Paused.", step, run.id)] if was_playing else []

    def _on_step(self, args: dict[str, Any]) -> list[Message]:
        out: list[Message] = []
        for run in self._targets(args):
            out += self._halt(run)
            self._leave_seek(run)
            if run.trainer.diverged is not None:
                out.append(self._divergence_event(run))
            elif args.get("until") == "epoch":
                run.pending = run.trainer.steps_to_epoch_end()
            else:
                run.pending = args["n"]
        return out

    def _on_reset(self, args: dict[str, Any]) -> list[Message]:
        run = self._run(args)
        run.trainer.reset()
        run.reported_divergence = False
        self._leave_seek(run)
        out = self._halt(run)
        step = run.trainer.step_count
        return [*out, _event("reset", "New weights, same data.", step, run.id),
                self.timeline_message(run)]  # fmt: skip

    def _on_regenerate(self, args: dict[str, Any]) -> list[Message]:
        run = self._run(args)
        config = run.trainer.config
        seed = config.seed + 1 if config.seed < MAX_SEED else 0
        messages = self._apply_config(run, config.updated(seed=seed))
        return [*self._halt(run), *messages]

    def _on_set_weight(self, args: dict[str, Any]) -> list[Message]:
        run = self._run(args)
        try:
            a = args
            run.trainer.set_weight(a["layer"], a["kind"], a["i"], a["j"], a["value"])
        except ValueError as e:
            text = str(e)
            name = text.split(" ", 1)[0] if text.split(" ", 1)[0] in args else None
            raise ProtocolError(text, name) from None
        self._leave_seek(run)
        run.dirty = True
        return [self.timeline_message(run)]

    def _on_set_neuron(self, args: dict[str, Any]) -> list[Message]:
        run = self._run(args)
        try:
            run.trainer.set_neuron(args["layer"], args["index"], args["state"])
        except ValueError as e:
            raise ProtocolError(str(e), str(e).split(" ", 1)[0]) from None
        self._leave_seek(run)
        run.dirty = True
        return [self.timeline_message(run), self.neurons_message(run)]

    def neurons_message(self, run: Run) -> Message:
        """The ``neurons`` message: every hidden unit's surgery state, per layer."""
        return {"type": "neurons", "run": run.id, "neurons": run.trainer.neurons}

    def view_job(self, command: Command) -> Callable[[], bytes]:
        """A landscape / LR range request as a job for a worker thread (on a fork of the run).

        Raises ProtocolError for an unknown run; the job raises ProtocolError when the
        engine refuses the options (e.g. no trajectory yet).
        """
        run = self._run(command.args)
        shown = run.seek or run.trainer
        make = landscape_job if command.type == "landscape" else range_job
        work = make(shown, command.args, run.id, self.view_seconds)

        def job() -> bytes:
            try:
                return work()
            except ValueError as e:
                raise ProtocolError(str(e), str(e).split(" ", 1)[0], command.type) from None

        return job

    def _on_snapshot(self, args: dict[str, Any]) -> list[Message]:
        if args.get("run") is None:
            return [{"type": "snapshot", "snapshot": self.snapshot()}]
        run = self._run(args)
        return [{"type": "snapshot", "run": run.id, "snapshot": run.trainer.snapshot()}]

    def _restore_trainer(self, data: Any, where: str = "snapshot") -> Trainer:
        try:
            return Trainer.restore(data)
        except ValueError as e:
            raise ProtocolError(f"invalid {where}: {e}", "snapshot") from None

    def _on_restore(self, args: dict[str, Any]) -> list[Message]:
        snap = args["snapshot"]
        if snap.get("format") == RUN_SNAPSHOT_FORMAT:
            return self._restore_run(args, self._restore_trainer(snap))
        if snap.get("format") not in SNAPSHOT_FORMATS:
            raise ProtocolError(
                f"snapshot.format must be one of {', '.join(SNAPSHOT_FORMATS)} or "
                f"{RUN_SNAPSHOT_FORMAT!r}", "snapshot",
            )  # fmt: skip
        view_data = snap.get("view", {})
        if not isinstance(view_data, dict):
            raise ProtocolError("snapshot.view must be a JSON object", "snapshot")
        try:
            view = View().updated(view_data)
        except ProtocolError as e:
            raise ProtocolError(f"snapshot.view: {e.message}", "snapshot") from None
        entries = self._session_entries(snap)
        runs: dict[str, Run] = {}
        for entry in entries:
            trainer = self._restore_trainer(entry.get("trainer"), f"snapshot run {entry['id']}")
            run = Run(entry["id"], trainer, entry.get("parent"), entry.get("forked_at"))
            run.data_version = self.seq + 1  # differs from anything sent: points go again
            runs[run.id] = run
        selected = snap.get("selected", next(iter(runs)))
        if selected not in runs:
            raise ProtocolError("snapshot.selected must name one of its runs", "snapshot")
        out: list[Message] = [m for r in self.runs.values() for m in self._halt(r)]
        self.runs, self.view, self.selected = runs, view, selected
        out.append(self.runs_message())
        for run in runs.values():
            out += [self.config_message("restore", run), self.timeline_message(run)]
        return out

    def _session_entries(self, snap: dict[str, Any]) -> list[dict[str, Any]]:
        if snap["format"] == "nn-playground.session/1":
            return [{"id": "A", "trainer": snap.get("trainer")}]
        entries = snap.get("runs")
        if not isinstance(entries, list) or not 0 < len(entries) <= self.max_runs:
            raise ProtocolError(f"snapshot.runs must list 1 to {self.max_runs} runs", "snapshot")
        seen: set[str] = set()
        for e in entries:
            ok = isinstance(e, dict) and isinstance(e.get("id"), str) and e["id"] in RUN_IDS
            ok = ok and len(e["id"]) == 1 and e["id"] not in seen
            parent, forked = (e.get("parent"), e.get("forked_at")) if ok else (None, None)
            ok = ok and (parent is None or (isinstance(parent, str) and parent in RUN_IDS))
            ok = ok and (
                forked is None
                or (
                    not isinstance(forked, bool) and isinstance(forked, int) and 0 <= forked < 2**53
                )
            )
            if not ok:
                raise ProtocolError("snapshot.runs entries need distinct ids A..P", "snapshot")
            seen.add(e["id"])
        return entries

    def _restore_run(self, args: dict[str, Any], trainer: Trainer) -> list[Message]:
        if args["as_new"]:
            run = self._new_run(trainer)
            self.selected = run.id
            out: list[Message] = []
        else:
            old = self._run(args)
            out = self._halt(old)
            run = Run(old.id, trainer, old.parent, old.forked_at)
            run.data_version = old.data_version + 1
            self.runs[old.id] = run
        return [*out, self.runs_message(), self.config_message("restore", run),
                self.timeline_message(run)]  # fmt: skip

    def _on_fork(self, args: dict[str, Any]) -> list[Message]:
        run = self._run(args)
        if len(self.runs) >= self.max_runs:
            raise ProtocolError(f"at most {self.max_runs} runs per session", "run")
        step = args["step"]
        try:
            at = run.trainer.step_count if step is None else step
            trainer = run.trainer.fork(step, f"forked from {run.id} at step {at}")
        except ValueError as e:
            raise ProtocolError(str(e), "step") from None
        child = self._new_run(trainer, run.id, trainer.step_count)
        if args["select"]:
            self.selected = child.id
        return [self.runs_message(), self.config_message("fork", child),
                self.timeline_message(child)]  # fmt: skip

    def _on_new_run(self, args: dict[str, Any]) -> list[Message]:
        config = parse_config(args["config"])
        if len(self.runs) >= self.max_runs:
            raise ProtocolError(f"at most {self.max_runs} runs per session", "run")
        try:
            trainer = self._trainer(config)
        except ValueError as e:
            raise ProtocolError(str(e), "config") from None
        run = self._new_run(trainer)
        if args["select"]:
            self.selected = run.id
        return [self.runs_message(), self.config_message("new", run), self.timeline_message(run)]

    def _on_sweep(self, args: dict[str, Any]) -> list[Message]:
        return handle_sweep(self, args)

    def adopt_run(self, trainer: Trainer, replace: bool = False) -> list[Message]:
        """Add ``trainer`` as a new run (or in place of the selected one) and select it."""
        if replace:
            old = self.runs[self.selected]
            out = self._halt(old)
            run = Run(old.id, trainer, old.parent, old.forked_at)
            run.data_version = old.data_version + 1
            self.runs[old.id] = run
        else:
            out, run = [], self._new_run(trainer)
        self.selected = run.id
        return [*out, self.runs_message(), self.config_message("new", run),
                self.timeline_message(run)]  # fmt: skip

    def _on_select(self, args: dict[str, Any]) -> list[Message]:
        self.selected = self._run(args).id
        return [self.runs_message()]

    def _on_close_run(self, args: dict[str, Any]) -> list[Message]:
        run = self._run(args)
        if len(self.runs) == 1:
            raise ProtocolError("a session keeps at least one run", "run")
        del self.runs[run.id]
        if self.selected == run.id:
            self.selected = next(iter(self.runs))
        return [self.runs_message()]

    def _on_seek(self, args: dict[str, Any]) -> list[Message]:
        run = self._run(args)
        out = self._halt(run)
        step = args["step"]
        if step is None or step == run.trainer.step_count:
            run.seek = None
        else:
            try:
                run.seek = run.trainer.at(step)
            except ValueError as e:
                raise ProtocolError(str(e), "step") from None
        run.dirty = True
        return out

    def _on_rewind(self, args: dict[str, Any]) -> list[Message]:
        run = self._run(args)
        try:
            run.trainer.rewind(args["step"])
        except ValueError as e:
            raise ProtocolError(str(e), "step") from None
        out = self._halt(run)
        run.seek = None
        run.reported_divergence = run.trainer.diverged is not None
        return [*out, self.config_message("rewind", run), self.timeline_message(run)]

    def _on_timeline(self, args: dict[str, Any]) -> list[Message]:
        return [self.timeline_message(self._run(args))]

    def _on_ack(self, args: dict[str, Any]) -> list[Message]:
        seq = args["seq"]
        if seq > self.seq:
            raise ProtocolError(f"seq {seq} was never sent (last frame is {self.seq})", "seq")
        for run in self.runs.values():
            if run.in_flight is not None and seq >= run.in_flight:
                run.in_flight = None
        if (
            self.sweep is not None
            and self.sweep.in_flight is not None
            and seq >= self.sweep.in_flight
        ):
            self.sweep.in_flight = None
        return []

    # Training ------------------------------------------------------------------------
    def has_work(self) -> bool:
        """True while training steps are owed (a `step` command, or the next frame's steps)."""
        speed = self.view.speed
        if self.sweep is not None and self.sweep.target(speed) > 0:
            return True
        return bool(self._busy()[0])

    def _busy(self) -> tuple[list[Run], list[Run]]:
        """Runs to train now, and which of them train together as one stack.

        Playing runs of one shape (compare) move in lockstep: while one still waits for
        its frame's ack, the others wait too, so that they all owe the same steps and
        train as one stack (``engine.lockstep``), exactly as each would alone.
        """
        speed = self.view.speed
        busy = [r for r in self.runs.values() if r.target(speed) > 0]
        group = [r for r in self.runs.values() if r.playing and not r.pending]
        if len(group) < 2 or not stackable([r.trainer for r in group]):
            return busy, []
        if any(r.target(speed) == 0 for r in group):
            return [r for r in busy if r not in group], []  # hold the group
        return busy, group

    def _reached_stop(self, run: Run) -> bool:
        return 0 < self.view.stop_epoch <= run.trainer.epoch

    def work(self, budget: float, clock: Callable[[], float] = time.perf_counter) -> list[Message]:
        """Train for about ``budget`` seconds (at least one step); returns events to send.

        Runs with work share the budget: each gets an equal slice, in turn, so A and B of a
        comparison advance in lockstep. A playing sweep of R runs counts as R runs.
        """
        speed = self.view.speed
        busy, group = self._busy()
        sweep = self.sweep if self.sweep is not None and self.sweep.target(speed) > 0 else None
        share = len(busy) + (sweep.size if sweep is not None else 0)
        out: list[Message] = []
        if group:
            out += self._work_together(group, budget * len(group) / share, clock)
            busy = [r for r in busy if r not in group]
        for run in busy:
            out += self._work_run(run, budget / share, clock)
        if sweep is not None:
            out += sweep.work(budget * sweep.size / share, speed, clock)
        return out

    def _class_runs(self) -> list[Run] | None:
        """The runs owing steps, when this session's training may join a worker's
        co-scheduled stacks (``coschedule.py``): at most one, and it may be stacked. None
        when it trains by itself: a sweep playing, a compare group, several busy runs, or
        a run that cannot be stacked (diverged, TF mode, neuron surgery)."""
        if self.sweep is not None and self.sweep.target(self.view.speed) > 0:
            return None
        busy, group = self._busy()
        if group or len(busy) > 1 or not all(solo_stackable(r.trainer) for r in busy):
            return None
        return busy

    def joins_class(self, max_frame_seconds: float) -> bool:
        """True when this session's work may go to its worker's co-scheduled batches: its
        training may be stacked (``_class_runs``) and its frames are cheap. A session whose
        frames take longer than ``max_frame_seconds`` (a big network, large grids) keeps
        its own turns, so it never holds up a whole class's batch."""
        return self.frame_seconds <= max_frame_seconds and self._class_runs() is not None

    def solo_plan(self, budget: float) -> tuple[Run, int, int] | None:
        """The one run to train now, its steps for ``budget`` and all the steps it owes
        before its next frame (what a co-scheduler may take from kept states at once),
        when it may join a co-scheduled stack; None when the session trains by itself
        (``_class_runs``) or owes no steps."""
        runs = self._class_runs()
        if not runs:
            return None
        run = runs[0]
        owed = self._owed(run, run.target(self.view.speed))
        return run, self._steps_now(run, owed, budget), owed

    def _owed(self, run: Run, target: int) -> int:
        """``target``, but never past the epoch's end when the view stops there."""
        if self.view.stop_epoch and run.playing:
            return min(target, run.trainer.steps_to_epoch_end())
        return target

    def _steps_now(self, run: Run, target: int, budget: float) -> int:
        """Steps of ``target`` to train in one go: about ``budget`` seconds' worth."""
        # stop exactly at the epoch boundary when the view says so
        return max(1, min(self._owed(run, target), int(budget / run.step_seconds)))

    def book(self, run: Run, ran: int) -> list[Message]:
        """Book ``ran`` steps that ``run`` trained elsewhere (a co-scheduled stack); returns
        the events to send (divergence, the stop epoch)."""
        return self._account(run, ran) or []

    def _work_run(self, run: Run, budget: float, clock: Callable[[], float]) -> list[Message]:
        t = run.trainer
        start = clock()
        speed = self.view.speed
        while (target := run.target(speed)) > 0:
            n = self._steps_now(run, target, budget)
            t0 = clock()
            ran = t.run(max_steps=n, chunk_steps=n).ran
            if ran:
                per_step = (clock() - t0) / ran
                run.step_seconds = max(1e-6, 0.7 * run.step_seconds + 0.3 * per_step)
            events = self._account(run, ran)
            if events is not None:
                return events
            if clock() - start >= budget:
                break
        return []

    def _account(self, run: Run, ran: int) -> list[Message] | None:
        """Book ``ran`` steps of ``run``; the events if its training stopped, else None."""
        t = run.trainer
        if run.pending:
            run.pending -= ran
            if not run.pending:
                run.dirty = True
        else:
            run.since_frame += ran
        if t.diverged is not None:
            return [self._diverge(run)]
        if run.playing and self._reached_stop(run):
            run.playing = False
            run.dirty = True
            epoch = self.view.stop_epoch
            return [_event("done", f"Reached the stop epoch {epoch}.", t.step_count, run.id)]
        return None

    def _work_together(self, busy: list[Run], budget: float,
                       clock: Callable[[], float]) -> list[Message]:  # fmt: skip
        """Runs of one shape that all owe steps (compare) train them as one stack
        (``engine.lockstep``: exactly the results of training each alone)."""
        speed = self.view.speed
        trainers = [r.trainer for r in busy]
        n = max(1, min(min(r.target(speed) for r in busy), int(budget / self._group_seconds)))
        if self.view.stop_epoch and any(r.playing for r in busy):
            n = min(n, *(t.steps_to_epoch_end() for t in trainers))
        t0 = clock()
        ran = self._lockstep.step(trainers, n)
        if max(ran):
            per_step = (clock() - t0) / max(ran)
            self._group_seconds = max(1e-6, 0.7 * self._group_seconds + 0.3 * per_step)
        self.stacked_steps += sum(ran)
        out: list[Message] = []
        for run, k in zip(busy, ran, strict=True):
            out += self._account(run, k) or []
        return out

    def _divergence_event(self, run: Run) -> Message:
        t = run.trainer
        info = t.diverged or {"step": t.step_count, "reason": "diverged"}
        return _event("diverged", info["reason"], info["step"], run.id, reason=info["reason"])

    def _diverge(self, run: Run) -> Message:
        run.playing = False
        run.pending = 0
        run.dirty = True
        run.reported_divergence = True
        return self._divergence_event(run)

    # Frames --------------------------------------------------------------------------
    def _due(self, run: Run) -> bool:
        if run.in_flight is not None or run.pending:
            return False
        return run.dirty or (run.playing and run.since_frame >= self.view.speed)

    def frame_due(self) -> bool:
        """True when some run's frame should go out as soon as pacing allows."""
        if self.sweep is not None and self.sweep.due(self.view.speed):
            return True
        return any(self._due(r) for r in self.runs.values())

    def next_frame(self, cache: FrameCache | None = None) -> tuple[bytes, list[Message]]:
        """Encode the next due frame (runs take turns) and mark it in flight; plus its events.
        ``cache``: pictures shared with the worker's other pages (``frame_cache.py``)."""
        runs = list(self.runs.values())
        due = [r for r in runs if self._due(r)]
        self._turn += 1
        if (
            self.sweep is not None
            and self.sweep.due(self.view.speed)
            and (not due or self._turn % 2 == 0)
        ):
            self.seq += 1
            return self.sweep.frame(self.seq), []
        due = due or runs
        run = due[self._turn % len(due)]
        self.seq += 1
        send_points = run.sent_data_version != run.data_version
        state = FrameState(self.seq, run.data_version, send_points, run.playing, run.id,
                           None if run.seek is None else run.seek.step_count)  # fmt: skip
        shown = run.seek or run.trainer
        start = time.thread_time()  # CPU, not wall: a busy worker must not inflate it
        frame, bad = build_frame(shown, self.view, state, cache)
        self.frame_seconds = time.thread_time() - start
        run.sent_data_version = run.data_version
        run.in_flight = self.seq
        run.dirty = False
        run.since_frame = 0
        events: list[Message] = []
        if bad and run.seek is None and run.trainer.diverged is None:
            # finite float64 weights whose picture overflows float32: as good as diverged
            run.trainer.declare_diverged("the network's outputs overflowed")
            events += [self._diverge(run), self.timeline_message(run)]
        return frame, events
