"""The API reference at /docs: our own page, local assets only, so it works offline."""

from __future__ import annotations

import re

from starlette.testclient import TestClient


def test_docs_page_uses_only_local_assets(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/js/api_docs.js" in " ".join(assets)
    assert all(not a.startswith(("http:", "https:", "//")) for a in assets), assets
    for asset in ("/static/js/api_docs.js", "/static/css/api_docs.css"):
        assert client.get(asset).status_code == 200


def test_openapi_still_describes_the_rest_api(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert {"/api/health", "/api/options", "/api/train", "/api/dataset"} <= set(doc["paths"])
    assert doc["paths"]["/api/train"]["post"]["description"]  # the handler docstring
    assert "/docs" not in doc["paths"]


def test_redoc_redirects_to_docs(client: TestClient) -> None:
    response = client.get("/redoc", follow_redirects=False)
    assert response.status_code in (307, 308)
    assert response.headers["location"] == "/docs"
