"""The exported NumPy script reproduces Trainer.predict to 1e-9 with only NumPy imported.

Every activation, every feature and every problem type (and output function) is covered;
all scripts run in one subprocess, which checks that nothing but NumPy was imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from playground import RunConfig, Trainer
from playground.engine.activations import ACTIVATIONS
from playground.engine.features import FEATURES
from playground.export import numpy_script

ALL_FEATURES = list(FEATURES)
CASES = {
    **{
        f"act_{name}": dict(dataset="circle", hidden=[3, 2], activation=name)
        for name in ACTIVATIONS
    },
    "features_all": dict(dataset="spiral", hidden=[4], features=ALL_FEATURES),
    "per_layer": dict(dataset="xor", hidden=[3, 3], activation=["gelu", "swish"]),
    "no_hidden": dict(dataset="gaussian", hidden=[], features=["r", "theta"]),
    "tanh_output": dict(dataset="xor", hidden=[3], loss="squared_error"),
    "softmax": dict(dataset="spiral_k", n_classes=4, hidden=[5], features=["x1", "x2", "x1x2"]),
    "regression": dict(dataset="multi_gaussian", hidden=[4], features=["sin_x1", "sin_x2"]),
    "surgery": dict(dataset="circle", hidden=[3, 3], activation="sigmoid"),
}
#: neuron surgery before training: a knocked-out sigmoid unit would otherwise add 0.5 * W
SURGERY = {"surgery": [(0, 1, "off"), (1, 2, "off"), (1, 0, "frozen")]}

RUNNER = """
import importlib.util, json, sys
import numpy as np
folder, names = sys.argv[1], sys.argv[2:]
points = np.array(json.load(open(folder + "/points.json")))
out = {}
for name in names:
    spec = importlib.util.spec_from_file_location(name, f"{folder}/{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out[name] = module.predict(points).tolist()
leaked = sorted(m for m in sys.modules if m.split(".")[0] in ("playground", "pydantic", "scipy"))
print(json.dumps({"out": out, "leaked": leaked}))
"""


def test_script_matches_trainer_predict(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    points = rng.uniform(-6, 6, size=(300, 2))
    points[:3] = [[0.0, 0.0], [6.0, -6.0], [1e-3, 0.0]]
    (tmp_path / "points.json").write_text(json.dumps(points.tolist()))
    expected = {}
    for name, config in CASES.items():
        trainer = Trainer(RunConfig(seed=4, learning_rate=0.1, **config))  # type: ignore[arg-type]
        for layer, index, state in SURGERY.get(name, []):
            trainer.set_neuron(layer, index, state)
        trainer.step(60)
        (tmp_path / f"{name}.py").write_text(numpy_script(trainer))
        expected[name] = trainer.predict(points)
    proc = subprocess.run(
        [sys.executable, "-I", "-c", RUNNER, str(tmp_path), *CASES],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["leaked"] == []
    for name, want in expected.items():
        got = np.array(result["out"][name])
        assert got.shape == want.shape, name
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-9, err_msg=name)


def test_script_runs_and_prints_a_summary(tmp_path: Path) -> None:
    trainer = Trainer(RunConfig(dataset="xor", hidden=[4], features=["x1", "x2", "x1x2"]))
    trainer.step(100)
    source = numpy_script(trainer)
    # readable: the features written out, one function per layer type
    assert "x1 * x2,  # x1x2" in source
    assert source.count("def dense(") == 1 and source.count("def tanh(") == 1
    assert "def sigmoid(" in source and "import numpy as np" in source
    (tmp_path / "model.py").write_text(source)
    proc = subprocess.run(
        [sys.executable, "-I", str(tmp_path / "model.py")], capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "nn-playground model: xor, layers 3-4-1, 21 parameters"
    assert lines[1] == "features: x1, x2, x1x2"
    first = float(lines[3].split("= [")[1].rstrip("]"))
    assert abs(first - trainer.predict([[0.0, 0.0]])[0, 0]) < 1e-4
