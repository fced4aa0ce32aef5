"""First-order optimizers that update one flat parameter vector in place.

The network keeps every weight and bias as a view into a single contiguous float64 vector,
and its gradient in another, so an optimizer never needs to know the layer structure: one
step is a handful of NumPy ufunc calls on preallocated buffers, whatever the depth. This is
the training hot path, so ``step`` allocates nothing and never rebinds ``param`` (other
objects hold views into it).

Update rules follow the usual references: momentum (Polyak 1964), Nesterov momentum in the
form of Sutskever et al. (2013), AdaGrad (Duchi et al. 2011), RMSProp (Tieleman & Hinton
2012), Adam (Kingma & Ba 2015) and AdamW's decoupled weight decay (Loshchilov & Hutter 2019).

Where those papers leave a choice, the conventions are PyTorch's (``torch.optim``), so a
run can be compared with one there: momentum ``v = mu v + g; w -= lr v``; Nesterov
``v = mu v + g; w -= lr (g + mu v)``; AdaGrad's accumulator starts at 0 and ε is added
outside the square root, ``w -= lr g / (sqrt(sum g²) + ε)``; RMSProp likewise
``w -= lr g / (sqrt(E[g²]) + ε)``; Adam is bias-corrected,
``w -= lr m̂ / (sqrt(v̂) + ε)``; AdamW's decay is scaled by the learning rate,
``w -= lr (m̂ / (sqrt(v̂) + ε) + λ w)``. One deliberate difference: AdamW's decay covers
the weights only (the trainer passes the network's weight mask as ``decay_mask``), like
the L1 / L2 penalties, so "weight decay" means the same set of numbers everywhere here;
PyTorch's default parameter group would decay biases too.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np

from playground.engine.registry import lookup

#: Inclusive range allowed for each hyperparameter; the UI and config can show these.
HYPERPARAMETER_RANGES: dict[str, tuple[float, float]] = {
    "momentum": (0.0, 0.999),
    "rho": (0.0, 0.999),
    "beta1": (0.0, 0.999),
    "beta2": (0.0, 0.9999),
    "epsilon": (1e-12, 1e-2),
    "weight_decay": (0.0, 1.0),
}

#: Default value of each hyperparameter (the same as ``make_optimizer``'s keywords).
HYPERPARAMETER_DEFAULTS: dict[str, float] = {
    "momentum": 0.9,
    "rho": 0.9,
    "beta1": 0.9,
    "beta2": 0.999,
    "epsilon": 1e-8,
    "weight_decay": 0.01,
}


def _check_hyper(name: str, value: Any) -> float:
    """Return ``value`` as a float, or raise ValueError naming the hyperparameter."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    number = float(value)
    low, high = HYPERPARAMETER_RANGES[name]
    if not (math.isfinite(number) and low <= number <= high):
        raise ValueError(f"{name} must be in [{low:g}, {high:g}], got {value!r}")
    return number


def _check_size(size: Any) -> int:
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
        raise ValueError(f"size must be a positive integer, got {size!r}")
    return int(size)


