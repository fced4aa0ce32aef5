"""``playground.plot`` figures and the trainer's notebook display."""

from __future__ import annotations

import numpy as np
import pytest

from playground import RunConfig, Trainer, plot


@pytest.fixture(scope="module")
def trainer() -> Trainer:
    t = Trainer(RunConfig(dataset="xor", hidden=[4, 3], seed=1))
    t.step(300)
    return t


def test_boundary_has_the_output_grid_and_both_point_sets(trainer: Trainer) -> None:
    fig = plot.boundary(trainer, resolution=30)
    heat, train, test = fig.data
    assert heat.type == "heatmap" and np.asarray(heat.z).shape == (30, 30)
    assert np.allclose(np.asarray(heat.z), trainer.render(30).output)
    assert (train.name, test.name) == ("train", "test")
    assert np.array_equal(np.asarray(train.x), trainer.data.X_train[:, 0])
    assert np.array_equal(np.asarray(test.y), trainer.data.X_test[:, 1])
    assert np.array_equal(np.asarray(train.marker.color), trainer.data.y_train)
    assert len(plot.boundary(trainer, test=False).data) == 2


def test_history_has_loss_and_accuracy_per_epoch(trainer: Trainer) -> None:
    fig = plot.history(trainer)
    names = [t.name for t in fig.data]
    assert names == ["train_loss", "test_loss", "train_accuracy", "test_accuracy"]
    assert list(fig.data[0].y) == trainer.history["train_loss"]
    assert list(fig.data[3].x) == trainer.history["epoch"] and len(fig.data[3].x) > 0


def test_network_has_a_link_per_weight_and_a_node_per_neuron(trainer: Trainer) -> None:
    fig = plot.network(trainer)
    links = [t for t in fig.data if t.name == "weight"]
    nodes = [t for t in fig.data if t.name.startswith("layer")]
    assert len(links) == 2 * 4 + 4 * 3 + 3 * 1
    assert [len(n.x) for n in nodes] == [2, 4, 3, 1]
    W = trainer.network.params[0][0]
    assert f"{float(W[0, 0]):.3g}" in links[0].hovertext


def test_trainer_displays_itself_in_jupyter(trainer: Trainer) -> None:
    page = trainer._repr_html_()
    assert "<svg" in page and "xor" in page and "2 → 4 → 3 → 1" in page
    assert f"{trainer.metrics()['train_loss']:.4g}" in page
