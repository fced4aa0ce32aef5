"""Give freed heap memory back to the operating system when a worker goes idle.

A closed WebSocket connection (its compressor, buffers, tasks) sits in reference cycles
that only Python's full collection frees, and glibc then keeps the freed blocks in its
arenas: without help a worker's resident size stays at its high-water mark after a class
leaves, although nothing is leaked. When the last session closes, a full ``gc.collect()``
and ``malloc_trim(0)`` return those pages (the trim is a no-op on other C libraries).
This runs only when the worker has no session left, so its few milliseconds stall nobody.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import cache
from typing import Any


@cache
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters
MMAP_THRESHOLD_MAX = 32 << 20  # glibc's largest allowed on 64-bit systems


def keep_freed_memory(mib: int) -> bool:
    """Let the C heap keep up to ``mib`` MiB freed for reuse (glibc; False elsewhere or 0).

    A frame's grids are a dozen arrays of 300 KB and more. With glibc's defaults each such
    allocation is a fresh ``mmap`` (or the heap's top is trimmed after every frame), so
    every frame pays page faults to zero new pages: the reference network's render took
    3.4 ms that way and 1.9 ms from reused memory (medians, ``benchmarks/frames.py``,
    2026-12-03; figures in docs/deploy.md).
    ``release_free_memory`` still trims the heap when a worker's last session leaves.
    """
    libc = _libc()
    if mib <= 0 or libc is None or not hasattr(libc, "mallopt"):
        return False
    keep = mib << 20
    ok = libc.mallopt(M_MMAP_THRESHOLD, min(keep, MMAP_THRESHOLD_MAX))
    return bool(ok and libc.mallopt(M_TRIM_THRESHOLD, keep))


def release_free_memory() -> bool:
    """Collect garbage and trim the C heap; True if the C library could be trimmed (glibc)."""
    gc.collect()
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True
