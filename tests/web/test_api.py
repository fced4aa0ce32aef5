"""REST API through httpx (Starlette's TestClient): health, options, train, dataset, errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from playground.config import RunConfig
from playground.engine.activations import ACTIVATIONS
from playground.engine.trainer import Trainer, make_data
from playground.web import routes_api
from tests.web.conftest import TestClient


def test_health(client: TestClient) -> None:
    body = client.get("/api/health").json()
    assert body["status"] == "ok" and body["sessions"] == 0 and body["version"]


def test_options_list_registries_fields_and_limits(client: TestClient) -> None:
    body = client.get("/api/options").json()
    assert {a["name"] for a in body["activations"]} == set(ACTIVATIONS)
    for key in ("datasets", "features", "losses", "initializers", "optimizers", "schedules"):
        assert body[key], key
    fields = {f["name"]: f for f in body["fields"]}
    assert fields["learning_rate"]["default"] == 0.03 and fields["learning_rate"]["max"] == 10
    assert set(fields) == set(RunConfig.model_fields)
    view = {f["name"]: f for f in body["view_fields"]}
    assert view["speed"]["min"] == 1 and view["resolution"]["default"] == 100
    assert body["limits"]["max_fps"] == 240 and body["limits"]["max_neurons"] == 32


def test_train_returns_history_and_reproduces_the_engine(client: TestClient) -> None:
    config = {"dataset": "xor", "hidden": [4], "learning_rate": 0.1, "seed": 3}
    response = client.post("/api/train", json={"config": config, "epochs": 30})
    assert response.status_code == 200
    body = response.json()
    assert body["stopped"] == "epochs" and body["epochs"] == 30
    history = body["history"]
    assert history["epoch"] == list(range(1, 31))
    assert history["train_loss"][-1] < history["train_loss"][0]
    trainer = Trainer(RunConfig(**config))
    while trainer.epoch < 30:
        trainer.step(1)
    assert body["metrics"]["train_loss"] == trainer.metrics()["train_loss"]
    assert body["config"]["problem"] == "binary"


def test_train_stops_on_divergence_without_nan(client: TestClient) -> None:
    config = {"dataset": "plane", "learning_rate": 10, "hidden": [8], "activation": "linear"}
    body = client.post("/api/train", json={"config": config, "epochs": 200}).json()
    assert body["stopped"] == "diverged"
    assert "learning rate" in body["diverged"]["reason"]


def test_train_respects_the_time_budget(make_client: Callable[..., TestClient]) -> None:
    client = make_client(train_time_budget=0.05)
    config = {"dataset": "spiral", "hidden": [32, 32, 32], "batch_size": 1}
    body = client.post("/api/train", json={"config": config, "epochs": 1000}).json()
    assert body["stopped"] == "seconds" and 0 <= body["epochs"] < 1000
    assert body["seconds"] < 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"config": {"learning_rate": 0}, "epochs": 5}, "config.learning_rate"),
        ({"config": {"learning_rate": "fast"}}, "config.learning_rate"),
        ({"config": {"hidden": [4, 99]}}, "config.hidden"),
        ({"config": {"activation": "nope"}}, "config.activation"),
        ({"config": {"dataset": "spiral", "problem": "regression"}}, "config.problem"),
        ({"config": {"colour": "red"}}, "config.colour"),
        ({"config": {}, "epochs": 0}, "epochs"),
        ({"config": {}, "epochs": 1001}, "epochs"),
        ({"config": 5}, "config"),
    ],
)
def test_invalid_train_bodies_are_422_naming_the_field(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    response = client.post("/api/train", json=body)
    assert response.status_code == 422
    error = response.json()
    assert error["field"] == field
    assert field in error["error"]


def test_malformed_json_is_422(client: TestClient) -> None:
    headers = {"content-type": "application/json"}
    response = client.post("/api/train", content=b"{oops", headers=headers)
    assert response.status_code == 422 and response.json()["error"]


def test_dataset_preview_matches_the_runs_split(client: TestClient) -> None:
    config = {"dataset": "spiral", "n_points": 100, "noise": 10, "seed": 7, "train_fraction": 0.7}
    body = client.post("/api/dataset", json={"config": config}).json()
    data = make_data(RunConfig(**config))
    assert len(body["train"]["points"]) == 70 and len(body["test"]["labels"]) == 30
    np.testing.assert_array_equal(body["train"]["points"], data.X_train)
    np.testing.assert_array_equal(body["test"]["labels"], data.y_test)
    bad = client.post("/api/dataset", json={"config": {"n_points": 6000}})
    assert bad.status_code == 422 and bad.json()["field"] == "config.n_points"


def test_openapi_documents_the_handlers(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/api/health", "/api/options", "/api/train", "/api/dataset"):
        assert path in spec["paths"]
    assert "headless" in spec["paths"]["/api/train"]["post"]["description"]
    assert client.get("/docs").status_code == 200


def test_unexpected_errors_are_clean_json(
    make_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any) -> dict[str, Any]:
        raise RuntimeError("bug")

    monkeypatch.setattr(routes_api, "train_headless", broken)
    quiet = TestClient(make_client().app, raise_server_exceptions=False)
    response = quiet.post("/api/train", json={"epochs": 1})
    assert response.status_code == 500
    assert response.json() == {
        "error": "internal error; the server logged the details", "field": None, "detail": None
    }  # fmt: skip


def test_unknown_route_is_json_404(client: TestClient) -> None:
    response = client.get("/api/nothing")
    assert response.status_code == 404 and response.json()["error"] == "Not Found"


def test_cors_only_for_configured_origins(make_client: Callable[..., TestClient]) -> None:
    client = make_client(allowed_origins="https://school.example")
    ok = client.get("/api/health", headers={"origin": "https://school.example"})
    assert ok.headers["access-control-allow-origin"] == "https://school.example"
    other = client.get("/api/health", headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_cli_and_rest_return_the_same_keys(
    make_client: Callable[..., TestClient], capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from playground.cli import main

    assert main(["train", "--dataset", "xor", "--epochs", "2", "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    rest = make_client().post("/api/train", json={"config": {"dataset": "xor"}, "epochs": 2}).json()
    assert set(cli) == set(rest) and set(cli["metrics"]) == set(rest["metrics"])
    assert cli["metrics"] == rest["metrics"] and cli["history"] == rest["history"]
