"""Frames' pictures shared by content: identical weights are drawn once per worker.

A frame's grids and weights (everything but the data points and open insight views)
depend only on the network's structure and parameters and on the view's two grid
resolutions. Pages that play one lesson from its start (``engine.memo``) reach the same
weights at the same steps, so a worker keys those arrays by exactly that content (the
parameters' bytes, not a hash of them), renders and lays them out once
(``frames.SharedPayload``), and deflates them once for the wire (``deflate.py``).
Everything else of a frame (its header: sequence number, run, flags, metrics) is still
each page's own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from playground.engine.trainer import Trainer
from playground.web.frames import SharedPayload
from playground.web.protocol import View

Pictures = tuple[SharedPayload, bool]  # (laid out, whether any value was non-finite)


def content_key(trainer: Trainer, view: View) -> Hashable:
    """Everything a frame's pictures and weights depend on."""
    net = trainer.network
    masks = tuple(None if m is None else m.tobytes() for m in net.unit_masks)
    return (
        tuple(trainer.spec.features),
        tuple(net.layer_sizes),
        tuple(a.name for a in net.activations),
        repr(net.loss_fn),  # its kind, name and problem: the output and its range
        masks,
        net.flat.tobytes(),
        view.resolution,
        view.neuron_resolution,
    )


class FrameCache:
    """Laid-out pictures by ``content_key``, least recently used out first, within
    ``max_bytes`` (0 keeps nothing), for the trainers ``shares`` names. Thread-safe;
    entries are read-only once stored."""

    def __init__(self, max_bytes: int, shares: Callable[[Trainer], bool]) -> None:
        self.max_bytes = max(0, int(max_bytes))
        self._shares = shares
        self.hits = 0
        self._entries: OrderedDict[Hashable, tuple[Pictures, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def wants(self, trainer: Trainer) -> bool:
        """Whether ``trainer``'s frames are worth keeping: the cache is on and another page
        may draw the same (``shares``, e.g. ``RunMemo.shared``)."""
        return self.max_bytes > 0 and self._shares(trainer)

    def get(self, key: Hashable) -> Pictures | None:
        """The arrays stored under ``key``, or None."""
        with self._lock:
            hit = self._entries.get(key)
            if hit is None:
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return hit[0]

    def put(self, key: Hashable, value: Pictures) -> None:
        """Store ``value`` (read-only from now on)."""
        # the payload, its deflated form (about two thirds of it) and the key
        nbytes = 2 * len(value[0].data) + 4096
        with self._lock:
            if key in self._entries or nbytes > self.max_bytes:
                return
            self._entries[key] = (value, nbytes)
            self._bytes += nbytes
            while self._bytes > self.max_bytes:
                _, (_, old) = self._entries.popitem(last=False)
                self._bytes -= old

    def clear(self) -> None:
        """Forget every entry (the worker's last page left)."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0
