"""The live sessions of one worker: at most ``limit`` in all, ``per_client`` per address.

``serve_websocket`` reserves a place before it creates a session (creating one awaits a
work turn, so two connections could otherwise both pass the check) and gives it back
when the socket closes. Behind a proxy, uvicorn puts the forwarded client address in the
scope when the proxy is trusted (``FORWARDED_ALLOW_IPS``), so the per-client limit counts
students rather than the proxy.
"""

from __future__ import annotations

from starlette.websockets import WebSocket

from playground.web.live import LiveSession


class SessionRegistry:
    """The live sessions of this worker, capped at ``limit``."""

    def __init__(self, limit: int, per_client: int | None = None) -> None:
        self.limit = limit
        self.per_client = per_client or limit
        self.sessions: dict[str, LiveSession] = {}
        self.clients: dict[str, int] = {}  # client address -> sessions, reserved or live
        self.reserved = 0  # places taken by sessions still being created

    def __len__(self) -> int:
        return len(self.sessions)

    def __repr__(self) -> str:
        return (f"SessionRegistry({len(self.sessions)}/{self.limit} live, "
                f"{self.reserved} reserved, {len(self.clients)} clients)")  # fmt: skip

    def full(self) -> bool:
        return len(self.sessions) + self.reserved >= self.limit

    def client_full(self, client: str) -> bool:
        """True when ``client`` (an address) already has ``per_client`` sessions here."""
        return self.clients.get(client, 0) >= self.per_client

    def reserve(self, client: str) -> None:
        """Take a place before the session is created (creating it awaits a work turn)."""
        self.reserved += 1
        self.clients[client] = self.clients.get(client, 0) + 1

    def add(self, session: LiveSession) -> None:
        """The reserved place now holds ``session``."""
        self.reserved -= 1
        self.sessions[session.id] = session

    def release(self, session: LiveSession | None, client: str) -> None:
        """Give back a place: ``session``'s, or a reservation that never got one."""
        if session is None or self.sessions.pop(session.id, None) is None:
            self.reserved -= 1
        left = self.clients.get(client, 1) - 1
        if left > 0:
            self.clients[client] = left
        else:
            self.clients.pop(client, None)


def client_address(websocket: WebSocket) -> str:
    """The client's address (behind a trusted proxy, uvicorn has already put the real one)."""
    return websocket.client.host if websocket.client is not None else "unknown"
