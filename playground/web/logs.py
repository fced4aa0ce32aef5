"""Server logs: uvicorn's text lines, or one JSON object per line (``--log-format json``).

A JSON line has ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``, ``session``
(the live session's id while the code runs for one, else null) and, for an error with a
traceback, ``exc``. Log collectors (Loki, CloudWatch, ``jq``) read it without parsing
text, and the session id ties a page's report to the server's lines.

The session id travels in a context variable: ``serve_websocket`` sets it, and the tasks
of that connection inherit it, so no log call has to pass it by hand.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

LogFormat = Literal["text", "json"]
LOG_FORMATS: tuple[LogFormat, ...] = ("text", "json")

#: the id of the live session the current task serves (None outside a session)
SESSION_ID: ContextVar[str | None] = ContextVar("playground_session_id", default=None)


class JsonFormatter(logging.Formatter):
    """One JSON object per record (uvicorn's access lines included)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()  # uvicorn passes fmt/use_colors for its own formatters: unused

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "session": getattr(record, "session", None) or SESSION_ID.get(),
        }
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def log_config(log_format: LogFormat, level: str = "info") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for uvicorn's ``log_config`` and our own loggers.

    ``text`` keeps uvicorn's formatters; ``json`` replaces both of them. The ``playground``
    loggers get the same handler as uvicorn's error log (they had none before, so their
    records only reached Python's last-resort handler).
    """
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}, got {log_format!r}")
    if log_format == "json":
        formatters: dict[str, Any] = {
            "default": {"()": "playground.web.logs.JsonFormatter"},
            "access": {"()": "playground.web.logs.JsonFormatter"},
        }
    else:
        formatters = {
            "default": {
                "()": "uvicorn.logging.DefaultFormatter",
                "fmt": "%(levelprefix)s %(message)s",
            },
            "access": {
                "()": "uvicorn.logging.AccessFormatter",
                "fmt": '%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s',
            },
        }
    upper = level.upper() if level != "trace" else "DEBUG"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": formatters,
        "handlers": {
            "default": {
                "formatter": "default",
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
            },
            "access": {
                "formatter": "access",
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
            },
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
            "playground": {"handlers": ["default"], "level": upper, "propagate": False},
        },
    }
