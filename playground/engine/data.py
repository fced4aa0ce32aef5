"""A run's data: generated from the config's seed, split into train and test points."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from playground.engine.datasets import make_dataset, split_dataset


@dataclass(frozen=True)
class Data:
    """A run's points: raw 2D coordinates and labels, split into train and test."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray

    @property
    def n_train(self) -> int:
        return len(self.X_train)


def make_data(config: Any) -> Data:
    """The data of a config: generated from the seed's data stream, then split."""
    rng = np.random.default_rng([config.seed, 0])
    X, y = make_dataset(
        config.dataset,
        config.n_points,
        config.noise,
        rng,
        n_classes=config.n_classes,
        custom_points=config.custom_points,
        problem=config.problem,
    )
    return Data(*split_dataset(X, y, config.train_fraction, rng))
