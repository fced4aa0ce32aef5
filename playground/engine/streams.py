"""A run's random streams, named once: the Trainer and the stacked trainer both use these.

A run's seed gives independent streams (``numpy.random.Generator`` from
``default_rng([seed, k])``): data (k = 0), first weights (k = 1) and training (k = 2: batch
order, weights of neurons added later) and dropout masks (k = 3, so turning dropout on
never changes the batch order). Stacked training (``stack.py``)
keeps one set per run and must draw exactly what a lone ``Trainer`` draws, in the same
order; routing both through these helpers keeps them in step when a stream changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

DATA_STREAM = 0
INIT_STREAM = 1
TRAIN_STREAM = 2
DROPOUT_STREAM = 3
#: the ``RunState`` fields that hold a run's live generators; a stack carries each of them
#: per run and hands them back (a stream added to ``RunState`` is added here too)
RUN_STREAMS: tuple[str, ...] = ("rng", "dropout_rng")


def stream(seed: int, which: int) -> np.random.Generator:
    """The generator of stream ``which`` (``DATA_STREAM`` ...) of a run seeded ``seed``."""
    return np.random.default_rng([seed, which])


def dropout_stream(state: Any) -> np.random.Generator:
    """The generator a run's dropout masks come from (its own stream, ``DROPOUT_STREAM``)."""
    return state.dropout_rng


def dropout_masks(
    rng: np.random.Generator, rows: int, widths: Sequence[int], rates: Sequence[float]
) -> list[np.ndarray | None]:
    """Inverted-dropout masks for ``rows`` examples: one per hidden layer, None where the
    rate is 0 (nothing is drawn for it). Kept units are scaled by ``1 / (1 - rate)``."""
    masks: list[np.ndarray | None] = []
    for p, width in zip(rates, widths, strict=True):
        if p > 0:
            keep = rng.random((rows, width)) >= p
            masks.append(keep / (1.0 - p))
        else:
            masks.append(None)
    return masks
