"""SIGTERM: the page gets its snapshot and close 1012, keeps it, and restores it on reconnect."""

from __future__ import annotations

import json
import signal
from typing import Any

from tests.browser.helpers import Problems, Server, load, settle, step_count, tid, wait_step

#: record every WebSocket close the page sees (code and reason), before the page loads
RECORD_CLOSES = """
window.__closes = [];
const NativeWebSocket = window.WebSocket;
window.WebSocket = class extends NativeWebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener("close", (e) => window.__closes.push([e.code, e.reason]));
  }
};
"""


def test_sigterm_hands_the_page_its_run_and_the_page_restores_it(
    new_page: Any, problems: Problems
) -> None:
    own = Server().start()
    try:
        page = new_page()
        page.add_init_script(RECORD_CLOSES)
        received: list[str] = []
        sent: list[str] = []

        def watch(ws: Any) -> None:
            ws.on("framereceived", lambda f: received.append(f) if isinstance(f, str) else None)
            ws.on("framesent", lambda f: sent.append(f) if isinstance(f, str) else None)

        page.on("websocket", watch)
        load(page, own.url + "/?dataset=xor&seed=7")
        page.click(tid("step"))
        wait_step(page, 25)
        settle(page, quiet_ms=200)
        assert own.process is not None
        own.process.send_signal(signal.SIGTERM)  # at once: no periodic snapshot of step 25
        own.process.wait(timeout=15)
        page.wait_for_function("() => window.__closes.length > 0")
        assert page.evaluate("() => window.__closes[0]") == [1012, "service restart"]
        last = json.loads(received[-1])
        assert last["type"] == "snapshot" and last["snapshot"]["runs"][0]["trainer"]["step"] == 25
        stored = page.evaluate("() => JSON.parse(sessionStorage.getItem('nn-playground.session'))")
        assert stored["snapshot"]["runs"][0]["trainer"]["step"] == 25  # the run store kept it

        own.start()  # the same address, a fresh process that knows nothing of this page
        page.wait_for_selector("[data-testid=conn][data-state=connected]", timeout=20_000)
        settle(page)
        assert step_count(page) == 25
        assert any(json.loads(text)["type"] == "restore" for text in sent)
        page.click(tid("step"))
        wait_step(page, 50)  # and it keeps training from there
        assert problems.exceptions == []
    finally:
        own.stop()
