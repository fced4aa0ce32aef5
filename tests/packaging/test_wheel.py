"""The built wheel, installed non-editable into a fresh venv outside the repository, serves
the whole playground: the page, its ES modules, Plotly, /docs and the WebSocket stream.

The sources are copied to a temporary folder first (the build never writes into the
shared working tree). With uv the venv is filled from uv's cache (a few seconds once
warm); without it, pip with its cache. Versions come from constraints.txt.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.sync.client import connect

from playground.web.frames import decode_frame

REPO = Path(__file__).resolve().parents[2]
SOURCES = ["pyproject.toml", "README.md", "LICENSE", "MANIFEST.in", "CHANGELOG.md"]


def _uv() -> str | None:
    found = Path(sys.executable).with_name("uv")
    return str(found) if found.exists() else shutil.which("uv")


def _setuptools_is_new_enough() -> bool:
    try:
        import setuptools
    except ImportError:
        return False
    return int(setuptools.__version__.split(".")[0]) >= 77


def _build_wheel(tmp: Path) -> Path:
    src = tmp / "src"
    src.mkdir()
    for name in SOURCES:
        shutil.copy(REPO / name, src / name)
    shutil.copytree(
        REPO / "playground", src / "playground", ignore=shutil.ignore_patterns("__pycache__")
    )
    out = tmp / "dist"
    if _setuptools_is_new_enough():  # no isolated build env to download: ~2 s
        command = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps"]
        command += ["--no-build-isolation", "-w", str(out), str(src)]
    elif _uv():
        command = [_uv() or "uv", "build", "-q", "--wheel", "-o", str(out), str(src)]
    else:
        command = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out)]
        command.append(str(src))
    subprocess.run(command, check=True, cwd=tmp, timeout=240)
    (wheel,) = out.glob("nn_playground-*.whl")
    return wheel


def _install(tmp: Path, wheel: Path) -> Path:
    venv = tmp / "venv"
    constraints = str(REPO / "constraints.txt")
    uv = _uv()
    if uv:
        subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(venv)], check=True)
        python = venv / "bin" / "python"
        command = [uv, "pip", "install", "-q", "--python", str(python), "-c", constraints]
    else:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        python = venv / "bin" / "python"
        command = [str(python), "-m", "pip", "install", "-q", "-c", constraints]
    subprocess.run([*command, str(wheel)], check=True, cwd=tmp, timeout=240)
    return venv


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int, path: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
        return r.status, r.read()


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, int]]:
    tmp = tmp_path_factory.mktemp("wheel")
    wheel = _build_wheel(tmp)
    venv = _install(tmp, wheel)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(PLAYGROUND_LOG_LEVEL="warning", PLAYGROUND_PORT=str(port))
    process = subprocess.Popen([str(venv / "bin" / "nn-playground"), "serve"], cwd=tmp, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, f"server exited with {process.returncode}"
            try:
                _get(port, "/api/health")
                break
            except OSError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        yield wheel, venv, port
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_wheel_holds_package_data_license_and_marker(installed: tuple[Path, Path, int]) -> None:
    wheel = installed[0]
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "playground/py.typed" in names
    assert "playground/templates/index.html" in names
    assert "playground/static/js/main.js" in names
    assert "playground/__main__.py" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "License-Expression: MIT" in text
    assert "Requires-Dist: starlette" in text


def test_installed_package_is_not_the_checkout(installed: tuple[Path, Path, int]) -> None:
    venv = installed[1]
    code = "import playground, sys; print(playground.__file__)"
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=venv.parent,
    ).stdout.strip()
    assert where.startswith(str(venv)), where
    assert not where.startswith(str(REPO))


def test_installed_server_serves_page_modules_plotly_docs(
    installed: tuple[Path, Path, int],
) -> None:
    port = installed[2]
    status, body = _get(port, "/")
    assert status == 200 and b'<script type="module"' in body
    status, body = _get(port, "/static/js/main.js")
    assert status == 200 and b"import" in body
    status, body = _get(port, "/vendor/plotly.min.js")
    assert status == 200 and len(body) > 1_000_000
    status, body = _get(port, "/docs")
    assert status == 200 and b"/static-offline-docs/swagger-ui-bundle.js" in body
    status, body = _get(port, "/static-offline-docs/swagger-ui-bundle.js")
    assert status == 200 and len(body) > 100_000
    status, body = _get(port, "/openapi.json")
    assert status == 200 and "/api/health" in json.loads(body)["paths"]


def test_installed_server_streams_a_frame(installed: tuple[Path, Path, int]) -> None:
    port = installed[2]
    with connect(f"ws://127.0.0.1:{port}/ws", open_timeout=10) as ws:
        hello = json.loads(ws.recv(timeout=10))
        assert hello["type"] == "hello"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            message = ws.recv(timeout=10)
            if isinstance(message, bytes):
                header, arrays = decode_frame(message)
                assert header["step"] == 0 and arrays
                return
    pytest.fail("no frame within 10 s")
