"""``POST /api/sweep``: the same runs as the Python API, bounded like ``/api/train``."""

from __future__ import annotations

from collections.abc import Callable

from starlette.testclient import TestClient

from playground import RunConfig, sweep

CONFIG = {"dataset": "xor", "hidden": [4], "n_points": 100, "seed": 2}


def test_sweep_matches_python(client: TestClient) -> None:
    vary = {"learning_rate": "0.01:1:log:3", "seed": [1, 2]}
    response = client.post("/api/sweep", json={"config": CONFIG, "vary": vary, "epochs": 12})
    assert response.status_code == 200, response.text
    body = response.json()
    ours = sweep(RunConfig(**CONFIG), vary, epochs=12).to_dict()
    assert body["runs"] == ours["runs"] and body["axes"] == ours["axes"]
    assert body["stopped"] == "epochs" and len(body["runs"]) == 6


def test_sweep_rejections_name_the_field(client: TestClient) -> None:
    cases = [
        ({"vary": {"batch_size": "1:4"}}, "vary.batch_size", "cannot be swept"),
        ({"vary": {"seed": "1:8", "learning_rate": "0.1:1:log:3"}}, "vary", "at most 16"),
        ({"vary": {"seed": "1:2"}, "epochs": 5000}, "epochs", "at most"),
        ({"vary": {"learning_rate": [20, 30]}}, "vary.learning_rate", "less than"),
    ]
    for body, field, words in cases:
        response = client.post("/api/sweep", json={"config": CONFIG, **body})
        assert response.status_code == 422, body
        assert response.json()["field"] == field and words in response.json()["error"]


def test_sweep_respects_the_time_budget(make_client: Callable[..., TestClient]) -> None:
    client = make_client(train_time_budget=0.05)
    body = {"config": CONFIG, "vary": {"seed": "1:16"}, "epochs": 1000}
    result = client.post("/api/sweep", json=body).json()
    assert result["stopped"] == "seconds"
    assert 0 < result["runs"][0]["metrics"]["epoch"] < 1000
