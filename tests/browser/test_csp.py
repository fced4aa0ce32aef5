"""The page and the API reference run under the strict Content-Security-Policy with no
violation (issue 15, #8): scripts only from this origin, no eval, no inline script."""

from __future__ import annotations

from typing import Any

from tests.browser.helpers import Problems, Server, load, tid, wait_epoch_at_least

RECORD = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def _violations(page: Any, console: list[str]) -> list[str]:
    seen = list(page.evaluate("window.__csp"))
    return seen + [m for m in console if "Content Security Policy" in m or "Refused to" in m]


def test_the_page_plays_under_the_policy(new_page: Any, server: Server, problems: Problems) -> None:
    page = new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    page.add_init_script(RECORD)
    response = page.goto(server.url)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    load(page, server.url)
    page.click(tid("play"))
    wait_epoch_at_least(page, 2)
    page.click(tid("play"))
    assert _violations(page, console) == []
    assert problems.exceptions == []


def test_the_api_reference_runs_under_the_policy(
    new_page: Any, server: Server, problems: Problems
) -> None:
    page = new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    page.add_init_script(RECORD)
    page.goto(server.url + "/docs")
    page.wait_for_selector("body[data-ready=true]")
    health = page.locator('[data-testid="op-get-/api/health"]')
    health.get_by_role("button", name="Send GET /api/health").click()
    response = health.get_by_label("Response of GET /api/health")
    page.wait_for_function("el => el.textContent.includes('status')", arg=response.element_handle())
    assert _violations(page, console) == []
    assert problems.exceptions == []
