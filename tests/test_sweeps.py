"""Sweeps from Python and the command line: the grammar, the limits, and lone-run equality."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from playground import RunConfig, Trainer, sweep
from playground.config import ConfigError
from playground.sweeps import MAX_SWEEP_RUNS, parse_axis

BASE = {"dataset": "circle", "hidden": [4, 4], "n_points": 100, "seed": 1}


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "playground.cli", *args],
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_axis_grammar() -> None:
    assert parse_axis("learning_rate", "0.001:1:log:4").values == (0.001, 0.01, 0.1, 1.0)
    assert parse_axis("seed", "1:4").values == (1, 2, 3, 4)
    assert parse_axis("dropout", "0:0.3:lin:4").values == (0.0, 0.1, 0.2, 0.3)
    assert parse_axis("initializer", "he_uniform,uniform").values == ("he_uniform", "uniform")
    assert parse_axis("momentum", [0.5, 0.9]).values == (0.5, 0.9)
    for field, spec, words in [
        ("batch_size", "1:4", "cannot be swept"),
        ("hidden", "1:4", "cannot be swept"),
        ("seed", f"1:{MAX_SWEEP_RUNS + 1}", "at most"),
        ("learning_rate", "0:1:log:3", "positive"),
        ("learning_rate", "0.1:1", "integer range"),
        ("learning_rate", "a,b", "number"),
        ("nonsense", "1:2", "cannot be swept"),
    ]:
        with pytest.raises(ConfigError, match=words) as info:
            parse_axis(field, spec)
        assert info.value.field == field


def test_sweep_runs_equal_lone_runs_and_respect_the_limits() -> None:
    config = RunConfig(**BASE)
    result = sweep(config, {"learning_rate": "0.01:1:log:3", "seed": "1:2"}, epochs=15)
    assert [r["values"] for r in result.runs][:3] == [
        {"learning_rate": 0.01, "seed": 1}, {"learning_rate": 0.01, "seed": 2},
        {"learning_rate": 0.1, "seed": 1}]  # fmt: skip
    assert result.stopped == "epochs" and len(result.runs) == 6
    for run in result.runs:
        lone = Trainer(config.updated(**run["values"]))
        res = lone.run(epochs=15)
        assert run["metrics"] == res.metrics and run["history"] == res.history
    losses = {r["metrics"]["test_loss"] for r in result.runs}
    assert len(losses) == 6  # every run differs
    with pytest.raises(ConfigError, match="at most 16 runs"):
        sweep(config, {"learning_rate": "0.01:1:log:5", "seed": "1:4"})
    with pytest.raises(ConfigError, match="1 or 2"):
        sweep(config, {"learning_rate": "0.1,1", "seed": "1:2", "momentum": "0.5,0.9"})
    with pytest.raises(ConfigError) as info:
        sweep(config, {"learning_rate": "20,30"})
    assert info.value.field == "learning_rate"


def test_a_diverging_run_stops_and_the_others_finish() -> None:
    config = RunConfig(dataset="plane", hidden=[8], activation="linear", n_points=100)
    result = sweep(config, {"learning_rate": [0.01, 10.0]}, epochs=10)
    assert result.runs[1]["diverged"] is not None and result.runs[0]["diverged"] is None
    assert result.runs[0]["metrics"]["epoch"] == 10 and result.stopped == "epochs"


def test_tf_playground_mode_sweeps_one_run_at_a_time() -> None:
    config = RunConfig(**BASE, preset="tfp")
    result = sweep(config, {"seed": "1:2"}, epochs=3)
    lone = Trainer(config.updated(seed=2)).run(epochs=3)
    assert result.runs[1]["metrics"] == lone.metrics


def test_cli_table_json_and_python_agree(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    path.write_text(json.dumps(BASE))
    args = ["sweep", "--config", str(path), "--vary", "learning_rate=0.03:0.3:log:2",
            "--vary", "seed=1:2", "--epochs", "8", "--batch-size", "5"]  # fmt: skip
    proc = run_cli(*args, "--json")
    assert proc.returncode == 0, proc.stderr
    body = json.loads(proc.stdout)
    ours = sweep(RunConfig(**BASE, batch_size=5), ["learning_rate=0.03:0.3:log:2", "seed=1:2"],
                 epochs=8).to_dict()  # fmt: skip
    assert body["runs"] == ours["runs"] and body["axes"] == ours["axes"]
    assert body["config"]["batch_size"] == 5 and body["config"]["dataset"] == "circle"
    table = run_cli(*args)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.strip().splitlines()
    assert "learning_rate" in lines[0] and "test loss" in lines[0] and len(lines) == 5
    loss = ours["runs"][3]["metrics"]["test_loss"]
    assert f"{loss:.4g}" in lines[4]


def test_cli_names_the_bad_vary() -> None:
    proc = run_cli("sweep", "--vary", "batch_size=1:4")
    assert proc.returncode == 2 and "--vary batch_size" in proc.stderr
    assert "cannot be swept" in proc.stderr
    proc = run_cli("sweep", "--vary", "seed=1:40")
    assert proc.returncode == 2 and "at most 16" in proc.stderr
