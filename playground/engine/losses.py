"""Output layers and their losses, fused: value and gradient w.r.t. the output pre-activation.

Fusing the output activation with its loss gives the simple, numerically stable gradients
(``p - y`` for sigmoid + cross-entropy and softmax + cross-entropy) and avoids computing
``log(sigmoid(z))`` of a saturated unit. Losses are means over the examples.

``LOSSES`` maps the public name to a :class:`LossSpec`; :func:`make_loss` picks the output
activation that goes with a loss for a problem type:

- binary, ``binary_cross_entropy``: sigmoid output, labels 0/1, threshold 0.5;
- binary, ``squared_error``: tanh output, labels -1/+1, threshold 0 (TF Playground's way);
- multiclass, ``cross_entropy``: softmax output, integer labels;
- regression, ``squared_error``: linear output, real targets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.engine.registry import lookup

Array = np.ndarray


@dataclass(frozen=True)
class LossSpec:
    """A loss as the UI sees it: its name, the problems it serves and a one-line story."""

    name: str
    label: str
    problems: tuple[str, ...]
    description: str


LOSSES: dict[str, LossSpec] = {
    s.name: s
    for s in (
        LossSpec(
            "binary_cross_entropy",
            "Binary cross-entropy",
            ("binary",),
            "sigmoid output, log loss on labels 0/1",
        ),
        LossSpec(
            "squared_error",
            "Squared error",
            ("binary", "regression"),
            "half the squared difference; tanh output on labels ±1 for classification",
        ),
        LossSpec(
            "cross_entropy",
            "Cross-entropy",
            ("multiclass",),
            "softmax output, log loss on the true class",
        ),
    )
}

DEFAULT_LOSS: dict[str, str] = {
    "binary": "binary_cross_entropy",
    "multiclass": "cross_entropy",
    "regression": "squared_error",
}


class Loss:
    """An output activation fused with its loss for one problem type."""

    output_activation: str = "linear"
    #: natural range of the output unit, for colour scales
    output_range: tuple[float, float] = (-1.0, 1.0)

    def __init__(self, name: str, problem: str) -> None:
        self.name = name
        self.problem = problem

    def targets(self, y: Array) -> Array:
        """Labels as the loss wants them (column vector of floats, or integer classes)."""
        return np.asarray(y, dtype=np.float64).reshape(-1, 1)

    def output(self, z: Array) -> Array:
        """The network's prediction from the output pre-activation ``z``."""
        return z

    def value(self, z: Array, t: Array) -> float:
        """Mean loss over the rows of ``z``."""
        raise NotImplementedError

    def gradient(self, z: Array, t: Array) -> Array:
        """d(mean loss)/dz, same shape as ``z``; a leading run axis (R, B, k) is allowed
        (stacked training), each run's mean over its own B rows."""
        raise NotImplementedError

    def per_example(self, z: Array, t: Array) -> Array:
        """Each example's loss; ``z`` may carry leading stack axes ``(..., N, K)``.

        ``value`` is its mean; the loss landscape evaluates many weight settings at once.
        """
        d = self.output(z) - t
        return 0.5 * np.sum(d * d, axis=-1)

    def correct(self, out: Array, t: Array) -> Array | None:
        """Boolean per example: prediction equals the label (None for regression)."""
        return None

    def baseline(self, t: Array) -> float:
        """The loss of the best constant prediction: what "learned nothing" scores."""
        return float(0.5 * np.mean(np.sum((t - t.mean(axis=0)) ** 2, axis=1)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, {self.problem!r})"


class SigmoidCrossEntropy(Loss):
    output_activation = "sigmoid"
    output_range = (0.0, 1.0)

    def output(self, z: Array) -> Array:
        return 0.5 * (1.0 + np.tanh(0.5 * z))

    def value(self, z: Array, t: Array) -> float:
        # log(1 + e^z) - t z, written to never overflow
        per = np.maximum(z, 0.0) - t * z + np.log1p(np.exp(-np.abs(z)))
        return float(per.mean())

    def per_example(self, z: Array, t: Array) -> Array:
        return np.sum(np.maximum(z, 0.0) - t * z + np.log1p(np.exp(-np.abs(z))), axis=-1)

    def gradient(self, z: Array, t: Array) -> Array:
        return (self.output(z) - t) * (1.0 / z.shape[-2])

    def correct(self, out: Array, t: Array) -> Array:
        return (out[:, 0] >= 0.5) == (t[:, 0] >= 0.5)

    def baseline(self, t: Array) -> float:
        return _entropy(np.array([1.0 - t.mean(), t.mean()]))


class TanhSquaredError(Loss):
    output_activation = "tanh"
    output_range = (-1.0, 1.0)

    def targets(self, y: Array) -> Array:
        return np.where(np.asarray(y).reshape(-1, 1) > 0.5, 1.0, -1.0)

    def output(self, z: Array) -> Array:
        return np.tanh(z)

    def value(self, z: Array, t: Array) -> float:
        d = np.tanh(z) - t
        return float(0.5 * np.mean(np.sum(d * d, axis=1)))

    def gradient(self, z: Array, t: Array) -> Array:
        a = np.tanh(z)
        return (a - t) * (1.0 - a * a) * (1.0 / z.shape[-2])

    def correct(self, out: Array, t: Array) -> Array:
        return (out[:, 0] >= 0.0) == (t[:, 0] > 0.0)


class LinearSquaredError(Loss):
    output_activation = "linear"
    output_range = (-1.0, 1.0)

    def value(self, z: Array, t: Array) -> float:
        d = z - t
        return float(0.5 * np.mean(np.sum(d * d, axis=1)))

    def gradient(self, z: Array, t: Array) -> Array:
        return (z - t) * (1.0 / z.shape[-2])


class SoftmaxCrossEntropy(Loss):
    output_activation = "softmax"
    output_range = (0.0, 1.0)

    def targets(self, y: Array) -> Array:
        return np.asarray(y, dtype=np.int64).reshape(-1)

    def output(self, z: Array) -> Array:
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        e /= e.sum(axis=-1, keepdims=True)
        return e

    def value(self, z: Array, t: Array) -> float:
        m = z.max(axis=1, keepdims=True)
        log_norm = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
        return float(np.mean(log_norm - z[np.arange(z.shape[0]), t]))

    def per_example(self, z: Array, t: Array) -> Array:
        m = z.max(axis=-1, keepdims=True)
        log_norm = m[..., 0] + np.log(np.exp(z - m).sum(axis=-1))
        picked = np.take_along_axis(z, np.broadcast_to(t[:, None], (*z.shape[:-1], 1)), -1)
        return log_norm - picked[..., 0]

    def gradient(self, z: Array, t: Array) -> Array:
        g = self.output(z)
        if g.ndim == 2:
            g[np.arange(z.shape[0]), t] -= 1.0
        else:  # stacked runs: t is (R, B)
            at = t[..., None]
            np.put_along_axis(g, at, np.take_along_axis(g, at, axis=-1) - 1.0, axis=-1)
        g *= 1.0 / z.shape[-2]
        return g

    def correct(self, out: Array, t: Array) -> Array:
        return np.argmax(out, axis=1) == t

    def baseline(self, t: Array) -> float:
        return _entropy(np.bincount(t) / len(t))


def _entropy(p: Array) -> float:
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def make_loss(name: str, problem: str) -> Loss:
    """The fused output layer + loss for ``name`` on ``problem``; ValueError if they clash."""
    spec = lookup(LOSSES, "loss", name)
    if problem not in spec.problems:
        raise ValueError(
            f"loss {name!r} does not fit a {problem} problem; use one of: "
            + ", ".join(n for n, s in LOSSES.items() if problem in s.problems)
        )
    if name == "binary_cross_entropy":
        return SigmoidCrossEntropy(name, problem)
    if name == "cross_entropy":
        return SoftmaxCrossEntropy(name, problem)
    if problem == "binary":
        return TanhSquaredError(name, problem)
    return LinearSquaredError(name, problem)


def output_size(problem: str, n_classes: int) -> int:
    """Number of output units: one, or one per class for multiclass."""
    return n_classes if problem == "multiclass" else 1
