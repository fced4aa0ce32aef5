"""The sweep view in Chromium: the grid shows, updates while playing, opens a cell as a run."""

from __future__ import annotations

from typing import Any

from tests.browser.helpers import number, shot, step_count, tid


def _cell_steps(page: Any) -> list[int]:
    return page.eval_on_selector_all(
        "[data-testid=sweep-grid] .sweep-cell", "cells => cells.map(c => Number(c.dataset.step))"
    )


def test_sweep_grid_plays_and_opens_a_cell_as_the_main_run(page: Any) -> None:
    page.click(tid("sweep-toggle"))
    page.wait_for_selector(f"{tid('sweep')}:not([hidden])")
    page.select_option(tid("sweep-field-1"), "learning_rate")
    page.fill(tid("sweep-values-1"), "0.01:1:log:3")
    page.select_option(tid("sweep-field-2"), "seed")
    page.fill(tid("sweep-values-2"), "1:2")
    page.click(tid("sweep-start"))
    page.wait_for_selector(tid("sweep-cell-5"))
    assert page.locator("[data-testid=sweep-grid] .sweep-cell").count() == 6
    page.wait_for_function("() => Number(document.querySelector('[data-testid=sweep]')"
                           ".dataset.frames || 0) >= 1")  # fmt: skip
    main_step = step_count(page)
    page.click(tid("sweep-play"))
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=sweep-grid] .sweep-cell')]"
        ".every(c => Number(c.dataset.step) >= 100)"
    )
    steps = _cell_steps(page)
    assert len(set(steps)) == 1  # one stack: every cell at the same step
    assert (
        page.locator(f"{tid('sweep-heatmap')} .hm").count()
        + page.locator(f"{tid('sweep-heatmap')} .heatmaplayer").count()
        > 0
    )
    assert page.is_visible(tid("sweep-spread"))  # seed varies: min / median / max
    losses = [page.get_attribute(tid(f"sweep-loss-{i}"), "data-value") for i in range(6)]
    assert all(losses) and len(set(losses)) == 6
    page.check(tid("sweep-curves"))  # every run's test loss, overlaid
    page.wait_for_selector(f"{tid('sweep')} .sweep-curves .scatterlayer .trace")
    shot(page, "sweep")
    page.click(tid("sweep-play"))  # pause
    page.wait_for_selector(f"{tid('sweep-status')}:has-text('Paused')")
    page.wait_for_timeout(300)
    cell_step = _cell_steps(page)[2]
    page.click(tid("sweep-open-2"))  # learning rate 0.1, seed 1: now the main run
    page.wait_for_function(
        "s => Number(document.querySelector('[data-testid=step-count]').textContent) === s",
        arg=cell_step,
    )
    assert step_count(page) != main_step
    lr = page.input_value(tid("control-learning_rate"))
    assert float(lr) == 0.1
    assert number(page, "test-loss") > 0
    assert page.is_hidden(tid("sweep"))  # the panel steps aside to show the opened run
