"""``GET /docs``: the API reference, rendered in the page from ``/openapi.json``, offline.

FastAPI's own ``/docs`` and ``/redoc`` pull their scripts from a CDN, so on a projector
with no network they are blank. This page is ours: a template, one small ES module and a
stylesheet, all served locally; the handler docstrings still are the descriptions.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
async def api_docs(request: Request) -> Response:
    """The API reference page (it fetches ``/openapi.json`` itself)."""
    templates: Jinja2Templates = request.app.state.templates
    context = {"version": request.app.version, "openapi_url": request.app.openapi_url}
    return templates.TemplateResponse(request, "api_docs.html", context)


@router.get("/redoc")
async def redoc() -> RedirectResponse:
    """The one API reference lives at ``/docs``."""
    return RedirectResponse("/docs", status_code=308)
