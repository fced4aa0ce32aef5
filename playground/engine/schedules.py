"""Learning-rate schedules: the rate to use after a given number of completed steps.

A schedule is a pure function of the step count, not an object with state, so a run
restored from a saved step (or a shared link) gets exactly the same rates as one that
was never interrupted.
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from playground.engine.registry import lookup


@dataclass(frozen=True)
class Schedule:
    """One named schedule; ``fn(base_lr, step, decay_rate, decay_steps)`` gives the rate.

    ``uses`` names the config fields ``fn`` reads besides the base rate, so the page shows
    only those (cosine ignores ``decay_rate``).
    """

    name: str
    description: str
    fn: Callable[[float, int, float, int], float]
    uses: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"Schedule({self.name!r})"


def _constant(base_lr: float, step: int, decay_rate: float, decay_steps: int) -> float:
    return base_lr


def _step(base_lr: float, step: int, decay_rate: float, decay_steps: int) -> float:
    return base_lr * decay_rate ** (step // decay_steps)


def _exponential(base_lr: float, step: int, decay_rate: float, decay_steps: int) -> float:
    return base_lr * decay_rate ** (step / decay_steps)


def _cosine(base_lr: float, step: int, decay_rate: float, decay_steps: int) -> float:
    return base_lr * 0.5 * (1.0 + math.cos(math.pi * min(step, decay_steps) / decay_steps))


SCHEDULES: dict[str, Schedule] = {
    s.name: s
    for s in (
        Schedule("constant", "The same rate on every step.", _constant),
        Schedule(
            "step",
            "Multiply the rate by decay_rate once every decay_steps steps (a staircase).",
            _step,
            ("decay_rate", "decay_steps"),
        ),
        Schedule(
            "exponential",
            "Smooth decay: the rate shrinks by decay_rate over every decay_steps steps.",
            _exponential,
            ("decay_rate", "decay_steps"),
        ),
        Schedule(
            "cosine",
            "Half a cosine from the base rate down to zero at decay_steps, then zero.",
            _cosine,
            ("decay_steps",),
        ),
    )
}


def _as_float(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number, got {value!r}")
    return float(value)


def _as_int(name: str, value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    try:
        return operator.index(value)
    except TypeError:
        raise ValueError(f"{name} must be an integer, got {value!r}") from None


def learning_rate_at(
    name: str, base_lr: float, step: int, decay_rate: float, decay_steps: int
) -> float:
    """Learning rate for schedule ``name`` after ``step`` completed steps (0 at the start).

    All arguments are validated for every schedule, even those that ignore some of them,
    so a bad configuration fails at once rather than when the schedule is switched.
    """
    schedule = lookup(SCHEDULES, "schedule", name)
    base_lr = _as_float("base_lr", base_lr)
    if not (base_lr > 0 and math.isfinite(base_lr)):
        raise ValueError(f"base_lr must be a finite number > 0, got {base_lr!r}")
    step = _as_int("step", step)
    if step < 0:
        raise ValueError(f"step must be >= 0, got {step}")
    decay_rate = _as_float("decay_rate", decay_rate)
    if not 0 < decay_rate <= 1:
        raise ValueError(f"decay_rate must be in (0, 1], got {decay_rate!r}")
    decay_steps = _as_int("decay_steps", decay_steps)
    if decay_steps < 1:
        raise ValueError(f"decay_steps must be >= 1, got {decay_steps}")
    return float(schedule.fn(base_lr, step, decay_rate, decay_steps))
