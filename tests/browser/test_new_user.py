"""What a new user hits (issue 10), through the page in Chromium.

The Training panel, the scheduled learning rate, the Step sizes, a re-initializing
initializer change, custom data's details, every refused URL value, and layouts under
`hide=` (asserted by geometry; screenshots land in screenshots/ for a human).
"""

from __future__ import annotations

from typing import Any

from playground.engine.schedules import learning_rate_at
from tests.browser.helpers import Server, load, set_control, shot, tid, wait_step

WIDTH = 1366
CUSTOM_20 = ";".join(f"{x},{y},{(x + y) % 2}" for x in (-3, -1, 1, 3) for y in (-4, -2, 0, 2, 4))

BOX = "s => { const r = document.querySelector(s).getBoundingClientRect(); return [r.x, r.width]; }"
FITS = """() => { const s = document.querySelector('[data-testid=control-loss]');
  const c = document.createElement('canvas').getContext('2d'); const st = getComputedStyle(s);
  c.font = `${st.fontWeight} ${st.fontSize} ${st.fontFamily}`;
  return c.measureText(s.options[s.selectedIndex].text).width + 24 <= s.clientWidth; }"""


def _box(page: Any, selector: str) -> tuple[float, float]:
    x, width = page.evaluate(BOX, selector)
    return x, width


def test_hide_combinations_keep_a_sensible_layout(new_page: Any, server: Server) -> None:
    page = new_page(WIDTH, 768)
    load(page, server.url + "/")
    default_network = _box(page, ".network-panel")[1]
    for hide in ("data", "data,training", "output"):
        load(page, f"{server.url}/?hide={hide}")
        shot(page, f"hide-{hide.replace(',', '-')}")
        shown = [s for s in (".left-column", ".network-panel", ".output-panel")
                 if page.locator(s).is_visible()]  # fmt: skip
        boxes = [_box(page, s) for s in shown]
        for (x, w), (nx, _) in zip(boxes, boxes[1:], strict=False):
            assert x + w <= nx + 1, (hide, boxes)  # side by side, never overlapping
        assert all(w > 200 for _, w in boxes), (hide, boxes)
        network = _box(page, ".network-panel")[1]
        if hide == "data":  # Training keeps the left column: the network keeps its place
            assert page.locator(tid("training-panel")).is_visible()
            assert abs(network - default_network) <= 2, (network, default_network)
        elif hide == "data,training":  # the left column is gone: the network widens
            assert network > default_network + 100 and network > 0.5 * WIDTH, network
        else:
            assert network > 0.7 * WIDTH, network


def test_training_panel_schedule_rate_and_step_sizes(new_page: Any, server: Server) -> None:
    page = new_page(WIDTH, 768)
    load(page, server.url + "/?schedule=cosine&decay_steps=100&n_points=100")
    panel = page.locator(tid("training-panel"))
    for field in ("schedule", "decay_steps", "loss", "batch_size"):
        assert panel.locator(tid(f"control-{field}")).count() == 1, field
    assert not page.locator(tid("control-decay_rate")).is_visible()  # cosine ignores it
    assert page.locator(tid("control-decay_steps")).is_visible()
    assert page.evaluate(FITS), "the loss label is cut off"
    page.select_option(tid("step-size"), "batch")
    page.click(tid("step"))
    wait_step(page, 1)
    page.select_option(tid("step-size"), "epoch")
    page.click(tid("step"))
    wait_step(page, 5)  # 50 training points in batches of 10
    assert page.text_content(tid("epoch")) == "1"
    rate = learning_rate_at("cosine", 0.03, 5, 0.5, 100)
    shown = page.locator(tid("scheduled-rate"))
    assert shown.is_visible() and float(shown.get_attribute("data-value")) == rate
    assert shown.text_content() == f"now {rate:.3g}"
    # the charts' hover names the rate at that epoch (the flush is batched: wait for it)
    page.wait_for_function(
        "r => { const t = document.querySelector('[data-testid=loss-chart]').data[0];"
        " return (t.customdata || []).at(-1) === r && t.hovertemplate.includes('learning rate'); }",
        arg=f"{rate:.3g}",
    )
    set_control(page, "schedule", "step")
    page.wait_for_function("() => location.search.includes('schedule=step')")
    assert page.locator(tid("control-decay_rate")).is_visible()
    shot(page, "training-panel")


def test_an_initializer_change_reinitializes_with_a_note(new_page: Any, server: Server) -> None:
    page = new_page(WIDTH, 768)
    load(page, server.url + "/?initializer=zeros")
    weights = "() => Array.from(window.playground.page.frame.arrays.W0.data)"
    assert not any(page.evaluate(weights)), "initializer=zeros must open with zero weights"
    page.click(tid("step"))
    wait_step(page, 25)
    page.click(".training-panel details.advanced summary")
    assert "draws the weights again" in page.locator(
        ".control[data-field=initializer]"
    ).get_attribute("title")
    set_control(page, "initializer", "glorot_uniform")
    wait_step(page, 0)
    assert any(page.evaluate(weights))
    assert "drawn again" in page.text_content("#banner-text")


def test_custom_points_say_their_split_and_hide_what_does_not_apply(
    new_page: Any, server: Server
) -> None:
    page = new_page(WIDTH, 768)
    load(page, f"{server.url}/?dataset=custom&custom_points={CUSTOM_20}")
    note = page.locator(tid("split-note"))
    assert note.text_content() == "Training on 10 of 20 points; the other 10 test it."
    assert not page.locator(tid("control-n_points")).is_visible()
    assert not page.locator(tid("control-noise")).is_visible()
    hint = page.locator(tid("custom-hint"))
    assert hint.is_visible() and page.locator(".data-panel").locator(tid("custom-hint")).count()
    assert page.locator("#banner").is_hidden()  # the hint is not a banner over the page


def test_every_refused_url_value_is_reported(new_page: Any, server: Server) -> None:
    page = new_page(WIDTH, 768)
    load(page, server.url + "/?hidden=40&features=x1,zzz")
    text = page.text_content("#banner-text")
    assert "hidden: each layer needs 1 to 32 neurons" in text, text
    assert "features: unknown value 'zzz'" in text, text