class Optimizer(ABC):
    """Owns the per-parameter state of one optimizer for a flat vector of ``size`` floats.

    Subclasses declare their hyperparameters and state buffers and implement ``_update``;
    the base class handles validation, the step counter and (de)serialization so that all
    optimizers save and restore the same way.
    """

    name: ClassVar[str]
    description: ClassVar[str]
    hyperparameters: ClassVar[tuple[str, ...]] = ()
    #: Names of the state vectors (each ``size`` floats, starting at zero).
    buffers: ClassVar[tuple[str, ...]] = ()
    #: buffers that hold sums or averages of squares: never negative (a restored negative
    #: second moment would take a square root of a negative number)
    nonnegative: ClassVar[tuple[str, ...]] = ()
    #: How many scratch vectors ``_update`` needs (kept out of the saved state).
    scratch: ClassVar[int] = 1

    def __init__(self, size: int, **hyper: float) -> None:
        self.size = _check_size(size)
        unknown = sorted(set(hyper) - set(self.hyperparameters))
        if unknown:
            allowed = ", ".join(self.hyperparameters) or "none"
            raise ValueError(
                f"{self.name} does not use hyperparameter(s) {', '.join(unknown)} "
                f"(allowed: {allowed})"
            )
        self._hyper: dict[str, float] = {}
        self.set_hyperparameters(
            **{k: hyper.get(k, HYPERPARAMETER_DEFAULTS[k]) for k in self.hyperparameters}
        )
        self.t = 0
        self._state = {b: np.zeros(self.size) for b in self.buffers}
        self._tmp = [np.empty(self.size) for _ in range(self.scratch)]

    @property
    def hyper(self) -> dict[str, float]:
        """A copy of the current hyperparameter values."""
        return dict(self._hyper)

    def set_hyperparameters(self, **hyper: float) -> None:
        """Change hyperparameters mid-run (the live UI allows it); state is kept.

        All values are validated before any is applied.
        """
        checked = {}
        for key, value in hyper.items():
            if key not in self.hyperparameters:
                raise ValueError(f"{self.name} does not use hyperparameter {key}")
            checked[key] = _check_hyper(key, value)
        self._hyper.update(checked)
        self._configure()

    def _configure(self) -> None:
        """Cache hyperparameters as attributes so the hot path avoids dict lookups."""
        for key, value in self._hyper.items():
            setattr(self, "_" + key, value)

    def step(self, param: np.ndarray, grad: np.ndarray, lr: float) -> None:
        """Apply one update to ``param`` in place using ``grad``.

        ``lr`` may be 0 (a cosine schedule ends there): the state still advances.
        """
        if not (lr >= 0.0 and math.isfinite(lr)):
            raise ValueError(f"lr must be a finite number >= 0, got {lr!r}")
        if param.shape != (self.size,) or grad.shape != (self.size,):
            raise ValueError(
                f"param and grad must have shape ({self.size},), got {param.shape} and {grad.shape}"
            )
        self.t += 1
        self._update(param, grad, float(lr))

    @abstractmethod
    def _update(self, param: np.ndarray, grad: np.ndarray, lr: float) -> None:
        """The update rule proper; ``self.t`` is already the 1-based step number."""

    def buffer(self, name: str) -> np.ndarray:
        """The live state vector ``name`` (one of ``buffers``): stacked training fills it."""
        return self._state[name]

    def arrays(self) -> list[np.ndarray]:
        """Every array this optimizer holds (state and scratch), for memory accounting."""
        return [*self._state.values(), *self._tmp]

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to resume bit-identically, as JSON-safe builtins."""
        return {
            "name": self.name,
            "size": self.size,
            "hyper": dict(self._hyper),
            "t": self.t,
            "buffers": {b: self._state[b].tolist() for b in self.buffers},
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a ``state_dict``; everything is validated before anything changes."""
        if not isinstance(state, dict):
            raise ValueError(f"state must be a dict, got {type(state).__name__}")
        if state.get("name") != self.name:
            raise ValueError(f"state name is {state.get('name')!r}, expected {self.name!r}")
        if state.get("size") != self.size:
            raise ValueError(f"state size is {state.get('size')!r}, expected {self.size}")
        hyper = state.get("hyper")
        if not isinstance(hyper, dict) or set(hyper) != set(self.hyperparameters):
            raise ValueError(
                f"state hyper must have exactly the keys {list(self.hyperparameters)}, "
                f"got {hyper!r}"
            )
        checked_hyper = {k: _check_hyper(k, v) for k, v in hyper.items()}
        t = state.get("t")
        if isinstance(t, bool) or not isinstance(t, int) or not 0 <= t <= 2**53:
            raise ValueError("state t must be an integer in 0..2**53")
        buffers = state.get("buffers")
        if not isinstance(buffers, dict) or set(buffers) != set(self.buffers):
            raise ValueError(f"state buffers must have exactly the keys {list(self.buffers)}")
        arrays = {}
        for key in self.buffers:
            try:
                array = np.asarray(buffers[key], dtype=np.float64)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"state buffer {key} is not a list of numbers") from exc
            if array.shape != (self.size,):
                raise ValueError(
                    f"state buffer {key} has shape {array.shape}, expected ({self.size},)"
                )
            if not np.isfinite(array).all():
                raise ValueError(f"state buffer {key} contains NaN or infinity")
            if key in self.nonnegative and (array < 0).any():
                raise ValueError(f"state buffer {key} holds a negative value (a sum of squares)")
            arrays[key] = array
        self._hyper = checked_hyper
        self._configure()
        self.t = t
        for key, array in arrays.items():
            np.copyto(self._state[key], array)

    def __repr__(self) -> str:
        hyper = ", ".join(f"{k}={v:g}" for k, v in self._hyper.items())
        sep = ", " if hyper else ""
        return f"{type(self).__name__}(size={self.size}{sep}{hyper}, t={self.t})"


