"""Lesson files: TOML a teacher writes by hand, validated into a ``Lesson``.

A lesson file (``NAME.toml``; the name is the file's stem)::

    title = "XOR needs a hidden layer"
    intro = "Markdown shown before the first scene."
    [config]                 # optional: RunConfig fields every scene starts from
    dataset = "xor"

    [[scenes]]
    title = "One neuron is not enough"
    text = "Markdown: *emphasis*, **strong**, lists, `code`, $x^2$ math as text."
    notes = "Speaker notes (Markdown), shown only in the notes window."
    hide = ["features", "advanced"]   # panels, buttons or RunConfig fields to hide
    autoplay = true
    stop_epoch = 200                  # pause there (the live session's stop_epoch)
    goal = "test_accuracy >= 0.95"    # see playground.lessons.goals
    run = "runs/xor.json"             # optional saved run (a run file) to start from
    [scenes.config]                   # this scene's RunConfig fields
    hidden = []
    [scenes.solution]                 # what the student is meant to find (reaches the goal)
    hidden = [4]
    [scenes.compare]                  # optional: fork into B with these changes, A | B
    optimizer = "adam"

Every mistake is reported as a ``Problem`` with the line and the field (``scenes.2.goal``:
scenes count from 1, as in ``?scene=N``), all at once, so a teacher fixes a file in one go.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playground.config import RunConfig
from playground.lessons.checker import Checker, Problem
from playground.lessons.goals import GoalError, parse_goal
from playground.lessons.markdown import render_markdown

__all__ = ["HIDE_PANELS", "Lesson", "LessonError", "Problem", "Scene", "parse_lesson"]

MAX_FILE_BYTES = 256 * 1024
MAX_RUN_BYTES = 4 * 1024 * 1024
MAX_SCENES = 40
MAX_TITLE = 120
MAX_TEXT = 4000
MAX_STOP_EPOCH = 100_000
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
LESSON_KEYS = ("title", "intro", "config", "scenes")
SCENE_KEYS = (
    "title", "text", "notes", "hide", "autoplay", "stop_epoch", "goal", "run", "config",
    "solution", "compare",
)  # fmt: skip
#: ``hide=`` names that are not RunConfig fields: the page's ``data-panel`` names
HIDE_PANELS = (
    "data", "training", "dataset", "network", "hidden", "output", "charts", "diagnostics", "topbar",
    "toggles", "advanced", "custom_points", "timeline", "play", "step", "reset", "regenerate",
    "share", "epoch", "help", "compare", "files", "exports", "lessons", "present", "sweep",
    "insight",
)  # fmt: skip


class LessonError(ValueError):
    """A lesson file with mistakes; ``problems`` lists every one."""

    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass(frozen=True)
class Scene:
    """One step of a lesson; ``config`` is the full partial config (lesson's + scene's)."""

    title: str
    text: str
    notes: str
    config: dict[str, Any]
    hide: tuple[str, ...] = ()
    autoplay: bool = False
    stop_epoch: int = 0
    goal: str = ""
    goal_tree: dict[str, Any] | None = None
    solution: dict[str, Any] = field(default_factory=dict)
    compare: dict[str, Any] | None = None
    run: dict[str, Any] | None = None  # a run file's snapshot, validated

    def to_json(self) -> dict[str, Any]:
        """What ``GET /api/lessons/{name}`` sends for this scene (text rendered, escaped)."""
        return {
            "title": self.title,
            "html": render_markdown(self.text),
            "notes_html": render_markdown(self.notes),
            "config": self.config,
            "hide": list(self.hide),
            "autoplay": self.autoplay,
            "stop_epoch": self.stop_epoch,
            "goal": self.goal,
            "goal_tree": self.goal_tree,
            "solution": self.solution,
            "compare": self.compare,
            "has_run": self.run is not None,
        }


@dataclass(frozen=True)
class Lesson:
    """A validated lesson: a title, an intro and ordered scenes."""

    name: str
    title: str
    intro: str
    scenes: tuple[Scene, ...]
    source: str = "builtin"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "intro_html": render_markdown(self.intro),
            "source": self.source,
            "scenes": [s.to_json() for s in self.scenes],
        }


def _scene(check: Checker, raw: Any, k: int, base: dict[str, Any], folder: Path) -> Scene | None:
    path = f"scenes.{k}."
    if not isinstance(raw, dict):
        check.add(path[:-1], "must be a table ([[scenes]])")
        return None
    check.unknown(raw, SCENE_KEYS, path)
    title = check.text(raw, "title", path, MAX_TITLE, True)
    text = check.text(raw, "text", path, MAX_TEXT, False)
    notes = check.text(raw, "notes", path, MAX_TEXT, False)
    own = check.table(raw, "config", path)
    config = {**base, **own}
    check.config(config, f"{path}config.", own)
    hide = raw.get("hide", [])
    if not isinstance(hide, list) or not all(isinstance(h, str) for h in hide):
        check.add(f"{path}hide", "must be a list of names, e.g. ['features', 'advanced']")
        hide = []
    allowed = set(HIDE_PANELS) | set(RunConfig.model_fields)
    for flag in hide:
        if flag not in allowed:
            check.add(f"{path}hide", f"unknown panel or field {flag!r}")
    autoplay = raw.get("autoplay", False)
    if not isinstance(autoplay, bool):
        check.add(f"{path}autoplay", "must be true or false")
        autoplay = False
    stop = raw.get("stop_epoch", 0)
    if isinstance(stop, bool) or not isinstance(stop, int) or not 0 <= stop <= MAX_STOP_EPOCH:
        check.add(f"{path}stop_epoch", f"must be a whole number 0..{MAX_STOP_EPOCH} (0 = never)")
        stop = 0
    goal = check.text(raw, "goal", path, 200, False)
    tree = None
    if goal.strip():
        try:
            tree = parse_goal(goal)
        except GoalError as e:
            check.add(f"{path}goal", str(e))
    solution = check.table(raw, "solution", path)
    if solution:
        check.config({**config, **solution}, f"{path}solution.", solution)
    compare = check.table(raw, "compare", path) if "compare" in raw else None
    if compare is not None:
        check.config({**config, **compare}, f"{path}compare.", compare)
    run = _run_file(check, raw.get("run"), f"{path}run", folder) if "run" in raw else None
    return Scene(
        title=title, text=text, notes=notes, config=config, hide=tuple(hide),
        autoplay=autoplay, stop_epoch=stop, goal=goal.strip(), goal_tree=tree,
        solution=solution, compare=compare, run=run,
    )  # fmt: skip


def _run_file(check: Checker, value: Any, path: str, folder: Path) -> dict[str, Any] | None:
    """A saved run next to the lesson: read, size-checked and restored once to validate it."""
    from playground.engine.trainer import Trainer

    if not isinstance(value, str) or not value.endswith(".json"):
        check.add(path, "must be the path of a run file (.json) relative to the lesson")
        return None
    target = (folder / value).resolve()
    if folder.resolve() not in target.parents:
        check.add(path, "must stay inside the lesson's folder")
        return None
    try:
        if target.stat().st_size > MAX_RUN_BYTES:
            check.add(path, f"{value} is larger than {MAX_RUN_BYTES // 1024} KiB")
            return None
        snapshot = json.loads(target.read_text(encoding="utf-8"))
        Trainer.restore(snapshot)
    except OSError as e:
        check.add(path, f"cannot read {value}: {e.strerror}")
        return None
    except (ValueError, TypeError) as e:
        check.add(path, f"{value} is not a valid run file: {e}")
        return None
    if not isinstance(snapshot, dict):
        return None
    return snapshot


def parse_lesson(text: str, name: str, folder: Path, source: str = "builtin") -> Lesson:
    """Validate a lesson file's text; ``LessonError`` lists every problem with its line."""
    path = f"{name}.toml"
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise LessonError(path, [Problem(None, "file", f"larger than {MAX_FILE_BYTES} bytes")])
    if not NAME.match(name):
        msg = "the file name must be 1-64 of a-z, 0-9, - and _ (it is the lesson's name)"
        raise LessonError(path, [Problem(None, "name", msg)])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"line (\d+)", str(e))
        raise LessonError(path, [Problem(int(m.group(1)) if m else None, "toml", str(e))]) from None
    check = Checker(text)
    check.unknown(data, LESSON_KEYS, "")
    title = check.text(data, "title", "", MAX_TITLE, True)
    intro = check.text(data, "intro", "", MAX_TEXT, False)
    base = check.table(data, "config", "")
    if base:
        check.config(base, "config.", base)
    raw_scenes = data.get("scenes", [])
    if not isinstance(raw_scenes, list) or not raw_scenes:
        check.add("scenes", "a lesson needs at least one [[scenes]] table")
        raw_scenes = []
    if len(raw_scenes) > MAX_SCENES:
        check.add("scenes", f"{len(raw_scenes)} scenes; at most {MAX_SCENES}")
    scenes = [_scene(check, raw, k, base, folder) for k, raw in enumerate(raw_scenes, 1)]
    if check.problems:
        raise LessonError(path, sorted(check.problems, key=lambda p: p.line or 0))
    return Lesson(name, title, intro, tuple(s for s in scenes if s is not None), source)


def read_lesson(file: Path, source: str = "local") -> Lesson:
    """Read and validate one lesson file (``LessonError`` if it cannot be used)."""
    try:
        raw = file.read_bytes()
    except OSError as e:
        raise LessonError(
            file.name, [Problem(None, "file", f"cannot read: {e.strerror}")]
        ) from None
    if len(raw) > MAX_FILE_BYTES:
        raise LessonError(file.name, [Problem(None, "file", f"larger than {MAX_FILE_BYTES} bytes")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise LessonError(file.name, [Problem(None, "file", "not UTF-8 text")]) from None
    return parse_lesson(text, file.stem, file.parent, source)
