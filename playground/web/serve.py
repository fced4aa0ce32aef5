"""``nn-playground serve``: run the app under uvicorn and print where it is.

``playground.cli`` adds these arguments to its ``serve`` sub-command (and uses them when
no sub-command is given). ``python -m playground.web.serve`` works too. Settings other
than the address come from ``PLAYGROUND_*`` environment variables, which every worker
process reads for itself.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import logging.config
import os
import socket
import sys
import threading
import time
import webbrowser
from collections.abc import Iterator
from typing import Any

from playground.web.logs import LOG_FORMATS, log_config

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
APP_FACTORY = "playground.web.app:create_app_from_env"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def default_allowed_hosts(host: str) -> str | None:
    """Host names a loopback server answers to (DNS rebinding defence), else None (any).

    A server bound to 127.0.0.1 can only be reached from this machine, so only a page
    a rebinding DNS name pointed here would send another Host.
    """
    if host in LOOPBACK or host.startswith("127."):
        return "localhost,127.0.0.1,::1,[::1]"
    return None


def _env_port() -> int:
    """``PLAYGROUND_PORT`` if set (a non-number is reported by ``run_serve``), else 8000."""
    raw = os.environ.get("PLAYGROUND_PORT", "").strip()
    if not raw:
        return DEFAULT_PORT
    try:
        return int(raw)
    except ValueError:
        return -1  # out of range: run_serve reports it and exits 2


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--host``, ``--port``, ``--workers`` and ``--open`` to ``parser``.

    ``--host`` and ``--port`` default to ``PLAYGROUND_HOST`` / ``PLAYGROUND_PORT`` when set.
    """
    parser.add_argument(
        "--host",
        default=os.environ.get("PLAYGROUND_HOST", "").strip() or DEFAULT_HOST,
        help="address to listen on, or PLAYGROUND_HOST (default: %(default)s)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=_env_port(),
        help="TCP port, 1..65535, or PLAYGROUND_PORT (default: %(default)s)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes, one asyncio loop each (default: %(default)s)",
    )
    parser.add_argument("--open", action="store_true", help="open the page in a browser")
    parser.add_argument(
        "--lessons",
        metavar="DIR",
        default=None,
        help="a folder of your own lesson files (*.toml), offered beside the built-in ones",
    )
    parser.add_argument(
        "--log-format",
        choices=LOG_FORMATS,
        default=None,
        help="log lines as text, or one JSON object per line with the session id "
        "(default: PLAYGROUND_LOG_FORMAT, else text)",
    )


def page_url(host: str, port: int) -> str:
    """The URL to print: a wildcard address is shown as localhost, which a browser can open."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def _open_when_ready(host: str, port: int, url: str, timeout: float = 30.0) -> None:
    """Wait until the port accepts connections, then open the browser (in a thread)."""
    target = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((target, port), timeout=0.5):
                webbrowser.open(url)
                return
        except OSError:
            time.sleep(0.2)


def run_serve(args: argparse.Namespace) -> int:
    """Start uvicorn with the app factory; returns the exit code (0 after Ctrl+C)."""
    if not 1 <= args.port <= 65535:
        print(f"error: --port must be in 1..65535, got {args.port}", file=sys.stderr)
        return 2
    if args.workers < 1:
        print(f"error: --workers must be at least 1, got {args.workers}", file=sys.stderr)
        return 2
    if getattr(args, "lessons", None):
        if not os.path.isdir(args.lessons):
            print(f"error: --lessons: {args.lessons} is not a folder", file=sys.stderr)
            return 2
        # Every worker process reads its settings from the environment.
        os.environ["PLAYGROUND_LESSONS_DIR"] = os.path.abspath(args.lessons)
    with _loopback_hosts(args.host):  # every worker reads the environment for itself
        return _serve(args)


@contextlib.contextmanager
def _loopback_hosts(host: str) -> Iterator[None]:
    """Set ``PLAYGROUND_ALLOWED_HOSTS`` for a loopback server unless the operator did."""
    hosts = default_allowed_hosts(host)
    if hosts is None or "PLAYGROUND_ALLOWED_HOSTS" in os.environ:
        yield
        return
    os.environ["PLAYGROUND_ALLOWED_HOSTS"] = hosts
    try:
        yield
    finally:
        os.environ.pop("PLAYGROUND_ALLOWED_HOSTS", None)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from playground.web.settings import Settings
    from playground.web.transport import GuardedH11Protocol, GuardedWebSocketProtocol
    from playground.web.workers import reuse_port_supported, serve_workers

    try:
        settings = Settings()
    except ValueError as e:  # pydantic's ValidationError names the PLAYGROUND_ variable
        print(f"error: invalid PLAYGROUND_ setting: {e}", file=sys.stderr)
        return 2
    url = page_url(args.host, args.port)
    workers = f", {args.workers} workers" if args.workers > 1 else ""
    log_format = getattr(args, "log_format", None) or settings.log_format
    logs = log_config(log_format, settings.log_level)
    if log_format == "json":  # every line on the terminal is JSON, the banner too
        logging.config.dictConfig(logs)
        logging.getLogger("playground").info("serving on %s%s", url, workers)
    else:
        print(f"nn-playground: serving on {url}{workers} (Ctrl+C to stop)", flush=True)
    if args.open:
        threading.Thread(
            target=_open_when_ready, args=(args.host, args.port, url), daemon=True
        ).start()
    options: dict[str, Any] = dict(
        app=APP_FACTORY,
        factory=True,
        host=args.host,
        port=args.port,
        log_level=settings.log_level,
        # classes, not import strings: uvicorn before 0.36 takes only its own names as
        # strings; a class pickles by reference, so every worker process loads it too
        http=GuardedH11Protocol,
        ws=GuardedWebSocketProtocol,
        timeout_keep_alive=settings.keep_alive,
        limit_concurrency=settings.max_connections,
        log_config=logs,
        # a message over the limit still reaches the app, which answers it with an error
        ws_max_size=2 * settings.max_message_bytes,
        ws_per_message_deflate=settings.ws_deflate,
    )
    if args.workers > 1 and reuse_port_supported():  # a socket per worker: see workers.py
        try:
            return serve_workers(options, args.workers, settings.shutdown_grace)
        except OSError as e:
            print(f"error: cannot listen on {args.host}:{args.port}: {e}", file=sys.stderr)
            return 1
    uvicorn.run(options.pop("app"), workers=args.workers, **options)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point for ``python -m playground.web.serve``."""
    parser = argparse.ArgumentParser(prog="nn-playground serve", description=__doc__)
    add_serve_arguments(parser)
    return run_serve(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
