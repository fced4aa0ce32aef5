"""Lessons over REST: the list (valid and invalid files) and one lesson with its scenes.

The library is read once when the app is built (``create_app``): built-in lessons plus
the folder in ``PLAYGROUND_LESSONS_DIR`` (``nn-playground serve --lessons DIR``). Restart
the server to pick up an edited file; ``nn-playground lesson check FILE`` checks one
without a server.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from playground.lessons import Lesson, LessonLibrary, Scene
from playground.web.contract import ERROR_RESPONSES
from playground.web.errors import FieldError
from playground.web.schemas import LessonList, LessonOut, RunFile

router = APIRouter(prefix="/api/lessons", tags=["lessons"], responses=ERROR_RESPONSES)
pages_router = APIRouter(include_in_schema=False)


@pages_router.get("/notes", response_class=HTMLResponse)
async def notes_page(request: Request) -> Response:
    """The speaker-notes window: follows the presenting page over a BroadcastChannel."""
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, "notes.html", {"version": request.app.version})


def _library(request: Request) -> LessonLibrary:
    library: LessonLibrary = request.app.state.lessons
    return library


def _lesson(library: LessonLibrary, name: str) -> Lesson:
    lesson = library.lessons.get(name)
    if lesson is None:
        if name in library.invalid:
            raise FieldError("; ".join(library.invalid[name]), "name", 422)
        raise FieldError(f"no lesson named {name!r}", "name", 404)
    return lesson


def _scene_index(library: LessonLibrary, name: str, scene: int) -> Scene:
    lesson = _lesson(library, name)
    if not 1 <= scene <= len(lesson.scenes):
        raise FieldError(f"scene must be in 1..{len(lesson.scenes)}", "scene", 404)
    return lesson.scenes[scene - 1]


@router.get("", response_model=LessonList, response_model_exclude_unset=True)
async def list_lessons(request: Request) -> dict[str, Any]:
    """Every lesson: ``name``, ``title``, ``source`` (builtin or local), number of
    ``scenes``, and ``valid``; an invalid file is listed with its ``problems``
    (line and field of each mistake) instead of stopping the server."""
    return {"lessons": _library(request).listing()}


@router.get("/{name}", response_model=LessonOut)
async def get_lesson(name: str, request: Request) -> dict[str, Any]:
    """One lesson: title, intro and scenes (text as escaped HTML from the safe Markdown
    subset, partial config, hide flags, autoplay, stop epoch, goal and its parsed tree,
    solution, compare changes, and whether it starts from a saved run)."""
    return _lesson(_library(request), name).to_json()


@router.get("/{name}/scenes/{scene}/run", response_model=RunFile)
async def get_scene_run(name: str, scene: int, request: Request) -> dict[str, Any]:
    """The saved run a scene starts from (a run file, as *Download run* saves it)."""
    found = _scene_index(_library(request), name, scene)
    if found.run is None:
        raise FieldError("this scene does not start from a saved run", "run", 404)
    run: dict[str, Any] = found.run
    return run
