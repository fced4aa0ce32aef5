"""Hidden-layer activation functions, each with its derivative beside it.

An activation is one small object: ``forward(z)`` and ``derivative(z, a)`` where
``a = forward(z)`` is passed in so that cheap forms (``1 - a**2`` for tanh) avoid
recomputing the function. Every function preserves the input dtype, so the same code
trains in float64 and renders grids in float32.

``ACTIVATIONS`` maps the public name (used in the URL, the API and the UI) to the object.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from playground.engine.registry import lookup

Array = np.ndarray

_LEAK = 0.01  # leaky ReLU slope for z < 0
_GELU_C = math.sqrt(2.0 / math.pi)  # tanh approximation of GELU (Hendrycks & Gimpel, 2016)
_GELU_K = 0.044715


@dataclass(frozen=True)
class Activation:
    """A named elementwise function with its derivative and the facts diagnostics need.

    ``bounds`` is the output range of a bounded function (used to call a unit saturated),
    ``can_die`` marks the ReLU family whose units output zero for every negative input.
    """

    name: str
    label: str
    forward: Callable[[Array], Array]
    derivative: Callable[[Array, Array], Array]
    default_initializer: str
    bounds: tuple[float, float] | None = None
    can_die: bool = False

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


def _sigmoid(z: Array) -> Array:
    # 0.5 * (1 + tanh(z / 2)) is exact, overflow-free and one ufunc cheaper than 1/(1+e^-z).
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _relu(z: Array) -> Array:
    return np.maximum(z, 0.0)


def _relu_derivative(z: Array, a: Array) -> Array:
    return (z > 0.0).astype(z.dtype)


def _leaky_relu(z: Array) -> Array:
    return np.where(z > 0.0, z, _LEAK * z)


def _leaky_relu_derivative(z: Array, a: Array) -> Array:
    return np.where(z > 0.0, 1.0, _LEAK).astype(z.dtype)


def _elu(z: Array) -> Array:
    return np.where(z > 0.0, z, np.expm1(np.minimum(z, 0.0)))


def _elu_derivative(z: Array, a: Array) -> Array:
    return np.where(z > 0.0, 1.0, a + 1.0).astype(z.dtype)


def _gelu(z: Array) -> Array:
    return 0.5 * z * (1.0 + np.tanh(_GELU_C * (z + _GELU_K * z**3)))


def _gelu_derivative(z: Array, a: Array) -> Array:
    t = np.tanh(_GELU_C * (z + _GELU_K * z**3))
    return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * _GELU_C * (1.0 + 3.0 * _GELU_K * z * z)


def _swish(z: Array) -> Array:
    return z * _sigmoid(z)


def _swish_derivative(z: Array, a: Array) -> Array:
    s = _sigmoid(z)
    return s + a * (1.0 - s)


def _softplus(z: Array) -> Array:
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def _tanh_derivative(z: Array, a: Array) -> Array:
    return 1.0 - a * a


def _sigmoid_derivative(z: Array, a: Array) -> Array:
    return a * (1.0 - a)


def _softplus_derivative(z: Array, a: Array) -> Array:
    return _sigmoid(z)


def _linear(z: Array) -> Array:
    return z


def _linear_derivative(z: Array, a: Array) -> Array:
    return np.ones_like(z)


def _sin_derivative(z: Array, a: Array) -> Array:
    return np.cos(z)


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("tanh", "Tanh", np.tanh, _tanh_derivative, "glorot_uniform", (-1.0, 1.0)),
        Activation("relu", "ReLU", _relu, _relu_derivative, "he_uniform", can_die=True),
        Activation(
            "leaky_relu",
            "Leaky ReLU",
            _leaky_relu,
            _leaky_relu_derivative,
            "he_uniform",
        ),  # never dead: its slope below zero keeps the gradient flowing
        Activation("elu", "ELU", _elu, _elu_derivative, "he_uniform"),
        Activation("gelu", "GELU", _gelu, _gelu_derivative, "he_uniform"),
        Activation("swish", "Swish", _swish, _swish_derivative, "he_uniform"),
        Activation(
            "sigmoid", "Sigmoid", _sigmoid, _sigmoid_derivative, "glorot_uniform", (0.0, 1.0)
        ),
        Activation("softplus", "Softplus", _softplus, _softplus_derivative, "he_uniform"),
        Activation("sin", "Sine", np.sin, _sin_derivative, "glorot_uniform", (-1.0, 1.0)),
        Activation("linear", "Linear", _linear, _linear_derivative, "glorot_uniform"),
    )
}


def get_activation(name: str) -> Activation:
    """Look an activation up by its public name; the error lists the allowed names."""
    return lookup(ACTIVATIONS, "activation", name)
