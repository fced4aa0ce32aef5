"""A page opened on a URL starts from the weights Reset, the CLI and REST give (issue 10).

The session starts with the server's default run and the page then sends its URL's
config. Before any training that must not carry the default run's weights into the new
shape: ``/?hidden=8,8`` once reached test loss 0.1108 at epoch 40 where the CLI, REST and
Reset reached 0.0976.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from playground.config import RunConfig
from tests.web.conftest import TestClient, connect


@pytest.mark.parametrize("url", [{"hidden": [8, 8]}, {"initializer": "zeros", "bias_init": 0.2}])
def test_a_url_config_trains_like_rest_and_reset(client: TestClient, url: dict[str, Any]) -> None:
    with connect(client) as peer:
        config = {**peer.hello["config"], **url}  # type: ignore[attr-defined]  # as the page
        peer.send("configure", config=config)
        assert peer.expect("config")["config"]["hidden"] == RunConfig(**url).hidden
        first = peer.frame()
        peer.send("step", n=1000)  # 40 epochs of 250 points in batches of 10
        frame = peer.frame(timeout=30)
        assert frame.header["epoch"] == 40
        rest = client.post("/api/train", json={"config": url, "epochs": 40}).json()
        assert frame.header["test_loss"] == rest["metrics"]["test_loss"]
        peer.send("reset")
        reset = peer.frame()
        for name in ("W0", "b0", "W1", "W2"):
            np.testing.assert_array_equal(reset.arrays[name], first.arrays[name])
        if "initializer" in url:
            assert not first.arrays["W0"].any() and np.all(first.arrays["b0"] == 0.2)
