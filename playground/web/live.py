"""The live session state machine: one per WebSocket connection, no I/O.

``LiveSession`` applies validated commands and returns the JSON messages to send back;
``work`` runs a bounded slice of training; ``next_frame`` encodes a frame. The socket
loop (``connection.py``) decides *when* to call them. Pacing state::

    playing      train `speed` steps per frame until pause, divergence or stop_epoch
    pending      steps left of a `step` command (one frame when they are done)
    dirty        something visible changed: send a frame as soon as allowed
    in_flight    seq of the frame sent but not yet acknowledged (at most one)

While a frame is in flight the session may train the next frame's steps (one frame
ahead, never more), so a slow page gets fewer frames and nothing queues up.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from playground.config import MAX_SEED, ConfigError, RunConfig, parse_config
from playground.engine.trainer import Trainer
from playground.web.frame_builder import FrameState, build_frame
from playground.web.protocol import VIEW_FIELDS, Command, ProtocolError, View

SNAPSHOT_FORMAT = "nn-playground.session/1"
Message = dict[str, Any]


def _event(name: str, message: str, step: int, **extra: Any) -> Message:
    return {"type": "event", "event": name, "message": message, "step": step, **extra}


class LiveSession:
    """A training run plus its view and pacing state; see the module docstring."""

    def __init__(self, session_id: str, config: RunConfig | None = None) -> None:
        self.id = session_id
        self.trainer = Trainer(config or RunConfig())
        self.view = View()
        self.playing = False
        self.pending = 0
        self.since_frame = 0  # steps trained toward the next frame while playing
        self.dirty = True  # the first frame follows `hello`
        self.seq = 0
        self.in_flight: int | None = None
        self.data_version = 1
        self._sent_data_version = 0
        self._reported_divergence = False
        self._step_seconds = 1e-3  # running estimate of one step's cost, for chunking

    def __repr__(self) -> str:
        state = "playing" if self.playing else "paused"
        return f"LiveSession({self.id!r}, {state}, seq={self.seq}, {self.trainer!r})"

    # Messages ------------------------------------------------------------------------
    def config_message(self, change: str) -> Message:
        """The ``config`` message: the accepted config, what kind of change it was, the view."""
        return {
            "type": "config",
            "config": self.trainer.config.model_dump(mode="json"),
            "change": change,
            "view": self.view.model_dump(),
        }

    def snapshot(self) -> Message:
        """Everything needed to continue this session elsewhere, bit-for-bit."""
        return {
            "format": SNAPSHOT_FORMAT,
            "trainer": self.trainer.snapshot(),
            "view": self.view.model_dump(),
        }

    # Commands ------------------------------------------------------------------------
    def handle(self, command: Command) -> list[Message]:
        """Apply one command; returns the messages to send. A rejected command changes nothing."""
        handler: Callable[[dict[str, Any]], list[Message]] = getattr(self, f"_on_{command.type}")
        try:
            return handler(command.args)
        except ProtocolError as e:
            e.request = command.type
            return [e.to_message()]
        except ConfigError as e:
            return [ProtocolError(e.message, e.field, command.type).to_message()]

    def _apply_config(self, config: RunConfig, view: View | None = None) -> list[Message]:
        try:
            change = self.trainer.reconfigure(config)
        except ConfigError:
            raise
        except ValueError as e:
            raise ProtocolError(str(e)) from None
        if view is not None:
            self.view = view
        if change == "data":
            self.data_version += 1
        if change in ("data", "architecture"):
            self._step_seconds = 1e-3
        if self.trainer.diverged is None:
            self._reported_divergence = False
        self.dirty = True
        return [self.config_message(change)]

    def _on_configure(self, args: dict[str, Any]) -> list[Message]:
        return self._apply_config(parse_config(args["config"]))

    def _on_set(self, args: dict[str, Any]) -> list[Message]:
        changes: dict[str, Any] = args["changes"]
        view_changes = {k: v for k, v in changes.items() if k in VIEW_FIELDS}
        run_changes = {k: v for k, v in changes.items() if k not in VIEW_FIELDS}
        view = self.view.updated(view_changes) if view_changes else self.view
        if run_changes:
            return self._apply_config(self.trainer.config.updated(**run_changes), view)
        self.view = view
        self.dirty = True
        return [self.config_message("none")]

    def _on_play(self, args: dict[str, Any]) -> list[Message]:
        step = self.trainer.step_count
        if self.trainer.diverged is not None:
            return [self._divergence_event()]
        if self._reached_stop():
            return [_event("done", f"Reached the stop epoch {self.view.stop_epoch}.", step)]
        self.playing = True
        self.pending = 0
        return [_event("playing", "Training.", step)]

    def _on_pause(self, args: dict[str, Any]) -> list[Message]:
        self.playing = False
        self.pending = 0  # also interrupts a long `step`
        self.dirty = True
        return [_event("paused", "Paused.", self.trainer.step_count)]

    def _halt(self) -> list[Message]:
        """Stop playing and drop owed steps; a ``paused`` event if it was playing."""
        was_playing = self.playing
        self.playing = False
        self.pending = 0
        self.dirty = True
        return [_event("paused", "Paused.", self.trainer.step_count)] if was_playing else []

    def _on_step(self, args: dict[str, Any]) -> list[Message]:
        out = self._halt()
        if self.trainer.diverged is not None:
            return [*out, self._divergence_event()]
        self.pending = args["n"]
        return out

    def _on_reset(self, args: dict[str, Any]) -> list[Message]:
        self.trainer.reset()
        self._reported_divergence = False
        out = self._halt()
        return [*out, _event("reset", "New weights, same data.", self.trainer.step_count)]

    def _on_regenerate(self, args: dict[str, Any]) -> list[Message]:
        config = self.trainer.config
        seed = config.seed + 1 if config.seed < MAX_SEED else 0
        messages = self._apply_config(config.updated(seed=seed))
        return [*self._halt(), *messages]

    def _on_set_weight(self, args: dict[str, Any]) -> list[Message]:
        try:
            a = args
            self.trainer.set_weight(a["layer"], a["kind"], a["i"], a["j"], a["value"])
        except ValueError as e:
            text = str(e)
            name = text.split(" ", 1)[0] if text.split(" ", 1)[0] in args else None
            raise ProtocolError(text, name) from None
        self.dirty = True
        return []

    def _on_snapshot(self, args: dict[str, Any]) -> list[Message]:
        return [{"type": "snapshot", "snapshot": self.snapshot()}]

    def _on_restore(self, args: dict[str, Any]) -> list[Message]:
        snap = args["snapshot"]
        if snap.get("format") != SNAPSHOT_FORMAT:
            raise ProtocolError(f"snapshot.format must be {SNAPSHOT_FORMAT!r}", "snapshot")
        view_data = snap.get("view", {})
        if not isinstance(view_data, dict):
            raise ProtocolError("snapshot.view must be a JSON object", "snapshot")
        try:
            view = View().updated(view_data)
        except ProtocolError as e:
            raise ProtocolError(f"snapshot.view: {e.message}", "snapshot") from None
        try:
            trainer = Trainer.restore(snap.get("trainer"))
        except ValueError as e:
            raise ProtocolError(f"invalid snapshot: {e}", "snapshot") from None
        self.trainer, self.view = trainer, view
        out = self._halt()
        self.data_version += 1
        self._step_seconds = 1e-3
        self._reported_divergence = trainer.diverged is not None
        return [*out, self.config_message("restore")]

    def _on_ack(self, args: dict[str, Any]) -> list[Message]:
        seq = args["seq"]
        if seq > self.seq:
            raise ProtocolError(f"seq {seq} was never sent (last frame is {self.seq})", "seq")
        if self.in_flight is not None and seq >= self.in_flight:
            self.in_flight = None
        return []

    # Training ------------------------------------------------------------------------
    def _target(self) -> int:
        """Steps to run before the next frame: 0 when there is no training work."""
        if self.pending:
            return self.pending
        if self.playing and self.since_frame < self.view.speed:
            return self.view.speed - self.since_frame
        return 0

    def has_work(self) -> bool:
        """True while training steps are owed (a `step` command, or the next frame's steps)."""
        return self._target() > 0

    def _reached_stop(self) -> bool:
        return 0 < self.view.stop_epoch <= self.trainer.epoch

    def work(self, budget: float, clock: Callable[[], float] = time.perf_counter) -> list[Message]:
        """Train for about ``budget`` seconds (at least one step); returns events to send.

        Steps run in chunks sized from a running estimate of one step's cost, so a chunk
        never runs much past the budget and the event loop stays responsive.
        """
        start = clock()
        while (target := self._target()) > 0:
            n = max(1, min(target, int(budget / self._step_seconds)))
            if self.view.stop_epoch and self.playing:
                n = 1  # stop exactly at the epoch boundary
            t0 = clock()
            ran = self.trainer.step(n)
            if ran:
                per_step = (clock() - t0) / ran
                self._step_seconds = max(1e-6, 0.7 * self._step_seconds + 0.3 * per_step)
            if self.pending:
                self.pending -= ran
                if not self.pending:
                    self.dirty = True
            else:
                self.since_frame += ran
            if self.trainer.diverged is not None:
                return [self._diverge()]
            if self.playing and self._reached_stop():
                self.playing = False
                self.dirty = True
                epoch = self.view.stop_epoch
                return [_event("done", f"Reached the stop epoch {epoch}.", self.trainer.step_count)]
            if clock() - start >= budget:
                break
        return []

    def _divergence_event(self) -> Message:
        info = self.trainer.diverged or {"step": self.trainer.step_count, "reason": "diverged"}
        return _event("diverged", info["reason"], info["step"], reason=info["reason"])

    def _diverge(self) -> Message:
        self.playing = False
        self.pending = 0
        self.dirty = True
        self._reported_divergence = True
        return self._divergence_event()

    # Frames --------------------------------------------------------------------------
    def frame_due(self) -> bool:
        """True when a frame should go out as soon as pacing allows."""
        if self.in_flight is not None or self.pending:
            return False
        return self.dirty or (self.playing and self.since_frame >= self.view.speed)

    def next_frame(self) -> tuple[bytes, list[Message]]:
        """Encode the next frame and mark it in flight; also returns events it caused."""
        self.seq += 1
        send_points = self._sent_data_version != self.data_version
        state = FrameState(self.seq, self.data_version, send_points, self.playing)
        frame, bad = build_frame(self.trainer, self.view, state)
        self._sent_data_version = self.data_version
        self.in_flight = self.seq
        self.dirty = False
        self.since_frame = 0
        events: list[Message] = []
        if bad and self.trainer.diverged is None:
            # finite float64 weights whose picture overflows float32: as good as diverged
            step = self.trainer.step_count
            self.trainer.diverged = {
                "step": step,
                "reason": f"Training diverged at step {step}: the network's outputs overflowed; "
                "lower the learning rate or reset.",
            }
            events.append(self._diverge())
        return frame, events
