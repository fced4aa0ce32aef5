"""Stacked training: R runs of one shape in lockstep, in one set of NumPy calls per step.

At batch 10 a step of one small network is ~50 tiny NumPy calls whose cost is mostly
interpreter overhead, so R runs cost nearly what one costs when their arrays carry a
leading run axis: (R, batch, neurons) activations, (R, P) flat parameters, batched
matmuls. Settings that do not change the arrays' shapes may differ per run: data and
seed, first weights, learning rate and schedule, optimizer hyperparameters, L1 / L2 and
its rate, dropout rates, gradient clipping. Shape settings must agree (``shape_key``).

Every run is started by a lone ``Trainer`` (so its data, first weights and random streams
are the Trainer's by construction) and each step repeats the Trainer's arithmetic in the
same order on its own row, drawing from its own streams (``streams.py``). A run's results
are therefore bit-identical to the same run trained alone (tests check every optimizer,
schedule, penalty and dropout). A run that diverges is frozen with exactly the state the
lone Trainer would stop with, and leaves the stack; the others go on.

Runs need not be at the same place in their epochs (a classroom's runs were started at
different moments): each row has its own position, and a row whose epoch ends reshuffles
and records its history alone. That needs every row's next batch to be full, so rows at
different places must be *aligned* (``in_phase``): their remaining points a multiple of
the batch size, as always when the batch divides the training set.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from playground.engine.health import norms_of
from playground.engine.optimizers import clip_by_global_norm, make_optimizer
from playground.engine.stack_rows import (
    SHAPE_FIELDS,
    StackRun,
    finite_or_none,
    row_settings,
    shape_key,
)
from playground.engine.stack_update import STACKED_UPDATES
from playground.engine.state import HEALTH_KEYS, HISTORY_KEYS, RunState
from playground.engine.streams import dropout_masks, dropout_stream
from playground.engine.trainer import (
    MAX_HISTORY,
    Trainer,
    divergence,
    explosion_message,
)

MAX_STACK = 256  # runs per stack (a sweep's own limit is lower, in the config layer)


def phase_key(trainer: Trainer) -> int | None:
    """Which rows may share a stack by their place in the epoch: None for an aligned run
    (every batch left in its epoch is full), else its position (only runs at that very
    place can take the same short last batch)."""
    batch = min(trainer.spec.batch_size, trainer.data.n_train)
    left = trainer.data.n_train - trainer.state.position
    return None if left % batch == 0 else trainer.state.position


class Stack:
    """R runs of one shape trained in lockstep; see the module docstring."""

    def __init__(self, configs: Sequence[Any]) -> None:
        self._adopt([Trainer(c) for c in configs])

    @classmethod
    def from_trainers(cls, trainers: Sequence[Trainer]) -> Stack:
        """A stack continuing these trainers' runs (they are left unchanged)."""
        stack = object.__new__(cls)
        stack._adopt([t.fork() for t in trainers])
        return stack

    @classmethod
    def taking_over(cls, trainers: Sequence[Trainer]) -> Stack:
        """A stack that continues these trainers' runs *with their own random streams*.

        Cheaper than ``from_trainers`` (no fork: what a live server does for every batch),
        but the trainers' streams move on with the stack, so the caller must hand every
        run back with ``Trainer.continue_from(stack.state(i))`` before using a trainer.
        """
        stack = object.__new__(cls)
        stack._adopt(list(trainers))
        return stack

    def _adopt(self, trainers: list[Trainer]) -> None:
        if not 1 <= len(trainers) <= MAX_STACK:
            raise ValueError(f"a stack holds 1..{MAX_STACK} runs, got {len(trainers)}")
        first = trainers[0]
        key = shape_key(first.spec, first.data.n_train, len(first.data.X_test))
        for i, t in enumerate(trainers):
            if t.spec.tf_mode:
                raise ValueError(f"run {i}: TF Playground mode (preset 'tfp') is not stackable")
            if t.state.neurons is not None:
                raise ValueError(f"run {i} has knocked-out or frozen neurons: not stackable")
            if shape_key(t.spec, t.data.n_train, len(t.data.X_test)) != key:
                raise ValueError(f"run {i} does not share run 0's shape ({', '.join(SHAPE_FIELDS)}"
                                 ", number of training and test points)")  # fmt: skip
            if phase_key(t) != phase_key(first) or t.diverged is not None:
                raise ValueError(f"run {i} is diverged or not in phase with run 0's epoch "
                                 "(remaining points not a multiple of the batch size)")  # fmt: skip
        self.runs = [StackRun(t) for t in trainers]
        self.n_train = first.data.n_train
        self._batch = min(first.spec.batch_size, self.n_train)
        self._hidden = first.spec.hidden
        self._positions = np.array([t.state.position for t in trainers], dtype=np.int64)
        self._net = first.network  # structure only: activations and layer sizes
        self._rows = list(range(len(trainers)))  # row -> run index, active runs only
        sts = [t.state for t in trainers]
        self._P = np.stack([s.params for s in sts])
        self._G = np.zeros_like(self._P)
        self._backup = np.stack([s.backup if s.backup is not None else s.params for s in sts])
        self._orders = np.stack([s.order for s in sts])
        self._t = np.array([s.optimizer.t for s in sts])
        self._optimizer = first.spec.optimizer
        update, extra = STACKED_UPDATES[self._optimizer]
        self._update = update
        names = type(first.optimizer).buffers
        self._buffers = {b: np.stack([s.optimizer.buffer(b) for s in sts]) for b in names}
        self._buffer_names = names
        self._extra = extra
        self._F_train = np.stack([t.train_features for t in trainers])
        self._F_test = np.stack([t.test_features for t in trainers])
        self._T_train = np.stack([t.train_targets for t in trainers])
        self._T_test = np.stack([t.test_targets for t in trainers])
        self._mask = first.network.weight_mask
        self._settings()

    def _settings(self) -> None:
        """(Re)build the per-row columns, views and scratch arrays after rows change."""
        runs = [self.runs[i] for i in self._rows]
        self._live = runs  # the training rows' records, in row order
        self._offsets = np.arange(len(runs))[:, None] * self.n_train
        # one place in the epoch for every row (a plain slice), or a place per row
        self._uniform = bool((self._positions == self._positions[0]).all()) if runs else True
        self._gather()
        self._views()
        self._tmp = np.empty_like(self._P)
        self._scratch = {**self._buffers, **{e: np.empty_like(self._P) for e in self._extra}}
        self._scratch["_decay_mask"] = self._mask  # read-only: AdamW decays weights only
        self._cols = row_settings(runs, self._optimizer, len(self._hidden))

    def _gather(self) -> None:
        """Every run's training rows as one table and the orders as indices into it, so a
        batch of every run is one ``take`` (faster than 2D fancy indexing)."""
        R, n = self._F_train.shape[:2]
        self._F_rows = self._F_train.reshape(R * n, *self._F_train.shape[2:])
        self._T_rows = self._T_train.reshape(R * n, *self._T_train.shape[2:])
        self._flat_orders = self._orders + self._offsets

    def _views(self) -> None:
        R = self._P.shape[0]
        sizes = self._net.layer_sizes
        self._W, self._b, self._gW, self._gb = [], [], [], []
        at = 0
        for i, o in zip(sizes[:-1], sizes[1:], strict=True):
            self._W.append(self._P[:, at : at + i * o].reshape(R, i, o))
            self._gW.append(self._G[:, at : at + i * o].reshape(R, i, o))
            at += i * o
            self._b.append(self._P[:, None, at : at + o])
            self._gb.append(self._G[:, at : at + o])
            at += o

    # Reading -------------------------------------------------------------------------
    @property
    def size(self) -> int:
        """Number of runs (diverged ones included)."""
        return len(self.runs)

    @property
    def active(self) -> int:
        """Runs still training."""
        return len(self._rows)

    def diverged(self, i: int) -> dict[str, Any] | None:
        """Run ``i``'s divergence record (as ``Trainer.diverged``), or None."""
        frozen = self.runs[i].frozen
        return None if frozen is None else frozen.diverged

    def history(self, i: int) -> dict[str, list[Any]]:
        """Run ``i``'s per-epoch history (as ``Trainer.history``)."""
        return self.runs[i].history

    def metrics(self, i: int) -> dict[str, Any]:
        """Run ``i``'s metrics now, exactly as ``Trainer.metrics()`` reports them."""
        run = self.runs[i]
        if run.metrics is None or run.metrics_step != run.step:
            if run.frozen is not None:
                run.metrics = Trainer.from_state(run.config, self.state(i), "").metrics()
            else:
                self._evaluate([self._rows.index(i)])
            run.metrics_step = run.step
        assert run.metrics is not None
        return {"epoch": run.epoch, "step": run.step, **run.metrics,
                "learning_rate": run.learning_rate()}  # fmt: skip

    def state(self, i: int, *, shared: bool = False) -> RunState:
        """A copy of run ``i``'s ``RunState``: what a lone Trainer would hold now.

        ``shared=True`` skips the second copy of streams, optimizer and history (the
        arrays are still copied): for a stack whose runs are handed back and then dropped
        (``lockstep.step_together``), where nothing else will move them.
        """
        run = self.runs[i]
        if run.frozen is not None:
            return run.frozen if shared else run.frozen.copy()
        state = self._extract(self._rows.index(i), None)
        return state if shared else state.copy()

    def trainer(self, i: int, detail: str | None = None) -> Trainer:
        """Run ``i`` as a lone Trainer that continues from here (e.g. opened from a sweep)."""
        run = self.runs[i]
        return Trainer.from_state(run.config, self.state(i),
                                  detail or f"taken from a stack of {self.size} at step "
                                  f"{run.step}")  # fmt: skip

    def _extract(self, row: int, diverged: dict[str, Any] | None) -> RunState:
        run = self.runs[self._rows[row]]
        optimizer = make_optimizer(
            run.spec.optimizer, self._P.shape[1], decay_mask=self._mask, **run.spec.hyper()
        )
        optimizer.t = int(self._t[row])
        for b in self._buffer_names:
            np.copyto(optimizer.buffer(b), self._buffers[b][row])
        return RunState(
            config=run.config,
            params=self._P[row].copy(),
            optimizer=optimizer,
            **run.streams,
            order=self._orders[row].copy(),
            position=int(self._positions[row]),
            step=run.step,
            epoch=run.epoch,
            history=run.history,
            health=run.health,
            diverged=diverged,
            loss_ceiling=run.ceiling,
            backup=self._backup[row].copy(),
        )

    # Training ------------------------------------------------------------------------
    def step(self, n: int = 1) -> int:
        """Run ``n`` lockstep steps (fewer if every run diverged); returns how many ran."""
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
            raise ValueError(f"n must be a non-negative integer, got {n!r}")
        done = 0
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            while done < int(n) and self._rows:
                self._one_step()
                done += 1
        return done

    def _one_step(self) -> None:
        if self._uniform:
            pos = int(self._positions[0])
            idx = self._flat_orders[:, pos : pos + self._batch]
        else:  # aligned rows at their own places: every batch is full
            ahead = self._positions[:, None] + np.arange(self._batch)
            idx = np.take_along_axis(self._flat_orders, ahead, axis=1)
        rows = idx.shape[1]
        X, T = self._F_rows.take(idx, axis=0), self._T_rows.take(idx, axis=0)
        self._backprop(X, T, self._masks(rows) if self._cols.dropout_rows else None)
        G = self._G
        for j, clip in self._cols.clip:  # per run, exactly as the lone trainer clips
            clip_by_global_norm(G[j], clip)
        sq = (G[:, None, :] @ G[:, :, None])[:, 0, 0]  # per-row grad @ grad (same dot)
        leaving: dict[int, RunState] = {}
        if not np.isfinite(sq).all():
            for j in map(int, np.flatnonzero(~np.isfinite(sq))):
                leaving[j] = self._frozen(j, "the gradient became infinite or NaN")
        np.copyto(self._backup, self._P)
        for j in self._cols.scheduled:
            self._cols.lr[j, 0] = self.runs[self._rows[j]].learning_rate()
        self._t += 1
        self._update(self._P, G, self._cols.lr, self._scratch, self._cols.hyper, self._t, self._tmp)
        wsq = (self._P[:, None, :] @ self._P[:, :, None])[:, 0, 0]
        if not np.isfinite(wsq).all():
            for j in map(int, np.flatnonzero(~np.isfinite(wsq))):
                if j not in leaving:
                    self._P[j] = self._backup[j]
                    leaving[j] = self._frozen(j, "the weights overflowed to infinity or NaN")
        for j, run in enumerate(self._live):
            if j not in leaving:
                run.step += 1
        self._positions += rows
        ended = [j for j in map(int, np.flatnonzero(self._positions >= self.n_train))
                 if j not in leaving]  # fmt: skip
        if ended:
            leaving.update(self._end_epoch(ended))
        if leaving:
            self._leave(leaving)

    def _backprop(self, X: np.ndarray, T: np.ndarray, masks: list[np.ndarray | None] | None
                  ) -> None:  # fmt: skip
        """``Network.backprop`` on every row at once, the same operations in the same order."""
        net = self._net
        inputs = [X]
        zs, outs = [], []
        a = X
        for k, act in enumerate(net.activations):
            z = a @ self._W[k]
            z += self._b[k]
            a = act.forward(z)
            zs.append(z)
            outs.append(a)
            if masks is not None and masks[k] is not None:
                a = a * masks[k]
            inputs.append(a)
        z = a @ self._W[-1]
        z += self._b[-1]
        delta = net.loss_fn.gradient(z, T)
        for k in range(len(self._W) - 1, -1, -1):
            np.matmul(inputs[k].transpose(0, 2, 1), delta, out=self._gW[k])
            np.sum(delta, axis=1, out=self._gb[k])
            if k:
                delta = delta @ self._W[k].transpose(0, 2, 1)
                delta *= net.activations[k - 1].derivative(zs[k - 1], outs[k - 1])
                if masks is not None and masks[k - 1] is not None:
                    delta *= masks[k - 1]
        if self._cols.penalty is not None:
            w = self._P * self._mask
            if self._cols.penalty == "l1":
                np.sign(w, out=w)
            elif self._cols.penalty == "mixed":
                w = np.where(self._cols.is_l1, np.sign(w), w)
            w *= self._cols.rate
            self._G += w

    def _masks(self, rows: int) -> list[np.ndarray | None]:
        """Each run's dropout masks from its own stream (ones where a run drops nothing)."""
        R = len(self._rows)
        layers = zip(self._hidden, self._cols.dropout_layers, strict=True)
        stacked = [np.ones((R, rows, w)) if on else None for w, on in layers]
        for j in self._cols.dropout_rows:
            run = self.runs[self._rows[j]]
            drawn = dropout_masks(dropout_stream(run), rows, self._hidden, self._cols.drop[j])
            for k, m in enumerate(drawn):
                if m is not None:
                    stacked[k][j] = m  # type: ignore[index]
        return stacked

    def _end_epoch(self, ended: list[int]) -> dict[int, RunState]:
        """Rows ``ended`` finished their epoch: reshuffle, record history and health, and
        return the rows whose loss exploded (to leave, frozen)."""
        for j in ended:
            run = self.runs[self._rows[j]]
            run.epoch += 1
            self._positions[j] = 0
            self._orders[j] = run.rng.permutation(self.n_train)
            self._flat_orders[j] = self._orders[j] + self._offsets[j]
        self._evaluate(ended)
        leaving: dict[int, RunState] = {}
        for j in ended:
            r = self._rows[j]
            run = self.runs[r]
            m = self.metrics(r)
            for k in HISTORY_KEYS:
                run.history[k].append(m[k])
            update = self._P[j] - self._backup[j]  # Trainer.last_update
            norms = norms_of(self._net.layer_sizes, self._G[j], self._P[j], self._mask, update)
            for k, values in zip(HEALTH_KEYS, norms, strict=True):
                run.health[k].append(values)
            if m["train_loss"] is None or m["train_loss"] > run.ceiling:
                leaving[j] = self._frozen(j, explosion_message(m["train_loss"]), at=run.step)
            if len(run.history["epoch"]) > MAX_HISTORY:
                run.history = {k: v[::2] for k, v in run.history.items()}
                run.health = {k: v[::2] for k, v in run.health.items()}
                if j in leaving:
                    leaving[j].history, leaving[j].health = run.history, run.health
        return leaving

    def _frozen(self, row: int, what: str, at: int | None = None) -> RunState:
        run = self.runs[self._rows[row]]
        step = run.step + 1 if at is None else at
        record = divergence(step, what, run.learning_rate(), run.spec.optimizer)
        run.what = what
        return self._extract(row, record)

    def _leave(self, leaving: dict[int, RunState]) -> None:
        """Freeze the runs of rows ``leaving`` and drop their rows from every array."""
        for j, state in leaving.items():
            self.runs[self._rows[j]].frozen = state
        keep = [j for j in range(len(self._rows)) if j not in leaving]
        self._rows = [self._rows[j] for j in keep]
        if not keep:
            return
        self._P, self._G = self._P[keep], self._G[keep]
        self._backup, self._orders, self._t = self._backup[keep], self._orders[keep], self._t[keep]
        self._positions = self._positions[keep]
        self._buffers = {b: v[keep] for b, v in self._buffers.items()}
        for name in ("_F_train", "_F_test", "_T_train", "_T_test"):
            setattr(self, name, getattr(self, name)[keep])
        self._settings()

    def _evaluate(self, rows: Sequence[int] | None = None) -> None:
        """Rows' (default: every active row's) losses and accuracies, as
        ``Trainer._evaluate`` computes them.

        Run by run on 2D arrays: at hundreds of points per run the work is arithmetic, not
        call overhead, and one run's arrays stay in cache (measured faster than stacked).
        """
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            for j in range(len(self._rows)) if rows is None else rows:
                run = self.runs[self._rows[j]]
                loss = run.loss_fn
                m: dict[str, float | None] = {}
                for part, F, T in (("train", self._F_train, self._T_train),
                                   ("test", self._F_test, self._T_test)):  # fmt: skip
                    z = self._forward(j, F[j])
                    m[f"{part}_loss"] = finite_or_none(loss.value(z, T[j]))
                    correct = loss.correct(loss.output(z), T[j])
                    m[f"{part}_accuracy"] = None if correct is None else float(correct.mean())
                run.metrics, run.metrics_step = m, run.step

    def _forward(self, row: int, F: np.ndarray) -> np.ndarray:
        """Row ``row``'s output pre-activation at feature rows ``F`` (``Network.forward``)."""
        a = F
        for k, act in enumerate(self._net.activations):
            z = a @ self._W[k][row]
            z += self._b[k][row]
            a = act.forward(z)
        z = a @ self._W[-1][row]
        z += self._b[-1][row]
        return z

    def run(
        self,
        *,
        epochs: int | None = None,
        steps: int | None = None,
        seconds: float | None = None,
        clock: Callable[[], float] = time.perf_counter,
        chunk_steps: int = 64,
    ) -> str:
        """Train until every run reaches ``epochs`` / ``steps`` (totals; runs move together),
        ``seconds`` pass, or all diverged. Returns why it stopped, as ``run_loop`` names it."""
        start = clock()
        ran = 0
        while True:
            if not self._rows:
                return "diverged"
            lead = self.runs[self._rows[0]]
            if epochs is not None and lead.epoch >= epochs:
                return "epochs"
            if steps is not None and lead.step >= steps:
                return "steps"
            if seconds is not None and ran and clock() - start >= seconds:
                return "seconds"
            n = chunk_steps
            if epochs is not None:
                left = self.n_train - int(self._positions[0])
                n = min(n, max(1, math.ceil(left / self._batch)))
            if steps is not None:
                n = min(n, steps - lead.step)
            ran += self.step(max(1, n))

    def outputs(self, F: np.ndarray) -> dict[int, np.ndarray]:
        """Each training run's output (``loss.output``) at the feature rows ``F`` (N, f),
        e.g. a sweep's thumbnails of the input square; diverged runs are left out."""
        loss = self._net.loss_fn
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            return {r: loss.output(self._forward(j, F)) for j, r in enumerate(self._rows)}
