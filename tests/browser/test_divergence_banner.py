"""The divergence banner: one plain sentence, and gone once the run recovers."""

from __future__ import annotations

from typing import Any

from tests.browser.helpers import Server, load, tid


def test_divergence_banner_says_it_once_and_goes_after_reset(new_page: Any, server: Server) -> None:
    page = new_page()
    load(page, server.url + "/?dataset=spiral&learning_rate=10&optimizer=momentum&hidden=8,8")
    page.click(tid("play"))
    banner = page.locator("#banner")
    banner.wait_for(state="visible", timeout=20_000)
    text = page.locator("#banner-text").text_content()
    assert text.count("Training diverged at step") == 1, text
    assert ".." not in text and text.endswith(".")
    assert "grew too large" not in text
    assert "learning rate" in text
    page.click(tid("reset"))
    banner.wait_for(state="hidden", timeout=10_000)
