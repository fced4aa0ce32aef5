"""Shared helpers for the browser tests: the server process, waiting on the page, reading it.

Waits use what the page shows (epoch, step counter, data-value of the losses, the URL),
so a test reads the page the way a person does.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
REQUIRED_TESTIDS = [
    "play", "step", "reset", "epoch", "train-loss", "test-loss", "add-layer", "remove-layer",
    "boundary", "loss-chart", "network", "share",
]  # fmt: skip


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Problems:
    """Console errors and uncaught exceptions seen by a page."""

    console: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)


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


def tid(name: str) -> str:
    return f"[data-testid={name}]"


def number(page: Any, name: str) -> float:
    return float(page.get_attribute(tid(name), "data-value"))


def step_count(page: Any) -> int:
    return int(page.text_content(tid("step-count")))


def epoch(page: Any) -> int:
    return int(page.text_content(tid("epoch")))


def wait_epoch_at_least(page: Any, n: int) -> None:
    page.wait_for_function(
        "n => Number(document.querySelector('[data-testid=epoch]').textContent) >= n", arg=n
    )


def wait_step(page: Any, n: int) -> None:
    page.wait_for_function(
        "n => Number(document.querySelector('[data-testid=step-count]').textContent) === n",
        arg=n,
    )


def settle(page: Any, quiet_ms: int = 400) -> None:
    """Wait until no frame has arrived for `quiet_ms` (the paused page is up to date)."""
    for _ in range(50):
        seq = page.get_attribute(tid("epoch"), "data-seq")
        page.wait_for_timeout(quiet_ms)
        if page.get_attribute(tid("epoch"), "data-seq") == seq:
            return
    raise AssertionError("frames kept coming on a paused page")


def wait_url_has(page: Any, text: str) -> None:
    page.wait_for_function("t => location.search.includes(t)", arg=text)


def set_control(page: Any, field: str, value: str) -> None:
    """Type into a control and commit it (as leaving the field does)."""
    control = page.locator(tid(f"control-{field}"))
    if control.evaluate("el => el.tagName") == "SELECT":
        control.select_option(value)
    else:
        control.fill(value)
        control.dispatch_event("change")


def field_names(server: Server) -> list[str]:
    """Every RunConfig field, from the server's own /api/options."""
    with urllib.request.urlopen(f"{server.url}/api/options") as r:
        return [f["name"] for f in json.load(r)["fields"]]


def drawn_points(page: Any) -> int:
    """How many data points the output plot shows (training, plus test when toggled on)."""
    count: int = page.locator("[data-testid=boundary] .scatterlayer path.point").count()
    return count


def block_outside(page: Any) -> list[str]:
    """Abort every request that is not to this machine; returns the list of those tried."""
    outside: list[str] = []

    def only_local(route: Any) -> None:
        host = route.request.url.split("/")[2].split(":")[0]
        if host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    return outside
