"""HTTP error shapes: every rejection is JSON ``{"error", "field", "detail"}``, never a traceback.

A client (or a notebook user) should always learn *which field* was wrong; an unexpected
exception is logged with its traceback and answered with a plain JSON error.
"""

from __future__ import annotations

import logging
import math
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from playground.config import ConfigError

log = logging.getLogger("playground.web")


class FieldError(ValueError):
    """A request rejected by a handler (not by the schema): 422 naming ``field``."""

    def __init__(self, message: str, field: str | None, status_code: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status_code = status_code


def error_body(message: str, field: str | None, detail: Any = None) -> dict[str, Any]:
    """The JSON body of every error response."""
    return {"error": message, "field": field, "detail": detail}


def _field_of(error: dict[str, Any]) -> str | None:
    """Dotted field path of a pydantic error, e.g. ``config.learning_rate``.

    RunConfig's cross-field checks raise ConfigError inside pydantic; its ``field`` is
    appended so the path still ends with the offending field.
    """
    loc = [str(p) for p in error.get("loc", ()) if p != "body"]
    ctx_error = (error.get("ctx") or {}).get("error")
    if isinstance(ctx_error, ConfigError) and ctx_error.field and ctx_error.field not in loc:
        loc.append(ctx_error.field)
    if error.get("type") == "json_invalid":
        return None
    return ".".join(loc) or None


def _finite(value: Any) -> Any:
    """``value`` with non-finite floats (a rejected ``Infinity`` input) as strings: valid JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    return value


def _message_of(error: dict[str, Any]) -> str:
    ctx_error = (error.get("ctx") or {}).get("error")
    if isinstance(ctx_error, ConfigError):
        return ctx_error.message
    return str(error.get("msg", "invalid value")).replace("Value error, ", "")


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    exc = cast(RequestValidationError, exc)
    errors = list(exc.errors())
    first = errors[0] if errors else {}
    field = _field_of(first)
    message = _message_of(first)
    detail = _finite(jsonable_encoder(
        [{k: v for k, v in e.items() if k != "ctx"} for e in errors], custom_encoder={}
    ))  # fmt: skip
    text = f"{field}: {message}" if field else message
    return JSONResponse(error_body(text, field, detail), status_code=422)


async def _field_error(request: Request, exc: Exception) -> JSONResponse:
    exc = cast(FieldError, exc)
    text = f"{exc.field}: {exc.message}" if exc.field else exc.message
    return JSONResponse(error_body(text, exc.field), status_code=exc.status_code)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    exc = cast(HTTPException, exc)
    body = error_body(str(exc.detail), None, exc.detail)
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    body = error_body("internal error; the server logged the details", None)
    return JSONResponse(body, status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    """Register the JSON error handlers on ``app``."""
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(FieldError, _field_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
