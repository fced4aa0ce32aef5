"""Compare (issue 9), end to end in Chromium: each side's network diagram, every run's
markers on the loss chart, and opening a run file as a new run."""

from __future__ import annotations

import json
from typing import Any

from tests.browser.helpers import set_control, settle, step_count, tid, wait_epoch_at_least


def train_to(page: Any, n: int) -> None:
    page.click(tid("play"))
    wait_epoch_at_least(page, n)
    page.click(tid("play"))
    settle(page)


def side_diagram(page: Any, run: str) -> dict[str, Any]:
    """What a side's compact diagram shows: nodes per column, links drawn, controls."""
    info: dict[str, Any] = page.evaluate(
        """id => {
          const el = document.querySelector(`[data-testid=network-${id}]`);
          const box = el.getBoundingClientRect();
          return { columns: el.dataset.columns, links: Number(el.dataset.linksDrawn),
                   controls: el.querySelectorAll('button, select, input, svg path').length,
                   width: box.width, height: box.height,
                   image: el.querySelector('canvas').toDataURL() };
        }""",
        run,
    )
    return info


def fork_and_play(page: Any) -> None:
    page.click(tid("compare"))
    page.wait_for_selector(f"{tid('side-B')}.selected")


def test_each_side_draws_its_own_network(page: Any) -> None:
    train_to(page, 3)
    fork_and_play(page)
    page.click(tid("add-neuron-0"))  # B (selected) gets a 5th neuron in its first layer
    page.wait_for_function(
        "() => document.querySelector('[data-testid=network-B]').dataset.columns === '2,5,2,1'"
    )
    a, b = side_diagram(page, "A"), side_diagram(page, "B")
    # Default: the 2 active features, 4-2 tanh, one output; B has a 5th neuron.
    assert a["columns"] == "2,4,2,1"
    assert a["links"] == 2 * 4 + 4 * 2 + 2  # every link: small nets hide none
    assert b["links"] == 2 * 5 + 5 * 2 + 2
    assert a["controls"] == 0 and b["controls"] == 0  # read-only pictures
    assert a["width"] > 100 and a["height"] > 40
    assert a["image"] != b["image"]
    # The picture follows training: B's links change as its weights do.
    train_to(page, 8)
    assert side_diagram(page, "B")["image"] != b["image"]


def marker_traces(page: Any) -> list[dict[str, Any]]:
    traces: list[dict[str, Any]] = page.evaluate(
        """() => document.querySelector('[data-testid=loss-chart]').data
             .filter(t => t.mode === 'markers')
             .map(t => ({ name: t.name, text: t.text, color: t.marker.color }))"""
    )
    return traces


def test_markers_show_every_run_in_its_colour(page: Any) -> None:
    train_to(page, 2)
    set_control(page, "learning_rate", "0.1")  # A's change, before the fork
    page.wait_for_function(
        "() => document.querySelector('[data-testid=loss-chart]').data"
        ".some(t => t.mode === 'markers' && t.text.length > 0)"
    )
    train_to(page, 4)
    fork_and_play(page)
    set_control(page, "optimizer", "adam")  # B's change
    page.wait_for_function(
        "() => document.querySelector('[data-testid=loss-chart]').data"
        ".some(t => t.name === 'B changes' && t.text.some(x => x.includes('adam')))"
    )
    markers = {t["name"]: t for t in marker_traces(page)}
    assert set(markers) == {"A changes", "B changes"}
    assert markers["A changes"]["text"] == ["A: learning_rate 0.03 → 0.1"]
    # B shares A's past: that change shows once (A's marker); B's own are B's.
    assert all(t.startswith("B: ") for t in markers["B changes"]["text"])
    assert "B: optimizer sgd → adam" in markers["B changes"]["text"]
    assert not any("learning_rate" in t for t in markers["B changes"]["text"])
    lines = page.evaluate(
        "() => Object.fromEntries(document.querySelector('[data-testid=loss-chart]').data"
        ".filter(t => t.mode === 'lines').map(t => [t.name, t.line.color]))"
    )
    assert markers["A changes"]["color"] == lines["A"]
    assert markers["B changes"]["color"] == lines["B"]
    assert lines["A"] != lines["B"]
    # Closing A: B's markers now carry the shared past too.
    page.click(tid("close-A"))
    page.wait_for_selector(f"{tid('compare-view')}[hidden]", state="attached")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=loss-chart]').data"
        ".some(t => t.mode === 'markers' && t.text.some(x => x.includes('learning_rate')))"
    )


def test_open_a_run_file_as_a_new_run(page: Any, tmp_path: Any) -> None:
    train_to(page, 6)
    saved_step = step_count(page)
    weight = page.evaluate("() => window.playground.network.weightValue('weight', 0, 0, 0)")
    with page.expect_download() as info:
        page.click(tid("download-run"))
    path = tmp_path / "run.json"
    info.value.save_as(path)
    assert json.loads(path.read_text())["format"] == "nn-playground/snapshot"
    page.click(tid("reset"))
    page.wait_for_function("() => document.querySelector('[data-testid=step-count]')"
                           ".textContent === '0'")  # fmt: skip
    # Cancel leaves the session as it was.
    page.set_input_files(tid("open-run"), str(path))
    page.click(tid("open-cancel"))
    page.wait_for_selector(tid("open-choice"), state="detached")
    settle(page)
    assert step_count(page) == 0
    assert page.locator(tid("side-B")).count() == 0
    # Open as a new run: A stays reset, B is the file's run, both side by side.
    page.set_input_files(tid("open-run"), str(path))
    page.click(tid("open-new"))
    page.wait_for_selector(f"{tid('side-B')}.selected")
    page.wait_for_function(
        "n => Number(document.querySelector('[data-testid=side-B]').dataset.step) === n",
        arg=saved_step,
    )
    assert page.get_attribute(tid("side-A"), "data-step") == "0"
    assert step_count(page) == saved_step  # the main counters show the selected run, B
    assert page.evaluate("() => window.playground.network.weightValue('weight', 0, 0, 0)") == (
        weight
    )


def test_open_as_new_is_offered_only_below_the_run_limit(page: Any, tmp_path: Any) -> None:
    path = tmp_path / "run.json"
    with page.expect_download() as info:
        page.click(tid("download-run"))
    info.value.save_as(path)
    limit = page.evaluate("() => window.playground.views.maxRuns")
    for k in range(limit - 1):
        page.click(tid("compare"))
        page.wait_for_function(
            "n => window.playground.views.runs.list.length === n", arg=k + 2
        )  # fmt: skip
    page.set_input_files(tid("open-run"), str(path))
    page.wait_for_selector(tid("open-choice"))
    assert page.locator(tid("open-new")).is_disabled()
    assert f"at most {limit} runs" in page.text_content(tid("open-choice"))
    page.keyboard.press("Escape")
    page.wait_for_selector(tid("open-choice"), state="detached")
