"""The trainer: owns data, network, optimizer and random stream; runs and reports a run.

A run is a pure function of its config (seed included) and of the commands applied to
it. Three independent random streams come from the seed: data, initial weights, and
training (mini-batch order, dropout masks, weights of neurons added later), so changing
e.g. the batch size never changes the data or the first weights. ``snapshot()`` captures
everything, including the training stream's state, so ``Trainer.restore`` continues
bit-for-bit, in this process or another.

The config is any object shaped like ``playground.config.RunConfig`` (the engine never
imports the validation layer except, lazily, to re-validate a snapshot's config).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from playground.engine.data import make_data
from playground.engine.diagnostics import diagnose
from playground.engine.features import feature_matrix
from playground.engine.initializers import get_initializer
from playground.engine.losses import make_loss, output_size
from playground.engine.network import Network, parameter_count
from playground.engine.optimizers import Optimizer, clip_by_global_norm, make_optimizer
from playground.engine.render import Rendering, render
from playground.engine.schedules import SCHEDULES
from playground.engine.snapshot import HISTORY_KEYS, restore_snapshot, take_snapshot
from playground.engine.transfer import OPTIMIZER_FIELDS, reconfigured

MAX_WEIGHT_EDIT = 100.0  # |value| accepted by set_weight
#: the loss "exploded" (divergence) beyond this many times max(initial loss, constant guess)
EXPLOSION_FACTOR = 10.0
MAX_HISTORY = 2000  # epochs kept in the history; older entries are thinned, not dropped


def _finite_or_none(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None


def _shown(x: float | None) -> str:
    return "not a finite number" if x is None else f"{x:.3g}"


class Trainer:
    """Trains a network on a config's data, step by step; see the module docstring."""

    def __init__(self, config: Any) -> None:
        self.config = config
        self.problem: str = config.problem
        self.data = make_data(config)
        self.network = self._build_network(config)
        self._initialize(np.random.default_rng([config.seed, 1]))
        self._rng = np.random.default_rng([config.seed, 2])
        self.optimizer = self._build_optimizer(config, self.network.flat.size)
        self._backup = self.network.flat.copy()  # weights before the last update
        self.step_count = 0
        self.epoch = 0
        self._order = self._rng.permutation(self.data.n_train)
        self._position = 0
        self.history: dict[str, list[Any]] = {k: [] for k in HISTORY_KEYS}
        self.diverged: dict[str, Any] | None = None
        self._metrics_at: int | None = None
        self._metrics: dict[str, Any] = {}
        self._prepare()

    def __repr__(self) -> str:
        return (
            f"Trainer({self.config.dataset!r}, {self.network!r}, step={self.step_count}, "
            f"epoch={self.epoch})"
        )

    # Construction --------------------------------------------------------------------
    @staticmethod
    def _build_network(config: Any) -> Network:
        n_out = output_size(config.problem, config.n_classes)
        sizes = [len(config.features), *config.hidden, n_out]
        return Network(
            sizes,
            config.activations,
            make_loss(config.loss, config.problem),
            regularization=config.regularization,
            regularization_rate=config.regularization_rate,
        )

    @staticmethod
    def _build_optimizer(config: Any, size: int) -> Optimizer:
        hyper = {k: getattr(config, k) for k in OPTIMIZER_FIELDS}
        return make_optimizer(config.optimizer, size, **hyper)

    def _initialize(self, rng: np.random.Generator, layers: range | None = None) -> None:
        """Draw the weights of ``layers`` (default: all) and set their biases."""
        cfg = self.config
        acts = cfg.activations
        for k in layers if layers is not None else range(self.network.depth):
            W, b = self.network.params[k]
            name = cfg.initializer_for(acts[k]) if k < len(acts) else cfg.initializer_for("tanh")
            W[...] = get_initializer(name).sample(rng, *W.shape)
            b[...] = cfg.bias_init

    def _prepare(self) -> None:
        """Cache what every step needs: feature matrices and targets as the loss wants them."""
        feats = self.config.features
        loss = self.network.loss_fn
        self._F_train = feature_matrix(self.data.X_train, feats)
        self._F_test = feature_matrix(self.data.X_test, feats)
        self._T_train = loss.targets(self.data.y_train)
        self._T_test = loss.targets(self.data.y_test)
        self._dropouts = [p if p > 0 else 0.0 for p in self.config.dropouts]
        self._metrics_at = None
        start = self.metrics()["train_loss"] or 0.0
        self.loss_ceiling = EXPLOSION_FACTOR * max(loss.baseline(self._T_train), start, 0.05)

    # Training ------------------------------------------------------------------------
    @property
    def learning_rate(self) -> float:
        """The scheduled learning rate of the next step."""
        cfg = self.config
        if cfg.schedule == "constant":
            return float(cfg.learning_rate)
        fn = SCHEDULES[cfg.schedule].fn
        return float(fn(cfg.learning_rate, self.step_count, cfg.decay_rate, cfg.decay_steps))

    def step(self, n: int = 1) -> int:
        """Run ``n`` mini-batch steps; returns how many ran (fewer if training diverged)."""
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
            raise ValueError(f"n must be a non-negative integer, got {n!r}")
        cfg = self.config
        net = self.network
        flat, grad = net.flat, net.grad_flat
        batch = min(cfg.batch_size, self.data.n_train)
        dropout = any(self._dropouts)
        clip = cfg.grad_clip
        done = 0
        # Overflow on the way to divergence is detected below, not warned about.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            while done < int(n) and self.diverged is None:
                idx = self._order[self._position : self._position + batch]
                masks = self._dropout_masks(len(idx)) if dropout else None
                net.backprop(self._F_train[idx], self._T_train[idx], masks)
                gnorm = clip_by_global_norm(grad, clip) if clip else math.sqrt(float(grad @ grad))
                if not math.isfinite(gnorm):
                    self._diverge("the gradient became infinite or NaN")
                    break
                np.copyto(self._backup, flat)
                self.optimizer.step(flat, grad, self.learning_rate)
                if not math.isfinite(float(flat @ flat)):
                    np.copyto(flat, self._backup)
                    self._diverge("the weights overflowed to infinity or NaN")
                    break
                self.step_count += 1
                done += 1
                self._position += len(idx)
                if self._position >= self.data.n_train:
                    self._end_epoch()
        if done:
            self._metrics_at = None
        return done

    def _dropout_masks(self, rows: int) -> list[np.ndarray | None]:
        masks: list[np.ndarray | None] = []
        for p, width in zip(self._dropouts, self.config.hidden, strict=True):
            if p > 0:
                keep = self._rng.random((rows, width)) >= p
                masks.append(keep / (1.0 - p))
            else:
                masks.append(None)
        return masks

    def _end_epoch(self) -> None:
        self.epoch += 1
        self._order = self._rng.permutation(self.data.n_train)
        self._position = 0
        m = self.metrics()
        for k in HISTORY_KEYS:
            self.history[k].append(m[k])
        if m["train_loss"] is None or m["train_loss"] > self.loss_ceiling:
            self._diverge(
                f"the training loss exploded ({_shown(m['train_loss'])}, more than "
                f"{EXPLOSION_FACTOR:g} times where it started or what a constant guess scores)",
                at=self.step_count,
            )
        if len(self.history["epoch"]) > MAX_HISTORY:
            # keep the curve's shape over any run length: drop every other old entry
            for k in HISTORY_KEYS:
                self.history[k] = self.history[k][::2]

    def _diverge(self, what: str, at: int | None = None) -> None:
        lr = self.learning_rate
        hint = (
            f"the learning rate ({lr:g}) is probably too high; lower it or reset"
            if lr >= 0.1 or self.config.optimizer in ("sgd", "momentum", "nesterov")
            else "try a lower learning rate, gradient clipping, or fewer layers"
        )
        step = self.step_count + 1 if at is None else at
        self.diverged = {
            "step": step,
            "reason": f"Training diverged at step {step}: {what}; {hint}.",
        }

    # Reporting -----------------------------------------------------------------------
    def metrics(self) -> dict[str, Any]:
        """Current epoch, step, losses and accuracies (None where undefined), all finite."""
        if self._metrics_at != self.step_count:
            self._metrics = self._evaluate()
            self._metrics_at = self.step_count
        return {
            "epoch": self.epoch,
            "step": self.step_count,
            **self._metrics,
            "learning_rate": self.learning_rate,
        }

    @np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore")
    def _evaluate(self) -> dict[str, float | None]:
        """Losses (without the penalty, as TF Playground shows) and accuracies on both sets."""
        net = self.network
        loss = net.loss_fn
        out: dict[str, float | None] = {}
        for part, F, T in (("train", self._F_train, self._T_train),
                           ("test", self._F_test, self._T_test)):  # fmt: skip
            z = net.forward(F)[0]
            out[f"{part}_loss"] = _finite_or_none(loss.value(z, T))
            correct = loss.correct(loss.output(z), T)
            out[f"{part}_accuracy"] = None if correct is None else float(correct.mean())
        return out

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The network's output for raw 2D points ``X`` (N, 2)."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != 2:
            raise ValueError(f"X must have shape (N, 2), got {X.shape}")
        return self.network.predict(feature_matrix(X, self.config.features))

    # Commands ------------------------------------------------------------------------
    def reset(self) -> None:
        """Back to exactly what ``Trainer(config)`` starts with: same data, first weights."""
        self.__dict__.update(Trainer(self.config).__dict__)

    def set_weight(self, layer: int, kind: str, i: int | None, j: int, value: float) -> None:
        """Edit one weight ``W[layer][i, j]`` or bias ``b[layer][j]``."""
        depth = self.network.depth
        if isinstance(layer, bool) or not isinstance(layer, int) or not 0 <= layer < depth:
            raise ValueError(f"layer must be an integer in 0..{depth - 1}, got {layer!r}")
        if kind not in ("weight", "bias"):
            raise ValueError(f"kind must be 'weight' or 'bias', got {kind!r}")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"value must be a number, got {value!r}")
        if not (math.isfinite(value) and abs(value) <= MAX_WEIGHT_EDIT):
            raise ValueError(f"value must be finite and within ±{MAX_WEIGHT_EDIT:g}, got {value}")
        W, b = self.network.params[layer]
        rows, cols = W.shape
        if isinstance(j, bool) or not isinstance(j, int) or not 0 <= j < cols:
            raise ValueError(f"j must be an integer in 0..{cols - 1}, got {j!r}")
        if kind == "bias":
            b[j] = value
        else:
            if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < rows:
                raise ValueError(f"i must be an integer in 0..{rows - 1}, got {i!r}")
            W[i, j] = value
        self._metrics_at = None

    def reconfigure(self, config: Any) -> str:
        """Apply a new config, keeping as much progress as it allows.

        Returns ``"none"``, ``"live"`` (weights and counters kept), ``"architecture"``
        (every surviving neuron's weights kept) or ``"data"`` (new data and weights).
        On error the trainer is left exactly as it was.
        """
        kind, state = reconfigured(self, config)
        self.__dict__.update(state)
        return kind

    # Persistence ---------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """Everything needed to continue this run bit-for-bit, as JSON-safe builtins."""
        return take_snapshot(self)

    @classmethod
    def restore(cls, snapshot: Any, config_loader: Any = None) -> Trainer:
        """A trainer continuing exactly from ``snapshot`` (validated: it may be untrusted)."""
        return restore_snapshot(cls, snapshot, config_loader)

    # Views ---------------------------------------------------------------------------
    def render(self, resolution: int = 100, neuron_resolution: int | None = None) -> Rendering:
        """The output and every neuron and feature over the input square (float32 grids)."""
        return render(self.network, self.config.features, resolution, neuron_resolution)

    def diagnostics(self) -> dict[str, Any]:
        """Per-layer training health: gradient/weight norms, update ratio, dead/saturated units."""
        return diagnose(self)


def parameter_size(config: Any) -> int:
    """Number of parameters of the network a config describes."""
    n_out = output_size(config.problem, config.n_classes)
    return parameter_count([len(config.features), *config.hidden, n_out])
