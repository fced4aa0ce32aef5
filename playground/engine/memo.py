"""Shared trajectories: pages that play one config from its start walk one path.

Runs are pure functions of config, seed and commands. A run is *fresh* while its
timeline is a single fresh start (``Trainer(config)`` exactly: started, reset, or
restarted from the config by a change before it trained) and nothing but training has
happened to it since; its state at step ``s`` is then a function of ``(config, s)`` alone.

In a class, many pages open one lesson (one config, one seed) and press play within
seconds of each other. ``RunMemo`` keeps copies of the states that the first of them
reached, and a page that comes to the same config and step later continues from a copy
(``Trainer.continue_from``) instead of training the same steps again. Each run still
ends up bit for bit where it would have trained alone: parameters, optimizer, random
streams, history, checkpoints (a jump never skips a checkpoint step: it stops there).
Anything else (an edit, a rewind, a fork, a restore, neuron surgery, divergence) takes a
run off the shared path for good, and it trains by itself or in a stack as before.
"""

from __future__ import annotations

import json
import threading
import time
from bisect import bisect_right, insort
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from playground.engine.state import RunState
from playground.engine.trainer import Trainer

#: Timeline restarts that draw the whole run from its config (``Trainer.reconfigure``
#: before training, ``reset``): the state is then exactly ``Trainer(config)``'s.
FRESH_KINDS = frozenset({"start", "reset", "data", "init", "architecture", "live"})
#: Seconds a run counts as walking its path after it was last seen there (a page is seen
#: with every frame it gets, playing or not: a class opens a lesson, reads, then plays).
#: States are kept only for paths that two or more runs walk: a lone page's would help
#: nobody, and a class of distinct runs (a seed each) would fill the memo for nothing.
WALKER_SECONDS = 120.0
MAX_PATHS = 1024  # paths whose walkers are remembered (stale ones go first)


def lineage(trainer: Trainer) -> Hashable | None:
    """The key of ``trainer``'s shared path while it is on it (fresh and only trained);
    None once anything else happened to it."""
    recorder = trainer.recorder
    events = recorder.events
    if recorder.first_step != 0 or len(events) != 1:
        return None
    first = events[0]
    if first.step != 0 or first.kind not in FRESH_KINDS or first.payload is not None:
        return None
    if trainer.diverged is not None or trainer.state.neurons is not None:
        return None
    return (_config_key(trainer.config), recorder.every, recorder.max_bytes)


def _footprint(state: RunState) -> int:
    """Bytes a kept state holds: its arrays and its history and health lists (a slot per
    epoch each; the values themselves are shared with the run and the other states)."""
    lists = [*state.history.values(), *state.health.values()]
    return state.nbytes() + sum(56 + 8 * len(values) for values in lists)


def _config_key(config: Any) -> str:
    dump = getattr(config, "model_dump_json", None)
    if dump is not None:
        return str(dump())
    return json.dumps(config, sort_keys=True, default=repr)


@dataclass
class _Entry:
    state: RunState  # owned by the memo: handed out as copies only
    metrics: dict[str, float | None] | None
    nbytes: int


@dataclass
class MemoStats:
    """What the memo saved (``steps`` is ``/api/health``'s ``memo_steps``)."""

    jumps: int = 0  # hand-overs from the memo
    steps: int = 0  # training steps not computed thanks to them
    evicted: int = 0  # states dropped to stay within the bytes


