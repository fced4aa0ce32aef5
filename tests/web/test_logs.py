"""`nn-playground serve --log-format json`: JSON lines with the session id; errors logged once."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from playground.web.logs import SESSION_ID, JsonFormatter, log_config
from tests.web.test_server import _free_port, _wait_ready

#: `nn-playground serve` with a bug planted in POST /api/train (same process: workers=1)
BROKEN_SERVE = """
import sys
from playground.web import routes_api

def broken(*args):
    raise RuntimeError("planted bug for the log test")

routes_api.train_headless = broken
from playground.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_json_formatter_names_the_session_of_the_current_task() -> None:
    record = logging.LogRecord("playground.web", logging.INFO, __file__, 1, "hi %s", ("x",), None)
    assert json.loads(JsonFormatter().format(record))["session"] is None
    token = SESSION_ID.set("abc123")
    try:
        line = json.loads(JsonFormatter().format(record))
    finally:
        SESSION_ID.reset(token)
    assert line["session"] == "abc123" and line["message"] == "hi x"
    assert line["level"] == "INFO" and line["logger"] == "playground.web"
    assert line["time"].endswith("+00:00")


def test_an_unknown_log_format_is_refused() -> None:
    with pytest.raises(ValueError, match="text, json"):
        log_config("yaml")  # type: ignore[arg-type]


async def _one_session(port: int) -> str:
    async with connect(f"ws://127.0.0.1:{port}/ws") as ws:
        hello = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
    return str(hello["session"])


def _serve_with_a_bug(tmp_path: Path, log_format: str) -> tuple[str, str]:
    """Run the broken server, hit the bug once, open and close one session; its output."""
    script = tmp_path / "broken_serve.py"
    script.write_text(BROKEN_SERVE)
    port = _free_port()
    env = {**os.environ, "PLAYGROUND_LOG_LEVEL": "info"}
    env.pop("PLAYGROUND_LOG_FORMAT", None)
    command = [sys.executable, str(script), "serve", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--log-format", log_format],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_ready(process, port)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/train",
            data=b'{"epochs": 1}',
            headers={"content-type": "application/json"},
        )
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(request, timeout=10)
        assert answer.value.code == 500
        assert json.load(answer.value)["error"].startswith("internal error")
        session = asyncio.run(_one_session(port))
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return output.decode(), session


def test_json_logs_are_json_lines_with_the_session_and_one_traceback(tmp_path: Path) -> None:
    output, session = _serve_with_a_bug(tmp_path, "json")
    lines = [json.loads(text) for text in output.splitlines() if text.strip()]  # all JSON
    assert {"time", "level", "logger", "message", "session"} <= set(lines[0])
    assert any("serving on http://127.0.0.1:" in line["message"] for line in lines)
    errors = [line for line in lines if "planted bug" in json.dumps(line)]
    assert len(errors) == 1, errors  # logged once, not again as "Exception in ASGI application"
    assert errors[0]["level"] == "ERROR" and "RuntimeError" in errors[0]["exc"]
    assert errors[0]["message"] == "unhandled error on POST /api/train"
    mine = [line for line in lines if line["session"] == session]
    assert [line["message"] for line in mine] == ["live session started", "live session ended"]
    assert any(
        line["logger"] == "uvicorn.access" and "/api/train" in line["message"] for line in lines
    )


def test_text_logs_show_an_unhandled_error_once(tmp_path: Path) -> None:
    output, _ = _serve_with_a_bug(tmp_path, "text")
    assert output.count("RuntimeError: planted bug for the log test") == 1, output
    assert "Exception in ASGI application" not in output
    assert "unhandled error on POST /api/train" in output
