"""The lessons a server offers: the built-in ones and a teacher's folder (``--lessons DIR``).

A file that does not validate never stops the server: it is listed as invalid with its
problems, so the teacher sees what to fix in the lesson picker and in ``/api/lessons``.
"""

from __future__ import annotations

import importlib.resources
from dataclasses import dataclass, field
from pathlib import Path

from playground.lessons.model import Lesson, LessonError, read_lesson

__all__ = ["BUILTIN_DIR", "LessonLibrary", "load_library"]

BUILTIN_DIR = Path(str(importlib.resources.files("playground"))) / "lessons" / "builtin"
MAX_LESSON_FILES = 200


@dataclass
class LessonLibrary:
    """Valid lessons by name, in listing order, and invalid files with their reasons."""

    lessons: dict[str, Lesson] = field(default_factory=dict)
    invalid: dict[str, list[str]] = field(default_factory=dict)

    def listing(self) -> list[dict[str, object]]:
        """``GET /api/lessons``: every lesson, valid or not, without its scenes."""
        out: list[dict[str, object]] = [
            {"name": n, "title": le.title, "source": le.source, "scenes": len(le.scenes),
             "valid": True}
            for n, le in self.lessons.items()
        ]  # fmt: skip
        for name, reasons in self.invalid.items():
            out.append({"name": name, "title": name, "valid": False, "problems": reasons})
        return out


def _add_folder(library: LessonLibrary, folder: Path, source: str) -> None:
    files = sorted(folder.glob("*.toml"))
    if len(files) > MAX_LESSON_FILES:
        library.invalid[folder.name] = [f"more than {MAX_LESSON_FILES} lesson files"]
        files = files[:MAX_LESSON_FILES]
    for file in files:
        if file.stem in library.lessons or file.stem in library.invalid:
            library.invalid[f"{file.stem} ({source})"] = [
                f"{file.name}: the name {file.stem!r} is already taken; rename the file"
            ]
            continue
        try:
            library.lessons[file.stem] = read_lesson(file, source)
        except LessonError as e:
            library.invalid[file.stem] = [f"{file.name}: {p}" for p in e.problems]


def load_library(extra: str | Path | None = None) -> LessonLibrary:
    """The built-in lessons plus every ``*.toml`` in ``extra`` (a teacher's folder)."""
    library = LessonLibrary()
    _add_folder(library, BUILTIN_DIR, "builtin")
    if extra:
        folder = Path(extra)
        if folder.is_dir():
            _add_folder(library, folder, "local")
        else:
            library.invalid[str(folder)] = [f"{folder} is not a folder"]
    return library
