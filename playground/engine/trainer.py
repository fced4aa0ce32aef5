"""The trainer: holds one run (a ``RunState``) and owns every transition of it.

A run is a pure function of its config (seed included) and of the commands applied to
it. Four independent random streams come from the seed: data, initial weights, training
(mini-batch order, weights of neurons added later) and dropout masks, so changing e.g.
the batch size never changes the data or the first weights, and turning dropout on never
changes the order the data is seen in.

Before a run has trained (step 0, first weights unedited) its weights are a function of
its config alone: any change then draws them as a fresh ``Trainer`` would,
so a link, the CLI, REST and Reset all start from the same weights. An initializer or
bias-init change re-initializes the weights at any time (it means nothing otherwise).

Transitions, each with one owner, here: ``step``, ``reconfigure`` (live / architecture /
data), ``set_weight``, ``reset``, ``rewind``, ``fork``. Each is logged in the run's
``Timeline`` so any past step can be rebuilt bit-for-bit. ``snapshot()`` serializes the
``RunState``; ``Trainer.restore`` continues bit-for-bit, in this process or another.

The config is a ``playground.config.RunConfig`` (or anything with a ``spec()`` method
returning a ``RunSpec``); the engine reads only the resolved spec.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np

from playground.engine import surgery
from playground.engine.data import Data, make_data
from playground.engine.diagnostics import diagnose
from playground.engine.features import feature_matrix
from playground.engine.health import layer_norms
from playground.engine.initializers import get_initializer
from playground.engine.insight import InsightViews
from playground.engine.loop import RunResult, run_loop
from playground.engine.losses import make_loss, output_size
from playground.engine.network import Network, parameter_count
from playground.engine.optimizers import Optimizer, clip_by_global_norm, make_optimizer
from playground.engine.render import Rendering, render
from playground.engine.schedules import SCHEDULES
from playground.engine.snapshot import restore_snapshot, take_snapshot
from playground.engine.spec import RunSpec, spec_of
from playground.engine.state import (
    HEALTH_KEYS,
    HISTORY_KEYS,
    LOSS_CEILING_RANGE,
    RunState,
    empty_history,
)
from playground.engine.streams import (
    DROPOUT_STREAM,
    INIT_STREAM,
    TRAIN_STREAM,
    dropout_masks,
    dropout_stream,
)
from playground.engine.streams import stream as random_stream
from playground.engine.timeline import CHECKPOINT_BYTES, CHECKPOINT_EVERY, Event, Timeline
from playground.engine.transfer import change_kind, describe_change, transfer_weights

MAX_WEIGHT_EDIT = 100.0  # |value| accepted by set_weight
#: the loss "exploded" (divergence) beyond this many times max(initial loss, constant guess)
EXPLOSION_FACTOR = 10.0
MAX_HISTORY = 2000  # epochs kept in the history; older entries are thinned, not dropped


def _finite_or_none(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None


def _shown(x: float | None) -> str:
    return "not a finite number" if x is None else f"{x:.3g}"


def _build_network(spec: RunSpec) -> Network:
    n_out = output_size(spec.problem, spec.n_classes)
    sizes = [len(spec.features), *spec.hidden, n_out]
    return Network(
        sizes,
        spec.activations,
        make_loss(spec.loss, spec.problem),
        regularization=spec.regularization,
        regularization_rate=spec.regularization_rate,
    )


def _build_optimizer(spec: RunSpec, net: Network) -> Optimizer:
    # weight decay (AdamW) covers the weights only, like the L1 / L2 penalties
    return make_optimizer(spec.optimizer, net.flat.size, decay_mask=net.weight_mask,
                          **spec.hyper())  # fmt: skip


def _initialize(net: Network, spec: RunSpec, rng: np.random.Generator) -> None:
    """Draw every weight layer's weights and set its biases."""
    for k in range(net.depth):
        W, b = net.params[k]
        W[...] = get_initializer(spec.initializers[k]).sample(rng, *W.shape)
        b[...] = spec.bias_init


