"""The API reference renders and answers with the network unplugged."""

from __future__ import annotations

import json
from typing import Any

from tests.browser.helpers import Problems, Server, block_outside


def test_api_docs_render_and_try_it_offline(
    new_page: Any, server: Server, problems: Problems
) -> None:
    page = new_page()
    outside = block_outside(page)
    page.goto(server.url + "/docs")
    page.wait_for_selector("body[data-ready=true]")
    train = page.locator('[data-testid="op-post-/api/train"]')
    assert "Train a run headless" in train.inner_text()  # the handler docstring
    assert "learning_rate" in train.inner_text()  # the RunConfig schema, resolved
    health = page.locator('[data-testid="op-get-/api/health"]')
    health.get_by_role("button", name="Send GET /api/health").click()
    response = health.get_by_label("Response of GET /api/health")
    page.wait_for_function("el => el.textContent.includes('status')", arg=response.element_handle())
    assert '"status": "ok"' in response.inner_text()
    assert outside == []
    assert problems.exceptions == [] and problems.console == []


def test_prefilled_train_example_is_accepted(
    new_page: Any, server: Server, problems: Problems
) -> None:
    page = new_page()
    page.goto(server.url + "/docs")
    page.wait_for_selector("body[data-ready=true]")
    train = page.locator('[data-testid="op-post-/api/train"]')
    body = json.loads(train.get_by_label("Request body for POST /api/train").input_value())
    assert body["epochs"] == 100 and body["config"]["dataset"] == "circle"  # schema defaults
    assert "problem" not in body["config"]  # optional, no default: left to the server
    train.get_by_role("button", name="Send POST /api/train").click()
    status = train.get_by_role("status")
    page.wait_for_function("el => /\\d{3}/.test(el.textContent)", arg=status.element_handle())
    assert status.inner_text().startswith("200"), train.locator("pre").inner_text()
    assert '"stopped": "epochs"' in train.get_by_label("Response of POST /api/train").inner_text()
    assert problems.exceptions == []
