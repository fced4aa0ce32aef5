"""``nn-playground lesson check FILE`` and ``nn-playground export --numpy|--model RUN.json``.

Kept beside ``playground.cli`` (which adds these commands to its parser) so each file
stays one job: this one is for teachers and speakers.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def add_teach_commands(commands: Any) -> None:
    """Add ``lesson`` and ``export`` to the ``nn-playground`` sub-command set."""
    lesson = commands.add_parser("lesson", help="check a lesson file")
    actions = lesson.add_subparsers(dest="lesson_command", required=True)
    check = actions.add_parser(
        "check",
        help="validate a lesson file: each mistake with its line and field",
        description="Validate a lesson file (TOML). Exit 0 if it is valid, 1 if not.",
    )
    check.add_argument("file", type=Path, help="the lesson file (NAME.toml)")
    check.add_argument(
        "--goals",
        action="store_true",
        help="also train each scene headless and check its goal can be met",
    )
    export = commands.add_parser(
        "export",
        help="export a run file as a NumPy script or model JSON",
        description="Export a run file (Download run, or train --save) to stdout.",
    )
    kind = export.add_mutually_exclusive_group(required=True)
    kind.add_argument("--numpy", metavar="RUN.json", help="a standalone NumPy script (model.py)")
    kind.add_argument("--model", metavar="RUN.json", help="the model JSON (docs/model-format.md)")


def _check(file: Path, goals: bool) -> int:
    from playground.lessons import LessonError, read_lesson
    from playground.lessons.reach import reach_goal

    try:
        lesson = read_lesson(file)
    except LessonError as e:
        for problem in e.problems:
            line = f"{problem.line}:" if problem.line else ""
            print(f"{file}:{line} {problem.field}: {problem.message}")
        print(f"{file}: {len(e.problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"{file}: ok, {lesson.title!r}, {len(lesson.scenes)} scenes")
    failed = 0
    if goals:
        for k, scene in enumerate(lesson.scenes, 1):
            if scene.goal_tree is None:
                continue
            reach = reach_goal(scene)
            state = "met" if reach.met else "NOT met"
            print(f"  scene {k} goal {scene.goal!r}: {state} at epoch {reach.epoch}")
            failed += not reach.met
    return 1 if failed else 0


def _export(args: argparse.Namespace) -> int:
    from playground.export import model_json, numpy_script, trainer_from_run

    path = args.numpy or args.model
    flag = "--numpy" if args.numpy else "--model"
    try:
        with open(path, encoding="utf-8") as f:
            run = json.load(f)
        trainer = trainer_from_run(run)
    except OSError as e:
        args.command_parser.error(f"{flag}: cannot read {path}: {e.strerror}")
    except json.JSONDecodeError as e:
        args.command_parser.error(f"{flag}: {path} is not JSON: {e}")
    except ValueError as e:
        args.command_parser.error(f"{flag}: {e}")
    if args.numpy:
        sys.stdout.write(numpy_script(trainer))
    else:
        print(json.dumps(model_json(trainer), allow_nan=False))
    return 0


def run_teach(args: argparse.Namespace) -> int:
    """Run ``lesson check`` or ``export``; returns the exit status."""
    if args.command == "lesson":
        return _check(args.file, args.goals)
    return _export(args)