def divergence(step: int, what: str, lr: float, optimizer: str) -> dict[str, Any]:
    """The ``diverged`` record of a run that failed at ``step`` (shared with ``stack.py``)."""
    hint = (
        f"the learning rate ({lr:g}) is probably too high; lower it or reset"
        if lr >= 0.1 or optimizer in ("sgd", "momentum", "nesterov")
        else "try a lower learning rate, gradient clipping, or fewer layers"
    )
    return {"step": step, "reason": f"Training diverged at step {step}: {what}; {hint}."}


def explosion_message(loss: float | None) -> str:
    """Why a run whose epoch loss passed its ceiling is called diverged."""
    return (
        f"the training loss exploded ({_shown(loss)}, more than {EXPLOSION_FACTOR:g} times "
        "where it started or what a constant guess scores)"
    )


class Trainer(InsightViews):
    """Trains a network on a config's data, step by step; see the module docstring.

    The insight views (``hidden_space``, ``landscape``, ``loss_slice``, ``lr_range_test``,
    ``health``) come from ``InsightViews``; they read the run through its public API.

    ``checkpoint_every`` (steps) and ``checkpoint_bytes`` bound the timeline's memory.
    """

    def __init__(
        self,
        config: Any,
        *,
        checkpoint_every: int = CHECKPOINT_EVERY,
        checkpoint_bytes: int = CHECKPOINT_BYTES,
    ) -> None:
        self.recorder = Timeline(checkpoint_every, checkpoint_bytes)  # events + checkpoints
        self._start(config)
        self.recorder.restart(self.state, "start", "started")

    def _start(self, config: Any, data: Data | None = None) -> None:
        """Install a fresh run of ``config``: its data, first weights, streams, counters."""
        spec = spec_of(config)
        self.config = config
        self.spec = spec
        self.data = make_data(spec) if data is None else data
        net = _build_network(spec)
        _initialize(net, spec, random_stream(spec.seed, INIT_STREAM))
        rng = random_stream(spec.seed, TRAIN_STREAM)
        self.network = net
        self.state = RunState(
            config=config,
            params=net.flat,
            optimizer=_build_optimizer(spec, net),
            rng=rng,
            dropout_rng=random_stream(spec.seed, DROPOUT_STREAM),
            order=rng.permutation(self.data.n_train),
            position=0,
            step=0,
            epoch=0,
            history=empty_history(),
            backup=net.flat.copy(),
        )
        self._prepare()
        self.state.loss_ceiling = self._ceiling()

    def __repr__(self) -> str:
        return (
            f"Trainer({self.spec.dataset!r}, {self.network!r}, step={self.step_count}, "
            f"epoch={self.epoch})"
        )

    def _repr_html_(self) -> str:
        """Jupyter's display: config summary, metrics and a small boundary picture."""
        from playground.plot import summary_html

        return summary_html(self)

    def _prepare(self) -> None:
        """Cache what every step needs: feature matrices and targets as the loss wants them."""
        feats = self.spec.features
        loss = self.network.loss_fn
        self._F_train = feature_matrix(self.data.X_train, feats)
        self._F_test = feature_matrix(self.data.X_test, feats)
        self._T_train = loss.targets(self.data.y_train)
        self._T_test = loss.targets(self.data.y_test)
        self._dropouts = [p if p > 0 else 0.0 for p in self.spec.dropouts]
        units, frozen = surgery.network_masks(self.network.layer_sizes, self.state.neurons)
        self.network.unit_masks, self.network.frozen = units, frozen
        self._metrics_key: tuple[int, int] | None = None
        self._version = 0  # bumped by every transition that is not a plain step

    def _ceiling(self) -> float:
        start = self.metrics()["train_loss"] or 0.0
        baseline = self.network.loss_fn.baseline(self._T_train)
        return min(EXPLOSION_FACTOR * max(baseline, start, 0.05), LOSS_CEILING_RANGE[1])

    def _changed(self) -> None:
        self._version += 1

    # The run's state, read-only views -------------------------------------------------
    @property
    def problem(self) -> str:
        return self.spec.problem

    @property
    def optimizer(self) -> Optimizer:
        return self.state.optimizer

    @property
    def step_count(self) -> int:
        return self.state.step

    @property
    def epoch(self) -> int:
        return self.state.epoch

    @property
    def history(self) -> dict[str, list[Any]]:
        return self.state.history

    @property
    def diverged(self) -> dict[str, Any] | None:
        return self.state.diverged

    @property
    def loss_ceiling(self) -> float:
        return self.state.loss_ceiling

    @property
    def train_features(self) -> np.ndarray:
        """The training set's feature matrix (what the network sees)."""
        return self._F_train

    @property
    def test_features(self) -> np.ndarray:
        """The test set's feature matrix."""
        return self._F_test

    @property
    def train_targets(self) -> np.ndarray:
        """The training labels as the loss wants them (``loss_fn.targets``)."""
        return self._T_train

    @property
    def test_targets(self) -> np.ndarray:
        """The test labels as the loss wants them."""
        return self._T_test

    @property
    def last_update(self) -> np.ndarray:
        """The last step's change of every parameter (flat)."""
        backup = self.state.backup
        return self.network.flat - (self.network.flat if backup is None else backup)

    @property
    def learning_rate(self) -> float:
        """The scheduled learning rate of the next step."""
        spec = self.spec
        if spec.schedule == "constant":
            return float(spec.learning_rate)
        fn = SCHEDULES[spec.schedule].fn
        return float(fn(spec.learning_rate, self.state.step, spec.decay_rate, spec.decay_steps))

    def steps_to_epoch_end(self) -> int:
        """Steps left until the current epoch ends."""
        batch = min(self.spec.batch_size, self.data.n_train)
        if self.spec.tf_mode:  # the partial last batch waits for the next epoch
            return max(1, (self.data.n_train - self.state.position) // batch)
        return max(1, math.ceil((self.data.n_train - self.state.position) / batch))

    # Training ------------------------------------------------------------------------
    def step(self, n: int = 1, *, learning_rate: float | None = None) -> int:
        """Run ``n`` mini-batch steps; returns how many ran (fewer if training diverged).

        ``learning_rate`` replaces the scheduled rate for these steps (the LR range test
        drives a fork this way); it is not logged, so use it on forks only.
        """
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
            raise ValueError(f"n must be a non-negative integer, got {n!r}")
        st = self.state
        spec = self.spec
        net = self.network
        flat, grad = net.flat, net.grad_flat
        backup = st.backup if st.backup is not None else flat.copy()
        st.backup = backup
        batch = min(spec.batch_size, self.data.n_train)
        dropout = any(self._dropouts)
        clip = spec.grad_clip
        frozen = net.frozen
        timeline = self.recorder
        every = timeline.every
        done = 0
        # Overflow on the way to divergence is detected below, not warned about.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            while spec.tf_mode and done < int(n) and st.diverged is None:
                if not self._tf_step(batch, learning_rate):
                    break
                done += 1
                if st.step % every == 0:
                    timeline.checkpoint(st)
            while done < int(n) and st.diverged is None:
                idx = st.order[st.position : st.position + batch]
                masks = self._dropout_masks(len(idx)) if dropout else None
                net.backprop(self._F_train[idx], self._T_train[idx], masks)
                if frozen is not None:
                    grad[frozen] = 0.0
                gnorm = clip_by_global_norm(grad, clip) if clip else math.sqrt(float(grad @ grad))
                if not math.isfinite(gnorm):
                    self._diverge("the gradient became infinite or NaN")
                    break
                np.copyto(backup, flat)
                lr = self.learning_rate if learning_rate is None else learning_rate
                st.optimizer.step(flat, grad, lr)
                if frozen is not None:  # momentum or weight decay would still move them
                    flat[frozen] = backup[frozen]
                if not math.isfinite(float(flat @ flat)):
                    np.copyto(flat, backup)
                    self._diverge("the weights overflowed to infinity or NaN")
                    break
                st.step += 1
                done += 1
                st.position += len(idx)
                if st.position >= self.data.n_train:
                    self._end_epoch()
                if st.step % every == 0:
                    timeline.checkpoint(st)
        return done

    def _tf_step(self, batch: int, learning_rate: float | None = None) -> bool:
        """One update by TF Playground's rule (``nn.ts``); False if training diverged.

        TF walks the training set in one fixed order and updates after every ``batch``
        examples; the examples left at an epoch's end are accumulated into the next epoch's
        first update. The update is ``w' = w - lr / c * (sum of the c gradients)`` and then
        ``w'' = w' - lr * rate * R'(w)`` (R' at the old weight; biases have no penalty);
        with L1, a weight whose penalty step crosses zero (``w' * w'' < 0``) becomes
        exactly 0 and its link stays dead (never updated again).
        """
        st, spec, net = self.state, self.spec, self.network
        lr = spec.learning_rate if learning_rate is None else learning_rate  # (range test)
        n = self.data.n_train
        left = n % batch
        idx = st.order[st.position : st.position + batch]
        if st.position == 0 and st.epoch > 0 and left:
            idx = np.concatenate((st.order[n - left :], idx))
        rate = net.regularization_rate
        net.regularization_rate = 0.0  # the data gradient only; the penalty follows TF below
        try:
            net.backprop(self._F_train[idx], self._T_train[idx])
        finally:
            net.regularization_rate = rate
        flat, grad = net.flat, net.grad_flat
        if not math.isfinite(float(grad @ grad)):
            self._diverge("the gradient became infinite or NaN")
            return False
        backup = st.backup if st.backup is not None else flat.copy()
        st.backup = backup
        np.copyto(backup, flat)
        moved = flat - lr * grad  # the mean gradient of the c examples
        new = moved.copy()
        if rate and spec.regularization != "none":
            der = np.sign(flat) if spec.regularization == "l1" else flat.copy()
            new -= (lr * rate) * der * net.weight_mask  # R' at the old weight
        if st.dead is None or st.dead.size != flat.size:  # a new shape revives every link
            st.dead = np.zeros(flat.size, dtype=bool)
        new[st.dead] = flat[st.dead]  # a dead link is never updated again
        if net.frozen is not None:
            new[net.frozen] = flat[net.frozen]
        if spec.regularization == "l1":
            crossed = (moved * new < 0) & (net.weight_mask > 0) & ~st.dead
            new[crossed] = 0.0
            st.dead |= crossed
        np.copyto(flat, new)
        if not math.isfinite(float(flat @ flat)):
            np.copyto(flat, backup)
            self._diverge("the weights overflowed to infinity or NaN")
            return False
        st.step += 1
        st.position += batch
        if st.position + batch > n:
            self._end_epoch()
        return True

    def _dropout_masks(self, rows: int) -> list[np.ndarray | None]:
        return dropout_masks(dropout_stream(self.state), rows, self.spec.hidden, self._dropouts)

    def _end_epoch(self) -> None:
        st = self.state
        st.epoch += 1
        if not self.spec.tf_mode:  # TF Playground shuffles once and keeps that order
            st.order = st.rng.permutation(self.data.n_train)
        st.position = 0
        m = self.metrics()
        for k in HISTORY_KEYS:
            st.history[k].append(m[k])
        norms = layer_norms(self.network, self.last_update)
        for k, values in zip(HEALTH_KEYS, norms, strict=True):
            st.health[k].append(values)
        if m["train_loss"] is None or m["train_loss"] > st.loss_ceiling:
            self._diverge(explosion_message(m["train_loss"]), at=st.step)
        if len(st.history["epoch"]) > MAX_HISTORY:
            # keep the curve's shape over any run length: drop every other old entry
            st.history = {k: v[::2] for k, v in st.history.items()}
            st.health = {k: v[::2] for k, v in st.health.items()}

    def _diverge(self, what: str, at: int | None = None) -> None:
        step = self.state.step + 1 if at is None else at
        self.state.diverged = divergence(step, what, self.learning_rate, self.spec.optimizer)
        self.recorder.log(self.state, "diverged", what)

    def declare_diverged(self, what: str) -> None:
        """Mark the run diverged from outside (e.g. its picture overflowed float32)."""
        if self.state.diverged is None:
            step = self.state.step
            self.state.diverged = {"step": step, "reason": f"Training diverged at step {step}: "
                                   f"{what}; lower the learning rate or reset."}  # fmt: skip
            self.recorder.log(self.state, "diverged", what)

    def run(self, **until: Any) -> RunResult:
        """Train until an epoch/step count, a time budget, divergence or a pause.

        Keywords: ``epochs``, ``steps`` (totals to reach), ``max_steps`` (steps this call),
        ``seconds`` (budget), ``clock``, ``should_pause`` (callable), ``on_progress``.
        """
        return run_loop(self, **until)

    # Reporting -----------------------------------------------------------------------
    def metrics(self) -> dict[str, Any]:
        """Current epoch, step, losses and accuracies (None where undefined), all finite."""
        key = (self.state.step, self._version)
        if self._metrics_key != key:
            self._metrics = self._evaluate()
            self._metrics_key = key
        return {
            "epoch": self.state.epoch,
            "step": self.state.step,
            **self._metrics,
            "learning_rate": self.learning_rate,
        }

    def known_metrics(self) -> dict[str, float | None] | None:
        """The losses and accuracies at this very state if already measured, else None
        (never measures: for callers that pass them on, like ``engine.memo``)."""
        if self._metrics_key != (self.state.step, self._version):
            return None
        return dict(self._metrics)

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
        return self.network.predict(feature_matrix(X, self.spec.features))

    # Commands ------------------------------------------------------------------------
    def reset(self) -> None:
        """Back to exactly what ``Trainer(config)`` starts with: same data, first weights."""
        self._start(self.config, self.data)
        self.recorder.restart(self.state, "reset", "new weights, same data")

    def set_weight(self, layer: int, kind: str, i: int | None, j: int, value: float) -> None:
        """Edit one weight ``W[layer][i, j]`` or bias ``b[layer][j]``."""
        depth = self.network.depth
        if isinstance(layer, bool) or not isinstance(layer, int) or not 0 <= layer < depth:
            raise ValueError(f"layer must be an integer in 0..{depth - 1}, got {layer!r}")
        if kind not in ("weight", "bias"):
            raise ValueError(f"kind must be 'weight' or 'bias', got {kind!r}")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"value must be a number, got {value!r}")
        try:
            ok = math.isfinite(value) and abs(value) <= MAX_WEIGHT_EDIT
        except OverflowError:  # an integer beyond any float
            ok = False
        if not ok:
            raise ValueError(f"value must be finite and within ±{MAX_WEIGHT_EDIT:g}")
        W, b = self.network.params[layer]
        rows, cols = W.shape
        if isinstance(j, bool) or not isinstance(j, int) or not 0 <= j < cols:
            raise ValueError(f"j must be an integer in 0..{cols - 1}, got {j!r}")
        if kind == "weight" and (
            isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < rows
        ):
            raise ValueError(f"i must be an integer in 0..{rows - 1}, got {i!r}")
        self._apply_weight((layer, kind, i, j, float(value)))
        name = f"b{layer}[{j}]" if kind == "bias" else f"W{layer}[{i},{j}]"
        self.recorder.log(self.state, "weight", f"{name} = {float(value):.4g}",
                          ("weight", (layer, kind, i, j, float(value))))  # fmt: skip

    def _apply_weight(self, edit: tuple[int, str, int | None, int, float]) -> None:
        layer, kind, i, j, value = edit
        W, b = self.network.params[layer]
        if kind == "bias":
            b[j] = value
        else:
            W[i, j] = value
        self._changed()

    def set_neuron(self, layer: int, index: int, state: str = "off") -> None:
        """Knock hidden unit ``index`` of hidden layer ``layer`` out, freeze it, or undo.

        ``state``: ``"active"``; ``"off"`` (its output is forced to 0, so it neither
        contributes nor learns); ``"frozen"`` (it works but its incoming weights and bias
        never change). Logged in the timeline, kept in snapshots, replayed on rewind.
        """
        code = surgery.check_neuron(self.spec.hidden, layer, index, state)
        self._apply_neuron(layer, index, code)
        self.recorder.log(self.state, "neuron", f"layer {layer + 1} unit {index + 1}: {state}",
                          ("neuron", (layer, index, code)))  # fmt: skip

    def _apply_neuron(self, layer: int, index: int, code: int) -> None:
        st = self.state
        st.neurons = surgery.with_state(self.spec.hidden, st.neurons, layer, index, code)
        units, frozen = surgery.network_masks(self.network.layer_sizes, st.neurons)
        self.network.unit_masks, self.network.frozen = units, frozen
        self._changed()

    @property
    def neurons(self) -> list[list[str]]:
        """Every hidden unit's surgery state (``active``/``off``/``frozen``), per layer."""
        return surgery.by_layer(self.spec.hidden, self.state.neurons)

    def reconfigure(self, config: Any) -> str:
        """Apply a new config, keeping as much progress as it allows.

        Returns ``"none"``, ``"live"`` (weights and counters kept), ``"architecture"``
        (every surviving neuron's weights kept), ``"init"`` (new initializer or bias init:
        the weights are drawn again, as ``reset`` would, same data) or ``"data"`` (new
        data and weights). Before the run has trained (step 0, first weights unedited), any
        change draws every weight afresh, so step 0 always shows what ``Trainer(config)``
        shows.
        On error the trainer is left exactly as it was.
        """
        spec = spec_of(config)
        kind = change_kind(self.spec, spec)
        detail = describe_change(self.spec, spec)
        if kind == "data":
            self._start(config)
            self.recorder.restart(self.state, "data", detail)
            return kind
        if kind == "init" or (kind in ("architecture", "live") and self._untouched()):
            # (live: an activation may resolve an "auto" initializer to another one)
            self._start(config, self.data)
            self.recorder.restart(self.state, kind, detail)
            return kind
        self._apply_config(config, spec, kind)
        self.config = config  # "none" too: the user's intent (e.g. auto fields) may differ
        self.state.config = config
        if kind != "none":
            self.recorder.log(self.state, kind, detail, ("config", config))
        return kind

    def _untouched(self) -> bool:
        """True while the run has not trained and its weights are still the first ones
        (neuron surgery counts as an edit, like a weight edit: it is kept)."""
        if self.state.step != 0 or self.state.neurons is not None:
            return False
        first = _build_network(self.spec)
        _initialize(first, self.spec, random_stream(self.spec.seed, INIT_STREAM))
        return bool(np.array_equal(first.flat, self.network.flat))

    def _apply_config(self, config: Any, spec: RunSpec, kind: str) -> None:
        """Move to ``spec`` (live or architecture); builds everything before changing a thing."""
        if kind == "none":
            return
        old_spec, st = self.spec, self.state
        net = _build_network(spec)
        rng = st.rng
        if kind == "architecture":
            rng = copy.deepcopy(st.rng)
            _initialize(net, spec, rng)  # new neurons get fresh weights from the training stream
            transfer_weights(self.network, old_spec.features, net, spec.features)
        else:
            net.flat[...] = self.network.flat
        optimizer = st.optimizer
        if kind == "architecture" or old_spec.optimizer != spec.optimizer:
            optimizer = _build_optimizer(spec, net)
        elif old_spec.optimizer_hyper != spec.optimizer_hyper:
            optimizer = copy.deepcopy(st.optimizer)
            hyper = spec.hyper()
            optimizer.set_hyperparameters(**{k: hyper[k] for k in optimizer.hyperparameters})
        # everything is built: commit
        self.spec, self.network = spec, net
        st.params, st.optimizer, st.rng = net.flat, optimizer, rng
        st.neurons = surgery.carry(old_spec.hidden, spec.hidden, st.neurons)
        st.backup = net.flat.copy()
        st.diverged = None  # weights are finite (a diverged step is rolled back): carry on
        self._prepare()
        st.loss_ceiling = self._ceiling()

    # Time travel ---------------------------------------------------------------------
    def rewind(self, step: int) -> None:
        """Return to the run's exact state at ``step`` (a past step of this timeline).

        Parameters, optimizer state and random streams become bit-identical to what the
        run had then (after the commands logged at that step). The future is discarded;
        ``fork`` first to keep it.
        """
        current = self.state.step
        first = self.recorder.first_step
        if isinstance(step, bool) or not isinstance(step, int) or not first <= step <= current:
            raise ValueError(f"step must be an integer in {first}..{current}, got {step!r}")
        base = self.recorder.base_for(step)
        self.recorder.truncate(step, len(self.recorder.events))  # replay re-takes later ones
        self._install(base.state, base.history_len)
        events = self.recorder.events
        kept = base.n_events
        for event in events[base.n_events :]:
            if event.step > step:
                break
            if event.step > self.state.step:
                self._replay_to(event.step)
            if event.payload is not None:
                self._replay(event.payload)
            kept += 1
        self._replay_to(step)
        self.recorder.truncate(step, kept)
        if step != current:
            self.recorder.log(self.state, "rewind", f"rewound from step {current} to {step}")

    def _replay_to(self, step: int) -> None:
        """Train (without logging anything new but divergence) until ``step``."""
        while self.state.step < step and self.state.diverged is None:
            events = len(self.recorder.events)
            self.step(step - self.state.step)
            # divergence during replay was logged already, the first time round
            del self.recorder.events[events:]
        if self.state.step < step:
            raise ValueError(f"the run diverged before step {step}")

    def _replay(self, payload: tuple[str, Any]) -> None:
        what, value = payload
        if what == "weight":
            self._apply_weight(value)
        elif what == "neuron":
            self._apply_neuron(*value)
        else:
            spec = spec_of(value)
            self._apply_config(value, spec, change_kind(self.spec, spec))
            self.config = value
            self.state.config = value

    def _install(self, saved: RunState, history_len: int) -> None:
        """Make a copy of the checkpoint ``saved`` the live state."""
        state = saved.copy(share_history=True)
        state.history = {k: list(v[:history_len]) for k, v in saved.history.items()}
        state.health = {k: list(v[:history_len]) for k, v in saved.health.items()}
        spec = spec_of(state.config)
        if spec != self.spec:
            self.config, self.spec = state.config, spec
            self.network = _build_network(spec)
        self.network.flat[...] = state.params
        state.params = self.network.flat
        self.state = state
        self._prepare()

    @property
    def timeline(self) -> list[dict[str, Any]]:
        """What happened to this run: ``[{"step", "epoch", "kind", "detail"}, ...]``."""
        return self.recorder.public()

    @property
    def first_step(self) -> int:
        """The earliest step ``rewind``, ``at`` and ``fork`` accept."""
        return self.recorder.first_step

    def fork(self, step: int | None = None, detail: str | None = None) -> Trainer:
        """An independent trainer identical to this one now (or at a past ``step``).

        ``detail`` describes the fork in the child's timeline.
        """
        child = object.__new__(Trainer)
        child.recorder = self.recorder.copy()
        child.data = self.data  # immutable arrays, shared
        child.config, child.spec = self.config, self.spec
        child.network = _build_network(self.spec)
        child.network.flat[...] = self.network.flat
        child.state = self.state.copy()
        child.state.params = child.network.flat
        child._prepare()
        if step is not None and step != self.state.step:
            child.rewind(step)
            del child.recorder.events[-1:]  # the fork, not a rewind, is what happened
        child.recorder.log(child.state, "fork", detail or f"forked at step {child.state.step}")
        return child

    def at(self, step: int) -> Trainer:
        """A copy of the run as it was at ``step`` (this run is unchanged): for viewing."""
        return self.fork(step)

    # Persistence ---------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """Everything needed to continue this run bit-for-bit, as JSON-safe builtins."""
        return take_snapshot(self.state, self.network, self.recorder.public())

    @classmethod
    def restore(cls, snapshot: Any, config_loader: Any = None) -> Trainer:
        """A trainer continuing exactly from ``snapshot`` (validated: it may be untrusted)."""
        config, build = restore_snapshot(snapshot, config_loader)
        trainer = cls(config)
        state, events = build(trainer.state, trainer.data.n_train, trainer.network.weight_mask)
        trainer.state = state
        trainer.network.flat[...] = state.params
        state.params = trainer.network.flat
        trainer._prepare()
        trainer.recorder.restart(state, "restore", f"restored at step {state.step}")
        earlier = [Event(e["step"], e["epoch"], e["kind"], e["detail"]) for e in events]
        trainer.recorder.earlier = earlier + trainer.recorder.earlier[1:]
        return trainer

    @classmethod
    def from_state(cls, config: Any, state: RunState, detail: str) -> Trainer:
        """A trainer continuing ``state``, a run of ``config`` trained elsewhere (a stack).

        Its timeline starts at ``state.step`` (kind ``"stack"``).
        """
        trainer = cls(config)
        trainer.network.flat[...] = state.params
        state.params = trainer.network.flat
        trainer.state = state
        trainer._prepare()
        trainer.recorder.restart(state, "stack", detail)
        return trainer

    def continue_from(self, state: RunState, diverged_detail: str = "",
                      metrics: dict[str, float | None] | None = None) -> None:  # fmt: skip
        """Make ``state`` (this run, stepped elsewhere: a stack) the live state.

        Checkpoints and the divergence event are recorded as ``step`` records them, so the
        caller stops at every checkpoint step (``recorder.every``) to hand the state over.
        ``metrics``: the losses and accuracies the caller computed at ``state``, exactly as
        ``_evaluate`` would (a stack's, at an epoch's end), kept so ``metrics()`` need not
        compute them again.
        """
        moved = state.step != self.state.step
        self.network.flat[...] = state.params
        state.params = self.network.flat
        was_diverged = self.state.diverged is not None
        self.state = state
        self._metrics_key = None
        if metrics is not None:
            self._metrics, self._metrics_key = dict(metrics), (state.step, self._version)
        if state.diverged is not None and not was_diverged:
            self.recorder.log(state, "diverged", diverged_detail)
        if moved and state.step % self.recorder.every == 0:
            self.recorder.checkpoint(state)

    # Views ---------------------------------------------------------------------------
    def render(self, resolution: int = 100, neuron_resolution: int | None = None) -> Rendering:
        """The output and every neuron and feature over the input square (float32 grids)."""
        return render(self.network, self.spec.features, resolution, neuron_resolution)

    def diagnostics(self) -> dict[str, Any]:
        """Per-layer training health: gradient/weight norms, update ratio, dead/saturated units."""
        return diagnose(self.network, self.last_update, self._F_train)


def parameter_size(config: Any) -> int:
    """Number of parameters of the network a config describes."""
    spec = spec_of(config)
    n_out = output_size(spec.problem, spec.n_classes)
    return parameter_count([len(spec.features), *spec.hidden, n_out])
