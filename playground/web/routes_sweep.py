"""``POST /api/sweep``: a headless sweep, bounded like ``/api/train``.

At most ``MAX_SWEEP_RUNS`` runs over one or two settings, at most ``train_max_epochs``
epochs, ``train_time_budget`` seconds, and one of the ``train_max_jobs`` headless slots
per worker (a sweep shares them with ``/api/train``). The answer is the JSON of
``nn-playground sweep --json`` (``playground.sweeps.SweepResult.to_dict``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from playground.config import ConfigError, RunConfig
from playground.sweeps import MAX_SWEEP_RUNS, sweep
from playground.web.contract import ERROR_RESPONSES
from playground.web.errors import FieldError
from playground.web.frames import json_safe
from playground.web.jobs import job_slot
from playground.web.schemas import SweepResult

router = APIRouter(prefix="/api", tags=["api"], responses=ERROR_RESPONSES)


class SweepRequest(BaseModel):
    """A headless sweep: a base configuration, the settings to vary and the epochs."""

    config: RunConfig = Field(default_factory=RunConfig)
    vary: dict[str, str | list[float | int | str]] = Field(
        description="setting -> values: a list, 'a:b:log:n', 'a:b:lin:n', 'a:b' (integers) "
        f"or 'v1,v2'; one or two settings, at most {MAX_SWEEP_RUNS} runs in all",
        examples=[{"learning_rate": "0.001:1:log:4", "seed": "1:4"}],
    )
    epochs: int = Field(default=100, ge=1, le=100_000, description="epochs (server-capped)")


def run_sweep(body: SweepRequest, budget: float) -> dict[str, Any]:
    """The sweep's JSON (no NaN or infinity)."""
    return json_safe(sweep(body.config, body.vary, epochs=body.epochs, seconds=budget).to_dict())


@router.post("/sweep", response_model=SweepResult)
async def post_sweep(body: SweepRequest, request: Request) -> dict[str, Any]:
    """Train one config many times with one or two settings varied, all runs as one stack.

    Each run is exactly the run ``/api/train`` would train alone (bit for bit); ``runs``
    lists each run's swept ``values``, ``metrics``, ``history`` and ``diverged``. Stops at
    ``epochs``, when every run diverged, or at the server's time budget (``"seconds"``).
    """
    async with job_slot(request, body.epochs) as settings:
        try:
            return await run_in_threadpool(run_sweep, body, settings.train_time_budget)
        except ConfigError as e:
            field = e.field if e.field in ("vary", "epochs") else f"vary.{e.field}"
            raise FieldError(e.message, field) from None
        except ValueError as e:
            raise FieldError(str(e), "config") from None