class RunMemo:
    """States of fresh runs by ``(lineage, step)``, least recently used out first,
    within ``max_bytes`` (0 keeps nothing), for paths that two or more runs walk
    (``shared``). Thread-safe."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max(0, int(max_bytes))
        self.stats = MemoStats()
        self._entries: OrderedDict[tuple[Hashable, int], _Entry] = OrderedDict()
        self._steps: dict[Hashable, list[int]] = {}
        self._walkers: dict[Hashable, dict[int, float]] = {}  # path -> run -> last seen
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def nbytes(self) -> int:
        """Bytes the kept states hold (approximately: arrays and history lists)."""
        return self._bytes

    def shared(self, trainer: Trainer) -> bool:
        """True while ``trainer`` walks a path that another run walked within the last
        ``WALKER_SECONDS`` (this call counts ``trainer`` as seen there now)."""
        key = lineage(trainer) if self.max_bytes else None
        return key is not None and self._seen(key, trainer)

    def _seen(self, key: Hashable, trainer: Trainer) -> bool:
        now = time.monotonic()
        with self._lock:
            walkers = self._walkers.setdefault(key, {})
            walkers[id(trainer)] = now
            if len(walkers) > 1:
                for run, seen in list(walkers.items()):
                    if now - seen > WALKER_SECONDS:
                        del walkers[run]
            if len(self._walkers) > MAX_PATHS:
                for path, runs in list(self._walkers.items()):
                    if path != key and all(now - t > WALKER_SECONDS for t in runs.values()):
                        del self._walkers[path]
            return len(walkers) > 1

    def position(self, trainer: Trainer) -> tuple[Hashable, int] | None:
        """``(lineage, step)`` while ``trainer`` is on a shared path (and the memo keeps
        anything), else None: runs with equal positions are one run, twice."""
        key = lineage(trainer) if self.max_bytes else None
        return None if key is None else (key, trainer.step_count)

    def jump(self, trainer: Trainer, n: int) -> int:
        """Move ``trainer`` up to ``n`` steps ahead along its shared path, as far as kept
        states allow; returns the steps it moved (0 when nothing is kept for it).

        A jump never passes a checkpoint step (``recorder.every``): it stops there, so the
        trainer takes its checkpoint exactly as training would.
        """
        key = lineage(trainer) if self.max_bytes else None
        if key is None or n <= 0 or not self._seen(key, trainer):
            return 0
        every = trainer.recorder.every
        start = step = trainer.step_count
        end = step + n
        while step < end:
            limit = min(end, (step // every + 1) * every)
            with self._lock:
                steps = self._steps.get(key, [])
                i = bisect_right(steps, limit) - 1
                if i < 0 or steps[i] <= step:
                    break
                entry = self._entries[(key, steps[i])]
                self._entries.move_to_end((key, steps[i]))
                state = entry.state.copy()
            trainer.continue_from(state, "", entry.metrics)
            step = trainer.step_count
        moved = step - start
        if moved:
            self.stats.jumps += 1
            self.stats.steps += moved
        return moved

    def keep(self, trainer: Trainer, since: int) -> None:
        """Keep ``trainer``'s state now, and the checkpoint it took after step ``since``
        (so later pages can stop there), while it is on a shared path."""
        key = lineage(trainer) if self.max_bytes else None
        if key is None or trainer.step_count <= since or not self._seen(key, trainer):
            return
        for checkpoint in trainer.recorder.checkpoints[-2:]:
            step = checkpoint.state.step
            if since < step < trainer.step_count and (key, step) not in self._entries:
                state = checkpoint.state.copy(share_history=True)
                n = checkpoint.history_len
                state.history = {k: list(v[:n]) for k, v in checkpoint.state.history.items()}
                state.health = {k: list(v[:n]) for k, v in checkpoint.state.health.items()}
                self._put(key, state, None)
        if (key, trainer.step_count) not in self._entries:  # (a twin kept it already)
            self._put(key, trainer.state.copy(), trainer.known_metrics())

    def _put(self, key: Hashable, state: RunState, metrics: dict[str, Any] | None) -> None:
        nbytes = _footprint(state)
        with self._lock:
            if (key, state.step) in self._entries or nbytes > self.max_bytes:
                return
            self._entries[(key, state.step)] = _Entry(state, metrics, nbytes)
            insort(self._steps.setdefault(key, []), state.step)
            self._bytes += nbytes
            while self._bytes > self.max_bytes:
                (old_key, old_step), old = self._entries.popitem(last=False)
                self._bytes -= old.nbytes
                steps = self._steps[old_key]
                steps.remove(old_step)
                if not steps:
                    del self._steps[old_key]
                self.stats.evicted += 1

    def clear(self) -> None:
        """Forget every kept state (the worker's last page left)."""
        with self._lock:
            self._entries.clear()
            self._steps.clear()
            self._walkers.clear()
            self._bytes = 0
