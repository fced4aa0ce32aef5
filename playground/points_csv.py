"""Point files (``x1, x2, label`` per row) parsed with the standard ``csv`` module.

One parser for the CLI (``--custom-points ROWS.csv``) and the server
(``POST /api/points/parse``, which the page sends the file's text to):

* UTF-8 with or without a byte-order mark;
* quoted fields (``"1.5","-2",1``);
* ``,`` ``;`` or tab as the delimiter, chosen from the first data line;
* an optional header row, recognised by its content: a first row that is not all
  numbers. Every later row must be numbers, else :class:`PointsError` names its line.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

DELIMITERS = (",", ";", "\t")
COLUMNS = 3  # x1, x2, label


class PointsError(ValueError):
    """A point file that cannot be read; ``line`` is 1-based (0: the file as a whole)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


def _number(cell: str) -> float | None:
    try:
        value = float(cell.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _delimiter(line: str) -> str:
    """The delimiter that splits ``line`` (outside quotes) into the most fields."""
    best, best_count = ",", 0
    for delimiter in DELIMITERS:
        count = len(next(csv.reader([line], delimiter=delimiter), []))
        if count > best_count:
            best, best_count = delimiter, count
    return best


def parse_points(text: str) -> list[list[float]]:
    """Rows ``[x1, x2, label]`` of a point file's text. Raises :class:`PointsError`."""
    text = text.removeprefix("\ufeff")
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        return []
    delimiter = _delimiter(first)
    rows: list[list[float]] = []
    reader = csv.reader(lines, delimiter=delimiter, skipinitialspace=True)
    first_row = True
    for cells in reader:
        number = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        values = [_number(c) for c in cells]
        if first_row:
            first_row = False
            if any(v is None for v in values):
                continue  # a header: only the first non-empty row may be one
        if len(cells) != COLUMNS:
            raise PointsError(
                f"line {number}: expected {COLUMNS} fields (x1, x2, label), got {len(cells)}",
                number,
            )
        if any(v is None for v in values):
            raise PointsError(f"line {number}: not a finite number", number)
        rows.append([v for v in values if v is not None])
    return rows


def read_points(path: str | Path) -> list[list[float]]:
    """:func:`parse_points` of a file (UTF-8, an optional byte-order mark)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as e:
        raise PointsError(f"cannot read {path}: {e.strerror}") from None
    except UnicodeDecodeError:
        raise PointsError(f"{path} is not UTF-8 text") from None
    try:
        return parse_points(text)
    except PointsError as e:
        raise PointsError(f"{path} {e}", e.line) from None
