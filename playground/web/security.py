"""What a public server needs in front of every route: host and origin checks, a body cap,
security headers.

Pure ASGI middleware (no request object is built before the checks), so a refused
request costs microseconds and a 50 MB body is never read into memory:

``BodyLimit``
    answers ``413`` to a ``Content-Length`` over the limit before reading anything, and
    stops a chunked body as soon as it passes the limit (the route then answers 413).
``SecurityHeaders``
    adds a strict Content-Security-Policy (scripts, styles, images and connections from
    this origin only; ``frame-ancestors`` from the settings, so a lesson can be embedded
    where the host allows), ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy``
    to every HTTP response.

Host checks use Starlette's ``TrustedHostMiddleware`` (HTTP and WebSocket): a DNS
rebinding page (``Host: evil.example``) is refused. ``origin_allowed`` is the WebSocket's
cross-site check: only ``http``/``https`` origins match.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from playground.web.frames import dumps

#: hosts that mean "this machine" (the default allowed hosts of a loopback server)
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]")


def content_security_policy(frame_ancestors: str) -> str:
    """The page's CSP: everything from this origin, nothing inline that could run.

    ``style-src 'unsafe-inline'`` is needed because Plotly sets inline styles on the SVG
    it draws; scripts stay strict (no inline script, no eval).
    """
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        )
    )


class SecurityHeaders:
    """Add the security headers to every HTTP response (never replacing a route's own)."""

    def __init__(self, app: ASGIApp, frame_ancestors: str = "'self'") -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", content_security_policy(frame_ancestors).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes the limit (answered as 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than {limit} bytes")


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with ``413`` and a short JSON body."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = _content_length(scope)
        if length is not None and length > self.limit:
            await _send_413(send, self.limit)
            return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        await self.app(scope, limited_receive, send)


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _send_413(send: Send, limit: int) -> None:
    message = f"request body larger than {limit} bytes"
    body = dumps({"error": message, "field": None, "detail": {"limit": limit}}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def origin_allowed(headers: Any, allowed: Iterable[str]) -> bool:
    """May a page with this ``Origin`` open the WebSocket?

    Non-browser clients (no Origin) may; so may configured origins (``*`` = any) and a
    same-origin page, whose origin must be ``http://`` or ``https://`` followed by exactly
    the request's Host (``ftp://host`` or ``evil://host`` are refused).
    """
    origin = headers.get("origin")
    if origin is None:
        return True
    origin = origin.rstrip("/")
    allowed = list(allowed)
    if "*" in allowed or origin in allowed:
        return True
    scheme, sep, rest = origin.partition("://")
    host = headers.get("host", "")
    return bool(sep) and scheme.lower() in ("http", "https") and bool(host) and rest == host
