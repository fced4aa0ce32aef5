"""A public server: body limits, bounded error bodies, security headers, host and origin
checks, and the OpenAPI contract of errors (issue 15, items 1, 8 and 10)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from starlette.websockets import WebSocketDisconnect

from playground.web.security import content_security_policy, origin_allowed
from tests.web.conftest import TestClient, connect


def test_a_body_over_the_limit_is_refused_before_it_is_read(client: TestClient) -> None:
    """#1: a 50 MB POST /api/train froze the worker; now 413 from the Content-Length alone."""
    big = b'{"config": {"dataset": "' + b"x" * 3_000_000 + b'"}}'
    response = client.post("/api/train", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413
    body = response.json()
    assert body["error"] == "request body larger than 2097152 bytes" and body["field"] is None
    assert len(response.content) < 200


def test_a_chunked_body_is_cut_at_the_limit(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_body_bytes=4096)

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit counts streamed bytes
        yield b'{"config": {"dataset": "'
        for _ in range(100):
            yield b"x" * 1000
        yield b'"}}'

    response = client.post(
        "/api/dataset", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"] == "request body larger than 4096 bytes"


def test_an_error_never_echoes_a_large_input(client: TestClient) -> None:
    """#1: a 20 MB dataset name came back three times over in the 422."""
    name = "y" * 1_500_000
    response = client.post("/api/dataset", json={"config": {"dataset": name}})
    assert response.status_code == 422
    assert response.json()["field"] == "config.dataset"
    assert len(response.content) < 2000
    response = client.post("/api/train", json={"config": {name: 1}})
    assert response.status_code == 422 and len(response.content) < 2000


@pytest.mark.parametrize(
    "path", ["/", "/docs", "/api/health", "/api/options", "/static/js/main.js", "/nope"]
)
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    """#8: no CSP, nosniff, frame-ancestors or Referrer-Policy anywhere."""
    response = client.get(path)
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'self'" in csp
    assert "unsafe-eval" not in csp and "'unsafe-inline'" not in csp.split("script-src")[1][:30]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


def test_frame_ancestors_is_a_setting(make_client: Callable[..., TestClient]) -> None:
    client = make_client(frame_ancestors="'self' https://lessons.example.org")
    csp = client.get("/").headers["content-security-policy"]
    assert "frame-ancestors 'self' https://lessons.example.org" in csp
    with pytest.raises(ValueError, match="frame_ancestors"):
        make_client(frame_ancestors="'self'; script-src *")  # no smuggled directive


def test_the_policy_is_one_header_line() -> None:
    assert "\n" not in content_security_policy("'none'")


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        (None, True),  # not a browser
        ("http://testserver", True),
        ("https://testserver", True),
        ("http://testserver/", True),
        ("ftp://testserver", False),  # #8: the scheme was ignored
        ("evil://testserver", False),
        ("testserver", False),
        ("http://testserver.evil.example", False),
        ("http://evil.example", False),
    ],
)
def test_the_origin_check_is_scheme_aware(origin: str | None, allowed: bool) -> None:
    headers = {"host": "testserver"} | ({} if origin is None else {"origin": origin})
    assert origin_allowed(headers, []) is allowed


def test_configured_origins_still_pass() -> None:
    headers = {"host": "a.example", "origin": "https://lessons.example.org"}
    assert origin_allowed(headers, ["https://lessons.example.org"])
    assert origin_allowed(headers, ["*"])
    assert not origin_allowed(headers, ["https://other.example"])


def test_dns_rebinding_is_refused_for_http_and_websocket(
    make_client: Callable[..., TestClient],
) -> None:
    """#8: ``Host: evil.example`` with a matching Origin got 101."""
    client = make_client(allowed_hosts="localhost,127.0.0.1")
    evil = {"host": "evil.example:8000", "origin": "http://evil.example:8000"}
    response = client.get("/api/health", headers=evil)
    assert response.status_code == 400
    assert response.headers["x-content-type-options"] == "nosniff"
    with pytest.raises(WebSocketDisconnect), client.websocket_connect("/ws", headers=evil):
        pass
    good = {"host": "localhost:8000", "origin": "http://localhost:8000"}
    assert client.get("/api/health", headers=good).status_code == 200
    with client.websocket_connect("/ws", headers=good) as ws:
        assert json.loads(ws.receive_text())["type"] == "hello"


def test_the_serve_command_defaults_to_local_host_names() -> None:
    from playground.web.serve import default_allowed_hosts

    assert default_allowed_hosts("127.0.0.1") == "localhost,127.0.0.1,::1,[::1]"
    assert default_allowed_hosts("0.0.0.0") is None  # a public bind: the operator sets it


def test_a_wrong_scheme_origin_cannot_open_the_socket(client: TestClient) -> None:
    headers = {"origin": "ftp://testserver"}
    with pytest.raises(WebSocketDisconnect), client.websocket_connect("/ws", headers=headers):
        pass


def test_openapi_states_the_real_error_shape_and_limits(
    make_client: Callable[..., TestClient],
) -> None:
    """#10: 422 said HTTPValidationError, 400/503 were missing, epochs allowed 100,000."""
    schema = make_client(train_max_epochs=700).get("/openapi.json").json()
    train = schema["paths"]["/api/train"]["post"]["responses"]
    for status in ("400", "413", "422", "503"):
        ref = train[status]["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith("/ErrorBody"), status
    error = schema["components"]["schemas"]["ErrorBody"]
    assert set(error["properties"]) == {"error", "field", "detail"}
    assert "HTTPValidationError" not in json.dumps(schema["paths"])
    for request in ("TrainRequest", "SweepRequest", "LandscapeRequest", "RangeRequest"):
        epochs = schema["components"]["schemas"][request]["properties"]["epochs"]
        assert epochs["maximum"] == 700, request


def test_the_enforced_epoch_limit_matches_the_schema(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    limit = schema["components"]["schemas"]["TrainRequest"]["properties"]["epochs"]["maximum"]
    over = client.post("/api/train", json={"epochs": limit + 1})
    assert over.status_code == 422 and over.json()["field"] == "epochs"


def test_binary_messages_name_a_field(client: TestClient) -> None:
    """#10: a binary message's error had field null."""
    with connect(client) as peer:
        peer.ws.send_bytes(b"\x00")
        assert peer.expect("error")["field"] == "message"


@pytest.mark.parametrize("epochs", ["5", True, 5.0])
def test_epochs_must_be_a_json_integer(client: TestClient, epochs: object) -> None:
    """#9: no string or boolean coercion in REST bodies either."""
    response = client.post("/api/train", json={"epochs": epochs})
    assert response.status_code == 422 and response.json()["field"] == "epochs"
