"""The API reference: Swagger UI at /docs and ReDoc at /redoc from fastapi-offline's assets."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_pages_load_only_local_scripts(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assets = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert assets and all(not a.startswith(("http:", "https:", "//")) for a in assets), assets
    urls = re.findall(r"(?:url|openapi_url)[\"']?\s*[:=]\s*[\"']([^\"']+)", response.text)
    assert all(not u.startswith(("http:", "https:", "//")) for u in urls), urls
    for asset in assets:
        answer = client.get(asset)
        assert answer.status_code == 200, asset
        assert len(answer.content) > 100, asset  # a real file, not an empty answer


def test_openapi_describes_the_rest_api(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert {"/api/health", "/api/options", "/api/train", "/api/dataset"} <= set(doc["paths"])
    assert doc["paths"]["/api/train"]["post"]["description"]  # the handler docstring
    assert "/docs" not in doc["paths"] and "/redoc" not in doc["paths"]


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def test_every_operation_declares_its_answer_and_errors(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    schemas = doc["components"]["schemas"]
    operations = [(m, p, op) for p, ops in doc["paths"].items() for m, op in ops.items()]
    assert len(operations) >= 5
    for method, path, op in operations:
        content = op["responses"]["200"]["content"]
        if "application/json" not in content:  # a file (model.py): declared as text
            assert all(c["schema"]["type"] == "string" for c in content.values()), path
        else:
            ok = content["application/json"]["schema"]
            assert ok.get("$ref", "").startswith("#/components/schemas/"), (method, path, ok)
        if method == "post":  # a body can be refused: the one error shape, not FastAPI's
            error = op["responses"]["422"]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/ErrorBody"}, (method, path)
        assert op["description"].strip(), (method, path)  # the handler docstring
    assert "HTTPValidationError" not in schemas  # no undeclared error shape left
    for ref in _refs(doc):
        assert ref.removeprefix("#/components/schemas/") in schemas, ref
    assert set(schemas["TrainResult"]["properties"]) >= {"stopped", "metrics", "history"}
    assert doc["paths"]["/api/train"]["post"]["responses"]["503"]


def test_declared_models_keep_the_answers_as_they_were(client: TestClient) -> None:
    """A response model validates each answer; it must not add, drop or retype keys."""
    import json

    from playground.web.app import build_options

    options = json.loads(json.dumps(build_options(client.app.state.settings)))  # type: ignore[attr-defined]
    assert client.get("/api/options").json() == options
    health = client.get("/api/health").json()
    assert health["status"] == "ok" and isinstance(health["sessions"], int)
    result = client.post("/api/train", json={"epochs": 2}).json()
    assert result["stopped"] == "epochs" and result["epochs"] == 2
    assert isinstance(result["steps"], int) and len(result["history"]["train_loss"]) == 2
    data = client.post("/api/dataset", json={"config": {"dataset": "xor"}}).json()
    assert data["config"]["dataset"] == "xor" and data["problem"] == "binary"
    assert len(data["train"]["points"]) == len(data["train"]["labels"])
