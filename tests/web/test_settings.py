"""Settings come from PLAYGROUND_* environment variables and reach the clients."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from playground.web.app import create_app_from_env
from playground.web.settings import Settings
from tests.web.conftest import TestClient


def test_environment_sets_the_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAYGROUND_MAX_SESSIONS", "7")
    monkeypatch.setenv("PLAYGROUND_MAX_FPS", "12.5")
    monkeypatch.setenv("PLAYGROUND_ALLOWED_ORIGINS", "https://a.example/, https://b.example")
    settings = Settings()
    assert settings.max_sessions == 7 and settings.max_fps == 12.5
    assert settings.origins == ["https://a.example", "https://b.example"]
    with TestClient(create_app_from_env()) as client:
        limits = client.get("/api/options").json()["limits"]
    assert limits["max_sessions"] == 7 and limits["max_fps"] == 12.5


def test_bad_environment_values_name_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAYGROUND_MAX_FPS", "0")
    with pytest.raises(ValidationError, match="max_fps"):
        Settings()
