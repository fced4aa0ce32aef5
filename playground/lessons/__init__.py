"""Lessons: TOML files with scenes, safe Markdown text and live goals (issue 13)."""

from playground.lessons.goals import GoalError, goal_met, parse_goal
from playground.lessons.library import LessonLibrary, load_library
from playground.lessons.model import Lesson, LessonError, Problem, Scene, parse_lesson, read_lesson

__all__ = [
    "GoalError",
    "Lesson",
    "LessonError",
    "LessonLibrary",
    "Problem",
    "Scene",
    "goal_met",
    "load_library",
    "parse_goal",
    "parse_lesson",
    "read_lesson",
]
