"""The bounds every headless job shares (``/api/train``, ``/api/sweep``, ``/api/landscape``,
``/api/lr-range``): at most ``train_max_epochs`` epochs, and at most ``train_max_jobs`` such
jobs at once per worker (the next one gets **503**), so scripts cannot starve live pages.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Request

from playground.web.errors import FieldError
from playground.web.settings import Settings


@asynccontextmanager
async def job_slot(request: Request, epochs: int) -> AsyncIterator[Settings]:
    """Hold one of this worker's job slots while the body runs; yields the settings."""
    settings: Settings = request.app.state.settings
    if epochs > settings.train_max_epochs:
        raise FieldError(f"at most {settings.train_max_epochs} epochs per request", "epochs")
    jobs: asyncio.Semaphore = request.app.state.train_jobs
    if jobs.locked():
        raise FieldError("the server is busy with other training requests; retry", None, 503)
    async with jobs:
        yield settings
