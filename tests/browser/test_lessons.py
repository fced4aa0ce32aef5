"""Lessons and presenter mode in Chromium (issue 13): the picker, ?lesson=, scene keys,
goals, a compare scene, the projector font size and the notes window."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playground import RunConfig, Trainer
from tests.browser.helpers import Problems, Server, load, tid, wait_url_has

XOR = "2-xor-hidden-layer"
NEURON = "1-single-neuron"


def scene_title(page: Any) -> str:
    return str(page.text_content(tid("scene-title")))


def hidden_by_url(page: Any, panel: str) -> bool:
    return bool(
        page.evaluate(
            "p => document.querySelector(`[data-panel='${p}']`).classList"
            ".contains('hidden-by-url')",
            panel,
        )
    )


def test_picker_starts_a_lesson(page: Any) -> None:
    page.click(tid("lessons-button"))
    page.click(tid(f"lesson-{XOR}"))
    page.wait_for_function("() => document.querySelector('[data-testid=scene-title]').textContent")
    assert scene_title(page) == "No hidden layer"
    assert page.text_content(tid("lesson-step")) == "1 / 2"
    wait_url_has(page, f"lesson={XOR}&scene=1")
    wait_url_has(page, "hidden=&")  # the scene's config reached the run
    assert page.is_hidden(tid("lesson-picker"))


def test_keys_walk_the_scenes_applying_config_hide_and_goal(
    new_page: Callable[..., Any], server: Server, problems: Problems
) -> None:
    page = new_page()
    load(page, f"{server.url}/?lesson={NEURON}&scene=1")
    page.wait_for_function("() => document.querySelector('[data-testid=scene-title]').textContent")
    assert scene_title(page) == "Two clouds, one line"
    assert hidden_by_url(page, "advanced") and hidden_by_url(page, "hidden")
    # autoplay and a goal: the tick appears when the frames meet it
    page.wait_for_selector(f"{tid('scene-goal')}[data-met=true]")
    assert page.text_content(tid("scene-goal")).startswith("✓ Goal: test_accuracy >= 0.95")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => location.search.includes('scene=2')")
    assert scene_title(page) == "A circle is not a line"
    wait_url_has(page, "dataset=circle")  # the scene's config was applied
    assert page.get_attribute(tid("scene-goal"), "data-met") == "false"
    page.keyboard.press("PageUp")
    wait_url_has(page, "dataset=gaussian")
    assert scene_title(page) == "Two clouds, one line"
    page.keyboard.press("PageUp")  # the first scene: nothing before it
    assert scene_title(page) == "Two clouds, one line"
    # leaving the lesson gives the keys back (→ steps again) and shows every panel
    page.click(tid("lesson-exit"))
    assert not hidden_by_url(page, "advanced")
    page.wait_for_function("() => !location.search.includes('lesson=')")
    assert problems.exceptions == []


def test_a_compare_scene_shows_a_and_b(
    new_page: Callable[..., Any], server: Server, problems: Problems
) -> None:
    page = new_page()
    load(page, f"{server.url}/?lesson=7-optimizers&scene=2")
    page.wait_for_selector(tid("side-B"))
    page.wait_for_function(
        "() => document.querySelector('[data-testid=diff-B]').textContent.includes('adam')"
    )
    assert "lr 0.01" in page.text_content(tid("diff-B"))
    assert page.get_attribute(tid("side-A"), "aria-pressed") == "true"  # A is edited
    page.keyboard.press("ArrowRight")  # the next scene closes B
    page.wait_for_selector(tid("side-B"), state="detached")
    assert problems.exceptions == []


def test_presenter_font_and_notes_window_follow(
    new_page: Callable[..., Any], server: Server, problems: Problems
) -> None:
    page = new_page(1920, 1080)
    load(page, f"{server.url}/?lesson={XOR}&scene=1&present=1")
    page.wait_for_function("() => document.querySelector('[data-testid=scene-title]').textContent")
    size = page.evaluate(
        "() => parseFloat(getComputedStyle(document.querySelector("
        "'[data-testid=scene-text] p')).fontSize)"
    )
    assert size >= 20
    body = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    assert body >= 20
    assert page.is_hidden("[data-panel=data]")  # the data panel makes room
    assert page.is_hidden("[data-panel=training]")  # and so does the training panel
    # network | output side by side, each large (the output never wraps under the network)
    boxes = page.evaluate(
        "() => ['network', 'output'].map(p => document.querySelector("
        "`.panel[data-panel=${p}]`).getBoundingClientRect().toJSON())"
    )
    network, output = boxes
    assert output["left"] >= network["right"] and abs(output["top"] - network["top"]) < 2
    assert network["width"] > 500 and output["width"] > 600 and network["height"] > 600
    with page.expect_popup() as popup:
        page.click(tid("notes-window"))  # the second window, for the laptop screen
    notes = popup.value
    notes.wait_for_function(
        "() => document.querySelector('[data-testid=notes-title]').textContent"
        " === 'No hidden layer'"
    )
    assert "Ask the room" in notes.text_content(tid("notes-body"))
    assert notes.text_content(tid("notes-next")) == "Next: Add a hidden layer"
    page.bring_to_front()
    page.keyboard.press("PageDown")
    notes.wait_for_function(
        "() => document.querySelector('[data-testid=notes-title]').textContent"
        " === 'Add a hidden layer'"
    )
    notes.click("#notes-prev")  # the notes window drives the talk too
    page.wait_for_function("() => location.search.includes('scene=1')")
    page.click(tid("contrast"))
    assert page.evaluate("() => document.body.classList.contains('high-contrast')")
    wait_url_has(page, "contrast=1")
    page.keyboard.press("p")  # presenter mode off again
    assert not page.evaluate("() => document.body.classList.contains('presenting')")
    assert problems.exceptions == []


def test_presenter_text_at_720p(new_page: Callable[..., Any], server: Server) -> None:
    page = new_page(1280, 720)
    load(page, f"{server.url}/?lesson={NEURON}&scene=2&present=1")
    page.wait_for_function("() => document.querySelector('[data-testid=scene-title]').textContent")
    size = page.evaluate(
        "() => parseFloat(getComputedStyle(document.querySelector("
        "'[data-testid=scene-text] p')).fontSize)"
    )
    assert size >= 20
    overflow = page.evaluate("() => document.documentElement.scrollHeight - innerHeight")
    assert overflow <= 0  # the projector layout fits the screen


def test_a_teachers_lesson_starts_from_its_saved_run(
    new_page: Callable[..., Any], tmp_path: Path, problems: Problems
) -> None:
    trainer = Trainer(RunConfig(dataset="xor", hidden=[4], seed=3))
    trainer.step(300)
    (tmp_path / "run.json").write_text(json.dumps(trainer.snapshot()))
    (tmp_path / "mine.toml").write_text(
        'title = "Mine"\n[[scenes]]\ntitle = "Trained already"\nrun = "run.json"\n'
    )
    (tmp_path / "broken.toml").write_text('title = "Broken"\n')
    server = Server(env={"PLAYGROUND_LESSONS_DIR": str(tmp_path)}).start()
    try:
        page = new_page()
        load(page, f"{server.url}/?lesson=mine&scene=1")
        page.wait_for_function(
            "() => document.querySelector('[data-testid=step-count]').textContent === '300'"
        )
        assert scene_title(page) == "Trained already"
        page.click(tid("lessons-button"))
        page.wait_for_selector(tid("lesson-mine"))
        assert "broken: not valid" in page.text_content("#lesson-list")
        assert problems.exceptions == []
    finally:
        server.stop()
