"""Neuron surgery: knock a hidden unit out (its output forced to 0) or freeze it.

A run's neuron states are one small integer vector in its ``RunState`` (``neurons``: one
entry per hidden unit, layer after layer; None while every unit is active). From it the
network gets what forward and backward passes need: a 0/1 output mask per hidden layer
(a knocked-out unit is a dropout that never changes, so backprop sends it no gradient)
and a mask of the parameters that must not change (a frozen unit's incoming weights and
its bias), which the trainer restores after every update.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

NEURON_STATES = ("active", "off", "frozen")  # codes 0, 1, 2 in ``RunState.neurons``
ACTIVE, OFF, FROZEN = range(3)


def check_neuron(hidden: Sequence[int], layer: object, index: object, state: object) -> int:
    """Validate a ``set_neuron`` request; returns the state's code. ValueError names the field."""
    depth = len(hidden)
    if depth == 0:
        raise ValueError("layer: this network has no hidden layer")
    if isinstance(layer, bool) or not isinstance(layer, int) or not 0 <= layer < depth:
        raise ValueError(f"layer must be a hidden layer index in 0..{depth - 1}, got {layer!r}")
    width = hidden[layer]
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < width:
        raise ValueError(f"index must be an integer in 0..{width - 1}, got {index!r}")
    if state not in NEURON_STATES:
        raise ValueError(f"state must be one of {', '.join(NEURON_STATES)}, got {state!r}")
    return NEURON_STATES.index(str(state))


def offset(hidden: Sequence[int], layer: int) -> int:
    """Position of layer ``layer``'s first unit in the flat neuron-state vector."""
    return int(sum(hidden[:layer]))


def with_state(
    hidden: Sequence[int], states: np.ndarray | None, layer: int, index: int, code: int
) -> np.ndarray | None:
    """A new state vector with one unit changed (None again when every unit is active)."""
    out = np.zeros(sum(hidden), dtype=np.int8) if states is None else states.copy()
    out[offset(hidden, layer) + index] = code
    return out if out.any() else None


def carry(
    old_hidden: Sequence[int], new_hidden: Sequence[int], states: np.ndarray | None
) -> np.ndarray | None:
    """States after an architecture change: a unit keeps its state where it still exists."""
    if states is None:
        return None
    out = np.zeros(sum(new_hidden), dtype=np.int8)
    for k, (old, new) in enumerate(zip(old_hidden, new_hidden, strict=False)):
        n = min(old, new)
        out[offset(new_hidden, k) : offset(new_hidden, k) + n] = states[
            offset(old_hidden, k) : offset(old_hidden, k) + n
        ]
    return out if out.any() else None


def by_layer(hidden: Sequence[int], states: np.ndarray | None) -> list[list[str]]:
    """Every hidden unit's state name, per layer (the public shape)."""
    codes = np.zeros(sum(hidden), dtype=np.int8) if states is None else states
    return [
        [NEURON_STATES[int(c)] for c in codes[offset(hidden, k) : offset(hidden, k) + n]]
        for k, n in enumerate(hidden)
    ]


def network_masks(
    layer_sizes: Sequence[int], states: np.ndarray | None
) -> tuple[list[np.ndarray | None], np.ndarray | None]:
    """Per hidden layer a 0/1 output mask (None: all on) and the frozen-parameter mask."""
    hidden = list(layer_sizes[1:-1])
    units: list[np.ndarray | None] = [None] * len(hidden)
    if states is None:
        return units, None
    size = sum(i * o + o for i, o in zip(layer_sizes[:-1], layer_sizes[1:], strict=True))
    frozen = np.zeros(size, dtype=bool)
    at = 0
    for k, (n_in, n_out) in enumerate(zip(layer_sizes[:-1], layer_sizes[1:], strict=True)):
        if k < len(hidden):
            codes = states[offset(hidden, k) : offset(hidden, k) + n_out]
            if (codes == OFF).any():
                units[k] = (codes != OFF).astype(np.float64)
            cols = codes == FROZEN
            W = frozen[at : at + n_in * n_out].reshape(n_in, n_out)
            W[:, cols] = True  # incoming weights
            frozen[at + n_in * n_out : at + n_in * n_out + n_out] = cols  # bias
        at += n_in * n_out + n_out
    return units, (frozen if frozen.any() else None)


def check_states(raw: object, hidden: Sequence[int]) -> np.ndarray | None:
    """Validate a snapshot's ``neurons`` (untrusted): None or a list of state names per layer."""
    if raw is None:
        return None
    layers: list[object] = raw if isinstance(raw, list) else []
    ok = isinstance(raw, list) and len(layers) == len(hidden)
    ok = ok and all(
        isinstance(layer, list) and len(layer) == n and all(s in NEURON_STATES for s in layer)
        for layer, n in zip(layers, hidden, strict=False)
    )
    if not ok:
        raise ValueError(
            "snapshot neurons must be one list per hidden layer of "
            f"{'/'.join(NEURON_STATES)} (layer widths {list(hidden)})"
        )
    codes = np.array(
        [NEURON_STATES.index(s) for layer in layers for s in layer],  # type: ignore[attr-defined]
        dtype=np.int8,
    )
    return codes if codes.any() else None
