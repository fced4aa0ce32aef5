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
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from playground.config import ConfigError

log = logging.getLogger("playground.web")


class ErrorBody(BaseModel):
    """The body of every error answer (4xx and 5xx)."""

    error: str = Field(description="what went wrong, starting with the field when there is one")
    field: str | None = Field(description="dotted path of the offending field, e.g. `epochs`")
    detail: Any = Field(default=None, description="more about it (validation errors, a line)")


class FieldError(ValueError):
    """A request rejected by a handler (not by the schema): 422 naming ``field``."""

    def __init__(
        self, message: str, field: str | None, status_code: int = 422, detail: Any = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status_code = status_code
        self.detail = detail


#: longest error text, field path or echoed input in an error body (a 20 MB bad name must
#: not come back as a 60 MB answer)
MAX_ECHO = 200


def shorten(text: str, limit: int = MAX_ECHO) -> str:
    """``text`` cut to ``limit`` characters, marking the cut."""
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def _echo(value: Any) -> Any:
    """An input value safe to echo: small scalars as they are, anything else as a short repr."""
    if value is None or isinstance(value, bool | float) and len(repr(value)) <= 40:
        return value
    if isinstance(value, int) and abs(value) <= 2**53:  # larger ones a browser rounds
        return value
    if isinstance(value, str) and len(value) <= MAX_ECHO:
        return value
    return shorten(repr(value))


def _bounded(key: str, value: Any) -> Any:
    """One entry of a pydantic error with its input, location and text bounded."""
    if key == "input":
        return _echo(value)
    if key == "loc":
        return [shorten(p) if isinstance(p, str) else p for p in value]
    return shorten(value) if isinstance(value, str) else value


def error_body(message: str, field: str | None, detail: Any = None) -> dict[str, Any]:
    """The JSON body of every error response; message and field are bounded in length."""
    return {
        "error": shorten(message, 2 * MAX_ECHO),
        "field": None if field is None else shorten(field),
        "detail": detail,
    }


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
        [{k: _bounded(k, v) for k, v in e.items() if k != "ctx"} for e in errors[:10]],
        custom_encoder={},
    ))  # fmt: skip
    text = f"{field}: {message}" if field else message
    return JSONResponse(error_body(text, field, detail), status_code=422)


async def _field_error(request: Request, exc: Exception) -> JSONResponse:
    exc = cast(FieldError, exc)
    text = f"{exc.field}: {exc.message}" if exc.field else exc.message
    body = error_body(text, exc.field, exc.detail)
    return JSONResponse(body, status_code=exc.status_code)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    exc = cast(HTTPException, exc)
    detail = exc.detail if len(str(exc.detail)) <= 2 * MAX_ECHO else shorten(str(exc.detail))
    body = error_body(str(exc.detail), None, detail)
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


class CatchUnexpected:
    """ASGI middleware: an unexpected exception is logged once and answered with JSON 500.

    Starlette's outermost ``ServerErrorMiddleware`` calls an ``Exception`` handler and then
    re-raises, by design, so that the server logs it too: the traceback appeared twice
    (ours, then uvicorn's "Exception in ASGI application"). Caught here, inside it, the
    error never reaches it. WebSocket errors are logged by ``serve_websocket``.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            log.error("unhandled error on %s %s", scope["method"], scope["path"], exc_info=exc)
            if not started:  # else the client sees the answer cut short; nothing to add
                body = error_body("internal error; the server logged the details", None)
                await JSONResponse(body, status_code=500)(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    """Register the JSON error handlers on ``app`` (before any other middleware)."""
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(FieldError, _field_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_middleware(CatchUnexpected)  # first added: innermost, so CORS and gzip wrap it
