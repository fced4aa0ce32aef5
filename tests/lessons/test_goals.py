"""Goal grammar: parsed into a tree (never eval'd), evaluated against metrics."""

from __future__ import annotations

import pytest

from playground.lessons.goals import GoalError, goal_met, parse_goal

METRICS = {"epoch": 120, "step": 3000, "test_accuracy": 0.96, "test_loss": 0.1,
           "train_loss": 0.05, "train_accuracy": 1.0, "learning_rate": 0.03}  # fmt: skip


@pytest.mark.parametrize(
    ("goal", "met"),
    [
        ("test_accuracy >= 0.95", True),
        ("test_accuracy>=0.97", False),
        ("epoch <= 200 and test_accuracy >= 0.95", True),
        ("epoch <= 100 and test_accuracy >= 0.95", False),
        ("epoch <= 100 or test_loss < 0.2", True),
        ("not (epoch > 100)", False),
        ("diverged", False),
        ("not diverged and step == 3000", True),
        ("learning_rate != 0.03", False),
        ("test_loss < 1e-1", False),
        ("test_loss <= 1e-1", True),
    ],
)
def test_goals_evaluate_on_metrics(goal: str, met: bool) -> None:
    assert goal_met(parse_goal(goal), METRICS, diverged=False) is met


def test_diverged_flag_and_missing_metrics() -> None:
    assert goal_met(parse_goal("diverged"), METRICS, diverged=True)
    # regression has no accuracy: a comparison on it is never met, in either direction
    regression = {**METRICS, "test_accuracy": None}
    assert not goal_met(parse_goal("test_accuracy < 2"), regression, diverged=False)
    assert not goal_met(parse_goal("test_accuracy >= 0"), regression, diverged=False)


def test_tree_is_plain_json_for_the_page() -> None:
    assert parse_goal("epoch <= 200 and diverged") == {
        "and": [{"metric": "epoch", "op": "<=", "value": 200.0}, {"flag": "diverged"}]
    }


@pytest.mark.parametrize(
    ("goal", "message"),
    [
        ("accuracy >= 0.9", "unknown name 'accuracy'"),
        ("__import__('os').system('x')", 'unexpected "\'" at column 12'),
        ("__import__", "unknown name '__import__'"),
        ("test_accuracy = 0.9", "unexpected '='"),
        ("test_accuracy >= high", "expected a number"),
        ("test_accuracy >=", "ends too early"),
        ("(epoch < 3", "ends too early"),
        ("epoch < 3 epoch", "unexpected 'epoch'"),
        ("", "empty"),
        ("epoch < 3;", "unexpected ';'"),
        ("epoch < nan", "not a finite number"),
        ("not " * 20 + "diverged", "nests more than"),
    ],
)
def test_bad_goals_say_what_is_wrong(goal: str, message: str) -> None:
    with pytest.raises(GoalError, match=message.replace("(", r"\(")):
        parse_goal(goal)
