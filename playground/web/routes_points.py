"""``POST /api/points/parse``: the page sends a point file's text, the server parses it with
the same ``playground.points_csv`` rules as the CLI (one parser, one set of error messages).
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from playground.points_csv import PointsError, parse_points
from playground.web.contract import ERROR_RESPONSES
from playground.web.errors import FieldError

router = APIRouter(responses=ERROR_RESPONSES)

MAX_TEXT = 2_000_000  # characters; the custom dataset's own limits apply afterwards


class PointsText(BaseModel):
    """A point file's text, as the browser's ``File.text()`` gives it."""

    text: str = Field(max_length=MAX_TEXT, description="the file's text (UTF-8, BOM allowed)")


class ParsedPoints(BaseModel):
    """The rows of a point file, header and blank lines left out."""

    rows: list[list[float]] = Field(description="`[x1, x2, label]` per data row")


@router.post("/api/points/parse", response_model=ParsedPoints, tags=["data"])
def parse_points_text(body: PointsText) -> ParsedPoints:
    """Parse a point file: `,` `;` or tab delimited, quoted fields, an optional header row.

    A bad row answers **422**, `field: "text"`, with `detail: {"line", "message"}`: the
    1-based line and the message naming it, e.g. `line 3: not a finite number`.
    """
    try:
        return ParsedPoints(rows=parse_points(body.text))
    except PointsError as e:
        detail = {"line": e.line, "message": str(e)}
        raise FieldError(str(e), "text", detail=detail) from None
