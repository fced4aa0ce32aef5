"""How the page's network diagram thins its links (issue 10): the one home of that rule.

Past about 16 neurons in a hidden layer, every link drawn at full strength turns the
diagram into a solid mass of colour. The page then hides links whose |weight| is below a
threshold and draws the faint ones it keeps thinner. The threshold is a control beside
the diagram; its choices and its automatic value come from here through
``GET /api/options`` (key ``diagram``), so the page never re-derives the rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

DENSE_NEURONS = 16
"""A hidden layer at least this wide makes the diagram dense."""

AUTO_DENSE = 0.2
"""Automatic threshold on |w| for a dense diagram: Xavier-initialized layers of 16+
neurons have |w| of about 0.2 or less, so at the start most links hide and the ones
training makes strong stand out."""

AUTO_SPARSE = 0.0
"""Automatic threshold on |w| otherwise: every link is drawn."""

CHOICES = (0.0, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
"""The thresholds the control offers, besides "auto"."""


def auto_link_threshold(layer_sizes: Sequence[int]) -> float:
    """The automatic |w| threshold for a network of `layer_sizes` (inputs, hidden..., out)."""
    hidden = list(layer_sizes)[1:-1]
    return AUTO_DENSE if hidden and max(hidden) >= DENSE_NEURONS else AUTO_SPARSE


def diagram_options() -> dict[str, Any]:
    """The link-threshold rule as data for the page (``/api/options`` key ``diagram``)."""
    return {
        "link_threshold": {
            "default": "auto",
            "choices": list(CHOICES),
            "auto": {"dense_neurons": DENSE_NEURONS, "dense": AUTO_DENSE, "sparse": AUTO_SPARSE},
            "description": (
                "Hide links whose |weight| is below this value; 'auto' hides those below "
                f"{AUTO_DENSE} once a hidden layer has {DENSE_NEURONS} or more neurons "
                "and draws the faint links kept thinner."
            ),
        }
    }
