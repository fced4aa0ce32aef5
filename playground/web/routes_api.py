"""REST API: health, options, headless training, data set previews (OpenAPI at ``/docs``).

Handler docstrings become the OpenAPI descriptions. Training runs in a worker thread,
bounded in epochs and in seconds, and at most ``train_max_jobs`` at once per worker, so
a notebook hammering ``/api/train`` cannot starve the live sessions. Data sets are built
and encoded in the REST pool (``offload.RestPool``): the event loop never holds a
5,000-point answer for more than the time to send it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from playground.config import RunConfig
from playground.engine.trainer import Trainer, make_data
from playground.web.contract import ERROR_RESPONSES
from playground.web.errors import FieldError
from playground.web.frames import dumps, json_safe
from playground.web.jobs import job_slot
from playground.web.offload import Busy, RestPool, json_body
from playground.web.schemas import DatasetPoints, Health, Options, TrainResult

router = APIRouter(prefix="/api", tags=["api"], responses=ERROR_RESPONSES)


class TrainRequest(BaseModel):
    """A headless run: a configuration and how many epochs to train."""

    config: RunConfig = Field(default_factory=RunConfig)
    epochs: int = Field(
        default=100, ge=1, le=100_000, strict=True, description="epochs to train (server-capped)"
    )


class DatasetRequest(BaseModel):
    """A configuration whose data fields (dataset, n_points, noise, seed, ...) are used."""

    config: RunConfig = Field(default_factory=RunConfig)


def train_headless(config: RunConfig, epochs: int, budget: float) -> dict[str, Any]:
    """Train a fresh run for ``epochs`` epochs or ``budget`` seconds, whichever ends first.

    The same run loop and result shape as ``nn-playground train --json``.
    """
    result = Trainer(config).run(epochs=epochs, seconds=budget)
    return json_safe(result.to_dict())


@router.get("/health", response_model=Health, response_model_exclude_none=True)
async def health(request: Request) -> dict[str, Any]:
    """Liveness and load: ``status`` is always ``"ok"``; ``sessions`` counts live sessions."""
    answer: dict[str, Any] = {
        "status": "ok",
        "version": request.app.version,
        "sessions": len(request.app.state.sessions),
    }
    coscheduler = request.app.state.coscheduler
    if coscheduler is not None:  # what this worker's co-scheduler did since it started
        answer["coschedule"] = coscheduler.public_stats()
    probe = request.app.state.loop_probe
    if probe is not None:  # PLAYGROUND_LOOP_PROBE: the longest stall since the last request
        taken = probe.take()
        answer["loop_stall_ms"] = round(taken["stall"] * 1000, 2)
        answer["loop_stall_p99_ms"] = round(taken["p99"] * 1000, 2)
        answer["loop_busy_ms"] = round(taken["busy"] * 1000, 2)
    return answer


@router.get("/options", response_model=Options, response_model_exclude_unset=True)
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


@router.post("/train", response_model=TrainResult)
async def train(body: TrainRequest, request: Request) -> dict[str, Any]:
    """Train a run headless and return its final metrics and per-epoch history.

    The run stops after ``epochs`` epochs (``stopped: "epochs"``), on divergence
    (``"diverged"``), or when the server's time budget (``limits.train_time_budget``
    seconds) is spent (``"seconds"``). The keys are those of ``nn-playground train --json``.
    For notebooks and scripts: the same config in the page reproduces the same run.
    """
    async with job_slot(request, body.epochs) as settings:
        try:
            return await run_in_threadpool(
                train_headless, body.config, body.epochs, settings.train_time_budget
            )
        except ValueError as e:  # the engine refused the config: the client's fault
            raise FieldError(str(e), "config") from None


def _json_array(values: Any, rows: int = 500) -> str:
    """A JSON array of ``values``' rows, encoded ``rows`` at a time: each ``json.dumps``
    call holds the GIL (and so the event loop) throughout, so no call may be long."""
    parts = (dumps(values[k : k + rows].tolist())[1:-1] for k in range(0, len(values), rows))
    return "[" + ",".join(part for part in parts if part) + "]"


def dataset_json(config: RunConfig, accept_encoding: str) -> tuple[bytes, dict[str, str]]:
    """The ``/api/dataset`` answer, encoded (in a REST thread: 5,000 points take ~10 ms)."""
    data = make_data(config)
    head = dumps({"config": config.model_dump(mode="json"), "problem": config.problem})
    splits = (("train", data.X_train, data.y_train), ("test", data.X_test, data.y_test))
    parts = [
        f'"{name}":{{"points":{_json_array(X)},"labels":{_json_array(y)}}}' for name, X, y in splits
    ]
    content = (head[:-1] + "," + ",".join(parts) + "}").encode()
    return json_body(content, accept_encoding)


@router.post(
    "/dataset",
    response_model=None,  # the answer is encoded in the REST pool; its shape is declared
    responses={200: {"model": DatasetPoints, "description": "the points"}},
)
async def dataset(body: DatasetRequest, request: Request) -> Response:
    """The points of a configuration's data set, split as a run would split them.

    ``train`` and ``test`` hold ``points`` ([x1, x2] rows) and ``labels`` (class index, or
    the regression target). Only the data fields of ``config`` matter. At most
    ``rest_max_jobs`` such requests run at once per worker and ``rest_max_queued`` wait;
    beyond that the answer is **503** (retry shortly).
    """
    rest: RestPool = request.app.state.rest
    try:
        accept = request.headers.get("accept-encoding", "")
        content, headers = await rest.run(dataset_json, body.config, accept)
    except Busy as e:
        raise FieldError(str(e), None, 503) from None
    except ValueError as e:
        raise FieldError(str(e), "config") from None
    return Response(content, media_type="application/json", headers=headers)
