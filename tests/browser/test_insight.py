"""Insight views in Chromium (issue 12): each opens, draws, updates while playing and
closes; knocking a neuron out from the diagram changes the boundary."""

from __future__ import annotations

import os
from typing import Any

from tests.browser.helpers import load, settle, tid, wait_epoch_at_least

SAVE = os.environ.get("PLAYGROUND_INSIGHT_SHOTS")  # a folder: save each view as PNG


def drawn(page: Any, testid: str) -> int:
    value = page.get_attribute(tid(testid), "data-drawn")
    return int(value or 0)


def wait_drawn_more(page: Any, testid: str, than: int) -> None:
    page.wait_for_function(
        "([id, n]) => Number(document.querySelector(`[data-testid=${id}]`).dataset.drawn || 0) > n",
        arg=[testid, than],
    )


def save(page: Any, name: str) -> None:
    if SAVE:
        page.screenshot(path=os.path.join(SAVE, f"insight-{name}.png"))


def play(page: Any) -> None:
    page.click(tid("play"))


def pause(page: Any) -> None:
    page.click(tid("play"))
    settle(page)


def close_and_check(page: Any, name: str) -> None:
    page.click(tid(f"close-{name}"))
    assert page.is_hidden(tid(f"view-{name}"))
    assert page.get_attribute(tid(f"open-{name}"), "aria-pressed") == "false"


def test_hidden_space_opens_draws_follows_training_and_closes(new_page: Any, server: Any) -> None:
    page = new_page(1366, 900)
    load(page, f"{server.url}/?dataset=circle&hidden=4,2")
    page.click(tid("open-hidden"))
    wait_drawn_more(page, "hidden-plot", 0)
    assert "Layer 2" in page.text_content(tid("hidden-note"))
    assert page.locator(f"{tid('hidden-plot')} .scatterlayer .trace").count() >= 1
    before = drawn(page, "hidden-plot")
    play(page)
    wait_epoch_at_least(page, 3)
    wait_drawn_more(page, "hidden-plot", before + 1)
    save(page, "hidden")
    pause(page)
    page.select_option(tid("hidden-layer"), "0")  # 4 units: principal components
    note = "document.querySelector('[data-testid=hidden-note]').textContent"
    page.wait_for_function(f"() => {note}.includes('principal')")
    close_and_check(page, "hidden")
    # closed: frames no longer carry the view
    page.click(tid("step"))
    settle(page)
    assert page.evaluate("() => window.playground.page.frame.hidden_space") is None


def test_landscape_opens_draws_follows_training_and_closes(new_page: Any, server: Any) -> None:
    page = new_page(1366, 900)
    load(page, f"{server.url}/?dataset=xor")
    page.click(tid("open-landscape"))
    wait_drawn_more(page, "landscape-plot", 0)
    assert page.locator(f"{tid('landscape-plot')} .contourlayer").count() == 1
    first_step = int(page.get_attribute(tid("landscape-plot"), "data-step"))
    play(page)
    wait_epoch_at_least(page, 5)  # step 125: two checkpoints (0, 100) behind it
    page.wait_for_function(
        "s => Number(document.querySelector('[data-testid=landscape-plot]').dataset.step) > s",
        arg=first_step,
    )
    pause(page)
    page.select_option(tid("landscape-directions"), "trajectory")
    count = drawn(page, "landscape-plot")
    wait_drawn_more(page, "landscape-plot", count)
    assert "path" in page.text_content(tid("landscape-note"))
    save(page, "landscape")
    close_and_check(page, "landscape")


def test_lr_finder_suggests_a_rate_and_uses_it(new_page: Any, server: Any) -> None:
    page = new_page(1366, 900)
    load(page, f"{server.url}/?dataset=xor")
    page.click(tid("open-lr_range"))
    wait_drawn_more(page, "lr-plot", 0)
    suggested = page.get_attribute(tid("lr-plot"), "data-suggested")
    assert suggested and 1e-5 <= float(suggested) <= 10
    assert page.locator(f"{tid('lr-plot')} .xaxislayer-above").count() == 1
    save(page, "lr-range")
    play(page)  # the test runs on a fork: training goes on; a new test follows the run
    wait_epoch_at_least(page, 3)
    page.click(tid("lr-run"))
    wait_drawn_more(page, "lr-plot", 1)
    pause(page)
    page.click(tid("lr-use"))
    suggested = page.get_attribute(tid("lr-plot"), "data-suggested")
    page.wait_for_function(
        "v => new URLSearchParams(location.search).get('learning_rate') === v", arg=suggested
    )
    close_and_check(page, "lr_range")


def test_health_over_time_warns_with_advice_and_closes(new_page: Any, server: Any) -> None:
    page = new_page(1366, 900)
    load(page, f"{server.url}/?dataset=xor&hidden=8,8,8,8,8,8&activation=sigmoid")
    page.click(tid("open-health"))
    play(page)
    wait_epoch_at_least(page, 6)
    page.wait_for_function(
        "() => Number(document.querySelector('[data-testid=health-grad]').dataset.epochs) >= 5"
    )
    before = drawn(page, "health-grad")
    wait_epoch_at_least(page, 8)
    wait_drawn_more(page, "health-grad", before)
    pause(page)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=health-warnings]').textContent"
        ".includes('vanishing')"
    )
    text = page.text_content(tid("health-warnings"))
    assert "ReLU" in text and "He initialization" in text
    assert page.is_hidden(tid("health-explanation"))
    page.click(tid("health-help"))
    assert "gradient norm" in page.text_content(tid("health-explanation"))
    save(page, "health")
    close_and_check(page, "health")


def test_knocking_out_a_neuron_from_the_diagram_changes_the_boundary(
    new_page: Any, server: Any
) -> None:
    page = new_page()
    load(page, f"{server.url}/?dataset=circle&hidden=4,2")
    page.click(tid("step"))
    settle(page)
    image = "() => window.playground.boundary.el.layout.images[0].source"
    before = page.evaluate(image)

    def click_neuron(state: str) -> None:
        page.click(tid("neuron-0-1"))
        page.mouse.move(5, 5)  # leave the neuron: its hover picture would replace the boundary
        page.wait_for_selector(f"{tid('neuron-0-1')}[data-state={state}]")

    click_neuron("off")
    page.wait_for_function(f"b => ({image})() !== b", arg=before)
    assert page.evaluate("() => window.playground.page.frame.neurons[0][1]") == "off"
    save(page, "surgery")
    click_neuron("frozen")  # a frozen unit still works: the boundary is the original one
    page.wait_for_function(f"b => ({image})() === b", arg=before)
    click_neuron("active")
    settle(page)
    assert page.evaluate(image) == before
    assert page.evaluate("() => window.playground.page.frame.neurons") is None
