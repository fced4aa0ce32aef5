"""Lesson goals: a tiny expression language over a run's metrics, parsed here, never eval'd.

A goal is text a teacher writes in a lesson file, e.g. ``test_accuracy >= 0.95 and
epoch <= 200`` or ``diverged``. The grammar::

    goal       := conjunct ("or" conjunct)*
    conjunct   := factor ("and" factor)*
    factor     := "not" factor | "(" goal ")" | comparison | flag
    comparison := METRIC OP NUMBER          OP: < <= > >= == !=
    flag       := "diverged"

``parse_goal`` turns the text into a JSON tree (``{"and": [...]}``, ``{"or": [...]}``,
``{"not": x}``, ``{"metric", "op", "value"}``, ``{"flag": "diverged"}``) that the page
evaluates against each frame (``static/js/lessons.js``) and ``goal_met`` evaluates here,
for the headless check that every built-in lesson's goals are reachable. Only the names
in ``METRICS`` exist, so a goal can read nothing but the numbers a frame already shows.
"""

from __future__ import annotations

import math
import re
from typing import Any

__all__ = ["FLAGS", "METRICS", "GoalError", "goal_met", "parse_goal"]

#: metrics a goal may compare (the keys of ``Trainer.metrics()`` and of every frame)
METRICS = (
    "epoch",
    "step",
    "train_loss",
    "test_loss",
    "train_accuracy",
    "test_accuracy",
    "learning_rate",
)
FLAGS = ("diverged",)
OPS = ("<=", ">=", "==", "!=", "<", ">")
MAX_GOAL_CHARS = 200
MAX_DEPTH = 8

_TOKEN = re.compile(r"\s*(?:(<=|>=|==|!=|<|>|\(|\))|([A-Za-z_][A-Za-z0-9_]*)|([-+]?[0-9.eE+-]+))")

Goal = dict[str, Any]


class GoalError(ValueError):
    """A goal that does not parse; the message says where and what was expected."""


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    at = 0
    while at < len(text):
        if text[at:].strip() == "":
            break
        m = _TOKEN.match(text, at)
        if m is None or m.end() == at:
            bad = text[at:].strip()[:1]
            raise GoalError(
                f"unexpected {bad!r} at column {len(text[:at]) + text[at:].index(bad) + 1}"
            )
        out.append(m.group(m.lastindex or 0))
        at = m.end()
    return out


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.at = 0

    def peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise GoalError("the goal ends too early")
        self.at += 1
        return token

    def goal(self, depth: int) -> Goal:
        if depth > MAX_DEPTH:
            raise GoalError(f"the goal nests more than {MAX_DEPTH} levels")
        parts = [self.conjunct(depth)]
        while self.peek() == "or":
            self.take()
            parts.append(self.conjunct(depth))
        return parts[0] if len(parts) == 1 else {"or": parts}

    def conjunct(self, depth: int) -> Goal:
        parts = [self.factor(depth)]
        while self.peek() == "and":
            self.take()
            parts.append(self.factor(depth))
        return parts[0] if len(parts) == 1 else {"and": parts}

    def factor(self, depth: int) -> Goal:
        if depth > MAX_DEPTH:
            raise GoalError(f"the goal nests more than {MAX_DEPTH} levels")
        token = self.take()
        if token == "not":
            return {"not": self.factor(depth + 1)}
        if token == "(":
            inner = self.goal(depth + 1)
            if self.take() != ")":
                raise GoalError("missing ')'")
            return inner
        if token in FLAGS:
            return {"flag": token}
        if token in METRICS:
            op = self.take()
            if op not in OPS:
                raise GoalError(f"expected one of {' '.join(OPS)} after {token}, got {op!r}")
            raw = self.take()
            try:
                value = float(raw)
            except ValueError:
                raise GoalError(f"expected a number after {token} {op}, got {raw!r}") from None
            if not math.isfinite(value):
                raise GoalError(f"{raw!r} is not a finite number")
            return {"metric": token, "op": op, "value": value}
        allowed = ", ".join((*METRICS, *FLAGS))
        raise GoalError(f"unknown name {token!r}; a goal can use: {allowed}")


def parse_goal(text: str) -> Goal:
    """The JSON tree of ``text``, or ``GoalError`` saying what is wrong."""
    if not isinstance(text, str):
        raise GoalError("a goal must be a string such as 'test_accuracy >= 0.9'")
    if len(text) > MAX_GOAL_CHARS:
        raise GoalError(f"a goal is at most {MAX_GOAL_CHARS} characters")
    tokens = _tokens(text)
    if not tokens:
        raise GoalError("the goal is empty")
    parser = _Parser(tokens)
    tree = parser.goal(0)
    if parser.peek() is not None:
        raise GoalError(f"unexpected {parser.peek()!r} after a complete goal")
    return tree


def _compare(value: float, op: str, target: float) -> bool:
    return {
        "<": value < target,
        "<=": value <= target,
        ">": value > target,
        ">=": value >= target,
        "==": value == target,
        "!=": value != target,
    }[op]


def goal_met(goal: Goal, metrics: dict[str, Any], diverged: bool) -> bool:
    """Whether ``goal`` (a ``parse_goal`` tree) holds for these metrics.

    A metric that is missing or null (accuracy in regression, a diverged loss) makes its
    comparison false, so a goal never counts as met on a number the page cannot show.
    """
    if "and" in goal:
        return all(goal_met(g, metrics, diverged) for g in goal["and"])
    if "or" in goal:
        return any(goal_met(g, metrics, diverged) for g in goal["or"])
    if "not" in goal:
        return not goal_met(goal["not"], metrics, diverged)
    if "flag" in goal:
        return diverged
    value = metrics.get(goal["metric"])
    if value is None or not math.isfinite(float(value)):
        return False
    return _compare(float(value), goal["op"], goal["value"])
