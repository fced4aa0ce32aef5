"""Loading custom points from a file: the page sends the text to the server's parser."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.browser.helpers import tid, wait_url_has

FIXTURES = Path(__file__).parents[1] / "fixtures" / "points"


def _upload(page: Any, name: str) -> list[str]:
    """Choose the fixture in the Load CSV button; returns the parse requests' bodies."""
    sent: list[str] = []
    page.on(
        "request",
        lambda r: sent.append(r.post_data or "") if r.url.endswith("/api/points/parse") else None,
    )
    upload = {"name": name, "mimeType": "text/csv", "buffer": (FIXTURES / name).read_bytes()}
    page.set_input_files(tid("custom-file"), files=[upload])
    return sent


def test_a_bom_semicolon_quoted_file_keeps_all_four_rows(page: Any) -> None:
    """A first row starting with a BOM and a quote is data, not a header (the old JS dropped it)."""
    page.click(tid("dataset-custom"))
    wait_url_has(page, "dataset=custom")
    sent = _upload(page, "bom_semicolon_quoted.csv")
    wait_url_has(page, "custom_points=1.5,-2,1;3,4,0;-5,2.5,1;-1,-4,0")
    assert len(sent) == 1  # the file's text went to the server's parser, as it was
    assert json.loads(sent[0])["text"].startswith('"1.5";"-2";1\r\n3;4;0')
    assert "not loaded" not in page.locator("#banner-text").inner_text()


def test_a_bad_row_is_refused_with_its_line_and_the_points_stay(page: Any) -> None:
    page.click(tid("dataset-custom"))
    starter = "custom_points=-3,-3,0;3,3,0;-3,3,1;3,-3,1"
    wait_url_has(page, starter)
    _upload(page, "bad_number.csv")
    banner = page.locator("#banner-text")
    page.wait_for_function(
        "() => document.querySelector('#banner-text').textContent.includes('not loaded')"
    )
    assert "line 3" in banner.inner_text() and "not a finite number" in banner.inner_text()
    page.wait_for_timeout(300)  # a change would have reached the address by now
    assert starter in page.evaluate("() => location.search")  # the points stayed
