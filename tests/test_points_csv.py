"""Point files: one csv-module parser for the CLI and the server, on shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from playground.points_csv import PointsError, parse_points, read_points

FIXTURES = Path(__file__).parent / "fixtures" / "points"
FOUR = [[1.0, 2.0, 1.0], [3.0, 4.0, 0.0], [5.0, 6.0, 1.0], [7.0, 8.0, 0.0]]


@pytest.mark.parametrize(
    "name", ["bom.csv", "semicolon_header.csv", "tabs.csv", "header.csv", "bom_quoted_header.csv"]
)
def test_every_dialect_gives_the_same_four_rows(name: str) -> None:
    assert read_points(FIXTURES / name) == FOUR


def test_quoted_fields_are_numbers() -> None:
    rows = read_points(FIXTURES / "quoted.csv")
    assert rows == [[1.5, -2.0, 1.0], [3.0, 4.0, 0.0], [5.0, 6.0, 1.0], [7.0, 8.0, 0.0]]


def test_a_bom_before_a_first_data_row_does_not_make_it_a_header() -> None:
    text = (FIXTURES / "bom.csv").read_bytes().decode("utf-8")  # BOM kept in the text
    assert text.startswith("\ufeff")
    assert len(parse_points(text)) == 4


@pytest.mark.parametrize(
    ("name", "line", "words"),
    [("bad_number.csv", 3, "not a finite number"), ("bad_fields.csv", 3, "expected 3 fields")],
)
def test_bad_rows_name_their_line(name: str, line: int, words: str) -> None:
    with pytest.raises(PointsError, match=words) as info:
        read_points(FIXTURES / name)
    assert info.value.line == line
    assert f"line {line}" in str(info.value)


def test_only_the_first_row_may_be_a_header() -> None:
    with pytest.raises(PointsError) as info:
        parse_points("1,2,1\nx,y,label\n")
    assert info.value.line == 2
    assert parse_points("") == [] and parse_points("\n\n") == []


def test_nan_is_rejected() -> None:
    with pytest.raises(PointsError, match="line 2"):
        parse_points("1,2,1\nnan,2,1\n")
