"""A safe Markdown subset for lesson text: the server renders it to escaped HTML.

Supported: paragraphs (blank lines between), ``- `` / ``* `` bullet lists, ``1. ``
numbered lists, ``**strong**``, ``*emphasis*`` / ``_emphasis_``, ```code```, and inline
math ``$...$`` shown as plain text in a ``<span class="math">``. Nothing else: there are
no links, images or raw HTML. Every character of the author's text passes through
``html.escape`` before any tag is added, and the only tags ever emitted are the fixed,
attribute-free ones below, so a lesson file cannot inject markup or script into the page
(``tests/lessons/test_markdown.py`` tries).
"""

from __future__ import annotations

import html
import re

__all__ = ["render_markdown"]

_BULLET = re.compile(r"^\s*[-*]\s+(.*)$")
_NUMBER = re.compile(r"^\s*\d{1,3}[.)]\s+(.*)$")
# Applied to already-escaped text (outside code and math): no raw '<' or '&' is left.
_EMPHASIS = (
    (re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"<em>\1</em>"),
    (re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)"), r"<em>\1</em>"),
)


def _inline(text: str) -> str:
    """Escape, then mark up emphasis, code and math (code and math are left unstyled)."""
    out = html.escape(text, quote=True)
    pieces = re.split(r"(`[^`]+`|\$[^$]+\$)", out)
    result = []
    for piece in pieces:
        if piece.startswith("`") and piece.endswith("`") and len(piece) > 1:
            result.append(f"<code>{piece[1:-1]}</code>")
        elif piece.startswith("$") and piece.endswith("$") and len(piece) > 1:
            result.append(f'<span class="math">{piece[1:-1]}</span>')
        else:
            for pattern, repl in _EMPHASIS:
                piece = pattern.sub(repl, piece)
            result.append(piece)
    return "".join(result)


def render_markdown(text: str) -> str:
    """Lesson Markdown -> HTML made only of escaped text and fixed tags."""
    blocks: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    kind = ""

    def flush() -> None:
        nonlocal kind
        if paragraph:
            blocks.append(f"<p>{_inline(' '.join(paragraph))}</p>")
            paragraph.clear()
        if items:
            tag = "ul" if kind == "ul" else "ol"
            body = "".join(f"<li>{_inline(item)}</li>" for item in items)
            blocks.append(f"<{tag}>{body}</{tag}>")
            items.clear()
        kind = ""

    for line in text.replace("\r\n", "\n").split("\n"):
        bullet = _BULLET.match(line)
        number = None if bullet else _NUMBER.match(line)
        if not line.strip():
            flush()
        elif bullet or number:
            want = "ul" if bullet else "ol"
            if paragraph or (items and kind != want):
                flush()
            kind = want
            items.append((bullet or number).group(1).strip())  # type: ignore[union-attr]
        elif items:
            items[-1] += " " + line.strip()  # a continuation line of a list item
        else:
            paragraph.append(line.strip())
    flush()
    return "".join(blocks)
