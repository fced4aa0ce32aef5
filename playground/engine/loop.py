"""The one run loop: train until a count, a time budget, divergence or a pause.

The CLI, ``POST /api/train`` and the live session all train through ``run_loop`` and
report the same ``RunResult`` (``to_dict`` is the JSON they print or return).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

STOP_REASONS = ("epochs", "steps", "max_steps", "seconds", "diverged", "paused")


@dataclass(frozen=True)
class RunResult:
    """Why a run loop stopped, how far it got, and the run's metrics then."""

    stopped: str  # one of STOP_REASONS
    ran: int  # steps run by this call
    seconds: float
    metrics: dict[str, Any]
    history: dict[str, list[Any]]
    diverged: dict[str, Any] | None
    config: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape shared by ``train --json`` and ``POST /api/train``."""
        return {
            "stopped": self.stopped,
            "epochs": self.metrics["epoch"],
            "steps": self.metrics["step"],
            "seconds": round(self.seconds, 4),
            "metrics": self.metrics,
            "diverged": self.diverged,
            "history": {k: list(v) for k, v in self.history.items()},
            "config": self.config,
        }


def run_loop(
    trainer: Any,
    *,
    epochs: int | None = None,
    steps: int | None = None,
    max_steps: int | None = None,
    seconds: float | None = None,
    clock: Callable[[], float] = time.perf_counter,
    should_pause: Callable[[], bool] | None = None,
    on_progress: Callable[[Any], None] | None = None,
    chunk_steps: int = 64,
) -> RunResult:
    """Train ``trainer`` until the first of: epoch total ``epochs``, step total ``steps``,
    ``max_steps`` steps in this call, ``seconds`` elapsed, divergence, ``should_pause()``.

    Work goes in chunks (never past an epoch boundary when ``epochs`` is set, never past a
    step target) and the clock is read between chunks, so a budget overruns by at most
    one chunk. With no limit at all it runs one epoch.
    """
    start = clock()
    ran = 0
    if epochs is None and steps is None and max_steps is None and seconds is None:
        epochs = trainer.epoch + 1
    stopped = ""
    while not stopped:
        if trainer.diverged is not None:
            stopped = "diverged"
        elif epochs is not None and trainer.epoch >= epochs:
            stopped = "epochs"
        elif steps is not None and trainer.step_count >= steps:
            stopped = "steps"
        elif max_steps is not None and ran >= max_steps:
            stopped = "max_steps"
        elif seconds is not None and ran and clock() - start >= seconds:
            stopped = "seconds"
        elif should_pause is not None and should_pause():
            stopped = "paused"
        else:
            n = chunk_steps
            if epochs is not None:
                n = min(n, trainer.steps_to_epoch_end())
            if steps is not None:
                n = min(n, steps - trainer.step_count)
            if max_steps is not None:
                n = min(n, max_steps - ran)
            ran += trainer.step(max(1, n))
            if on_progress is not None:
                on_progress(trainer)
    return RunResult(
        stopped=stopped,
        ran=ran,
        seconds=clock() - start,
        metrics=trainer.metrics(),
        history=trainer.history,
        diverged=trainer.diverged,
        config=trainer.config.model_dump(mode="json"),
    )
