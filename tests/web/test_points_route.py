"""``POST /api/points/parse`` answers with the CLI's parser on the same fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

FIXTURES = Path(__file__).parents[1] / "fixtures" / "points"
FOUR = [[1.0, 2.0, 1.0], [3.0, 4.0, 0.0], [5.0, 6.0, 1.0], [7.0, 8.0, 0.0]]


@pytest.mark.parametrize(
    "name", ["bom.csv", "semicolon_header.csv", "tabs.csv", "header.csv", "bom_quoted_header.csv"]
)
def test_page_text_parses_like_the_cli(client: TestClient, name: str) -> None:
    text = (FIXTURES / name).read_bytes().decode("utf-8")  # what File.text() gives the page
    response = client.post("/api/points/parse", json={"text": text})
    assert response.status_code == 200, response.text
    assert response.json()["rows"] == FOUR


def test_a_bad_row_is_422_with_its_line(client: TestClient) -> None:
    text = (FIXTURES / "bad_number.csv").read_text()
    response = client.post("/api/points/parse", json={"text": text})
    assert response.status_code == 422
    body = str(response.json())
    assert "line 3" in body and "not a finite number" in body


def test_bom_semicolon_and_quotes_on_the_first_row_are_data(client: TestClient) -> None:
    """The page's upload fixture: a first row with a BOM and quotes is a row, not a header."""
    text = (FIXTURES / "bom_semicolon_quoted.csv").read_bytes().decode("utf-8")
    response = client.post("/api/points/parse", json={"text": text})
    assert response.json()["rows"] == [[1.5, -2, 1], [3, 4, 0], [-5, 2.5, 1], [-1, -4, 0]]


def test_a_bad_row_names_the_text_field_and_its_line(client: TestClient) -> None:
    text = (FIXTURES / "bad_fields.csv").read_text()
    body = client.post("/api/points/parse", json={"text": text}).json()
    assert body["field"] == "text" and body["detail"]["line"] == 3
    assert body["detail"]["message"].startswith("line 3: expected 3 fields")
