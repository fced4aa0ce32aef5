"""Applying a new config to a running trainer while keeping as much progress as it allows.

Live fields (learning rate, optimizer, regularization, dropout, activation, ...) keep
every weight. An architecture change (features, hidden sizes) keeps every weight whose
two neurons both survive: input rows are matched by feature name, hidden neurons by their
index in their layer, hidden layers by depth, and the output layer by itself. Only a data
change re-creates the run (as does an explicit reset).
"""

from __future__ import annotations

import copy
from typing import Any

DATA_FIELDS = (
    "dataset", "problem", "n_points", "noise", "train_fraction", "n_classes", "custom_points",
    "seed",
)  # fmt: skip
ARCHITECTURE_FIELDS = ("features", "hidden")
OPTIMIZER_FIELDS = ("momentum", "beta1", "beta2", "epsilon", "rho", "weight_decay")
LIVE_FIELDS = (
    "activation", "loss", "initializer", "bias_init", "optimizer", "learning_rate",
    *OPTIMIZER_FIELDS, "schedule", "decay_rate", "decay_steps", "grad_clip", "regularization",
    "regularization_rate", "dropout", "batch_size",
)  # fmt: skip


def _changed(old: Any, new: Any, fields: tuple[str, ...]) -> bool:
    return any(getattr(old, f) != getattr(new, f) for f in fields)


def change_kind(old: Any, new: Any) -> str:
    """``"data"``, ``"architecture"``, ``"live"`` or ``"none"``: what moving old -> new costs."""
    if _changed(old, new, DATA_FIELDS):
        return "data"
    if _changed(old, new, ARCHITECTURE_FIELDS):
        return "architecture"
    if _changed(old, new, LIVE_FIELDS):
        return "live"
    return "none"


def reconfigured(trainer: Any, config: Any) -> tuple[str, dict[str, Any]]:
    """The kind of change and the trainer state after it; ``trainer`` itself is not touched.

    The caller swaps the returned state in, so a failure anywhere leaves the run as it was.
    """
    kind = change_kind(trainer.config, config)
    if kind == "data":
        return kind, type(trainer)(config).__dict__
    new = copy.copy(trainer)
    new.config = config
    new.history = {k: list(v) for k, v in trainer.history.items()}
    net = type(trainer)._build_network(config)
    old_net = trainer.network
    new.network = net
    if kind == "architecture":
        new._rng = copy.deepcopy(trainer._rng)
        new._initialize(new._rng)  # new neurons get fresh weights from the training stream
        _copy_surviving(old_net, trainer.config.features, net, config.features)
    else:
        net.flat[...] = old_net.flat
    old, cfg = trainer.config, config
    if kind == "architecture" or old.optimizer != cfg.optimizer:
        new.optimizer = type(trainer)._build_optimizer(cfg, net.flat.size)
    elif _changed(old, cfg, OPTIMIZER_FIELDS):
        new.optimizer = copy.deepcopy(trainer.optimizer)
        used = new.optimizer.hyperparameters
        new.optimizer.set_hyperparameters(**{k: getattr(cfg, k) for k in used})
    new._backup = net.flat.copy()
    new.diverged = None  # weights are finite (a diverged step is rolled back): carry on
    new.problem = cfg.problem
    new._prepare()
    return kind, new.__dict__


def _copy_surviving(old: Any, old_features: list[str], new: Any, new_features: list[str]) -> None:
    old_hidden = len(old.layer_sizes) - 2
    new_hidden = len(new.layer_sizes) - 2
    for k, (W, b) in enumerate(new.params):
        if k < new_hidden:
            if k >= old_hidden:
                continue  # a new layer: fresh weights
            oW, ob = old.params[k]
        else:
            oW, ob = old.params[-1]
        cols = min(W.shape[1], oW.shape[1])
        b[:cols] = ob[:cols]
        if k == 0:
            for r, name in enumerate(new_features):
                if name in old_features and (k < new_hidden or old_hidden == 0):
                    W[r, :cols] = oW[old_features.index(name), :cols]
        else:
            rows = min(W.shape[0], oW.shape[0])
            W[:rows, :cols] = oW[:rows, :cols]
