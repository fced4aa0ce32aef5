"""Fixtures for the browser tests: the real app in a uvicorn subprocess, Debian's Chromium.

Chromium is driven by Playwright for Python (no browser download). Without Chromium the
tests skip with a loud reason, except in CI (PLAYGROUND_REQUIRE_BROWSER=1), where a
missing browser is a failure.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("PLAYGROUND_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "screenshots"


def _browser_missing(reason: str) -> None:
    if os.environ.get("PLAYGROUND_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests required (PLAYGROUND_REQUIRE_BROWSER=1) but {reason}")
    pytest.skip(f"*** BROWSER TESTS SKIPPED: {reason} (apt-get install -y chromium) ***")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """The real app (`create_app_from_env`) in a uvicorn subprocess on 127.0.0.1."""

    def __init__(self, port: int | None = None, env: dict[str, str] | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "PLAYGROUND_LOG_LEVEL": "warning", **(env or {})}
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        cmd = [
            sys.executable, "-m", "uvicorn", "playground.web.app:create_app_from_env",
            "--factory", "--host", "127.0.0.1", "--port", str(self.port), "--log-level",
            "warning",
        ]  # fmt: skip
        self.process = subprocess.Popen(cmd, cwd=ROOT, env=self.env)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/health", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not answer /api/health within 20 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    srv = Server().start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
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


@dataclass
class Problems:
    """Console errors and uncaught exceptions seen by a page."""

    console: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)


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


def load(page: Any, url: str) -> None:
    """Go to `url` and wait until the page is live and has drawn a frame."""
    page.goto(url)
    page.wait_for_selector("[data-testid=conn][data-state=connected]")
    wait_drawn(page)


def wait_drawn(page: Any) -> None:
    page.wait_for_function(
        "() => document.querySelector('[data-testid=test-loss]').dataset.value !== undefined"
    )


def shot(page: Any, name: str) -> None:
    """Save a screenshot to screenshots/ (git-ignored) for a human to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
