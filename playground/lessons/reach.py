"""Can a scene's goal be met? Train its settings headless and watch the goal every epoch.

Used by ``nn-playground lesson check FILE --goals`` and by the test that keeps every
built-in lesson honest: a lesson must never promise what the network cannot do. The run
is the scene's own: its saved run or config, plus its ``solution`` (what the student is
meant to change), trained up to the scene's ``stop_epoch`` (or ``DEFAULT_EPOCHS``).
"""

from __future__ import annotations

from dataclasses import dataclass

from playground.config import parse_config
from playground.engine.trainer import Trainer
from playground.lessons.goals import goal_met
from playground.lessons.model import Scene

DEFAULT_EPOCHS = 300


@dataclass(frozen=True)
class Reach:
    """Whether a scene's goal was met, and at which epoch (or how far the run got)."""

    met: bool
    epoch: int


def scene_trainer(scene: Scene) -> Trainer:
    """The run a student ends with: the scene's start with its solution applied."""
    if scene.run is not None:
        trainer = Trainer.restore(scene.run)
        if scene.solution:
            trainer.reconfigure(trainer.config.updated(**scene.solution))
        return trainer
    return Trainer(parse_config({**scene.config, **scene.solution}))


def reach_goal(scene: Scene, max_epochs: int | None = None) -> Reach:
    """Train the scene's run epoch by epoch until its goal holds or the epochs run out."""
    if scene.goal_tree is None:
        return Reach(True, 0)
    trainer = scene_trainer(scene)
    limit = max_epochs or scene.stop_epoch or DEFAULT_EPOCHS
    while True:
        met = goal_met(scene.goal_tree, trainer.metrics(), trainer.diverged is not None)
        if met or trainer.epoch >= limit or trainer.diverged is not None:
            return Reach(met, trainer.epoch)
        trainer.run(epochs=trainer.epoch + 1)
