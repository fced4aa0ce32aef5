"""A multilayer perceptron whose parameters live in one flat vector.

Every weight matrix ``W: (n_in, n_out)`` and bias ``b: (n_out,)`` is a view into
``Network.flat`` and every gradient a view into ``Network.grad_flat``. Backpropagation
writes into those views with ``out=``, and an optimizer then updates the whole network
with a few NumPy calls on one vector: a step costs what its matrix products cost, not
what a Python loop over parameters costs. Snapshots copy a single array.

Gradients are batched (rows are examples), as in Nielsen's ``network.py`` but without
per-sample loops or column vectors.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from playground.engine.activations import Activation, get_activation
from playground.engine.losses import Loss

Array = np.ndarray


def parameter_count(layer_sizes: Sequence[int]) -> int:
    """Number of weights and biases of an MLP with these layer sizes."""
    return sum(i * o + o for i, o in zip(layer_sizes[:-1], layer_sizes[1:], strict=True))


def _views(flat: Array, layer_sizes: Sequence[int]) -> list[tuple[Array, Array]]:
    views = []
    at = 0
    for i, o in zip(layer_sizes[:-1], layer_sizes[1:], strict=True):
        W = flat[at : at + i * o].reshape(i, o)
        at += i * o
        b = flat[at : at + o]
        at += o
        views.append((W, b))
    return views


class Network:
    """An MLP: hidden layers with their activations, then the fused output layer + loss.

    ``loss(X, y)`` is the exact objective (mean data loss + regularization penalty) and
    ``gradients(X, y)`` its exact gradient; both evaluate the deterministic network
    (dropout is a training-time perturbation applied only by ``backprop`` with masks).
    """

    def __init__(
        self,
        layer_sizes: Sequence[int],
        activations: Sequence[str],
        loss: Loss,
        *,
        regularization: str = "none",
        regularization_rate: float = 0.0,
    ) -> None:
        if len(layer_sizes) < 2:
            raise ValueError("a network needs at least an input and an output layer")
        if len(activations) != len(layer_sizes) - 2:
            raise ValueError(
                f"need one activation per hidden layer ({len(layer_sizes) - 2}), "
                f"got {len(activations)}"
            )
        if regularization not in ("none", "l1", "l2"):
            raise ValueError(f"unknown regularization {regularization!r}; allowed: none, l1, l2")
        self.layer_sizes = [int(n) for n in layer_sizes]
        self.activations: list[Activation] = [get_activation(a) for a in activations]
        self.loss_fn = loss
        self.regularization = regularization
        self.regularization_rate = float(regularization_rate)
        size = parameter_count(self.layer_sizes)
        self.flat = np.zeros(size)
        self.grad_flat = np.zeros(size)
        self.params = _views(self.flat, self.layer_sizes)
        self.grads = _views(self.grad_flat, self.layer_sizes)
        mask = np.zeros(size)
        for W, _ in _views(mask, self.layer_sizes):
            W[...] = 1.0  # penalties apply to weights, not biases (as TF Playground)
        self.weight_mask = mask
        # neuron surgery (set by the trainer from its RunState): per hidden layer, None or
        # a 0/1 vector multiplying that layer's outputs; and the parameters that must not
        # change (None: none frozen)
        self.unit_masks: list[Array | None] = [None] * (len(self.layer_sizes) - 2)
        self.frozen: Array | None = None

    def __repr__(self) -> str:
        acts = ",".join(a.name for a in self.activations)
        return f"Network({self.layer_sizes}, [{acts}], {self.loss_fn!r})"

    @property
    def depth(self) -> int:
        """Number of weight layers (hidden layers + output)."""
        return len(self.params)

    # Forward -----------------------------------------------------------------------
    def forward(self, X: Array, start: int = 0) -> tuple[Array, list[Array]]:
        """Output pre-activation and every hidden layer's activation, for rows of ``X``.

        With ``start`` = k, ``X`` is what hidden layer k-1 outputs (the input of weight
        layer k) and only the layers from k on run: the hidden-space view uses it to read
        the network's output at points of a hidden layer's space.
        """
        a = X
        hidden = []
        layers = zip(self.params, self.activations, self.unit_masks, strict=False)
        for k, ((W, b), act, m) in enumerate(layers):
            if k < start:
                continue
            z = a @ W
            z += b
            a = act.forward(z)
            if m is not None:
                a = a * m
            hidden.append(a)
        W, b = self.params[-1]
        z = a @ W
        z += b
        return z, hidden

    def predict(self, X: Array) -> Array:
        """The network's output (probabilities, tanh value or regression value)."""
        return self.loss_fn.output(self.forward(X)[0])

    # Objective ---------------------------------------------------------------------
    def penalty(self) -> float:
        """The regularization term added to the data loss."""
        if self.regularization == "none" or self.regularization_rate == 0.0:
            return 0.0
        w = self.flat * self.weight_mask
        if self.regularization == "l2":
            return 0.5 * self.regularization_rate * float(w @ w)
        return self.regularization_rate * float(np.abs(w).sum())

    def data_loss(self, X: Array, y: Array) -> float:
        """Mean loss over the rows of ``X`` against raw labels ``y``, without the penalty."""
        return self.loss_fn.value(self.forward(X)[0], self.loss_fn.targets(y))

    def loss(self, X: Array, y: Array) -> float:
        """The exact objective being minimized: mean data loss + regularization penalty."""
        return self.data_loss(X, y) + self.penalty()

    def gradients(self, X: Array, y: Array) -> list[tuple[Array, Array]]:
        """d loss(X, y) / d every weight and bias, shaped like ``params`` (copies)."""
        self.backprop(X, self.loss_fn.targets(y))
        return [(gW.copy(), gb.copy()) for gW, gb in self.grads]

    def _combined_masks(
        self, masks: Sequence[Array | None] | None
    ) -> Sequence[Array | None] | None:
        """Dropout masks times the knock-out masks (None where neither applies)."""
        if all(m is None for m in self.unit_masks):
            return masks
        if masks is None:
            return self.unit_masks
        return [u if d is None else d if u is None else d * u
                for d, u in zip(masks, self.unit_masks, strict=True)]  # fmt: skip

    # Backpropagation (the hot path) ------------------------------------------------
    def backprop(self, X: Array, t: Array, masks: Sequence[Array | None] | None = None) -> None:
        """Write the gradient of the objective on batch ``(X, t)`` into ``grad_flat``.

        ``t`` are targets as the loss wants them (``loss_fn.targets``); ``masks`` are optional
        inverted-dropout masks, one per hidden layer (already divided by the keep rate).
        Knocked-out units (``unit_masks``) act as a dropout mask that never changes.
        """
        inputs = [X]  # the input of each weight layer
        zs = []
        outs = []  # f(z) of each hidden layer before dropout, for the derivative
        a = X
        masks = self._combined_masks(masks)
        for k, ((W, b), act) in enumerate(zip(self.params, self.activations, strict=False)):
            z = a @ W
            z += b
            a = act.forward(z)
            zs.append(z)
            outs.append(a)
            if masks is not None and masks[k] is not None:
                a = a * masks[k]
            inputs.append(a)
        W, b = self.params[-1]
        z = a @ W
        z += b
        delta = self.loss_fn.gradient(z, t)
        for k in range(len(self.params) - 1, -1, -1):
            gW, gb = self.grads[k]
            np.matmul(inputs[k].T, delta, out=gW)
            np.sum(delta, axis=0, out=gb)
            if k:
                delta = delta @ self.params[k][0].T
                delta *= self.activations[k - 1].derivative(zs[k - 1], outs[k - 1])
                if masks is not None and masks[k - 1] is not None:
                    delta *= masks[k - 1]
        rate = self.regularization_rate
        if rate and self.regularization != "none":
            w = self.flat * self.weight_mask
            if self.regularization == "l2":
                w *= rate
                self.grad_flat += w
            else:
                np.sign(w, out=w)
                w *= rate
                self.grad_flat += w
