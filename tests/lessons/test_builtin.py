"""Every built-in lesson is valid, covers its topic, and can meet every goal it sets.

Each scene's goal is trained headless with the scene's own settings (its config or saved
run, plus the solution the student is meant to find), so a lesson never promises what
the network cannot do. Epochs are the scenes' own stop epochs (all small).
"""

from __future__ import annotations

import pytest

from playground.lessons import load_library
from playground.lessons.reach import reach_goal

LIBRARY = load_library()
SCENES = [
    pytest.param(scene, id=f"{name}-{k}")
    for name, lesson in LIBRARY.lessons.items()
    for k, scene in enumerate(lesson.scenes, 1)
    if scene.goal_tree is not None
]


def test_builtin_lessons_are_valid_and_cover_the_topics() -> None:
    assert LIBRARY.invalid == {}
    assert len(LIBRARY.lessons) >= 8
    text = " ".join(
        f"{lesson.title} {lesson.intro} " + " ".join(s.title + s.text for s in lesson.scenes)
        for lesson in LIBRARY.lessons.values()
    ).lower()
    for topic in ("weighted sum", "hidden layer", "x_1^2", "polar", "diverge", "crawl",
                  "overfit", "l2", "dropout", "more data", "symmetry", "momentum", "adam",
                  "softmax", "dead", "vanish"):  # fmt: skip
        assert topic in text, topic
    configs = [s.config for lesson in LIBRARY.lessons.values() for s in lesson.scenes]
    assert any(c.get("initializer") == "zeros" for c in configs)
    assert any(c.get("dataset") == "spiral" for c in configs)
    assert any(s.compare for lesson in LIBRARY.lessons.values() for s in lesson.scenes)


@pytest.mark.parametrize("scene", SCENES)
def test_every_goal_is_reachable(scene: object) -> None:
    reach = reach_goal(scene)  # type: ignore[arg-type]
    assert reach.met, f"goal {scene.goal!r} not met by epoch {reach.epoch}"  # type: ignore[attr-defined]
