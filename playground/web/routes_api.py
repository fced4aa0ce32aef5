"""REST API: health, options, headless training, data set previews (OpenAPI at ``/docs``).

Handler docstrings become the OpenAPI descriptions. Training runs in a worker thread,
bounded in epochs and in seconds, and at most ``train_max_jobs`` at once per worker, so
a notebook hammering ``/api/train`` cannot starve the live sessions.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from playground.config import RunConfig
from playground.engine.trainer import Trainer, make_data
from playground.web.errors import FieldError
from playground.web.frames import json_safe
from playground.web.settings import Settings

router = APIRouter(prefix="/api", tags=["api"])


class TrainRequest(BaseModel):
    """A headless run: a configuration and how many epochs to train."""

    config: RunConfig = Field(default_factory=RunConfig)
    epochs: int = Field(
        default=100, ge=1, le=100_000, description="epochs to train (server-capped)"
    )


class DatasetRequest(BaseModel):
    """A configuration whose data fields (dataset, n_points, noise, seed, ...) are used."""

    config: RunConfig = Field(default_factory=RunConfig)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def train_headless(config: RunConfig, epochs: int, budget: float) -> dict[str, Any]:
    """Train a fresh run for ``epochs`` epochs or ``budget`` seconds, whichever ends first.

    The same run loop and result shape as ``nn-playground train --json``.
    """
    result = Trainer(config).run(epochs=epochs, seconds=budget)
    return json_safe(result.to_dict())


@router.get("/health")
async def health(request: Request) -> dict[str, Any]:
    """Liveness and load: ``status`` is always ``"ok"``; ``sessions`` counts live sessions."""
    return {
        "status": "ok",
        "version": request.app.version,
        "sessions": len(request.app.state.sessions),
    }


@router.get("/options")
async def get_options(request: Request) -> dict[str, Any]:
    """Every registry and every field with type, range and default, plus the server limits.

    ``fields`` are the run fields (``RunConfig``), ``view_fields`` the live view settings
    (speed, grid resolutions, diagnostics, stop epoch), ``limits`` the run and server
    limits, ``diagram`` the network diagram's link-threshold rule (choices, automatic
    value). The page builds its controls from this, so a new engine activation appears in
    the page without any front-end change.
    """
    options: dict[str, Any] = request.app.state.options
    return options


@router.post("/train")
async def train(body: TrainRequest, request: Request) -> dict[str, Any]:
    """Train a run headless and return its final metrics and per-epoch history.

    The run stops after ``epochs`` epochs (``stopped: "epochs"``), on divergence
    (``"diverged"``), or when the server's time budget (``limits.train_time_budget``
    seconds) is spent (``"seconds"``). The keys are those of ``nn-playground train --json``.
    For notebooks and scripts: the same config in the page reproduces the same run.
    """
    settings = _settings(request)
    if body.epochs > settings.train_max_epochs:
        raise FieldError(f"at most {settings.train_max_epochs} epochs per request", "epochs")
    jobs: asyncio.Semaphore = request.app.state.train_jobs
    if jobs.locked():
        raise FieldError("the server is busy with other training requests; retry", None, 503)
    async with jobs:
        try:
            return await run_in_threadpool(
                train_headless, body.config, body.epochs, settings.train_time_budget
            )
        except ValueError as e:  # the engine refused the config: the client's fault
            raise FieldError(str(e), "config") from None


@router.post("/dataset")
async def dataset(body: DatasetRequest) -> dict[str, Any]:
    """The points of a configuration's data set, split as a run would split them.

    ``train`` and ``test`` hold ``points`` ([x1, x2] rows) and ``labels`` (class index, or
    the regression target). Only the data fields of ``config`` matter.
    """
    try:
        data = make_data(body.config)
    except ValueError as e:
        raise FieldError(str(e), "config") from None
    return {
        "config": body.config.model_dump(mode="json"),
        "problem": body.config.problem,
        "train": {"points": data.X_train.tolist(), "labels": data.y_train.tolist()},
        "test": {"points": data.X_test.tolist(), "labels": data.y_test.tolist()},
    }
