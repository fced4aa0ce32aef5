"""The insight views of a run, as a mixin of ``Trainer``: each is computed only when asked.

They read the run through the trainer's public API only (network, data, spec, state,
recorder, fork, diagnostics, metrics) and never change it: the range test trains a fork,
the landscape evaluates copies of the weights, the slice restores the gradient buffer it
borrows. The computations themselves live in ``hidden``, ``landscape``, ``lr_range`` and
``health``; this module only gathers their inputs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from playground.engine.health import report as health_report
from playground.engine.hidden import HiddenSpace, hidden_space
from playground.engine.landscape import Landscape, LossSlice, landscape, loss_slice
from playground.engine.lr_range import RangeTest, range_test
from playground.engine.lr_range import check_options as check_range
from playground.engine.spec import spec_of

if TYPE_CHECKING:
    from playground.engine.data import Data
    from playground.engine.network import Network
    from playground.engine.spec import RunSpec
    from playground.engine.state import RunState
    from playground.engine.timeline import Timeline


class InsightViews:
    """Hidden space, loss landscape and slice, LR range test, health over time."""

    if TYPE_CHECKING:  # provided by Trainer
        network: Network
        data: Data
        spec: RunSpec
        state: RunState
        recorder: Timeline

        @property
        def train_features(self) -> np.ndarray: ...
        @property
        def last_update(self) -> np.ndarray: ...
        @property
        def history(self) -> dict[str, list[Any]]: ...
        def fork(self, step: int | None = None, detail: str | None = None) -> Any: ...
        def diagnostics(self) -> dict[str, Any]: ...
        def metrics(self) -> dict[str, Any]: ...

    def _targets(self) -> np.ndarray:
        return self.network.loss_fn.targets(self.data.y_train)

    def hidden_space(self, layer: int | None = None) -> HiddenSpace:
        """The data and the input lattice as hidden layer ``layer`` (default: last) sees them."""
        d = self.data
        if layer is None:
            layer = len(self.spec.hidden) - 1
        X = np.concatenate([d.X_train, d.X_test])
        y = np.concatenate([d.y_train, d.y_test])
        return hidden_space(self.network, self.spec.features, X, y, d.n_train, layer)

    def landscape(self, directions: str = "random", resolution: int = 31, span: float = 1.0,
                  seed: int = 0, seconds: float | None = None) -> Landscape:  # fmt: skip
        """The training objective on a plane through the current weights, and the path taken.

        ``directions``: ``"random"`` (filter-normalized, drawn from ``seed``) or
        ``"trajectory"`` (principal directions of the run's checkpoints). ``resolution``:
        odd, up to 51. The centre value is exactly the current objective. ``seconds``
        bounds the time (ValueError naming ``resolution`` past it).
        """
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        same = (self.spec.features, self.spec.hidden)  # the path of this architecture only
        past = []
        for c in self.recorder.checkpoints:
            spec = spec_of(c.state.config)
            if (spec.features, spec.hidden) == same:
                past.append((c.state.step, c.state.params))
        return landscape(self.network, self.train_features, self._targets(), directions=directions,
                         resolution=resolution, span=span, seed=seed, past=past,
                         step=self.state.step, seconds=seconds)  # fmt: skip

    def loss_slice(self, points: int = 51, span: float = 1.0) -> LossSlice:
        """The objective along the last update's direction (before any step: the gradient's)."""
        direction = self.last_update
        if not direction.any():
            net = self.network
            saved = net.grad_flat.copy()  # the last step's gradient stays for diagnostics
            net.backprop(self.train_features, self._targets())
            direction = -net.grad_flat
            net.grad_flat[...] = saved
        return loss_slice(self.network, self.train_features, self._targets(), direction,
                          points=points, span=span)  # fmt: skip

    def lr_range_test(self, start: float = 1e-5, stop: float = 10.0, steps: int = 200,
                      seconds: float | None = None) -> RangeTest:  # fmt: skip
        """Smith's learning-rate range test, on a fork: this run is left bit-identical.

        ``seconds`` bounds the time (the test then stops early, ``stopped="seconds"``).
        """
        check_range(start, stop, steps)
        fork = self.fork(detail="learning-rate range test")
        return range_test(fork, start, stop, steps, seconds)

    def health(self) -> dict[str, Any]:
        """Per-layer gradient norm and update ratio over epochs, warnings with advice."""
        return health_report(self.history["epoch"], self.state.health, self.spec.activations,
                             self.diagnostics(), self.metrics()["train_loss"])  # fmt: skip
