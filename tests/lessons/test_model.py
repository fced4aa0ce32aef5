"""Lesson files: parsing, and every mistake reported with its line and field."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from playground import RunConfig, Trainer
from playground.lessons import LessonError, Problem, load_library, parse_lesson, read_lesson
from playground.lessons.library import BUILTIN_DIR
from playground.lessons.model import HIDE_PANELS

GOOD = """\
title = "XOR"
intro = "Needs a *hidden* layer."
[config]
dataset = "xor"

[[scenes]]
title = "One"
text = "No hidden layer."
hide = ["advanced", "learning_rate"]
autoplay = true
stop_epoch = 50
goal = "epoch >= 40"
[scenes.config]
hidden = []

[[scenes]]
title = "Two"
goal = "test_accuracy >= 0.9"
[scenes.solution]
hidden = [4]
[scenes.compare]
optimizer = "adam"
"""


def problems(text: str, tmp_path: Path = Path(".")) -> list[Problem]:
    with pytest.raises(LessonError) as info:
        parse_lesson(text, "demo", tmp_path)
    return info.value.problems


def test_a_good_lesson_parses() -> None:
    lesson = parse_lesson(GOOD, "demo", Path("."))
    assert lesson.title == "XOR"
    one, two = lesson.scenes
    assert one.config == {"dataset": "xor", "hidden": []}
    assert one.hide == ("advanced", "learning_rate")
    assert (one.autoplay, one.stop_epoch, one.goal) == (True, 50, "epoch >= 40")
    assert two.config == {"dataset": "xor"}
    assert two.solution == {"hidden": [4]} and two.compare == {"optimizer": "adam"}
    page = lesson.to_json()
    assert page["intro_html"] == "<p>Needs a <em>hidden</em> layer.</p>"
    assert page["scenes"][1]["goal_tree"] == {"metric": "test_accuracy", "op": ">=", "value": 0.9}


@pytest.mark.parametrize(
    ("change", "line", "field", "message"),
    [
        (('goal = "epoch >= 40"', 'goal = "epoch >= forty"'), 12, "scenes.1.goal", "number"),
        (("stop_epoch = 50", "stop_epoch = -5"), 11, "scenes.1.stop_epoch", "whole number"),
        (("hidden = []", "hidden = [99]"), 14, "scenes.1.config.hidden", "1 to 32 neurons"),
        (('dataset = "xor"', 'dataset = "xro"'), 4, "config.dataset", "unknown value 'xro'"),
        (("autoplay = true", "autoplay = 1"), 10, "scenes.1.autoplay", "true or false"),
        (('"advanced", "learning_rate"', '"advanced", "sidebar"'), 9, "scenes.1.hide", "sidebar"),
        (('text = "No', 'txet = "No'), 8, "scenes.1.txet", "unknown key"),
        (("hidden = [4]", "hiden = [4]"), 20, "scenes.2.solution.hiden", "unknown field"),
        (('optimizer = "adam"', 'optimizer = "adamm"'), 22, "scenes.2.compare.optimizer", "adamm"),
        (('title = "Two"', 'title = ""'), 17, "scenes.2.title", "required"),
    ],
)
def test_each_mistake_names_line_and_field(
    change: tuple[str, str], line: int, field: str, message: str
) -> None:
    found = problems(GOOD.replace(*change, 1))
    assert len(found) == 1, found
    assert (found[0].line, found[0].field) == (line, field)
    assert message in found[0].message
    assert str(found[0]).startswith(f"line {line}: {field}: ")


def test_all_mistakes_at_once_and_toml_syntax() -> None:
    bad = GOOD.replace('goal = "epoch >= 40"', 'goal = "x"').replace(
        "stop_epoch = 50", "stop_epoch = 1.5"
    )
    assert {p.field for p in problems(bad)} == {"scenes.1.goal", "scenes.1.stop_epoch"}
    syntax = problems(GOOD.replace('title = "One"', 'title = "One'))
    assert syntax[0].line == 7 and syntax[0].field == "toml"
    assert problems('title = "x"')[0].field == "scenes"


def test_a_scene_starts_from_a_saved_run(tmp_path: Path) -> None:
    trainer = Trainer(RunConfig(dataset="xor", hidden=[4], seed=3))
    trainer.step(40)
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "xor.json").write_text(json.dumps(trainer.snapshot()))
    text = 'title = "t"\n[[scenes]]\ntitle = "s"\nrun = "runs/xor.json"\n'
    scene = parse_lesson(text, "demo", tmp_path).scenes[0]
    assert scene.run is not None and Trainer.restore(scene.run).step_count == 40
    assert scene.to_json()["has_run"] is True
    missing = problems(text.replace("xor.json", "nope.json"), tmp_path)
    assert (missing[0].line, missing[0].field) == (4, "scenes.1.run")
    outside = problems(text.replace("runs/xor.json", "../x.json"), tmp_path)
    assert "inside the lesson's folder" in outside[0].message
    (tmp_path / "runs" / "bad.json").write_text('{"format": "nn-playground/snapshot"}')
    assert "not a valid run file" in problems(text.replace("xor", "bad"), tmp_path)[0].message


def test_a_bad_file_is_listed_invalid_beside_the_good_ones(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text(GOOD)
    (tmp_path / "broken.toml").write_text(GOOD.replace("stop_epoch = 50", "stop_epoch = -1"))
    (tmp_path / "1-single-neuron.toml").write_text(GOOD)  # a built-in lesson's name
    library = load_library(tmp_path)
    assert library.lessons["mine"].source == "local"
    assert "1-single-neuron" in library.lessons  # the built-in one stays
    reason = "broken.toml: line 11: scenes.1.stop_epoch: must be a whole number 0..100000"
    assert library.invalid["broken"] == [f"{reason} (0 = never)"]
    assert "already taken" in library.invalid["1-single-neuron (local)"][0]
    listing = {entry["name"]: entry for entry in library.listing()}
    assert listing["broken"]["valid"] is False and listing["mine"]["valid"] is True
    assert (
        "is not a folder"
        in load_library(tmp_path / "missing").invalid[str(tmp_path / "missing")][0]
    )


def test_read_lesson_rejects_non_utf8_and_bad_names(tmp_path: Path) -> None:
    (tmp_path / "latin.toml").write_bytes(b'title = "caf\xe9"')
    with pytest.raises(LessonError, match="not UTF-8"):
        read_lesson(tmp_path / "latin.toml")
    with pytest.raises(LessonError, match="file name"):
        parse_lesson(GOOD, "Bad Name", tmp_path)


def test_hide_names_are_the_pages_panels() -> None:
    """Every name a lesson may hide exists on the page, and every page panel may be hidden."""
    page = (BUILTIN_DIR.parents[1] / "templates" / "index.html").read_text()
    panels = set(re.findall(r'data-panel="([a-z_]+)"', page))
    assert panels <= set(HIDE_PANELS)
    assert set(HIDE_PANELS) <= panels | set(RunConfig.model_fields)
