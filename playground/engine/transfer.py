"""What a new config costs a running run, and how weights survive an architecture change.

Live fields (learning rate, optimizer, regularization, dropout, activation, ...) keep
every weight. The initializer and the bias init say how the first weights are drawn, so
a change of either draws them again (kind ``"init"``). An architecture change (features,
hidden sizes) keeps every weight whose two neurons both survive: input rows are matched
by feature name, hidden neurons by their index in their layer, hidden layers by depth,
and the output layer by itself. Only a data or init change re-creates the run (as does an
explicit reset). The trainer owns the transition itself; this module only compares specs
and copies weights between networks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any

DATA_FIELDS = (
    "dataset", "problem", "n_points", "noise", "train_fraction", "n_classes", "custom_points",
    "seed",
)  # fmt: skip
ARCHITECTURE_FIELDS = ("features", "hidden")
#: what the first weights are drawn with: changing it draws them again ("init")
INIT_FIELDS = ("initializer_choice", "bias_init")
OPTIMIZER_FIELDS = ("momentum", "beta1", "beta2", "epsilon", "rho", "weight_decay")


def _differs(old: Any, new: Any, names: Sequence[str]) -> bool:
    return any(getattr(old, f) != getattr(new, f) for f in names)


def change_kind(old: Any, new: Any) -> str:
    """``"data"``, ``"init"``, ``"architecture"``, ``"live"`` or ``"none"``.

    What moving old -> new costs (``old`` and ``new`` are ``RunSpec`` records): new data,
    new first weights (an initializer or bias-init change), a new shape, or nothing.
    """
    if _differs(old, new, DATA_FIELDS):
        return "data"
    if _differs(old, new, INIT_FIELDS):
        return "init"
    if _differs(old, new, ARCHITECTURE_FIELDS):
        return "architecture"
    return "none" if old == new else "live"


def _shown(value: Any) -> str:
    if isinstance(value, tuple):
        if value and isinstance(value[0], tuple):
            return f"{len(value)} rows"
        return ",".join(_shown(v) for v in value) if value else "none"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def describe_change(old: Any, new: Any) -> str:
    """Human text of what changed between two specs, e.g. ``"learning_rate 0.03 → 0.1"``."""
    parts = []
    chosen = old.initializer_choice != new.initializer_choice
    for f in fields(old):
        a, b = getattr(old, f.name), getattr(new, f.name)
        if f.name == "initializers" and chosen:
            continue  # the user's choice says it (below), not the per-layer resolution
        if f.name == "initializer_choice" and chosen:
            parts.append(f"initializer {a} → {b}")
            continue
        if a == b or (isinstance(a, tuple) and a and not isinstance(a[0], tuple)
                      and set(a) == set(b)):  # fmt: skip
            continue  # equal, or a per-layer value that only follows the number of layers
        if f.name == "optimizer_hyper":
            parts += [f"{k} {_shown(v)} → {_shown(w)}"
                      for (k, v), (_, w) in zip(a, b, strict=True) if v != w]  # fmt: skip
        else:
            parts.append(f"{f.name} {_shown(a)} → {_shown(b)}")
    return ", ".join(parts) or "no change"


def transfer_weights(old: Any, old_features: Sequence[str], new: Any,
                     new_features: Sequence[str]) -> None:  # fmt: skip
    """Copy every weight of network ``old`` whose two neurons survive into ``new``."""
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
                    W[r, :cols] = oW[list(old_features).index(name), :cols]
        else:
            rows = min(W.shape[0], oW.shape[0])
            W[:rows, :cols] = oW[:rows, :cols]