class SGD(Optimizer):
    name = "sgd"
    description = "Plain gradient descent: step against the gradient, scaled by the rate."

    def _update(self, param: np.ndarray, grad: np.ndarray, lr: float) -> None:
        tmp = self._tmp[0]
        np.multiply(grad, lr, out=tmp)
        np.subtract(param, tmp, out=param)


class Momentum(Optimizer):
    name = "momentum"
    description = "Gradient descent with a velocity that accumulates past gradients."
    hyperparameters = ("momentum",)
    buffers = ("velocity",)
    _momentum: float

    def _update(self, param: np.ndarray, grad: np.ndarray, lr: float) -> None:
        v, tmp = self._state["velocity"], self._tmp[0]
        np.multiply(v, self._momentum, out=v)
        np.add(v, grad, out=v)
        np.multiply(v, lr, out=tmp)
        np.subtract(param, tmp, out=param)


class Nesterov(Optimizer):
    name = "nesterov"
    description = "Momentum that looks ahead: the step uses the gradient plus the new velocity."
    hyperparameters = ("momentum",)
    buffers = ("velocity",)
    _momentum: float

    def _update(self, param: np.ndarray, grad: np.ndarray, lr: float) -> None:
        v, tmp = self._state["velocity"], self._tmp[0]
        mu = self._momentum
        np.multiply(v, mu, out=v)
        np.add(v, grad, out=v)
        np.multiply(v, mu, out=tmp)
        np.add(tmp, grad, out=tmp)
        np.multiply(tmp, lr, out=tmp)
        np.subtract(param, tmp, out=param)


class AdaGrad(Optimizer):
    name = "adagrad"
    description = "Per-weight rates that shrink with the sum of that weight's squared gradients."
    hyperparameters = ("epsilon",)
    buffers = ("sum_sq",)
    nonnegative = ("sum_sq",)
    _epsilon: float

    def _update(self, param: np.ndarray, grad: np.ndarray, lr: float) -> None:
        s, tmp = self._state["sum_sq"], self._tmp[0]
        np.multiply(grad, grad, out=tmp)
        np.add(s, tmp, out=s)
        np.sqrt(s, out=tmp)
        np.add(tmp, self._epsilon, out=tmp)
        np.divide(grad, tmp, out=tmp)
        np.multiply(tmp, lr, out=tmp)
        np.subtract(param, tmp, out=param)


class RMSProp(Optimizer):
    name = "rmsprop"
    description = "Per-weight rates scaled by a running average of recent squared gradients."
    hyperparameters = ("rho", "epsilon")
    buffers = ("mean_sq",)
    nonnegative = ("mean_sq",)
    _rho: float
    _epsilon: float

    def _update(self, param: np.ndarray, grad: np.ndarray, lr: float) -> None:
        s, tmp = self._state["mean_sq"], self._tmp[0]
        np.multiply(s, self._rho, out=s)
        np.multiply(grad, grad, out=tmp)
        np.multiply(tmp, 1.0 - self._rho, out=tmp)
        np.add(s, tmp, out=s)
        np.sqrt(s, out=tmp)
        np.add(tmp, self._epsilon, out=tmp)
        np.divide(grad, tmp, out=tmp)
        np.multiply(tmp, lr, out=tmp)
        np.subtract(param, tmp, out=param)


class Adam(Optimizer):
    name = "adam"
    description = "Momentum plus RMSProp-style scaling, with bias correction for the first steps."
    hyperparameters: ClassVar[tuple[str, ...]] = ("beta1", "beta2", "epsilon")
    buffers = ("m", "v")
    nonnegative = ("v",)
    scratch = 2
    _beta1: float
    _beta2: float
    _epsilon: float

    def _direction(self, grad: np.ndarray) -> np.ndarray:
        """Update the moments; return m̂ / (sqrt(v̂) + eps) in a scratch buffer."""
        m, v = self._state["m"], self._state["v"]
        tmp, out = self._tmp
        b1, b2 = self._beta1, self._beta2
        np.multiply(m, b1, out=m)
        np.multiply(grad, 1.0 - b1, out=tmp)
        np.add(m, tmp, out=m)
        np.multiply(v, b2, out=v)
        np.multiply(grad, grad, out=tmp)
        np.multiply(tmp, 1.0 - b2, out=tmp)
        np.add(v, tmp, out=v)
        np.divide(v, 1.0 - b2**self.t, out=tmp)
        np.sqrt(tmp, out=tmp)
        np.add(tmp, self._epsilon, out=tmp)
        np.divide(m, 1.0 - b1**self.t, out=out)
        np.divide(out, tmp, out=out)
        return out

    def _update(self, param: np.ndarray, grad: np.ndarray, lr: float) -> None:
        direction = self._direction(grad)
        np.multiply(direction, lr, out=direction)
        np.subtract(param, direction, out=param)


