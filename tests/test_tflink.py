"""The TF Playground link table: every key TF writes is accounted for, and maps to ours."""

from __future__ import annotations

from playground.config import options
from playground.engine.datasets import DATASETS
from playground.engine.features import FEATURES
from playground.tflink import TF_LINK

# Every key TF Playground's State serializes (src/state.ts, State.PROPS)
TF_KEYS = [
    "activation", "regularization", "batchSize", "dataset", "regDataset", "learningRate",
    "regularizationRate", "noise", "networkShape", "seed", "showTestData", "discretize",
    "percTrainData", "x", "y", "xTimesY", "xSquared", "ySquared", "cosX", "sinX", "cosY",
    "sinY", "collectStats", "tutorial", "problem", "initZero", "hideText",
]  # fmt: skip


def test_every_tf_key_is_mapped_or_named_as_unsupported() -> None:
    handled = {
        *TF_LINK["fields"], *TF_LINK["features"], *TF_LINK["view"], *TF_LINK["unsupported"],
        "problem", *TF_LINK["problem"].values(),
    }  # fmt: skip
    assert sorted(set(TF_KEYS) - handled) == []
    for key, ours in TF_LINK["features"].items():
        assert ours in FEATURES or (ours is None and key in TF_LINK["unsupported"])


def test_mapped_fields_and_values_exist_in_our_config() -> None:
    fields = {f["name"] for f in options()["fields"]}
    for key, spec in TF_LINK["fields"].items():
        assert spec["field"] in fields, key
    activations = {a["name"] for a in options()["activations"]}
    assert set(TF_LINK["fields"]["activation"]["map"].values()) <= activations
    for key in ("dataset", "regDataset"):
        assert all(name in DATASETS for name in TF_LINK[key].values())
    assert DATASETS[TF_LINK["regDataset"]["reg-plane"]].problem == "regression"
    assert all(DATASETS[n].problem == "binary" for n in TF_LINK["dataset"].values())
