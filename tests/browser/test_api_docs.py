"""The API reference (Swagger UI at /docs, ReDoc at /redoc) renders with the network unplugged."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from tests.browser.helpers import Problems, Server, block_outside

#: ReDoc's sidebar footer always tries Redocly's 1 KB logo and hides it when it fails to
#: load; it is the one request either page makes off this machine (the docs need nothing).
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def _openapi(server: Server) -> dict[str, Any]:
    with urllib.request.urlopen(f"{server.url}/openapi.json") as r:
        doc: dict[str, Any] = json.load(r)
    return doc


def _operations(doc: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (method, path, op["operationId"])
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
    ]


def test_swagger_ui_shows_every_operation_and_schema_offline(
    new_page: Any, server: Server, problems: Problems
) -> None:
    doc = _openapi(server)
    page = new_page()
    outside = block_outside(page)
    page.goto(server.url + "/docs")
    page.wait_for_selector(".opblock")
    page.wait_for_selector(".models .json-schema-2020-12-head")
    for method, path, _ in _operations(doc):
        block = page.locator(f".opblock-{method}:has([data-path='{path}'])")
        assert block.count() == 1, (method, path)
    names = page.locator(".models .json-schema-2020-12__title").all_inner_texts()
    assert sorted(n.strip() for n in names) == sorted(doc["components"]["schemas"])

    # A docstring is Markdown: its ``code`` and **bold** are rendered, not shown raw.
    train = page.locator(".opblock-post:has([data-path='/api/train'])")
    train.locator(".opblock-summary").click()
    description = train.locator(".opblock-description .renderedMarkdown").first
    assert "Train a run headless" in description.inner_text()
    assert description.locator("code", has_text="epochs").count() >= 1
    assert "``" not in description.inner_text()
    # ... and its answer's schema is there (the declared response model).
    responses = train.locator(".responses-wrapper")
    assert "stopped" in responses.inner_text() and "422" in responses.inner_text()

    # Try it out works against this server.
    health = page.locator(".opblock-get:has([data-path='/api/health'])")
    health.locator(".opblock-summary").click()
    health.get_by_role("button", name="Try it out").click()
    health.get_by_role("button", name="Execute").click()
    body = health.locator(".live-responses-table .response-col_description pre").first
    body.wait_for()
    assert '"status": "ok"' in body.inner_text()
    assert outside == []
    assert problems.exceptions == [] and problems.console == []


def test_redoc_shows_every_operation_with_its_answer_offline(
    new_page: Any, server: Server, problems: Problems
) -> None:
    doc = _openapi(server)
    page = new_page()
    outside = block_outside(page)
    page.goto(server.url + "/redoc")
    for _, _, operation_id in _operations(doc):
        section = page.locator(f"[data-section-id='operation/{operation_id}']")
        section.wait_for(state="attached")
        assert "200" in section.inner_text()
    health = page.locator("[data-section-id='operation/health_api_health_get']")
    assert "sessions" in health.inner_text()  # the Health model's fields
    code = health.locator("code", has_text="status")
    assert code.count() >= 1  # the docstring's ``status`` rendered as code
    assert set(outside) <= {REDOC_LOGO}, outside
    assert problems.exceptions == []
    # the logo is refused by the network block or, first, by the policy's img-src
    refused = ("ERR_FAILED", f"Loading the image '{REDOC_LOGO}' violates")
    assert all(any(r in text for r in refused) for text in problems.console), problems.console
