"""Weight initializers: how the first weights are drawn, from an explicit Generator.

Scales follow the published formulas: Glorot & Bengio (2010) keep the variance of
activations and gradients equal across a layer (good for tanh/sigmoid); He et al. (2015)
double it for ReLU-like units; LeCun (1998) uses 1/fan_in. ``uniform`` is TF
Playground's U(-0.5, 0.5); ``zeros`` shows why symmetry must be broken: every neuron of a
layer stays identical forever.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from playground.engine.registry import lookup

Sampler = Callable[[np.random.Generator, int, int], np.ndarray]


@dataclass(frozen=True)
class Initializer:
    """A named weight sampler: (rng, fan_in, fan_out) -> array of shape (fan_in, fan_out)."""

    name: str
    description: str
    sample: Sampler

    def __repr__(self) -> str:
        return f"Initializer({self.name!r})"


def _uniform(limit: Callable[[int, int], float]) -> Sampler:
    def sample(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
        a = limit(fan_in, fan_out)
        return rng.uniform(-a, a, size=(fan_in, fan_out))

    return sample


def _normal(std: Callable[[int, int], float]) -> Sampler:
    def sample(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
        return rng.normal(0.0, std(fan_in, fan_out), size=(fan_in, fan_out))

    return sample


def _zeros(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    return np.zeros((fan_in, fan_out))


INITIALIZERS: dict[str, Initializer] = {
    i.name: i
    for i in (
        Initializer(
            "glorot_uniform",
            "U(±√(6/(fan_in+fan_out))), for tanh and sigmoid",
            _uniform(lambda i, o: math.sqrt(6.0 / (i + o))),
        ),
        Initializer(
            "glorot_normal",
            "N(0, 2/(fan_in+fan_out))",
            _normal(lambda i, o: math.sqrt(2.0 / (i + o))),
        ),
        Initializer(
            "he_uniform",
            "U(±√(6/fan_in)), for ReLU-like units",
            _uniform(lambda i, o: math.sqrt(6.0 / i)),
        ),
        Initializer("he_normal", "N(0, 2/fan_in)", _normal(lambda i, o: math.sqrt(2.0 / i))),
        Initializer("lecun_normal", "N(0, 1/fan_in)", _normal(lambda i, o: math.sqrt(1.0 / i))),
        Initializer("uniform", "U(-0.5, 0.5), TF Playground's", _uniform(lambda i, o: 0.5)),
        Initializer("zeros", "all zero: shows why symmetry must be broken", _zeros),
    )
}


def get_initializer(name: str) -> Initializer:
    """Look an initializer up by name; the error lists the allowed names."""
    return lookup(INITIALIZERS, "initializer", name)
