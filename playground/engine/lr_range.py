"""The learning-rate range test (Smith, 2015/2017, "Cyclical Learning Rates"; the "LR finder").

On a fork of the run (the run itself is untouched) the learning rate rises exponentially
from ``start`` to ``stop`` over ``steps`` mini-batch steps. After each step the training
loss (the data loss on the whole training set: smoother than one batch's on small data)
is recorded and smoothed with a bias-corrected exponential moving average. The test stops
early when the smoothed loss exceeds ``EXPLODE`` times its minimum, or training diverges.
The suggested rate is where the smoothed loss falls fastest against log(learning rate),
before its minimum (the steepest descent of the curve).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

MIN_LR, MAX_LR = 1e-7, 100.0
MIN_STEPS, MAX_STEPS = 10, 1000
SMOOTHING = 0.8  # EMA factor of the smoothed loss
EXPLODE = 4.0  # stop when the smoothed loss passes this multiple of its minimum


@dataclass(frozen=True)
class RangeTest:
    """Learning rates tried, raw and smoothed losses, and the suggested rate."""

    learning_rates: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggested: float | None  # None when the loss never fell
    stopped: str  # "done", "exploded", "diverged" or "seconds" (the time budget ran out)


def check_options(start: Any, stop: Any, steps: Any) -> None:
    """ValueError naming the field for an invalid range-test option."""
    for name, v in (("start", start), ("stop", stop)):
        if isinstance(v, bool) or not isinstance(v, int | float) or not MIN_LR <= v <= MAX_LR:
            raise ValueError(f"{name} must be a number in {MIN_LR:g}..{MAX_LR:g}, got {v!r}")
    if not start < stop:
        raise ValueError(f"stop must be greater than start ({start:g}), got {stop!r}")
    if isinstance(steps, bool) or not isinstance(steps, int) or not MIN_STEPS <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be an integer in {MIN_STEPS}..{MAX_STEPS}, got {steps!r}")


def suggestion(lrs: np.ndarray, smoothed: np.ndarray) -> float | None:
    """The rate of steepest descent of ``smoothed`` against log(lr), before its minimum."""
    low = int(np.argmin(smoothed))
    if low < 2 or not smoothed[low] < smoothed[0]:
        return None
    slope = np.gradient(smoothed[: low + 1], np.log(lrs[: low + 1]))
    return float(lrs[int(np.argmin(slope))])


def range_test(
    fork: Any, start: float, stop: float, steps: int, seconds: float | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> RangeTest:  # fmt: skip
    """Run the test on ``fork`` (a trainer this function may change at will).

    With ``seconds`` the test also stops (``stopped: "seconds"``) when the budget is spent.
    """
    check_options(start, stop, steps)
    began = clock()
    lrs = start * (stop / start) ** (np.arange(steps) / (steps - 1))
    net = fork.network
    F, T = fork.train_features, net.loss_fn.targets(fork.data.y_train)
    losses: list[float] = []
    smoothed: list[float] = []
    avg = 0.0
    best = math.inf
    stopped = "done"
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for i, lr in enumerate(lrs):
            if seconds is not None and i and clock() - began > seconds:
                stopped = "seconds"
                break
            if fork.step(1, learning_rate=float(lr)) != 1:
                stopped = "diverged"
                break
            loss = net.loss_fn.value(net.forward(F)[0], T)
            if not math.isfinite(loss):
                stopped = "diverged"
                break
            avg = SMOOTHING * avg + (1 - SMOOTHING) * loss
            s = avg / (1 - SMOOTHING ** (i + 1))
            losses.append(loss)
            smoothed.append(s)
            best = min(best, s)
            if s > EXPLODE * best:
                stopped = "exploded"
                break
    n = len(losses)
    sm = np.array(smoothed)
    return RangeTest(lrs[:n], np.array(losses), sm, suggestion(lrs[:n], sm) if n else None,
                     stopped)  # fmt: skip
