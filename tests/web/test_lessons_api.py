"""Lessons over REST: the listing (with invalid files) and a lesson's scenes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from starlette.testclient import TestClient

from playground import RunConfig, Trainer


def test_builtin_lessons_are_listed_and_served(client: TestClient) -> None:
    listing = client.get("/api/lessons").json()["lessons"]
    names = [entry["name"] for entry in listing]
    assert len(names) >= 8 and all(entry["valid"] for entry in listing)
    lesson = client.get("/api/lessons/2-xor-hidden-layer").json()
    assert lesson["title"] == "XOR needs a hidden layer"
    scene = lesson["scenes"][1]
    assert scene["config"]["dataset"] == "xor" and scene["solution"] == {"hidden": [4]}
    assert scene["goal_tree"] == {"metric": "test_accuracy", "op": ">=", "value": 0.95}
    assert scene["html"].startswith("<p>Press <strong>+</strong>")
    missing = client.get("/api/lessons/nope")
    assert missing.status_code == 404 and missing.json()["field"] == "name"


def test_a_teachers_folder_with_a_bad_file(
    make_client: Callable[..., TestClient], tmp_path: Path
) -> None:
    trainer = Trainer(RunConfig(dataset="xor", hidden=[4]))
    trainer.step(30)
    (tmp_path / "run.json").write_text(json.dumps(trainer.snapshot()))
    (tmp_path / "mine.toml").write_text(
        'title = "Mine"\n[[scenes]]\ntitle = "From a run"\nrun = "run.json"\n'
    )
    (tmp_path / "bad.toml").write_text('title = "Bad"\n[[scenes]]\ntitle = "x"\nautoplay = 3\n')
    client = make_client(lessons_dir=str(tmp_path))
    listing = {e["name"]: e for e in client.get("/api/lessons").json()["lessons"]}
    assert listing["mine"]["valid"] and listing["mine"]["source"] == "local"
    reason = "bad.toml: line 4: scenes.1.autoplay: must be true or false"
    assert listing["bad"] == {"name": "bad", "title": "bad", "valid": False, "problems": [reason]}
    bad = client.get("/api/lessons/bad")
    assert bad.status_code == 422 and "autoplay" in bad.json()["error"]
    assert client.get("/api/lessons/mine").json()["scenes"][0]["has_run"] is True
    run = client.get("/api/lessons/mine/scenes/1/run").json()
    assert Trainer.restore(run).step_count == 30
    assert client.get("/api/lessons/mine/scenes/2/run").status_code == 404
    assert client.get("/api/health").json()["status"] == "ok"  # the server runs on


def test_export_routes_take_a_run_file(client: TestClient) -> None:
    trainer = Trainer(RunConfig(dataset="moons", hidden=[3], seed=5))
    trainer.step(20)
    script = client.post("/api/export/numpy", json={"run": trainer.snapshot()})
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/x-python")
    namespace: dict[str, object] = {}
    exec(compile(script.text, "model.py", "exec"), namespace)
    point = [[1.0, -0.5]]
    assert abs(namespace["predict"](point)[0, 0] - trainer.predict(point)[0, 0]) < 1e-12  # type: ignore[operator,index]
    model = client.post("/api/export/model", json={"run": trainer.snapshot()}).json()
    assert model["layers"][0]["weights"] == trainer.network.params[0][0].tolist()
    bad = client.post("/api/export/model", json={"run": {"format": "other"}})
    assert bad.status_code == 422 and bad.json()["field"] == "run"
