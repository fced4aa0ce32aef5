"""`python -m playground`, PLAYGROUND_HOST/PORT for serve, and the shipped metadata files."""

from __future__ import annotations

import argparse
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from playground.web.serve import add_serve_arguments, run_serve

REPO = Path(__file__).resolve().parents[2]


def test_python_m_playground_is_the_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "playground", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert "serve" in result.stdout and "train" in result.stdout


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_serve_arguments(parser)
    return parser.parse_args(argv)


def test_serve_reads_host_and_port_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAYGROUND_HOST", "0.0.0.0")
    monkeypatch.setenv("PLAYGROUND_PORT", "9123")
    args = _parse()
    assert (args.host, args.port) == ("0.0.0.0", 9123)
    assert _parse("--port", "9000", "--host", "::1").port == 9000  # flags win


def test_a_bad_playground_port_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PLAYGROUND_PORT", "http")
    assert run_serve(_parse()) == 2
    assert "port" in capsys.readouterr().err


def test_license_py_typed_and_changelog_are_there() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"  # the SPDX form
    assert "MIT License" in (REPO / "LICENSE").read_text()
    assert (REPO / "playground" / "py.typed").exists()
    assert (REPO / "CHANGELOG.md").read_text().startswith("# Changelog")
    names = [d.split(">")[0].split("<")[0].split("=")[0] for d in project["dependencies"]]
    assert "starlette" in names
    assert any(d.startswith("plotly") and "<" in d for d in project["dependencies"])
