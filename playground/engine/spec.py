"""The engine's view of a configuration: a frozen record of resolved values.

The config layer (``playground.config``) validates what a user asked for, including
"auto" choices (loss per problem, initializer per activation, one activation for every
layer); ``RunConfig.spec()`` resolves them into a ``RunSpec``. The engine reads only this
record, so it never imports the validation layer and never re-derives a default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RunSpec:
    """Every resolved value a run depends on (one entry per hidden layer where it varies)."""

    dataset: str
    problem: str
    n_points: int
    noise: float
    train_fraction: float
    n_classes: int
    custom_points: tuple[tuple[float, float, float], ...] | None
    seed: int
    features: tuple[str, ...]
    hidden: tuple[int, ...]
    activations: tuple[str, ...]
    loss: str
    initializers: tuple[str, ...]  # one per weight layer (hidden layers, then the output)
    bias_init: float
    optimizer: str
    learning_rate: float
    optimizer_hyper: tuple[tuple[str, float], ...]  # every optimizer hyperparameter field
    schedule: str
    decay_rate: float
    decay_steps: int
    grad_clip: float
    regularization: str
    regularization_rate: float
    dropouts: tuple[float, ...]
    batch_size: int
    # TF Playground's training rule (``preset="tfp"``): one fixed shuffle, partial batches
    # carried into the next epoch, the penalty divided by the batch count, L1 snapping.
    tf_mode: bool = False
    # the user's initializer choice ("auto": per activation); changing it re-draws weights,
    # while ``initializers`` may also follow an activation change (which keeps them)
    initializer_choice: str = "auto"

    def hyper(self) -> dict[str, float]:
        """The optimizer hyperparameters as a dict."""
        return dict(self.optimizer_hyper)


def spec_of(config: Any) -> RunSpec:
    """The ``RunSpec`` of ``config``: itself, or what its ``spec()`` method resolves."""
    if isinstance(config, RunSpec):
        return config
    spec = config.spec()
    if not isinstance(spec, RunSpec):
        raise TypeError("config.spec() must return a RunSpec")
    return spec
