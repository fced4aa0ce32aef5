"""The model JSON (``docs/model-format.md``): architecture, features, weights, biases.

Everything a reader needs to evaluate the network without this package: the feature
columns in order (with their formulas), then each layer's ``weights`` (rows = inputs,
columns = outputs, so ``z = a @ W + b``), ``biases`` and activation; the last layer's
activation is the output function (sigmoid, tanh, linear or softmax). Numbers are plain
JSON floats written by Python's shortest round-trip repr, so they read back exactly.
"""

from __future__ import annotations

from typing import Any

from playground.engine.trainer import Trainer

__all__ = ["FEATURE_FORMULAS", "MODEL_FORMAT", "model_json", "trainer_from_run"]

MODEL_FORMAT = "nn-playground/model"
MODEL_VERSION = 1
#: each input feature as written in the model file and in the exported script
FEATURE_FORMULAS = {
    "x1": "x1",
    "x2": "x2",
    "x1_sq": "x1 * x1",
    "x2_sq": "x2 * x2",
    "x1x2": "x1 * x2",
    "sin_x1": "np.sin(x1)",
    "sin_x2": "np.sin(x2)",
    "r": "np.hypot(x1, x2)",
    "theta": "np.arctan2(x2, x1)",
}
OUTPUT_MEANING = {
    "sigmoid": "probability of class 1",
    "tanh": "class 1 if >= 0, class 0 below (tanh output on labels -1/+1)",
    "softmax": "one probability per class (columns sum to 1)",
    "linear": "the predicted value",
}


def trainer_from_run(run: Any) -> Trainer:
    """A run file (``nn-playground/snapshot``) as a trainer; ValueError says what is wrong."""
    if isinstance(run, dict) and str(run.get("format", "")).startswith("nn-playground.session"):
        raise ValueError(
            "this is a session file (every run of a page); download one run "
            "(Download run) or save one with nn-playground train --save"
        )
    if not isinstance(run, dict) or run.get("format") != "nn-playground/snapshot":
        raise ValueError("not a run file: expected format 'nn-playground/snapshot'")
    return Trainer.restore(run)


def model_json(trainer: Trainer) -> dict[str, Any]:
    """The trained network as the documented model JSON."""
    net = trainer.network
    features = list(trainer.spec.features)
    hidden = [a.name for a in net.activations]
    output = net.loss_fn.output_activation
    layers = []
    for k, (W, b) in enumerate(net.params):
        # a knocked-out unit (neuron surgery) feeds nothing: its outgoing weights are 0
        off = net.unit_masks[k - 1] if 0 < k <= len(net.unit_masks) else None
        weights = W if off is None else W * off[:, None]
        layers.append(
            {
                "inputs": int(W.shape[0]),
                "outputs": int(W.shape[1]),
                "activation": hidden[k] if k < len(hidden) else output,
                "weights": weights.tolist(),
                "biases": b.tolist(),
            }
        )
    return {
        "format": MODEL_FORMAT,
        "version": MODEL_VERSION,
        "problem": trainer.problem,
        "features": features,
        "feature_formulas": {name: FEATURE_FORMULAS[name] for name in features},
        "layers": layers,
        "output": {
            "activation": output,
            "loss": net.loss_fn.name,
            "meaning": OUTPUT_MEANING[output],
        },
        "trained": {"epoch": trainer.epoch, "step": trainer.step_count, **_accuracy(trainer)},
        "config": trainer.config.model_dump(mode="json"),
    }


def _accuracy(trainer: Trainer) -> dict[str, Any]:
    m = trainer.metrics()
    return {"test_loss": m["test_loss"], "test_accuracy": m["test_accuracy"]}
