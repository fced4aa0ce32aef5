"""The lesson Markdown subset renders to escaped HTML with a fixed set of tags."""

from __future__ import annotations

import re

import pytest

from playground.lessons.markdown import render_markdown


def test_subset_renders() -> None:
    text = "A *weighted* sum, **then** `tanh`: $f(w x + b)$.\n\n- one\n- two\n  more\n\n1. first"
    assert render_markdown(text) == (
        "<p>A <em>weighted</em> sum, <strong>then</strong> <code>tanh</code>: "
        '<span class="math">f(w x + b)</span>.</p>'
        "<ul><li>one</li><li>two more</li></ul><ol><li>first</li></ol>"
    )


def test_snake_case_is_not_emphasis() -> None:
    assert render_markdown("set test_accuracy and x1_sq") == "<p>set test_accuracy and x1_sq</p>"


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "*<b onmouseover=alert(1)>x</b>*",
        "`</code><script>x</script>`",
        '$"><svg onload=alert(1)>$',
        "[link](javascript:alert(1))",
        "- <iframe src=//evil>",
        "**<a href='javascript:x'>y</a>**",
        "&lt;script&gt; already escaped",
    ],
)
def test_no_markup_gets_through(attack: str) -> None:
    out = render_markdown(attack)
    # Remove the fixed tags the renderer may emit: no '<' or '>' may be left over.
    rest = re.sub(r'</?(p|ul|ol|li|em|strong|code)>|<span class="math">|</span>', "", out)
    assert "<" not in rest and ">" not in rest, out
    assert '"' not in rest.replace("&quot;", ""), out
