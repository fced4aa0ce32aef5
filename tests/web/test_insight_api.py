"""REST for the insight views: POST /api/landscape and POST /api/lr-range."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from playground import RunConfig, Trainer

CONFIG = {"dataset": "xor", "hidden": [4, 2], "n_points": 200}


def test_landscape_matches_the_engine(client: TestClient) -> None:
    body = {"config": CONFIG, "epochs": 5, "resolution": 9, "span": 0.5, "seed": 2}
    response = client.post("/api/landscape", json=body)
    assert response.status_code == 200, response.text
    got = response.json()
    t = Trainer(RunConfig(**CONFIG))
    t.run(epochs=5)
    scape = t.landscape(resolution=9, span=0.5, seed=2)
    assert got["center_loss"] == pytest.approx(t.network.loss(t.train_features, t.data.y_train),
                                               abs=1e-9)  # fmt: skip
    assert len(got["losses"]) == 9 and len(got["losses"][0]) == 9
    assert got["losses"] == scape.losses.tolist()
    assert got["path"][-1] == [0.0, 0.0] and got["path_steps"][-1] == t.step_count
    assert len(got["slice"]["t"]) == 51 and got["run"]["metrics"]["epoch"] == 5


def test_landscape_from_a_snapshot_with_trajectory_directions(client: TestClient) -> None:
    t = Trainer(RunConfig(**CONFIG), checkpoint_every=10)
    t.run(steps=40)
    body = {"snapshot": t.snapshot(), "epochs": 30, "directions": "trajectory", "resolution": 5}
    response = client.post("/api/landscape", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["directions"] == "trajectory"


def test_an_empty_body_looks_at_the_default_run(client: TestClient) -> None:
    got = client.post("/api/landscape", json={"resolution": 3}).json()
    assert got["path_steps"] == [0] and got["run"]["metrics"]["step"] == 0


def test_lr_range_returns_curve_and_suggestion(client: TestClient) -> None:
    response = client.post("/api/lr-range", json={"config": CONFIG, "steps": 100})
    assert response.status_code == 200, response.text
    got = response.json()
    assert got["suggested"] is not None and 1e-5 <= got["suggested"] <= 10
    assert len(got["learning_rates"]) == len(got["losses"]) == len(got["smoothed"])
    assert all(math.isfinite(v) for v in got["smoothed"])


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/landscape", {"config": CONFIG, "resolution": 53}, "resolution"),
        ("/api/landscape", {"config": CONFIG, "resolution": 30}, "resolution"),
        ("/api/landscape", {"config": CONFIG, "directions": "pca"}, "directions"),
        ("/api/landscape", {"config": CONFIG, "directions": "trajectory"}, "directions"),
        ("/api/landscape", {"config": CONFIG, "span": float("inf")}, "span"),
        ("/api/landscape", {"config": None}, "config"),
        ("/api/landscape", {"config": CONFIG, "snapshot": {}}, "snapshot"),
        ("/api/landscape", {"snapshot": {"format": "x"}}, "snapshot"),
        ("/api/lr-range", {"config": CONFIG, "steps": 5000}, "steps"),
        ("/api/lr-range", {"config": CONFIG, "start": 1.0, "stop": 0.1}, "stop"),
        ("/api/lr-range", {"config": {"learning_rate": -1}}, "config.learning_rate"),
        ("/api/lr-range", {"config": CONFIG, "epochs": 5000}, "epochs"),
    ],
)
def test_bad_requests_are_422_naming_the_field(
    client: TestClient, path: str, body: dict[str, Any], field: str | None
) -> None:
    if body.get("span") == float("inf"):  # JSON has no Infinity; Python's parser takes it
        response = client.post(path, content=b'{"config": {}, "span": Infinity}',
                               headers={"content-type": "application/json"})  # fmt: skip
    else:
        response = client.post(path, json=body)
    assert response.status_code == 422, response.text
    if field is not None:
        assert response.json()["field"] == field


def test_epochs_are_bounded_by_the_time_budget(make_client: Callable[..., TestClient]) -> None:
    client = make_client(train_time_budget=0.05)
    config = {**CONFIG, "n_points": 2000, "hidden": [8] * 6}
    got = client.post("/api/lr-range", json={"config": config, "epochs": 1000, "steps": 20})
    assert got.status_code == 200
    assert got.json()["run"]["metrics"]["epoch"] < 1000


def test_options_publish_the_insight_limits(client: TestClient) -> None:
    insight = client.get("/api/options").json()["insight"]
    assert insight["landscape"]["resolution"] == {"default": 31, "min": 3, "max": 51, "odd": True}
    assert insight["landscape"]["directions"] == ["random", "trajectory"]
    assert insight["lr_range"]["steps"]["max"] == 1000
    assert insight["neuron_states"] == ["active", "off", "frozen"]
    view_fields = {f["name"]: f for f in client.get("/api/options").json()["view_fields"]}
    assert view_fields["hidden_layer"]["min"] == -1 and view_fields["health"]["default"] is False


def test_infinity_in_any_body_is_a_422_naming_the_field(client: TestClient) -> None:
    response = client.post("/api/train", content=b'{"epochs": Infinity}',
                           headers={"content-type": "application/json"})  # fmt: skip
    assert response.status_code == 422 and response.json()["field"] == "epochs"


def test_views_are_bounded_by_the_view_time_budget(make_client: Callable[..., TestClient]) -> None:
    client = make_client(view_time_budget=0.001)
    config = {**CONFIG, "n_points": 2000, "hidden": [16] * 4}
    scape = client.post("/api/landscape", json={"config": config, "resolution": 51})
    assert scape.status_code == 422 and scape.json()["field"] == "resolution"
    test = client.post("/api/lr-range", json={"config": config, "steps": 1000})
    assert test.status_code == 200 and test.json()["stopped"] == "seconds"
    assert client.get("/api/options").json()["limits"]["view_time_budget"] == 0.001
