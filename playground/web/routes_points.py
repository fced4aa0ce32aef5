"""``POST /api/points/parse``: the page sends a point file's text, the server parses it with
the same ``playground.points_csv`` rules as the CLI (one parser, one set of error messages).

Parsing and encoding run in the REST pool (``offload.RestPool``), off the event loop: a
2 MB file takes tens of milliseconds. A full pool answers 503.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from playground.points_csv import PointsError, parse_points
from playground.web.contract import ERROR_RESPONSES
from playground.web.errors import FieldError
from playground.web.frames import dumps
from playground.web.offload import Busy, RestPool, json_body

router = APIRouter(responses=ERROR_RESPONSES)

MAX_TEXT = 2_000_000  # characters; the custom dataset's own limits apply afterwards


class PointsText(BaseModel):
    """A point file's text, as the browser's ``File.text()`` gives it."""

    text: str = Field(max_length=MAX_TEXT, description="the file's text (UTF-8, BOM allowed)")


class ParsedPoints(BaseModel):
    """The rows of a point file, header and blank lines left out."""

    rows: list[list[float]] = Field(description="`[x1, x2, label]` per data row")


def parsed_json(text: str, accept_encoding: str) -> tuple[bytes, dict[str, str]]:
    """The encoded answer for one point file (raises ``PointsError``)."""
    return json_body(dumps({"rows": parse_points(text)}).encode(), accept_encoding)


@router.post(
    "/api/points/parse",
    response_model=None,  # the answer is encoded in the REST pool; its shape is declared
    responses={200: {"model": ParsedPoints, "description": "the rows"}},
    tags=["data"],
)
async def parse_points_text(body: PointsText, request: Request) -> Response:
    """Parse a point file: `,` `;` or tab delimited, quoted fields, an optional header row.

    A bad row answers **422**, `field: "text"`, with `detail: {"line", "message"}`: the
    1-based line and the message naming it, e.g. `line 3: not a finite number`.
    """
    rest: RestPool = request.app.state.rest
    try:
        accept = request.headers.get("accept-encoding", "")
        content, headers = await rest.run(parsed_json, body.text, accept)
    except Busy as e:
        raise FieldError(str(e), None, 503) from None
    except PointsError as e:
        detail = {"line": e.line, "message": str(e)}
        raise FieldError(str(e), "text", detail=detail) from None
    return Response(content, media_type="application/json", headers=headers)
