"""`step` with `until: "epoch"`: the page's one-epoch Step (issue 10)."""

from __future__ import annotations

import pytest

from playground.web.protocol import ProtocolError, parse_message
from tests.web.conftest import TestClient, connect


def test_step_until_epoch_ends_exactly_at_the_next_epoch(client: TestClient) -> None:
    with connect(client) as peer:
        peer.send("configure", config={"n_points": 100, "batch_size": 8})  # 50 train points
        peer.expect("config")
        peer.frame()
        peer.send("step", n=3)
        assert peer.frame().header["step"] == 3
        peer.send("step", until="epoch", n=500)  # n is ignored
        frame = peer.frame()
        assert (frame.header["epoch"], frame.header["step"]) == (1, 7)  # ceil(50 / 8)
        assert (frame.header["n_train"], frame.header["n_test"]) == (50, 50)
        peer.send("step", until="epoch")
        assert peer.frame().header["step"] == 14


def test_step_until_rejects_other_values() -> None:
    with pytest.raises(ProtocolError, match="until must be 'epoch'") as e:
        parse_message('{"type": "step", "until": "batch"}')
    assert e.value.field == "until"
