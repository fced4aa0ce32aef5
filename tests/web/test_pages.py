"""The page, static files and the locally served Plotly (no internet needed)."""

from __future__ import annotations

import json
import re

from playground.web.pages import STATIC_DIR, bootstrap_json, plotly_path
from tests.web.conftest import TestClient


def test_index_embeds_the_bootstrap_json(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    pattern = r'<script type="application/json" id="bootstrap">(.*?)</script>'
    match = re.search(pattern, response.text, re.S)
    assert match, "templates/index.html embeds {{ bootstrap_json | safe }}"
    data = json.loads(match.group(1))
    assert data["options"] == client.get("/api/options").json()
    assert data["limits"]["max_fps"] == 240


def test_bootstrap_json_cannot_close_the_script_element() -> None:
    text = bootstrap_json({"limits": {}, "evil": "</script><script>alert(1)</script> & more"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["options"]["evil"].startswith("</script>")


def test_static_files_are_served_and_gzipped(client: TestClient) -> None:
    name = sorted(p.name for p in (STATIC_DIR / "js").glob("*.js"))[0]
    raw = (STATIC_DIR / "js" / name).read_bytes()
    response = client.get(f"/static/js/{name}", headers={"accept-encoding": "gzip"})
    assert response.status_code == 200 and response.content == raw
    if len(raw) > 1024:
        assert response.headers["content-encoding"] == "gzip"
    assert client.get("/static/js/nothing-here.js").status_code == 404


def test_plotly_comes_from_the_installed_package(client: TestClient) -> None:
    raw = plotly_path().read_bytes()
    packed = client.get("/vendor/plotly.min.js", headers={"accept-encoding": "gzip, br"})
    assert packed.status_code == 200 and packed.headers["content-encoding"] == "gzip"
    assert packed.content == raw, "httpx decodes gzip transparently"
    assert int(packed.headers["content-length"]) < len(raw) / 2
    plain = client.get("/vendor/plotly.min.js", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers and len(plain.content) == len(raw)
    assert packed.headers["cache-control"].startswith("public")


def test_gzip_never_compresses_the_api_twice(client: TestClient) -> None:
    response = client.get("/api/options", headers={"accept-encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip" and response.json()["fields"]
