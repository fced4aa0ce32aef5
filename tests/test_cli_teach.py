"""``nn-playground lesson check`` and ``nn-playground export``, run as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from playground import RunConfig, Trainer
from playground.lessons.library import BUILTIN_DIR


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "playground.cli", *args], capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


def test_lesson_check_names_line_and_field(tmp_path: Path) -> None:
    lesson = tmp_path / "mine.toml"
    lesson.write_text(
        'title = "Mine"\n\n[[scenes]]\ntitle = "One"\ngoal = "acc > 0.9"\n'
        "[scenes.config]\nlearning_rate = -1\n"
    )
    proc = run_cli("lesson", "check", str(lesson))
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        f"{lesson}:5: scenes.1.goal: unknown name 'acc'; a goal can use: epoch, step, "
        "train_loss, test_loss, train_accuracy, test_accuracy, learning_rate, diverged",
        f"{lesson}:7: scenes.1.config.learning_rate: Input should be greater than 0 (got -1)",
    ]


def test_lesson_check_goals_of_a_builtin_lesson() -> None:
    proc = run_cli("lesson", "check", "--goals", str(BUILTIN_DIR / "2-xor-hidden-layer.toml"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok, 'XOR needs a hidden layer', 2 scenes" in proc.stdout
    assert "scene 2 goal 'test_accuracy >= 0.95': met at epoch" in proc.stdout


def test_export_numpy_and_model_from_a_saved_run(tmp_path: Path) -> None:
    trainer = Trainer(RunConfig(dataset="spiral_k", n_classes=3, hidden=[5], seed=2))
    trainer.step(50)
    run = tmp_path / "run.json"
    run.write_text(json.dumps(trainer.snapshot()))
    proc = run_cli("export", "--numpy", str(run))
    assert proc.returncode == 0, proc.stderr
    namespace: dict[str, object] = {}
    exec(compile(proc.stdout, "model.py", "exec"), namespace)  # the generated script
    points = np.array([[0.5, -1.0], [3.0, 2.0]])
    np.testing.assert_allclose(namespace["predict"](points), trainer.predict(points), atol=1e-12)  # type: ignore[operator]
    model = json.loads(run_cli("export", "--model", str(run)).stdout)
    assert model["format"] == "nn-playground/model" and model["problem"] == "multiclass"
    assert [layer["activation"] for layer in model["layers"]] == ["tanh", "softmax"]


def test_export_refuses_what_is_not_a_run(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text('{"format": "nn-playground.session/2", "runs": []}')
    proc = run_cli("export", "--numpy", str(bad))
    assert proc.returncode == 2 and "session file" in proc.stderr
    proc = run_cli("export", "--numpy", str(tmp_path / "missing.json"))
    assert proc.returncode == 2 and "--numpy: cannot read" in proc.stderr


def test_serve_lessons_sets_the_folder_for_every_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    from playground.cli import main

    started: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: started.append(k))
    monkeypatch.delenv("PLAYGROUND_LESSONS_DIR", raising=False)
    assert main(["serve", "--lessons", str(tmp_path / "missing")]) == 2
    assert started == []
    assert main(["serve", "--lessons", str(tmp_path), "--port", "8123"]) == 0
    assert started and os.environ["PLAYGROUND_LESSONS_DIR"] == str(tmp_path.resolve())
