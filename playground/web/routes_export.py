"""Exports of a run file over REST, for the page's buttons (the CLI's ``export`` twin).

The page sends the selected run's file (what *Download run* saves); the answer is the
standalone NumPy script or the model JSON (``docs/model-format.md``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from playground.export import model_json, numpy_script, trainer_from_run
from playground.web.contract import ERROR_RESPONSES, json_errors
from playground.web.errors import FieldError
from playground.web.schemas import ModelJson

router = APIRouter(prefix="/api/export", tags=["export"], responses=ERROR_RESPONSES)


class ExportRequest(BaseModel):
    """A run file (``nn-playground/snapshot``), as *Download run* or ``train --save`` writes."""

    run: dict[str, Any] = Field(description="the run file")


def _trainer(body: ExportRequest) -> Any:
    try:
        return trainer_from_run(body.run)
    except ValueError as e:
        raise FieldError(str(e), "run") from None


@router.post(
    "/numpy",
    response_class=PlainTextResponse,
    responses={
        200: {"content": {"text/x-python": {"schema": {"type": "string"}}}},
        **json_errors(ERROR_RESPONSES),  # errors stay JSON under a text route
    },
)
async def export_numpy(body: ExportRequest) -> PlainTextResponse:
    """The run's network as ``model.py``: a readable script that needs only NumPy, whose
    ``predict(points)`` equals the trainer's to 1e-9 and which prints a summary when run."""
    source = await run_in_threadpool(lambda: numpy_script(_trainer(body)))
    headers = {"Content-Disposition": 'attachment; filename="model.py"'}
    return PlainTextResponse(source, media_type="text/x-python", headers=headers)


@router.post("/model", response_model=ModelJson)
async def export_model(body: ExportRequest) -> dict[str, Any]:
    """The run's network as model JSON: features, layers (weights, biases, activation)."""
    return await run_in_threadpool(lambda: model_json(_trainer(body)))
