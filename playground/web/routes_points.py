"""``POST /api/points/parse``: the page sends a point file's text, the server parses it with
the same ``playground.points_csv`` rules as the CLI (one parser, one set of error messages).
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from playground.points_csv import PointsError, parse_points
from playground.web.schema import ERROR_RESPONSES

router = APIRouter(responses=ERROR_RESPONSES)

MAX_TEXT = 2_000_000  # characters; the custom dataset's own limits apply afterwards


class PointsText(BaseModel):
    text: str = Field(max_length=MAX_TEXT, description="the file's text (UTF-8, BOM allowed)")


class ParsedPoints(BaseModel):
    rows: list[list[float]] = Field(description="`[x1, x2, label]` per data row")


@router.post("/api/points/parse", response_model=ParsedPoints, tags=["data"])
def parse_points_text(body: PointsText) -> ParsedPoints:
    """Parse a point file: `,` `;` or tab delimited, quoted fields, an optional header row.

    A bad row answers **422** with the message naming its line.
    """
    try:
        return ParsedPoints(rows=parse_points(body.text))
    except PointsError as e:
        raise HTTPException(status_code=422, detail={"message": str(e), "line": e.line}) from None
