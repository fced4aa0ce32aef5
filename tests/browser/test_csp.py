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


INSIGHT_VIEWS = [("hidden", "hidden-plot"), ("landscape", "landscape-plot"),
                 ("lr_range", "lr-plot"), ("health", "health-grad")]  # fmt: skip


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
    for view, plot in INSIGHT_VIEWS:  # the "Look inside" panes draw under the policy too
        page.click(tid(f"open-{view}"))
        page.wait_for_function(
            "id => Number(document.querySelector(`[data-testid=${id}]`).dataset.drawn || 0) > 0",
            arg=plot,
        )
    assert _violations(page, console) == []  # (the recorder starts afresh on a new load)
    load(page, server.url + "/?hidden=3")  # a 3-unit layer: the hidden space in 3D
    page.click(tid("open-hidden"))
    page.wait_for_function(
        "() => Number(document.querySelector('[data-testid=hidden-plot]').dataset.drawn || 0) > 0"
    )
    assert _violations(page, console) == []
    assert problems.exceptions == []


def test_the_api_reference_runs_under_the_policy(
    new_page: Any, server: Server, problems: Problems
) -> None:
    """Swagger UI's inline start script runs by its hash (``DocsPolicy``), nothing else."""
    page = new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    page.add_init_script(RECORD)
    response = page.goto(server.url + "/docs")
    policy = response.headers["content-security-policy"]
    assert "'sha256-" in policy and "unsafe-inline' " not in policy.split("style-src")[0]
    page.wait_for_selector(".opblock")
    health = page.locator(".opblock-get:has([data-path='/api/health'])")
    health.locator(".opblock-summary").click()
    health.get_by_role("button", name="Try it out").click()
    health.get_by_role("button", name="Execute").click()
    body = health.locator(".live-responses-table .response-col_description pre").first
    body.wait_for()
    assert '"status": "ok"' in body.inner_text()
    assert _violations(page, console) == []
    assert problems.exceptions == []
