"""A sweep in a live session: start, play, thumbnails in binary frames, open a cell as a run."""

from __future__ import annotations

from fastapi.testclient import TestClient

from playground import RunConfig, Trainer
from tests.web.conftest import Frame, Peer, connect

CONFIG = {"dataset": "xor", "hidden": [4], "n_points": 100, "seed": 2}


def _sweep_frame(peer: Peer) -> Frame:
    frame = peer.frame()
    while frame.header["type"] != "sweep":
        frame = peer.frame()
    return frame


def test_sweep_plays_sends_thumbnails_and_opens_a_cell_exactly(client: TestClient) -> None:
    with connect(client) as peer:
        peer.send("configure", config=CONFIG)
        peer.expect("config")
        vary = {"learning_rate": "0.01:1:log:3", "seed": "1:2"}
        peer.send("sweep", action="start", vary=vary)
        ready = peer.expect("sweep")
        assert ready["state"] == "ready" and len(ready["cells"]) == 6
        assert ready["cells"][5]["values"] == {"learning_rate": 1.0, "seed": 2}
        first = _sweep_frame(peer)
        thumbs = first.arrays["thumbs"]
        assert thumbs.shape == (6, 32, 32) and first.size < 16_000
        assert first.header["cells"][0]["step"] == 0
        assert [row["value"] for row in first.header["spread"]] == [0.01, 0.1, 1.0]
        peer.send("sweep", action="play")
        assert peer.expect("sweep")["state"] == "playing"
        later = _sweep_frame(peer)
        while later.header["cells"][0]["step"] < 50:
            later = _sweep_frame(peer)
        assert (later.arrays["thumbs"] != thumbs).any()  # the pictures move
        peer.send("sweep", action="pause")
        assert peer.expect("sweep")["state"] == "paused"
        peer.send("sweep", action="view", curves=True)
        shown = _sweep_frame(peer)
        while "curve" not in shown.header["cells"][4]:  # the frame of the pause came first
            shown = _sweep_frame(peer)
        cell = shown.header["cells"][4]
        assert cell["curve"]["epoch"] == list(range(1, cell["epoch"] + 1)) and cell["epoch"] > 0
        assert len(cell["curve"]["test_loss"]) == cell["epoch"]
        step = cell["step"]
        peer.send("sweep", action="open", cell=4)
        runs = peer.expect("runs")
        assert runs["selected"] == "B" and len(runs["runs"]) == 2
        config = peer.expect("config")
        assert config["config"]["learning_rate"] == 1.0 and config["config"]["seed"] == 1
        opened = peer.frame()
        while opened.header["run"] != "B":
            opened = peer.frame()
        lone = Trainer(RunConfig(**{**CONFIG, "learning_rate": 1.0, "seed": 1}))
        lone.step(step)
        assert opened.header["step"] == step
        assert opened.header["test_loss"] == lone.metrics()["test_loss"]


def test_sweep_errors_name_the_field_and_change_nothing(client: TestClient) -> None:
    with connect(client) as peer:
        peer.send("sweep", action="play")
        assert peer.expect("error")["field"] == "action"
        peer.send("sweep", action="start", vary={"batch_size": "1:3"})
        assert peer.expect("error")["field"] == "vary.batch_size"
        peer.send("sweep", action="start", vary={"seed": "1:17"})
        assert peer.expect("error")["field"] == "vary.seed"
        peer.send("sweep", action="jump")
        assert peer.expect("error")["field"] == "action"
        peer.send("sweep", action="start", vary={"seed": "1:2"}, config={"preset": "tfp"})
        assert peer.expect("error")["field"] == "preset"
        peer.send("sweep", action="start", vary={"seed": "1:2"})
        peer.expect("sweep")
        peer.send("sweep", action="open", cell=9)
        assert peer.expect("error")["field"] == "cell"
        peer.send("sweep", action="close")
        assert peer.expect("sweep")["state"] == "closed"


def test_compare_runs_of_one_shape_train_as_one_stack_exactly(client: TestClient) -> None:
    with connect(client) as peer:
        peer.send("configure", config=CONFIG)
        peer.expect("config")
        peer.send("new_run", config={**CONFIG, "seed": 5, "learning_rate": 0.3})
        peer.expect("runs")
        peer.send("play", run="all")
        frame = peer.frame()
        while frame.header["step"] < 100:
            frame = peer.frame()
        peer.send("pause", run="all")
        peer.expect("event")
        peer.expect("event")
        finals = {}
        while True:  # the last frame of each run, until the paused session is quiet
            try:
                item = peer.recv(0.5)
            except TimeoutError:
                break
            if isinstance(item, Frame):
                peer.send("ack", seq=item.seq)
                finals[item.header["run"]] = item.header
        session = next(iter(client.app.state.sessions.sessions.values()))
        assert session.stacked_steps > 0  # A and B shared one stack
        assert finals["A"]["step"] == finals["B"]["step"]  # lockstep
        for run, config in (("A", CONFIG), ("B", {**CONFIG, "seed": 5, "learning_rate": 0.3})):
            lone = Trainer(RunConfig(**config))
            lone.step(finals[run]["step"])
            assert finals[run]["test_loss"] == lone.metrics()["test_loss"]
