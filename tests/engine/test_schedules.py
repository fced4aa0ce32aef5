"""Learning-rate schedules: values at chosen steps and argument validation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from playground.engine.schedules import SCHEDULES, learning_rate_at

# base_lr 0.1, decay_rate 0.5, decay_steps 100 throughout.
EXPECTED = {
    "constant": {0: 0.1, 50: 0.1, 100: 0.1, 1000: 0.1},
    "step": {0: 0.1, 99: 0.1, 100: 0.05, 250: 0.025},
    "exponential": {0: 0.1, 50: 0.1 * math.sqrt(0.5), 100: 0.05, 200: 0.025},
    "cosine": {
        0: 0.1,
        25: 0.05 * (1.0 + math.sqrt(0.5)),
        50: 0.05,
        100: 0.0,
        150: 0.0,
    },
}


@pytest.mark.parametrize(
    ("name", "step", "expected"),
    [(name, step, lr) for name, table in EXPECTED.items() for step, lr in table.items()],
)
def test_values(name: str, step: int, expected: float) -> None:
    assert learning_rate_at(name, 0.1, step, 0.5, 100) == pytest.approx(
        expected, rel=1e-12, abs=1e-18
    )


def test_registry_covers_the_documented_schedules() -> None:
    assert list(SCHEDULES) == ["constant", "step", "exponential", "cosine"]
    for name, schedule in SCHEDULES.items():
        assert schedule.name == name
        assert schedule.description
        assert repr(schedule) == f"Schedule({name!r})"


def test_schedule_is_frozen() -> None:
    with pytest.raises(AttributeError):
        SCHEDULES["step"].name = "other"  # type: ignore[misc]


def test_decay_rate_one_means_no_decay() -> None:
    for name in ("step", "exponential"):
        assert learning_rate_at(name, 0.3, 12345, 1.0, 7) == 0.3


def test_cosine_ignores_decay_rate_and_is_monotone() -> None:
    rates = [learning_rate_at("cosine", 1.0, s, 0.9, 40) for s in range(60)]
    assert rates == [learning_rate_at("cosine", 1.0, s, 0.1, 40) for s in range(60)]
    assert np.all(np.diff(rates) <= 0)


def test_returns_python_float_for_numpy_inputs() -> None:
    lr = learning_rate_at("step", np.float64(0.1), np.int64(100), 0.5, np.int32(100))
    assert type(lr) is float and lr == pytest.approx(0.05)


def test_unknown_name_lists_allowed() -> None:
    with pytest.raises(ValueError, match="warmup.*constant, step, exponential, cosine"):
        learning_rate_at("warmup", 0.1, 0, 0.5, 10)


@pytest.mark.parametrize(
    ("field", "args"),
    [
        ("decay_rate", (0.1, 5, 0.0, 10)),
        ("decay_rate", (0.1, 5, 1.5, 10)),
        ("decay_rate", (0.1, 5, math.nan, 10)),
        ("decay_rate", (0.1, 5, "0.5", 10)),
        ("decay_steps", (0.1, 5, 0.5, 0)),
        ("decay_steps", (0.1, 5, 0.5, 2.5)),
        ("step", (0.1, -1, 0.5, 10)),
        ("step", (0.1, 1.0, 0.5, 10)),
        ("base_lr", (0.0, 5, 0.5, 10)),
        ("base_lr", (math.inf, 5, 0.5, 10)),
    ],
)
@pytest.mark.parametrize("name", list(SCHEDULES))
def test_bad_arguments_are_named(name: str, field: str, args: tuple) -> None:
    with pytest.raises(ValueError, match=field):
        learning_rate_at(name, *args)


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_a_schedule_uses_exactly_the_fields_it_declares(name: str) -> None:
    """``uses`` drives which fields the page shows: it must match what the rate reads."""
    fn = SCHEDULES[name].fn
    base = [fn(0.1, s, 0.5, 40) for s in (0, 17, 40, 95)]
    other_rate = [fn(0.1, s, 0.8, 40) for s in (0, 17, 40, 95)]
    other_steps = [fn(0.1, s, 0.5, 25) for s in (0, 17, 40, 95)]
    assert (base != other_rate) == ("decay_rate" in SCHEDULES[name].uses)
    assert (base != other_steps) == ("decay_steps" in SCHEDULES[name].uses)


def test_history_records_the_scheduled_rate_per_epoch() -> None:
    from playground import RunConfig, Trainer

    t = Trainer(RunConfig(n_points=100, schedule="cosine", decay_steps=20, batch_size=10))
    t.step(25)
    rates = t.history["learning_rate"]
    assert len(rates) == len(t.history["epoch"]) == 5
    assert rates[0] == learning_rate_at("cosine", 0.03, 5, 0.5, 20)
    assert rates[-1] == 0.0
