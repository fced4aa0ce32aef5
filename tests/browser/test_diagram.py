"""The network diagram's rough edges (issue 10), in Chromium: layer heads at 8 layers,
the link threshold at 16+ neurons, the hovered neuron's layer in its caption."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest

from playground.web.diagram import auto_link_threshold
from tests.browser.helpers import Server, load, tid

EIGHT = "/?hidden=8,8,8,8,8,8,8,8"

BOXES = """() => {
  const root = document.querySelector('[data-testid=network]');
  const pick = (s) => [...root.querySelectorAll(s)];
  const boxes = [];
  for (const el of pick('.layer-head')) {
    // The head's own parts, each as drawn (buttons as one row).
    for (const part of el.querySelectorAll('.layer-buttons-small, .layer-caption, select')) {
      const r = part.getBoundingClientRect();
      boxes.push({ what: `${el.dataset.testid} ${part.className || part.tagName}`,
                   x0: r.left, x1: r.right, y0: r.top, y1: r.bottom });
    }
  }
  for (const el of pick('.column-caption')) {
    const r = el.getBoundingClientRect();
    boxes.push({ what: el.className, x0: r.left, x1: r.right, y0: r.top, y1: r.bottom });
  }
  const box = root.getBoundingClientRect();
  return { boxes, root: { x0: box.left, x1: box.right } };
}"""


def overlaps(boxes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    found = []
    for k, a in enumerate(boxes):
        for b in boxes[k + 1 :]:
            if a["x0"] < b["x1"] and b["x0"] < a["x1"] and a["y0"] < b["y1"] and b["y0"] < a["y1"]:
                found.append((a["what"], b["what"]))
    return found


@pytest.mark.parametrize("width", [1366, 1180])
def test_eight_layer_heads_do_not_overlap(new_page: Any, server: Server, width: int) -> None:
    page = new_page(width=width, height=768)
    load(page, server.url + EIGHT)
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=network] .layer-head').length === 8"
    )
    shown = page.evaluate(BOXES)
    boxes = shown["boxes"]
    assert len(boxes) == 8 * 3 + 2
    assert overlaps(boxes) == []
    # Nothing is pushed out of the diagram either.
    assert all(b["x0"] >= shown["root"]["x0"] - 1 for b in boxes)
    assert all(b["x1"] <= shown["root"]["x1"] + 1 for b in boxes)
    # Narrow heads show the count alone; the full text stays in the label.
    caption = page.locator(tid("layer-caption-3"))
    assert caption.text_content() == "8"
    assert caption.get_attribute("aria-label") == "Hidden layer 4: 8 neurons"


def test_two_layer_heads_keep_the_full_caption(page: Any) -> None:
    assert page.text_content(tid("layer-caption-0")) == "4 neurons"
    assert overlaps(page.evaluate(BOXES)["boxes"]) == []


def js_number(value: float) -> str:
    """A number as JavaScript's String() writes it (1.0 -> "1")."""
    return f"{value:g}"


def links_drawn(page: Any) -> int:
    return int(page.get_attribute(tid("network"), "data-links-drawn"))


def visible_hit_paths(page: Any) -> int:
    count: int = page.evaluate(
        "() => [...document.querySelectorAll('[data-testid=network] path.link')]"
        ".filter(p => p.style.display !== 'none').length"
    )
    return count


def test_dense_links_hide_below_the_threshold(new_page: Any, server: Server) -> None:
    with urllib.request.urlopen(f"{server.url}/api/options") as r:
        rule = json.load(r)["diagram"]["link_threshold"]
    page = new_page()
    load(page, server.url + "/?hidden=20,20")
    total = 2 * 20 + 20 * 20 + 20
    weights = page.evaluate(
        """() => { const n = window.playground.network; const out = [];
          for (const [l, a, b] of [[0, 2, 20], [1, 20, 20], [2, 20, 1]])
            for (let i = 0; i < a; i++) for (let j = 0; j < b; j++)
              out.push(n.weightValue('weight', l, i, j));
          return out; }"""
    )
    assert len(weights) == total
    auto = auto_link_threshold([2, 20, 20, 1])
    assert auto > 0  # 20 neurons: dense, the automatic threshold hides faint links
    select = page.locator(tid("link-threshold"))
    assert select.input_value() == "auto"
    assert select.locator("option").first.text_content() == f"auto ({auto})"
    expected = sum(abs(w) >= auto for w in weights)
    assert 0 < links_drawn(page) == expected < total
    assert visible_hit_paths(page) == expected  # a hidden link cannot be hovered either
    select.select_option("0")
    page.wait_for_function(f"() => document.querySelector('{tid('network')}')"
                           f".dataset.linksDrawn === '{total}'")  # fmt: skip
    assert visible_hit_paths(page) == total
    strict = max(c for c in rule["choices"] if sum(abs(w) >= c for w in weights) > 0)
    select.select_option(js_number(strict))
    page.wait_for_function(
        "n => Number(document.querySelector('[data-testid=network]').dataset.linksDrawn) === n",
        arg=sum(abs(w) >= strict for w in weights),
    )
    assert links_drawn(page) < expected


def test_small_networks_draw_every_link(page: Any) -> None:
    assert auto_link_threshold([2, 4, 2, 1]) == 0
    assert links_drawn(page) == 2 * 4 + 4 * 2 + 2


def test_hovered_neuron_caption_names_its_layer(page: Any) -> None:
    page.hover(tid("neuron-1-1"))
    page.wait_for_selector("#hover-note:not([hidden])")
    assert page.text_content("#hover-note") == (
        "Showing neuron 2 of hidden layer 2: its output over the input square"
    )
    page.hover(tid("neuron-0-3"))
    page.wait_for_function(
        "() => document.getElementById('hover-note').textContent.includes('neuron 4 of "
        "hidden layer 1')"
    )
