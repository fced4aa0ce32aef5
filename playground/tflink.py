"""TensorFlow Playground links: the one table from TF's URL keys to our config.

TF Playground keeps its state in the URL fragment (``#activation=tanh&batchSize=10&...``,
see ``State`` in its ``src/state.ts``) plus ``<key>_hide=true`` flags that hide controls.
The page (``static/js/tflink.js``) reads such a fragment with this table, which reaches
it through ``GET /api/options`` as ``tf_link``; nothing else in the app hard-codes a TF
key. Every key TF writes is listed: mapped to a config field, a view setting, a hide flag,
or named in ``unsupported`` with the reason, so the page can say what it left out.
"""

from __future__ import annotations

from typing import Any

__all__ = ["TF_LINK"]

# kind: how the TF value is read. "choice" looks the value up in "map"; "number" / "int"
# are numbers; "ints" a comma list; "percent" a 10..90 percent to a 0.1..0.9 fraction;
# "seed" TF's seed string (e.g. "0.72") to our integer seed; "bool" is "true" / "false".
_FIELDS: dict[str, dict[str, Any]] = {
    "activation": {
        "field": "activation",
        "kind": "choice",
        "map": {"relu": "relu", "tanh": "tanh", "sigmoid": "sigmoid", "linear": "linear"},
    },
    "regularization": {
        "field": "regularization",
        "kind": "choice",
        "map": {"none": "none", "L1": "l1", "L2": "l2"},
    },
    "batchSize": {"field": "batch_size", "kind": "int"},
    "learningRate": {"field": "learning_rate", "kind": "number"},
    "regularizationRate": {"field": "regularization_rate", "kind": "number"},
    "noise": {"field": "noise", "kind": "number"},
    "networkShape": {"field": "hidden", "kind": "ints"},
    "percTrainData": {"field": "train_fraction", "kind": "percent"},
    "seed": {"field": "seed", "kind": "seed"},
    # TF's "initialize weights to zero" (its biases stay 0.1)
    "initZero": {"field": "initializer", "kind": "bool", "when_true": "zeros"},
}

TF_LINK: dict[str, Any] = {
    "fields": _FIELDS,
    # "problem" picks which of the two dataset keys applies
    "problem": {"classification": "dataset", "regression": "regDataset"},
    "dataset": {"circle": "circle", "xor": "xor", "gauss": "gaussian", "spiral": "spiral"},
    "regDataset": {"reg-plane": "plane", "reg-gauss": "multi_gaussian"},
    # input feature checkboxes; None: TF has it, we do not
    "features": {
        "x": "x1",
        "y": "x2",
        "xTimesY": "x1x2",
        "xSquared": "x1_sq",
        "ySquared": "x2_sq",
        "sinX": "sin_x1",
        "sinY": "sin_x2",
        "cosX": None,
        "cosY": None,
    },
    "view": {"showTestData": "test", "discretize": "discretize"},
    # <key>_hide=true -> our hide= flag (a field name, a panel or a button)
    "hide": {
        "activation": "activation",
        "regularization": "regularization",
        "regularizationRate": "regularization_rate",
        "batchSize": "batch_size",
        "learningRate": "learning_rate",
        "noise": "noise",
        "percTrainData": "train_fraction",
        "dataset": "dataset",
        "regDataset": "dataset",
        "problem": "dataset",
        "networkShape": "hidden",
        "numHiddenLayers": "hidden",
        "showTestData": "toggles",
        "discretize": "toggles",
        "playButton": "play",
        "stepButton": "step",
        "resetButton": "reset",
        "seed": "regenerate",
        "x": "features",
        "y": "features",
        "xTimesY": "features",
        "xSquared": "features",
        "ySquared": "features",
        "cosX": "features",
        "sinX": "features",
        "cosY": "features",
        "sinY": "features",
    },
    # TF keys with no equivalent here: read, then named in the page's note
    "unsupported": {
        "collectStats": "TF's statistics switch has no equivalent (see Diagnostics instead)",
        "hideText": "there is no article text to hide",
        "tutorial": "TF's tutorials are not included",
        "cosX": "there is no cos(X1) input",
        "cosY": "there is no cos(X2) input",
        "reg-maximum": "the regression dataset reg-maximum is not included",
        "reg-argmax": "the regression dataset reg-argmax is not included",
    },
    # config values every TF link sets (TF-compatible training, when the engine has it)
    "preset": {"field": "preset", "value": "tfp"},
}
