"""The page, its static files and the bundled Plotly, all served locally (works offline).

``GET /`` renders ``playground/templates/index.html`` with a minimal context:

``version``
    the package version (for cache-busting static URLs, e.g. ``?v={{ version }}``).
``bootstrap_json``
    a JSON string ``{"options": ..., "limits": ...}`` (the body of ``GET /api/options``
    and its ``limits``), with ``<``, ``>`` and ``&`` escaped so it is safe inside
    ``<script type="application/json" id="bootstrap">{{ bootstrap_json | safe }}</script>``.
    The page can draw its controls before the WebSocket connects.

``/vendor/plotly.min.js`` is the file shipped inside the ``plotly`` package; it is gzipped
once and kept in memory, because thirty students loading a 4.6 MB script at once would
otherwise cost thirty compressions.
"""

from __future__ import annotations

import gzip
import importlib.resources
import importlib.util
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import TemplateNotFound
from starlette.concurrency import run_in_threadpool

from playground.web.frames import dumps

#: the page's files ship inside the package (package data), so a wheel serves them too
_PACKAGE = Path(str(importlib.resources.files("playground")))
STATIC_DIR = _PACKAGE / "static"
TEMPLATES_DIR = _PACKAGE / "templates"
VENDOR_CACHE = "public, max-age=86400"

router = APIRouter(include_in_schema=False)


def plotly_path() -> Path:
    """Where the installed plotly package keeps ``plotly.min.js`` (without importing plotly)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("the plotly package is not installed")
    return Path(spec.origin).parent / "package_data" / "plotly.min.js"


@cache
def _plotly_bytes() -> tuple[bytes, bytes]:
    raw = plotly_path().read_bytes()
    return raw, gzip.compress(raw, compresslevel=6, mtime=0)


def bootstrap_json(options: dict[str, Any]) -> str:
    """The options as JSON that cannot close a ``<script>`` element early."""
    text = dumps({"options": options, "limits": options["limits"]})
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@router.get("/", response_class=HTMLResponse)
async def index(request: Request) -> Response:
    """The playground page."""
    templates: Jinja2Templates = request.app.state.templates
    context = {"version": request.app.version, "bootstrap_json": request.app.state.bootstrap}
    try:
        return templates.TemplateResponse(request, "index.html", context)
    except TemplateNotFound:
        return HTMLResponse("<h1>nn-playground</h1><p>templates/index.html is missing.</p>", 503)


@router.get("/vendor/plotly.min.js")
async def plotly_js(request: Request) -> Response:
    """Plotly from the installed package, pre-compressed when the browser accepts gzip."""
    raw, packed = await run_in_threadpool(_plotly_bytes)  # the first call compresses
    headers = {"Cache-Control": VENDOR_CACHE, "Vary": "Accept-Encoding"}
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(packed, media_type="text/javascript", headers=headers)
    return Response(raw, media_type="text/javascript", headers=headers)
