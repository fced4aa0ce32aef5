"""Checking a lesson file's values while keeping the line each came from.

``tomllib`` keeps no positions, so ``line_index`` scans the text once by hand (table
headers, ``key =`` lines, multi-line strings skipped) and a problem's field path
(``scenes.2.config.hidden``; scenes count from 1) is looked up there, falling back to
the enclosing table when a value sits in an inline table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from playground.config import ConfigError, RunConfig, parse_config

__all__ = ["Checker", "Problem", "line_index"]


@dataclass(frozen=True)
class Problem:
    """One mistake in a lesson file: where (line, may be None) and which field."""

    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.field}: {self.message}"


def line_index(text: str) -> dict[str, int]:
    """Field path -> first line it appears on (``scenes.2.config.hidden`` style paths).

    ``tomllib`` keeps no positions, so the file is scanned once by hand: table headers,
    ``key =`` lines, and multi-line strings skipped.
    """
    lines: dict[str, int] = {}
    table = ""
    scene = 0
    quote = ""
    for no, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if quote:
            if line.count(quote) % 2 == 1:
                quote = ""
            continue
        if line.startswith("[["):
            name = line[2:].split("]]")[0].strip()
            if name == "scenes":
                scene += 1
                table = f"scenes.{scene}"
            else:
                table = name
            lines.setdefault(table, no)
        elif line.startswith("["):
            name = line[1:].split("]")[0].strip()
            table = f"scenes.{scene}.{name[7:]}" if name.startswith("scenes.") else name
            lines.setdefault(table, no)
        else:
            m = re.match(r"""^["']?([A-Za-z0-9_-]+)["']?\s*=""", line)
            if m:
                path = f"{table}.{m.group(1)}" if table else m.group(1)
                lines.setdefault(path, no)
                for q in ('"""', "'''"):
                    if line.count(q) % 2 == 1:
                        quote = q
    return lines


class Checker:
    """Collects problems with their lines while the file's values are checked."""

    def __init__(self, text: str) -> None:
        self.lines = line_index(text)
        self.problems: list[Problem] = []

    def line_of(self, path: str) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path.rpartition(".")[0]
        return None

    def add(self, path: str, message: str) -> None:
        problem = Problem(self.line_of(path), path, message)
        if problem not in self.problems:  # a bad lesson-wide value is reported once
            self.problems.append(problem)

    def text(self, table: dict[str, Any], key: str, path: str, limit: int, need: bool) -> str:
        value = table.get(key, "")
        if not isinstance(value, str):
            self.add(f"{path}{key}", f"must be a string, got {type(value).__name__}")
            return ""
        if need and not value.strip():
            self.add(f"{path}{key}", "is required and must not be empty")
        if len(value) > limit:
            self.add(f"{path}{key}", f"is {len(value)} characters; at most {limit}")
        return value

    def table(self, parent: dict[str, Any], key: str, path: str) -> dict[str, Any]:
        value = parent.get(key, {})
        if not isinstance(value, dict):
            self.add(f"{path}{key}", "must be a table of RunConfig fields")
            return {}
        return value

    def unknown(self, table: dict[str, Any], allowed: tuple[str, ...], path: str) -> None:
        for key in table:
            if key not in allowed:
                self.add(f"{path}{key}", f"unknown key; allowed: {', '.join(allowed)}")

    def config(self, data: dict[str, Any], path: str, owned: dict[str, Any]) -> RunConfig | None:
        """Validate ``data``; a field error points into ``path`` if ``owned`` set it there."""
        try:
            return parse_config(data)
        except ConfigError as e:
            name = e.field or ""
            where = f"{path}{name}" if name in owned else (f"config.{name}" if name else path)
            self.add(where.rstrip("."), e.message)
            return None
