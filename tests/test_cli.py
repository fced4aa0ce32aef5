"""The command line, driven as a user would: the installed entry point in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from playground.cli import main


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "playground.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_train_json_prints_the_documented_summary() -> None:
    proc = run_cli(
        "train", "--dataset", "xor", "--hidden", "8,8", "--activation", "tanh",
        "--optimizer", "adam", "--lr", "0.01", "--batch-size", "10", "--epochs", "30",
        "--seed", "1", "--json",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert set(result) == {"stopped", "epochs", "steps", "seconds", "metrics", "diverged",
                           "history", "config"}  # fmt: skip
    assert result["epochs"] == 30 and result["stopped"] == "epochs"
    assert result["steps"] == 30 * 25  # 250 training points, batch 10
    assert result["metrics"]["test_accuracy"] > 0.9
    assert result["config"]["hidden"] == [8, 8]


def test_train_is_reproducible_from_its_flags() -> None:
    args = ("train", "--dataset", "circle", "--epochs", "5", "--seed", "7", "--json")
    first, second = json.loads(run_cli(*args).stdout), json.loads(run_cli(*args).stdout)
    assert first["metrics"] == second["metrics"]


def test_regression_reports_null_accuracy(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "--dataset", "plane", "--epochs", "3", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["metrics"]["train_accuracy"] is None
    assert result["metrics"]["test_accuracy"] is None
    assert result["config"]["problem"] == "regression"


def test_without_json_prints_progress_and_a_readable_summary() -> None:
    proc = run_cli("train", "--dataset", "gaussian", "--epochs", "10")
    assert proc.returncode == 0
    assert "epoch 10/10" in proc.stderr
    assert "test  loss" in proc.stdout and "accuracy" in proc.stdout


@pytest.mark.parametrize(
    ("args", "flag", "hint"),
    [
        (["--lr", "-1"], "--lr", "10"),
        (["--hidden", "8,8,8,8,8,8,8,8,8"], "--hidden", "0..8 layers"),
        (["--hidden", "4,0"], "--hidden", "1..32"),
        (["--activation", "bogus"], "--activation", "relu"),
        (["--noise", "nan"], "--noise", "0.0..50.0"),
        (["--n-points", "5"], "--n-points", "20..5000"),
        (["--optimizer", "adamx"], "--optimizer", "adamw"),
        (["--batch-size", "ten"], "--batch-size", "1..1000"),
        (["--epochs", "0"], "--epochs", "1..100000"),
    ],
)
def test_bad_value_exits_2_with_one_line_naming_the_flag(
    args: list[str], flag: str, hint: str
) -> None:
    proc = run_cli("train", *args)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert flag in lines[0] and hint in lines[0]


def test_help_lists_every_field_with_range_and_default() -> None:
    from playground.config import field_specs

    text = " ".join(run_cli("train", "--help").stdout.split())
    for spec in field_specs():
        assert "--" + spec["name"].replace("_", "-") in text
    assert "default: 0.03" in text and "0.0 < value <= 10.0" in text


def test_custom_points_from_csv(tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "points.csv"
    rows = ["x1,x2,label"] + [f"{x},{y},{int(x > 0)}" for x in (-3, -2, 2, 3) for y in (-1, 1)]
    path.write_text("\n".join(rows))
    assert main(["train", "--dataset", "custom", "--custom-points", str(path), "--epochs",
                 "20", "--json"]) == 0  # fmt: skip
    result = json.loads(capsys.readouterr().out)
    assert len(result["config"]["custom_points"]) == 8


def test_save_then_resume_continues_bit_for_bit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flags = ["--dataset", "spiral", "--optimizer", "adam", "--dropout", "0.1", "--json"]
    run = tmp_path / "run.json"
    assert main(["train", *flags, "--epochs", "4", "--save", str(run)]) == 0
    half = json.loads(capsys.readouterr().out)
    assert main(["train", "--resume", str(run), "--epochs", "3", "--json",
                 "--save", str(tmp_path / "resumed.json")]) == 0  # fmt: skip
    resumed = json.loads(capsys.readouterr().out)
    assert main(["train", *flags, "--epochs", "7", "--save", str(tmp_path / "whole.json")]) == 0
    whole = json.loads(capsys.readouterr().out)
    assert half["epochs"] == 4 and resumed["epochs"] == whole["epochs"] == 7
    assert resumed["metrics"] == whole["metrics"]
    a = json.loads((tmp_path / "resumed.json").read_text())
    b = json.loads((tmp_path / "whole.json").read_text())
    assert a["params"] == b["params"] and a["optimizer"] == b["optimizer"] and a["rng"] == b["rng"]


def test_resume_rejects_a_tampered_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "nn-playground/snapshot", "version": 2}))
    proc = run_cli("train", "--resume", str(bad))
    assert proc.returncode == 2 and "--resume" in proc.stderr
