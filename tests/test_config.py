"""RunConfig: every invalid value rejected naming its field; ``updated``; ``options``.

The URL, the WebSocket, REST and the CLI all validate through ``parse_config``, so its
error is what a user reads: it must name the field. ``options()`` is what the page builds
its controls from, so its ranges are checked against what validation actually accepts.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from playground import ConfigError, RunConfig, parse_config
from playground.config import LIMITS, field_specs, options
from playground.engine.activations import ACTIVATIONS
from playground.engine.datasets import DATASETS
from playground.engine.features import FEATURES
from playground.engine.initializers import INITIALIZERS
from playground.engine.losses import DEFAULT_LOSS, LOSSES
from playground.engine.optimizers import OPTIMIZER_HYPERPARAMETERS, OPTIMIZERS
from playground.engine.schedules import SCHEDULES

NAN, INF = float("nan"), float("inf")
GOOD_ROWS = [[0.0, 0.0, 1.0], [1.0, -2.0, 0.0], [-6.0, 6.0, 1.0]]

# (field that must be named, invalid input, part of the message)
INVALID: dict[str, tuple[str, dict[str, Any], str]] = {
    "negative rate": ("learning_rate", {"learning_rate": -0.1}, "greater than 0"),
    "zero rate": ("learning_rate", {"learning_rate": 0.0}, "greater than 0"),
    "rate above 10": ("learning_rate", {"learning_rate": 10.5}, "less than or equal to 10"),
    "nan rate": ("learning_rate", {"learning_rate": NAN}, "finite"),
    "inf noise": ("noise", {"noise": INF}, "finite"),
    "nan momentum": ("momentum", {"momentum": NAN}, "finite"),
    "negative regularization": ("regularization_rate", {"regularization_rate": -1.0}, ""),
    "9 layers": ("hidden", {"hidden": [4] * 9}, "at most 8"),
    "0 neurons": ("hidden", {"hidden": [4, 0]}, "1 to 32 neurons, got 0"),
    "33 neurons": ("hidden", {"hidden": [33]}, "1 to 32 neurons, got 33"),
    "fractional neurons": ("hidden", {"hidden": [4.5]}, "integer"),
    "unknown activation": ("activation", {"activation": "swishy"}, "unknown value 'swishy'"),
    "unknown activation in list": ("activation", {"activation": ["tanh", "x"]}, "'x'"),
    "activation list length": ("activation", {"activation": ["tanh"]}, "one per hidden layer"),
    "dropout list length": ("dropout", {"dropout": [0.1, 0.1, 0.1]}, "one per hidden layer"),
    "dropout above 0.9": ("dropout", {"dropout": 0.95}, "between 0 and 0.9"),
    "negative dropout in list": ("dropout", {"dropout": [0.1, -0.1]}, "between 0 and 0.9"),
    "unknown optimizer": ("optimizer", {"optimizer": "lbfgs"}, "unknown value 'lbfgs'"),
    "unknown dataset": ("dataset", {"dataset": "donut"}, "unknown value 'donut'"),
    "unknown feature": ("features", {"features": ["x1", "x3"]}, "unknown value 'x3'"),
    "repeated feature": ("features", {"features": ["x1", "x1"]}, "listed twice"),
    "no feature": ("features", {"features": []}, "at least 1"),
    "unknown loss": ("loss", {"loss": "hinge"}, "unknown value 'hinge'"),
    "unknown initializer": ("initializer", {"initializer": "orthogonal"}, "unknown value"),
    "unknown schedule": ("schedule", {"schedule": "linear"}, "unknown value"),
    "unknown regularization": ("regularization", {"regularization": "l3"}, "'l3'"),
    "loss not fitting binary": ("loss", {"loss": "cross_entropy"}, "does not fit a binary"),
    "loss not fitting regression": (
        "loss", {"dataset": "plane", "loss": "binary_cross_entropy"}, "does not fit a regression"
    ),
    "loss not fitting multiclass": (
        "loss", {"dataset": "spiral_k", "loss": "squared_error"}, "does not fit a multiclass"
    ),
    "problem not matching dataset": ("problem", {"problem": "regression"}, "binary problem"),
    "unknown problem": ("problem", {"dataset": "custom", "problem": "ranking",
                                    "custom_points": GOOD_ROWS}, "ranking"),
    "too few points": ("n_points", {"n_points": 19}, "greater than or equal to 20"),
    "too many classes": ("n_classes", {"n_classes": 6}, "less than or equal to 5"),
    "train fraction": ("train_fraction", {"train_fraction": 0.95}, "0.9"),
    "negative seed": ("seed", {"seed": -1}, "greater than or equal to 0"),
    "batch size 0": ("batch_size", {"batch_size": 0}, "greater than or equal to 1"),
    "unknown field": ("colour", {"colour": "red"}, "unknown field"),
    # wrong types
    "string rate": ("learning_rate", {"learning_rate": "fast"}, "valid number"),
    "list rate": ("learning_rate", {"learning_rate": [0.1]}, "valid number"),
    "fractional batch": ("batch_size", {"batch_size": 2.5}, "integer"),
    "boolean seed": ("seed", {"seed": True}, "boolean"),
    "boolean neurons": ("hidden", {"hidden": [4, True]}, "boolean"),
    "hidden as string": ("hidden", {"hidden": "4,4"}, "valid list"),
    "hidden as object": ("hidden", {"hidden": {"0": 4}}, "valid list"),
    "features as string": ("features", {"features": "x1"}, "valid list"),
    "dataset as number": ("dataset", {"dataset": 3}, "valid string"),
    "null batch": ("batch_size", {"batch_size": None}, "integer"),
    # custom data set rows
    "custom without rows": ("custom_points", {"dataset": "custom"}, "at least 2 rows"),
    "custom one row": ("custom_points", {"dataset": "custom", "custom_points": GOOD_ROWS[:1]}, ""),
    "custom outside square": (
        "custom_points", {"dataset": "custom", "custom_points": [*GOOD_ROWS, [6.5, 0, 1]]},
        "row 3: x1 = 6.5 is outside",
    ),
    "custom nan": ("custom_points", {"dataset": "custom", "custom_points": [[0, NAN, 1]] * 2},
                   "finite"),
    "custom binary label": (
        "custom_points", {"dataset": "custom", "custom_points": [*GOOD_ROWS, [0, 0, 2]]},
        "row 3: label = 2 must be 0 or 1",
    ),
    "custom class label": (
        "custom_points",
        {"dataset": "custom", "problem": "multiclass", "n_classes": 3,
         "custom_points": [[0, 0, 0], [1, 1, 3]]},
        "row 1: label = 3 must be an integer from 0 to 2",
    ),
    "custom short row": ("custom_points", {"dataset": "custom", "custom_points": [[0, 0]] * 2},
                         ""),
    "custom boolean label": (
        "custom_points", {"dataset": "custom", "custom_points": [[0, 0, True], [1, 1, 0]]},
        "boolean",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(INVALID))
def test_invalid_values_are_rejected_naming_the_field(case: str) -> None:
    field, data, message = INVALID[case]
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")
    assert message in str(caught.value)


def test_config_error_is_a_value_error_and_direct_construction_names_the_field() -> None:
    assert issubclass(ConfigError, ValueError)
    with pytest.raises(ValueError, match="learning_rate"):
        RunConfig(learning_rate=-1.0)
    with pytest.raises(ValueError, match="hidden"):
        RunConfig(hidden=[0])


@pytest.mark.parametrize("data", [None, [], "dataset=circle", 3])
def test_parse_config_wants_an_object(data: Any) -> None:
    with pytest.raises(ConfigError, match="JSON object"):
        parse_config(data)


def test_defaults_are_valid_and_derived_fields_are_filled_in() -> None:
    c = RunConfig()
    assert (c.problem, c.loss) == ("binary", "binary_cross_entropy")
    assert parse_config({}) == c
    assert parse_config(c) is c
    for name, spec in DATASETS.items():
        if name != "custom":
            derived = RunConfig(dataset=name)
            assert derived.problem == spec.problem
            assert derived.loss == DEFAULT_LOSS[spec.problem]


def test_per_layer_lists_are_accepted() -> None:
    c = parse_config({"hidden": [3, 5], "activation": ["relu", "sin"], "dropout": [0.0, 0.5],
                      "learning_rate": 0.1})  # fmt: skip
    assert c.activations == ["relu", "sin"]
    assert c.dropouts == [0.0, 0.5]
    assert RunConfig(hidden=[3, 5], activation="elu").activations == ["elu", "elu"]
    assert RunConfig(hidden=[]).activations == []


def test_custom_rows_are_accepted_for_each_problem() -> None:
    binary = parse_config({"dataset": "custom", "custom_points": [[0, 0, -1], [1, 1, 1]]})
    assert binary.problem == "binary"
    assert binary.custom_points == [(0.0, 0.0, -1.0), (1.0, 1.0, 1.0)]
    multi = parse_config({"dataset": "custom", "problem": "multiclass", "n_classes": 4,
                          "custom_points": [[0, 0, 3], [1, 1, 0]]})  # fmt: skip
    assert multi.loss == "cross_entropy"
    regression = parse_config({"dataset": "custom", "problem": "regression",
                               "custom_points": [[0, 0, -123.5], [1, 1, 7.0]]})  # fmt: skip
    assert regression.loss == "squared_error"


def test_config_is_frozen() -> None:
    c = RunConfig()
    with pytest.raises(ValidationError):
        setattr(c, "seed", 2)  # noqa: B010 (the assignment itself is under test)


# --- updated() -------------------------------------------------------------------------------


def test_updated_returns_a_new_validated_config() -> None:
    c = RunConfig(hidden=[4, 2])
    d = c.updated(learning_rate=0.3, hidden=[5])
    assert (d.learning_rate, d.hidden) == (0.3, [5])
    assert (c.learning_rate, c.hidden) == (0.03, [4, 2])
    assert c.updated() == c


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"hidden": [0]}, "hidden"), ({"learning_rate": NAN}, "learning_rate"),
     ({"colour": "red"}, "colour"), ({"loss": "cross_entropy"}, "loss")],
)  # fmt: skip
def test_updated_rejects_invalid_changes_naming_the_field(
    changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        RunConfig().updated(**changes)
    assert caught.value.field == field


def test_updated_dataset_rederives_problem_and_default_loss() -> None:
    plane = RunConfig(dataset="plane")
    assert (plane.problem, plane.loss) == ("regression", "squared_error")
    circle = plane.updated(dataset="circle")
    assert (circle.problem, circle.loss) == ("binary", "binary_cross_entropy")
    spiral_k = circle.updated(dataset="spiral_k")
    assert (spiral_k.problem, spiral_k.loss) == ("multiclass", "cross_entropy")
    tanh_output = circle.updated(dataset="xor", loss="squared_error")
    assert tanh_output.loss == "squared_error"
    assert tanh_output.updated(noise=10.0).loss == "squared_error"  # other fields keep it


def test_updated_hidden_carries_per_layer_lists() -> None:
    c = RunConfig(hidden=[4, 3], activation=["relu", "tanh"], dropout=[0.1, 0.2])
    grown = c.updated(hidden=[4, 3, 2])
    assert grown.activation == ["relu", "tanh", "tanh"]  # the last layer's choice carries over
    assert grown.dropout == [0.1, 0.2, 0.2]
    shrunk = c.updated(hidden=[4])
    assert (shrunk.activation, shrunk.dropout) == (["relu"], [0.1])
    given = c.updated(hidden=[4, 3, 2], activation=["sin", "sin", "elu"])
    assert given.activation == ["sin", "sin", "elu"]
    assert RunConfig(hidden=[4]).updated(hidden=[4, 4]).activation == "tanh"


# --- options() -------------------------------------------------------------------------------


def test_options_lists_every_registry_entry() -> None:
    o = options()
    assert [d["name"] for d in o["datasets"]] == list(DATASETS)
    assert {d["name"]: d["problem"] for d in o["datasets"]} == {
        n: s.problem for n, s in DATASETS.items()
    }
    assert [f["name"] for f in o["features"]] == list(FEATURES)
    assert [a["name"] for a in o["activations"]] == list(ACTIVATIONS)
    assert [s["name"] for s in o["losses"]] == list(LOSSES)
    assert {s["name"]: s["problems"] for s in o["losses"]} == {
        n: list(s.problems) for n, s in LOSSES.items()
    }
    assert [i["name"] for i in o["initializers"]] == list(INITIALIZERS)
    assert [p["name"] for p in o["optimizers"]] == list(OPTIMIZERS)
    assert {p["name"]: p["hyperparameters"] for p in o["optimizers"]} == {
        n: list(h) for n, h in OPTIMIZER_HYPERPARAMETERS.items()
    }
    assert [s["name"] for s in o["schedules"]] == list(SCHEDULES)
    assert o["limits"] == LIMITS
    for group in ("activations", "features", "losses"):
        assert all(entry["label"] for entry in o[group])
    json.dumps(o, allow_nan=False)  # the page reads it as JSON


def test_options_has_every_field_with_default_group_and_liveness() -> None:
    specs = {s["name"]: s for s in options()["fields"]}
    assert list(specs) == list(RunConfig.model_fields)
    defaults = RunConfig.model_construct()  # the declared defaults, before derivation
    for name, spec in specs.items():
        assert spec["default"] == getattr(defaults, name), name
        assert spec["group"] in ("data", "network", "training"), name
        assert spec["description"], name
    assert specs["activation"]["choices"] == list(ACTIVATIONS)
    assert specs["features"]["choices"] == list(FEATURES)
    assert specs["optimizer"]["choices"] == list(OPTIMIZERS)
    assert specs["regularization"]["choices"] == ["none", "l1", "l2"]
    assert specs["hidden"]["max_items"] == 8 and (specs["hidden"]["min"],
                                                  specs["hidden"]["max"]) == (1, 32)  # fmt: skip
    assert (specs["dropout"]["min"], specs["dropout"]["max"]) == (0.0, 0.9)
    assert not specs["seed"]["live"] and not specs["hidden"]["live"]
    assert specs["learning_rate"]["live"] and specs["optimizer"]["live"]


NUMERIC = [s for s in field_specs() if s["min"] is not None and s["name"] not in
           ("hidden", "dropout")]  # fmt: skip


@pytest.mark.parametrize("spec", NUMERIC, ids=[s["name"] for s in NUMERIC])
def test_option_ranges_are_the_ranges_validation_enforces(spec: dict[str, Any]) -> None:
    name, lo, hi = spec["name"], spec["min"], spec["max"]
    assert hi is not None, f"{name} has no upper bound"
    is_int = spec["type"] == "int"
    below = lo - 1 if is_int else float(np.nextafter(lo, -math.inf))
    above = hi + 1 if is_int else float(np.nextafter(hi, math.inf))
    for bad in (below, above):
        with pytest.raises(ConfigError) as caught:
            parse_config({name: bad})
        assert caught.value.field == name
    assert getattr(parse_config({name: hi}), name) == hi
    if spec["exclusive_min"]:
        with pytest.raises(ConfigError):
            parse_config({name: lo})
    else:
        assert getattr(parse_config({name: lo}), name) == lo


def test_hidden_and_dropout_ranges_are_enforced_per_layer() -> None:
    assert parse_config({"hidden": [1, 32] + [4] * 6}).hidden == [1, 32] + [4] * 6
    assert parse_config({"hidden": [4, 4], "dropout": [0.0, 0.9]}).dropouts == [0.0, 0.9]
    assert parse_config({"hidden": []}).hidden == []


def test_updated_dataset_keeps_a_chosen_loss_within_the_same_problem() -> None:
    tanh_circle = RunConfig(dataset="circle", loss="squared_error")
    assert tanh_circle.updated(dataset="xor").loss == "squared_error"
    assert tanh_circle.updated(dataset="spiral_k").loss == "cross_entropy"


def test_options_carry_the_rules_the_page_follows() -> None:
    """Schedule fields, generated vs custom data, and which fields re-draw the weights."""
    from playground.config import options

    opts = options()
    uses = {s["name"]: s["hyperparameters"] for s in opts["schedules"]}
    both = ["decay_rate", "decay_steps"]
    assert uses == {"constant": [], "step": both, "exponential": both, "cosine": ["decay_steps"]}
    generated = {d["name"]: d["generated"] for d in opts["datasets"]}
    assert not generated["custom"] and generated["circle"]
    reinit = {f["name"] for f in opts["fields"] if f["reinitializes"]}
    assert reinit == {"initializer", "bias_init", "preset"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("n_points", "300"),
        ("learning_rate", "0.1"),
        ("seed", " 7 "),
        ("batch_size", "1_0"),
        ("dropout", "0.5"),
        ("dropout", ["0.5", "0.5"]),
        ("hidden", ["4", 2]),
        ("custom_points", [[0, 0, "1"], [1, 1, 0]]),
        ("noise", True),
    ],
)
def test_numbers_are_never_read_from_text_or_booleans(field: str, value: object) -> None:
    """Issue 15 #9: "n_points": "300" was accepted (pydantic's lax mode)."""
    data = {field: value, "hidden": [4, 2]} if field == "dropout" else {field: value}
    if field == "custom_points":
        data["dataset"] = "custom"
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    assert caught.value.field == field
