"""REST for the insight views: ``POST /api/landscape`` and ``POST /api/lr-range``.

Each takes a run (a ``config`` trained ``epochs`` epochs first, or a ``snapshot`` to
continue from) and the view's options. The work is bounded like ``POST /api/train``: the
epochs by ``train_max_epochs`` and ``train_time_budget``, the view by its own limits
(51 x 51 landscape points, 1000 range-test steps) and ``view_time_budget`` seconds, and it
runs in a worker thread under the same ``train_max_jobs`` gate, so notebooks cannot starve
the live sessions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from playground.config import RunConfig
from playground.engine import landscape as ls
from playground.engine import lr_range
from playground.engine.trainer import Trainer
from playground.web.contract import ERROR_RESPONSES
from playground.web.errors import FieldError
from playground.web.frames import json_safe
from playground.web.jobs import job_slot
from playground.web.schemas import LandscapeResult, LrRangeResult

router = APIRouter(prefix="/api", tags=["insight"], responses=ERROR_RESPONSES)


class RunSource(BaseModel):
    """A run to look at: a config trained ``epochs`` epochs, or a snapshot to start from."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    config: RunConfig = Field(
        default_factory=RunConfig, description="a run configuration (ignored with a snapshot)"
    )
    snapshot: dict[str, Any] | None = Field(
        default=None, description="a run snapshot (from the page or trainer.snapshot())"
    )
    epochs: int = Field(default=0, ge=0, le=100_000, description="epochs to train first")


class LandscapeRequest(RunSource):
    """Options of ``trainer.landscape``."""

    directions: Literal["random", "trajectory"] = "random"
    resolution: int = Field(default=31, ge=ls.MIN_RESOLUTION, le=ls.MAX_RESOLUTION,
                            description="grid side (odd)")  # fmt: skip
    span: float = Field(default=1.0, gt=0, le=ls.MAX_SPAN)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class RangeRequest(RunSource):
    """Options of ``trainer.lr_range_test``."""

    start: float = Field(default=1e-5, ge=lr_range.MIN_LR, le=lr_range.MAX_LR)
    stop: float = Field(default=10.0, ge=lr_range.MIN_LR, le=lr_range.MAX_LR)
    steps: int = Field(default=200, ge=lr_range.MIN_STEPS, le=lr_range.MAX_STEPS)


def _prepared(body: RunSource, budget: float) -> Trainer:
    if "config" in body.model_fields_set and body.snapshot is not None:
        raise FieldError("give either config or snapshot, not both", "snapshot")
    if body.snapshot is not None:
        try:
            trainer = Trainer.restore(body.snapshot)
        except ValueError as e:
            raise FieldError(f"invalid snapshot: {e}", "snapshot") from None
    else:
        trainer = Trainer(body.config)
    if body.epochs:
        trainer.run(epochs=trainer.epoch + body.epochs, seconds=budget)
    return trainer


def _engine_error(e: ValueError) -> FieldError:
    """The engine's message starts with the field it names: answer with that field."""
    field, _, rest = str(e).partition(" ")
    return FieldError(rest, field)


def _run_summary(trainer: Trainer) -> dict[str, Any]:
    return {"metrics": trainer.metrics(), "diverged": trainer.diverged}


def landscape_json(body: LandscapeRequest, budget: float, view_budget: float) -> dict[str, Any]:
    """Train (bounded), then the landscape and the 1D slice (bounded), as JSON."""
    trainer = _prepared(body, budget)
    try:
        scape = trainer.landscape(body.directions, body.resolution, body.span, body.seed,
                                  seconds=view_budget)  # fmt: skip
        cut = trainer.loss_slice(span=body.span)
    except ValueError as e:
        raise _engine_error(e) from None
    return json_safe({
        "run": _run_summary(trainer),
        "directions": scape.directions,
        "alphas": scape.alphas.tolist(),
        "betas": scape.betas.tolist(),
        "losses": scape.losses.tolist(),
        "center_loss": scape.center_loss,
        "path": scape.path.tolist(),
        "path_steps": list(scape.path_steps),
        "span": scape.span,
        "slice": {"t": cut.t.tolist(), "losses": cut.losses.tolist()},
    })  # fmt: skip


def range_json(body: RangeRequest, budget: float, view_budget: float) -> dict[str, Any]:
    """Train (bounded), then the LR range test on a fork (bounded), as JSON."""
    trainer = _prepared(body, budget)
    try:
        result = trainer.lr_range_test(body.start, body.stop, body.steps, view_budget)
    except ValueError as e:
        raise _engine_error(e) from None
    return json_safe({
        "run": _run_summary(trainer),
        "learning_rates": result.learning_rates.tolist(),
        "losses": result.losses.tolist(),
        "smoothed": result.smoothed.tolist(),
        "suggested": result.suggested,
        "stopped": result.stopped,
    })  # fmt: skip


async def _bounded(
    request: Request, body: RunSource, work: Callable[[Any, float, float], dict[str, Any]]
) -> dict[str, Any]:
    async with job_slot(request, body.epochs) as settings:
        return await run_in_threadpool(
            work, body, settings.train_time_budget, settings.view_time_budget
        )


@router.post("/landscape", response_model=LandscapeResult)
async def post_landscape(body: LandscapeRequest, request: Request) -> dict[str, Any]:
    """The loss landscape around a run's weights, with the path its checkpoints took.

    Give a ``config`` (trained ``epochs`` epochs first, within the server's time budget)
    or a ``snapshot``. ``losses[j][i]`` is the training objective at
    ``weights + alphas[i] * d1 + betas[j] * d2``; ``center_loss`` is the run's objective
    exactly; ``path`` are the checkpoints projected on the plane, ending at ``[0, 0]``;
    ``slice`` is the objective along the last update's direction.
    """
    return await _bounded(request, body, landscape_json)


@router.post("/lr-range", response_model=LrRangeResult)
async def post_lr_range(body: RangeRequest, request: Request) -> dict[str, Any]:
    """Smith's learning-rate range test on a fork of a run (the run itself is untouched).

    The rate rises exponentially from ``start`` to ``stop`` over ``steps`` steps; the test
    stops early when the smoothed loss explodes. ``suggested`` is the rate where the
    smoothed loss falls fastest (null if it never fell).
    """
    return await _bounded(request, body, range_json)
