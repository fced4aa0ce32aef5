"""Build the ASGI app: ``create_app(settings)``; nothing is created at import time.

``create_app_from_env`` is the factory uvicorn calls in each worker process
(``uvicorn playground.web.app:create_app_from_env --factory``): every worker reads the
``PLAYGROUND_*`` environment itself and keeps its own sessions. No state is shared
between workers: a session lives in one connection, and its snapshot lives in the page.
"""

from __future__ import annotations

import asyncio
import logging
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.gzip import GZipMiddleware

from playground.config import LIMITS, options
from playground.tflink import TF_LINK
from playground.web import api_docs, pages, routes_api, routes_insight, routes_points
from playground.web.connection import SessionRegistry, serve_websocket
from playground.web.errors import install_error_handlers
from playground.web.insight import insight_options
from playground.web.protocol import view_field_specs
from playground.web.settings import Settings

log = logging.getLogger("playground.web")


def package_version() -> str:
    """The installed package's version (``0+unknown`` when run from a bare checkout)."""
    try:
        return version("nn-playground")
    except PackageNotFoundError:
        return "0+unknown"


def build_options(settings: Settings) -> dict[str, Any]:
    """``GET /api/options``: the config's registries and fields, view fields, all limits."""
    payload = options()
    payload["view_fields"] = view_field_specs()
    payload["limits"] = {**LIMITS, **settings.public_limits()}
    payload["tf_link"] = TF_LINK
    payload["insight"] = insight_options()
    return payload


def create_app(settings: Settings | None = None) -> FastAPI:
    """A new app with its own settings, session registry and caches."""
    settings = settings or Settings()
    app = FastAPI(
        title="nn-playground",
        version=package_version(),
        description="Train a small neural network live; REST for scripts, /ws for the page.",
        docs_url=None,  # FastAPI's pages load from a CDN; ours (api_docs) works offline
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.sessions = SessionRegistry(settings.max_sessions)
    app.state.options = build_options(settings)
    app.state.bootstrap = pages.bootstrap_json(app.state.options)
    app.state.templates = Jinja2Templates(directory=str(pages.TEMPLATES_DIR))
    app.state.train_jobs = asyncio.Semaphore(settings.train_max_jobs)
    hello = {
        "type": "hello",
        "version": app.version,
        "options": app.state.options,
        "limits": app.state.options["limits"],
    }
    app.state.hello = lambda: dict(hello)

    install_error_handlers(app)
    app.include_router(routes_api.router)
    app.include_router(routes_points.router)
    app.include_router(routes_insight.router)
    app.include_router(pages.router)
    app.include_router(api_docs.router)
    app.add_api_websocket_route("/ws", serve_websocket)
    app.mount("/static", StaticFiles(directory=pages.STATIC_DIR, check_dir=False), name="static")
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    if settings.origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.origins,
            allow_methods=["GET", "POST"],
            allow_headers=["content-type"],
        )
    return app


def create_app_from_env() -> FastAPI:
    """The uvicorn factory: settings from ``PLAYGROUND_*`` environment variables."""
    return create_app(Settings())
