"""Build the ASGI app: ``create_app(settings)``; nothing is created at import time.

``create_app_from_env`` is the factory uvicorn calls in each worker process
(``uvicorn playground.web.app:create_app_from_env --factory``): every worker reads the
``PLAYGROUND_*`` environment itself and keeps its own sessions. No state is shared
between workers: a session lives in one connection, and its snapshot lives in the page.

The API reference is Swagger UI at ``/docs`` and ReDoc at ``/redoc``, both served by
``fastapi-offline`` from the assets it ships (FastAPI's own pages load them from a CDN,
blank on a classroom network with no internet). Handler docstrings are their Markdown.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from fastapi_offline import FastAPIOffline
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from playground.config import LIMITS, options
from playground.lessons import load_library
from playground.sweeps import sweep_options
from playground.tflink import TF_LINK
from playground.web import (
    pages,
    routes_api,
    routes_export,
    routes_insight,
    routes_lessons,
    routes_points,
    routes_sweep,
)
from playground.web.connection import serve_websocket
from playground.web.contract import install_schema_limits
from playground.web.coschedule import CoScheduler
from playground.web.diagram import diagram_options
from playground.web.errors import install_error_handlers
from playground.web.insight import insight_options
from playground.web.log_limits import install_log_limits
from playground.web.loopwatch import LoopProbe
from playground.web.memory import keep_freed_memory
from playground.web.offload import RestPool, WorkPool, limit_blas_threads, set_switch_interval
from playground.web.protocol import view_field_specs
from playground.web.registry import SessionRegistry
from playground.web.security import BodyLimit, DocsPolicy, SecurityHeaders
from playground.web.settings import Settings
from playground.web.shutdown import Drain

log = logging.getLogger("playground.web")

#: where fastapi-offline serves the Swagger UI and ReDoc scripts it ships
DOCS_ASSETS = "/static-offline-docs"


def package_version() -> str:
    """The installed package's version (``0+unknown`` when run from a bare checkout)."""
    try:
        return version("nn-playground")
    except PackageNotFoundError:
        return "0+unknown"


def build_options(settings: Settings) -> dict[str, Any]:
    """``GET /api/options``: registries and fields, view fields, all limits, diagram rules."""
    payload = options()
    payload["view_fields"] = view_field_specs()
    payload["limits"] = {**LIMITS, **settings.public_limits()}
    payload["tf_link"] = TF_LINK
    payload["sweep"] = sweep_options()
    payload["diagram"] = diagram_options()
    payload["insight"] = insight_options()
    return payload


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the loop probe (when enabled) with the server; stop the threads after.

    While serving, SIGTERM first sends each page its snapshot (``shutdown.Drain``).
    When the app owns its process (``create_app_from_env``), the work threads are started
    now rather than on a session's first frame, and everything alive at start (the
    imported modules, ~65,000 objects) is frozen out of the garbage collector: a full
    collection over them took 200-300 ms on a busy 2-core machine, holding the GIL and so
    the event loop, whenever sessions had allocated enough to trigger one.
    """
    drain: Drain = app.state.drain
    drain.install()
    probe: LoopProbe | None = app.state.loop_probe
    if probe is not None:
        probe.start()
    if app.state.owns_process:
        await asyncio.gather(
            asyncio.to_thread(app.state.work.start), asyncio.to_thread(app.state.rest.start)
        )
        gc.collect()
        gc.freeze()
    try:
        yield
    finally:
        drain.uninstall()
        if probe is not None:
            await probe.stop()
        if app.state.coscheduler is not None:
            app.state.coscheduler.close()
        app.state.work.shutdown()
        app.state.rest.shutdown()


def create_app(settings: Settings | None = None) -> FastAPI:
    """A new app with its own settings, session registry and caches."""
    settings = settings or Settings()
    app = FastAPIOffline(
        title="nn-playground",
        version=package_version(),
        description="Train a small neural network live; REST for scripts, /ws for the page.",
        docs_url="/docs",
        redoc_url="/redoc",
        static_url=DOCS_ASSETS,
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.sessions = SessionRegistry(settings.max_sessions, settings.max_sessions_per_client)
    app.state.drain = Drain(settings.shutdown_grace)
    app.state.work = WorkPool(
        settings.work_threads,
        settings.session_cpu_share,
        settings.session_cpu_burst,
        settings.work_nice,
        express=settings.express_threads,
        light_share=settings.session_light_share,
    )
    app.state.coscheduler = (
        CoScheduler(app.state.work, memo_bytes=settings.class_memo_mib << 20)
        if settings.coschedule
        else None
    )
    app.state.rest = RestPool(settings.rest_max_jobs, settings.rest_max_queued, settings.work_nice)
    app.state.loop_probe = LoopProbe() if settings.loop_probe else None
    app.state.owns_process = False  # create_app_from_env: process-wide tuning is ours
    app.state.options = build_options(settings)
    app.state.bootstrap = pages.bootstrap_json(app.state.options)
    app.state.templates = Jinja2Templates(directory=str(pages.TEMPLATES_DIR))
    app.state.train_jobs = asyncio.Semaphore(settings.train_max_jobs)
    app.state.lessons = load_library(settings.lessons_dir or None)
    hello = {
        "type": "hello",
        "version": app.version,
        "options": app.state.options,
        "limits": app.state.options["limits"],
    }
    app.state.hello = lambda: dict(hello)

    install_error_handlers(app)
    install_log_limits(settings.log_burst, settings.log_window)
    app.include_router(routes_api.router)
    app.include_router(routes_points.router)
    app.include_router(routes_lessons.router)
    app.include_router(routes_lessons.pages_router)
    app.include_router(routes_export.router)
    app.include_router(routes_sweep.router)
    app.include_router(routes_insight.router)
    app.include_router(pages.router)
    app.add_api_websocket_route("/ws", serve_websocket)
    app.mount("/static", StaticFiles(directory=pages.STATIC_DIR, check_dir=False), name="static")
    install_schema_limits(app, settings)
    # added innermost first: headers on every answer, then the host, then the body cap
    app.add_middleware(DocsPolicy, frame_ancestors=settings.frame_ancestors)
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    if settings.origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.origins,
            allow_methods=["GET", "POST"],
            allow_headers=["content-type"],
        )
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.hosts)
    app.add_middleware(SecurityHeaders, frame_ancestors=settings.frame_ancestors)
    return app


def create_app_from_env() -> FastAPI:
    """The uvicorn factory: settings from ``PLAYGROUND_*`` environment variables.

    The GIL switch interval, BLAS's threads, the C heap's reuse of freed memory and the
    garbage collector are process-wide, so only the server process tunes them (not a test
    or a notebook building an app).
    """
    settings = Settings()
    set_switch_interval(settings.switch_interval_ms)
    keep_freed_memory(settings.malloc_keep_mib)
    limit_blas_threads(settings.blas_threads)
    app = create_app(settings)
    app.state.owns_process = True
    return app
