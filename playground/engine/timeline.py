"""A run's timeline: the commands that changed it and checkpoints of its state.

A run is a pure function of its config, seed and commands, so its past can be rebuilt:
``Timeline`` logs every command with the step it happened at and keeps a ``RunState``
checkpoint every ``every`` steps. Rewinding to step k loads the newest checkpoint at or
before k and replays (steps, then the logged commands in their order) up to k.

Checkpoints are bounded in memory (``max_bytes`` per run): when the bound is passed, every
other checkpoint of the older half is dropped, so recent history stays dense and old
history thins geometrically while every step stays reachable (by a longer replay).

Within one timeline steps only grow. A reset, a data change or a restore starts a new
timeline (its first step is where it starts); earlier events are kept for display only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from playground.engine.state import RunState

CHECKPOINT_EVERY = 100  # steps between checkpoints
CHECKPOINT_BYTES = 2 * 1024 * 1024  # per run
MAX_EVENTS = 500  # display events kept per run
REPLAYABLE = ("live", "architecture", "weight")


@dataclass(frozen=True)
class Event:
    """One entry of the timeline. ``payload`` re-applies it (None: display only)."""

    step: int
    epoch: int
    kind: str
    detail: str
    payload: Any = None

    def public(self) -> dict[str, Any]:
        """The JSON shape of ``trainer.timeline``: step, epoch, kind, detail."""
        return {"step": self.step, "epoch": self.epoch, "kind": self.kind, "detail": self.detail}


@dataclass(frozen=True)
class Checkpoint:
    """A copy of the run at ``state.step``, taken after ``n_events`` events were logged."""

    state: RunState  # history lists shared with the run (see RunState.copy)
    history_len: int
    n_events: int
    array_bytes: int  # ``state.nbytes()``, measured once: ``Timeline.nbytes`` sums them


@dataclass
class Timeline:
    """Events and checkpoints of one run (see the module docstring)."""

    every: int = CHECKPOINT_EVERY
    max_bytes: int = CHECKPOINT_BYTES
    first_step: int = 0
    events: list[Event] = field(default_factory=list)
    checkpoints: list[Checkpoint] = field(default_factory=list)
    earlier: list[Event] = field(default_factory=list)  # before ``first_step``: display only

    def __post_init__(self) -> None:
        if isinstance(self.every, bool) or not isinstance(self.every, int) or self.every < 1:
            raise ValueError(f"checkpoint_every must be a positive integer, got {self.every!r}")
        if isinstance(self.max_bytes, bool) or not isinstance(self.max_bytes, int):
            raise ValueError("checkpoint_bytes must be an integer")
        if self.max_bytes < 0:
            raise ValueError("checkpoint_bytes must be >= 0")

    def copy(self) -> Timeline:
        """A timeline sharing this one's (immutable) events and checkpoints."""
        return Timeline(
            self.every, self.max_bytes, self.first_step, list(self.events),
            list(self.checkpoints), list(self.earlier),
        )  # fmt: skip

    def restart(self, state: RunState, kind: str, detail: str) -> None:
        """Begin a new timeline at ``state`` (reset, data change, restore)."""
        self.earlier = (self.earlier + self.events)[-MAX_EVENTS:]
        self.events = []
        self.checkpoints = []
        self.first_step = state.step
        self.log(state, kind, detail)
        self.checkpoint(state)

    def log(self, state: RunState, kind: str, detail: str, payload: Any = None) -> None:
        """Record an event at the run's current step."""
        self.events.append(Event(state.step, state.epoch, kind, detail, payload))

    def checkpoint(self, state: RunState) -> None:
        """Keep a copy of ``state`` (replacing one at the same step), then keep the bound."""
        lengths = {len(v) for v in state.history.values()}
        kept = state.copy(share_history=True)
        ckpt = Checkpoint(kept, lengths.pop(), len(self.events), kept.nbytes())
        if self.checkpoints and self.checkpoints[-1].state.step == state.step:
            self.checkpoints[-1] = ckpt
        else:
            self.checkpoints.append(ckpt)
        self._thin()

    def due(self, step: int) -> bool:
        """True when a checkpoint should be taken at ``step``."""
        return step % self.every == 0 and (
            not self.checkpoints or self.checkpoints[-1].state.step != step
        )

    def nbytes(self) -> int:
        """Bytes held by the checkpoints (shared history lists counted once)."""
        total = 0
        seen: set[int] = set()
        for c in self.checkpoints:
            total += c.array_bytes
            for values in c.state.history.values():
                if id(values) not in seen:
                    seen.add(id(values))
                    total += 8 * len(values) + 56
        return total

    def _thin(self) -> None:
        while len(self.checkpoints) > 2 and self.nbytes() > self.max_bytes:
            old = len(self.checkpoints) // 2
            # keep the first checkpoint and every other one of the older half
            kept = [c for i, c in enumerate(self.checkpoints[:old]) if i % 2 == 0]
            if len(kept) == old:  # nothing to drop in the older half: drop the oldest but one
                self.checkpoints = self.checkpoints[:1] + self.checkpoints[2:]
            else:
                self.checkpoints = kept + self.checkpoints[old:]

    def base_for(self, step: int) -> Checkpoint:
        """The newest checkpoint at or before ``step``."""
        best = None
        for c in self.checkpoints:
            if c.state.step <= step:
                best = c
            else:
                break
        if best is None:
            raise ValueError(f"step {step} is before the timeline's first step {self.first_step}")
        return best

    def truncate(self, step: int, n_events: int) -> None:
        """Forget the future: events after index ``n_events`` and checkpoints past ``step``."""
        self.events = self.events[:n_events]
        self.checkpoints = [c for c in self.checkpoints if c.state.step <= step]

    def public(self) -> list[dict[str, Any]]:
        """Every event, oldest first, as ``{"step", "epoch", "kind", "detail"}``."""
        return [e.public() for e in (*self.earlier, *self.events)]