class AdamW(Adam):
    name = "adamw"
    description = "Adam with decoupled weight decay, which shrinks weights toward zero each step."
    hyperparameters = ("beta1", "beta2", "epsilon", "weight_decay")
    _weight_decay: float

    def __init__(self, size: int, decay_mask: np.ndarray | None = None, **hyper: float) -> None:
        super().__init__(size, **hyper)
        if decay_mask is not None:
            decay_mask = np.asarray(decay_mask, dtype=np.float64)
            if decay_mask.shape != (self.size,) or not np.isin(decay_mask, (0.0, 1.0)).all():
                raise ValueError(f"decay_mask must be {self.size} zeros and ones")
        #: 1 where weight decay applies (the weights), 0 where it does not (the biases)
        self.decay_mask = decay_mask

    def _update(self, param: np.ndarray, grad: np.ndarray, lr: float) -> None:
        direction = self._direction(grad)
        tmp = self._tmp[0]
        np.multiply(param, self._weight_decay, out=tmp)
        if self.decay_mask is not None:
            np.multiply(tmp, self.decay_mask, out=tmp)
        np.add(direction, tmp, out=direction)
        np.multiply(direction, lr, out=direction)
        np.subtract(param, direction, out=param)


OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam, AdamW)
}

#: Which hyperparameters each optimizer uses, so the UI shows only the relevant controls.
OPTIMIZER_HYPERPARAMETERS: dict[str, tuple[str, ...]] = {
    name: cls.hyperparameters for name, cls in OPTIMIZERS.items()
}


def make_optimizer(
    name: str,
    size: int,
    *,
    momentum: float = 0.9,
    beta1: float = 0.9,
    beta2: float = 0.999,
    epsilon: float = 1e-8,
    rho: float = 0.9,
    weight_decay: float = 0.01,
    decay_mask: np.ndarray | None = None,
) -> Optimizer:
    """Build optimizer ``name`` from the full set of knobs, ignoring the ones it does not use.

    Lets the config pass every hyperparameter unconditionally; only the used ones are
    validated. ``decay_mask`` (1 = decayed) limits AdamW's weight decay, e.g. to weights.
    """
    cls = lookup(OPTIMIZERS, "optimizer", name)
    given = {
        "momentum": momentum,
        "beta1": beta1,
        "beta2": beta2,
        "epsilon": epsilon,
        "rho": rho,
        "weight_decay": weight_decay,
    }
    hyper = {k: given[k] for k in cls.hyperparameters}
    if cls is AdamW:
        return AdamW(size, decay_mask=decay_mask, **hyper)
    return cls(size, **hyper)


def clip_by_global_norm(grad: np.ndarray, max_norm: float) -> float:
    """Scale ``grad`` in place so its L2 norm is at most ``max_norm``; return the old norm.

    ``max_norm`` 0 disables clipping (the norm is still returned for the diagnostics).
    A non-finite norm is returned untouched: the trainer reports that as divergence, and
    scaling would only turn infinities into NaNs.
    """
    if not (max_norm >= 0.0 and math.isfinite(max_norm)):
        raise ValueError(f"max_norm must be a finite number >= 0, got {max_norm!r}")
    with np.errstate(over="ignore"):  # an overflowing sum of squares is handled below
        norm = math.sqrt(float(np.dot(grad, grad)))
    if math.isinf(norm) and np.isfinite(grad).all():
        # The squares overflowed although every entry is finite: rescale first.
        peak = float(np.max(np.abs(grad)))
        scaled = grad / peak
        norm = peak * math.sqrt(float(np.dot(scaled, scaled)))
    if max_norm > 0.0 and math.isfinite(norm) and norm > max_norm:
        np.multiply(grad, max_norm / norm, out=grad)
    return norm
