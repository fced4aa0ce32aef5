"""Fixtures for the browser tests: the real app in a uvicorn subprocess, Debian's Chromium.

Chromium is driven by Playwright for Python (no browser download). Without Chromium the
tests skip with a loud reason, except in CI (PLAYGROUND_REQUIRE_BROWSER=1), where a
missing browser is a failure.

The server and browser live for the tests/browser package only: Playwright's sync API
keeps an event loop running in the main thread, which would break other packages'
`asyncio.run` if it outlived this package.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, Problems, Server, load

SKIPPED: list[str] = []


def _browser_missing(reason: str) -> None:
    if os.environ.get("PLAYGROUND_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests required (PLAYGROUND_REQUIRE_BROWSER=1) but {reason}")
    SKIPPED.append(reason)
    pytest.skip(f"*** BROWSER TESTS SKIPPED: {reason} (apt-get install -y chromium) ***")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say it loudly at the end of the run, not only in the skip list."""
    if SKIPPED:
        terminalreporter.write_sep(
            "!", f"BROWSER TESTS SKIPPED: {SKIPPED[0]} (apt-get install -y chromium)", red=True
        )


@pytest.fixture(scope="package")
def server() -> Iterator[Server]:
    srv = Server().start()
    yield srv
    srv.stop()


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        _browser_missing(f"no Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _browser_missing("the playwright package is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def problems() -> Problems:
    return Problems()


@pytest.fixture
def new_page(browser: Any, problems: Problems) -> Iterator[Callable[..., Any]]:
    """Open pages in fresh contexts (1366x768 unless told); all closed after the test."""
    contexts: list[Any] = []

    def open_page(width: int = 1366, height: int = 768, **context_args: Any) -> Any:
        context = browser.new_context(viewport={"width": width, "height": height}, **context_args)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda m: problems.console.append(m.text) if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: problems.exceptions.append(str(e)))
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Any], server: Server, problems: Problems) -> Iterator[Any]:
    """A loaded playground page (first frame drawn); fails on any uncaught exception."""
    p = new_page()
    load(p, server.url)
    yield p
    assert problems.exceptions == [], problems.exceptions
