"""The OpenAPI contract of errors and server limits, stated as the server enforces them.

Every error answer is ``{"error", "field", "detail"}`` (``errors.error_body``), not
FastAPI's default ``HTTPValidationError``; ``ERROR_RESPONSES`` declares it for the
statuses an API route can return. Limits that come from the settings (the epoch cap of
``POST /api/train``) are written into the schema when the app is built, so ``/docs``
shows the limit this server enforces.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from playground.web.errors import ErrorBody
from playground.web.settings import Settings


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _error("malformed request (e.g. a body that is not JSON, a bad Host)"),
    413: _error("request body larger than `limits.max_body_bytes`"),
    422: _error("a field is invalid: `field` names it"),
    503: _error("the server is busy (too many concurrent runs or connections); retry"),
}


def json_errors(responses: dict[int | str, dict[str, Any]]) -> dict[int | str, dict[str, Any]]:
    """``responses`` for a route whose success is not JSON (a file): its errors still are."""
    ref = {"$ref": "#/components/schemas/ErrorBody"}
    return {
        code: {"description": r["description"], "content": {"application/json": {"schema": ref}}}
        for code, r in responses.items()
    }


def install_schema_limits(app: FastAPI, settings: Settings) -> None:
    """Make ``app.openapi()`` state this server's ``train_max_epochs`` as the epochs maximum
    of every job request (train, sweep, landscape, LR range test)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            cap = settings.train_max_epochs  # enforced for every job by ``jobs.job_slot``
            for name, model in schema.get("components", {}).get("schemas", {}).items():
                epochs = model.get("properties", {}).get("epochs")
                if name.endswith("Request") and epochs is not None:
                    epochs["maximum"] = cap
                    what = epochs.get("description", "epochs").split(" (")[0].split(", at")[0]
                    epochs["description"] = f"{what}, at most {cap}"
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
