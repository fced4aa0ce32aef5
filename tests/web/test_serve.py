"""`nn-playground serve` arguments (the real process is exercised in test_server.py)."""

from __future__ import annotations

import argparse

import pytest

from playground.web.serve import add_serve_arguments, page_url, run_serve


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_serve_arguments(parser)
    return parser.parse_args(argv)


def test_defaults_are_local_and_single_worker() -> None:
    args = _parse()
    assert (args.host, args.port, args.workers, args.open) == ("127.0.0.1", 8000, 1, False)
    assert _parse("--workers", "2", "--open").workers == 2


def test_printed_url_is_openable() -> None:
    assert page_url("127.0.0.1", 8000) == "http://127.0.0.1:8000/"
    assert page_url("0.0.0.0", 9000) == "http://127.0.0.1:9000/"
    assert page_url("::1", 80) == "http://[::1]:80/"


@pytest.mark.parametrize("argv", [("--port", "0"), ("--port", "70000"), ("--workers", "0")])
def test_bad_arguments_exit_2_without_starting(
    argv: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_serve(_parse(*argv)) == 2
    assert "error:" in capsys.readouterr().err


def test_bad_environment_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PLAYGROUND_MAX_SESSIONS", "none")
    assert run_serve(_parse()) == 2
    assert "PLAYGROUND_" in capsys.readouterr().err
