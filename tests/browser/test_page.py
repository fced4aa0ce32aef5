"""The playground page in real Chromium against the real server.

Each test drives the page the way a person does (clicks, keys, typing) and reads what
the page shows; the WebSocket and frame decoding are exercised end to end.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from tests.browser.conftest import Problems, Server, load, shot, wait_drawn

REQUIRED_TESTIDS = [
    "play", "step", "reset", "epoch", "train-loss", "test-loss", "add-layer", "remove-layer",
    "boundary", "loss-chart", "network", "share",
]  # fmt: skip


def tid(name: str) -> str:
    return f"[data-testid={name}]"


def number(page: Any, name: str) -> float:
    return float(page.get_attribute(tid(name), "data-value"))


def step_count(page: Any) -> int:
    return int(page.text_content(tid("step-count")))


def epoch(page: Any) -> int:
    return int(page.text_content(tid("epoch")))


def wait_epoch_at_least(page: Any, n: int) -> None:
    page.wait_for_function(
        "n => Number(document.querySelector('[data-testid=epoch]').textContent) >= n", arg=n
    )


def wait_step(page: Any, n: int) -> None:
    page.wait_for_function(
        "n => Number(document.querySelector('[data-testid=step-count]').textContent) === n",
        arg=n,
    )


def settle(page: Any, quiet_ms: int = 400) -> None:
    """Wait until no frame has arrived for `quiet_ms` (the paused page is up to date)."""
    for _ in range(50):
        seq = page.get_attribute(tid("epoch"), "data-seq")
        page.wait_for_timeout(quiet_ms)
        if page.get_attribute(tid("epoch"), "data-seq") == seq:
            return
    raise AssertionError("frames kept coming on a paused page")


def wait_url_has(page: Any, text: str) -> None:
    page.wait_for_function("t => location.search.includes(t)", arg=text)


def set_control(page: Any, field: str, value: str) -> None:
    """Type into a control and commit it (as leaving the field does)."""
    control = page.locator(tid(f"control-{field}"))
    if control.evaluate("el => el.tagName") == "SELECT":
        control.select_option(value)
    else:
        control.fill(value)
        control.dispatch_event("change")


def field_names(server: Server) -> list[str]:
    with urllib.request.urlopen(f"{server.url}/api/options") as r:
        return [f["name"] for f in json.load(r)["fields"]]


def test_loads_without_console_errors_with_every_control(
    page: Any, server: Server, problems: Problems
) -> None:
    for name in REQUIRED_TESTIDS:
        assert page.locator(tid(name)).count() == 1, name
    names = field_names(server)
    assert "learning_rate" in names
    for name in names:
        control = page.locator(tid(f"control-{name}"))
        assert control.count() == 1, f"no control for RunConfig field {name}"
        accessible = control.evaluate(
            "el => Boolean((el.labels && el.labels.length) || el.getAttribute('aria-label'))"
        )
        assert accessible, f"control-{name} has no accessible name"
    assert page.locator(tid("dataset-spiral_k")).count() == 1
    assert page.locator(tid("dataset-plane")).count() == 1
    page.wait_for_timeout(300)  # previews and charts settle
    assert problems.console == []
    shot(page, "page-1366x768")


def test_looks_right_at_1920x1080(new_page: Any, server: Server, problems: Problems) -> None:
    page = new_page(1920, 1080)
    load(page, server.url)
    box = page.locator(tid("boundary")).bounding_box()
    assert box is not None and box["width"] > 300 and box["y"] + box["height"] <= 1080
    shot(page, "page-1920x1080")
    assert problems.console == [] and problems.exceptions == []


def test_play_trains_xor_and_test_loss_falls(page: Any) -> None:
    page.click(tid("dataset-xor"))
    wait_url_has(page, "dataset=xor")
    wait_step(page, 0)
    before = number(page, "test-loss")
    page.click(tid("play"))
    wait_epoch_at_least(page, 60)
    page.click(tid("play"))  # pause
    after = number(page, "test-loss")
    assert after < 0.8 * before, (before, after)
    shot(page, "xor-trained")


def test_step_advances_exactly_one_frame_of_steps(page: Any) -> None:
    speed = int(page.locator(tid("control-speed")).input_value())
    assert step_count(page) == 0 and epoch(page) == 0
    page.click(tid("step"))
    wait_step(page, speed)
    page.keyboard.press("s")
    wait_step(page, 2 * speed)
    page.wait_for_timeout(300)
    assert step_count(page) == 2 * speed  # nothing more ran after the step
    assert epoch(page) >= 1


def test_reset_returns_to_the_first_frame(page: Any) -> None:
    first = number(page, "test-loss")
    page.click(tid("play"))
    wait_epoch_at_least(page, 5)
    page.click(tid("play"))
    page.click(tid("reset"))
    wait_step(page, 0)
    assert number(page, "test-loss") == first
    page.keyboard.press("ArrowRight")
    wait_step(page, 25)
    page.keyboard.press("r")
    wait_step(page, 0)
    assert number(page, "test-loss") == first


def test_changes_apply_while_playing(page: Any) -> None:
    page.click(tid("play"))
    wait_epoch_at_least(page, 2)
    page.click(tid("dataset-spiral"))
    wait_url_has(page, "dataset=spiral")
    set_control(page, "activation", "relu")
    wait_url_has(page, "activation=relu")
    set_control(page, "learning_rate", "0.1")
    wait_url_has(page, "learning_rate=0.1")
    set_control(page, "optimizer", "adam")
    wait_url_has(page, "optimizer=adam")
    page.click(tid("add-layer"))
    wait_url_has(page, "hidden=4,2,2")
    page.click(tid("add-neuron-0"))
    wait_url_has(page, "hidden=5,2,2")
    page.click(tid("remove-layer"))
    wait_url_has(page, "hidden=5,2&")
    page.click(tid("feature-x1_sq"))
    wait_url_has(page, "features=x1,x2,x1_sq")
    assert page.locator("[data-testid^=neuron-]").count() == 7
    assert page.get_attribute(tid("play"), "aria-pressed") == "true"
    now = epoch(page)
    wait_epoch_at_least(page, now + 3)  # still training after all that
    assert page.locator(tid("layer-activation-0")).input_value() == "relu"
    shot(page, "changed-while-playing")


def test_url_round_trip_reproduces_the_run(new_page: Any, server: Server) -> None:
    a = new_page(permissions=["clipboard-read", "clipboard-write"])
    load(a, server.url + "/?dataset=spiral&noise=10&seed=7")
    set_control(a, "learning_rate", "0.1")
    wait_url_has(a, "learning_rate=0.1")
    a.click(tid("add-layer"))
    wait_url_has(a, "hidden=4,2,2")
    a.click(tid("feature-x1_sq"))
    wait_url_has(a, "x1_sq")
    a.click(tid("reset"))
    settle(a)
    first_a = (number(a, "train-loss"), number(a, "test-loss"))
    a.click(tid("step"))
    wait_step(a, 25)
    stepped_a = (number(a, "train-loss"), number(a, "test-loss"))
    a.click(tid("share"))
    copied = a.evaluate("navigator.clipboard.readText()")
    assert copied == a.url and "seed=7" in copied

    b = new_page()
    load(b, copied)
    assert b.url == copied  # same config, written back identically
    assert b.locator(tid("control-learning_rate")).input_value() == "0.1"
    assert b.locator("[data-testid^=neuron-]").count() == 8
    settle(b)
    assert (number(b, "train-loss"), number(b, "test-loss")) == first_a
    b.click(tid("step"))
    wait_step(b, 25)
    assert (number(b, "train-loss"), number(b, "test-loss")) == stepped_a


def test_hover_shows_and_click_edits_a_weight(page: Any) -> None:
    link = page.locator(tid("link-0-1-3"))
    link.hover()
    tooltip = page.locator(tid("tooltip"))
    tooltip.wait_for(state="visible")
    assert "Weight" in tooltip.text_content()
    before = number(page, "test-loss")
    link.click()
    editor = page.locator(tid("weight-input"))
    editor.wait_for(state="visible")
    editor.fill("2.5")
    editor.press("Enter")
    page.wait_for_function(
        "v => document.querySelector('[data-testid=test-loss]').dataset.value !== v",
        arg=str(before),
    )
    link.hover()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=tooltip]').dataset.value === '2.5'"
    )
    assert "2.500" in tooltip.text_content()
    page.locator(tid("bias-0-0")).hover()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=tooltip]').textContent.startsWith('Bias')"
    )


def test_rejected_value_shows_the_error_and_reverts(page: Any) -> None:
    set_control(page, "learning_rate", "50")
    error = page.locator(tid("error-learning_rate"))
    error.wait_for(state="visible")
    assert "10" in error.text_content()  # the server's message: the limit it enforces
    page.wait_for_function(
        "() => document.querySelector('[data-testid=control-learning_rate]').value === '0.03'"
    )
    set_control(page, "batch_size", "0")
    page.locator(tid("error-batch_size")).wait_for(state="visible")
    assert page.locator(tid("control-batch_size")).input_value() == "10"
    assert "learning_rate=0.03" in page.url and "batch_size=10" in page.url
    shot(page, "rejected-value")


def test_works_with_every_non_localhost_request_blocked(
    new_page: Any, server: Server, problems: Problems
) -> None:
    page = new_page()
    outside: list[str] = []

    def only_local(route: Any) -> None:
        host = route.request.url.split("/")[2].split(":")[0]
        if host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    load(page, server.url)
    page.click(tid("play"))
    wait_epoch_at_least(page, 3)
    assert outside == []
    assert problems.console == []


def test_keyboard_help_and_hide_flags(new_page: Any, server: Server) -> None:
    page = new_page()
    load(page, server.url + "/?hide=optimizer,share,features")
    assert not page.locator(tid("control-optimizer")).is_visible()
    assert not page.locator(tid("share")).is_visible()
    assert page.locator(tid("feature-x1_sq")).count() == 0  # inactive features hidden
    assert page.locator(tid("control-learning_rate")).is_visible()
    assert "hide=optimizer,share,features" in page.url
    page.keyboard.press("?")
    page.locator("#help").wait_for(state="visible")
    page.keyboard.press("Escape")
    page.locator("#help").wait_for(state="hidden")
    page.keyboard.press(" ")
    wait_epoch_at_least(page, 2)
    page.keyboard.press("f")
    assert "fullscreen" in (page.get_attribute("#output-panel", "class") or "")
    page.keyboard.press("Escape")


def test_frame_decoder_and_url_table_in_the_browser(page: Any) -> None:
    result = page.evaluate(
        """async () => {
          const { decodeFrame } = await import('/static/js/api.js');
          const { readUrl, writeUrl } = await import('/static/js/state.js');
          // header length 5 (not a multiple of 4): float32 arrays must still decode.
          const header = JSON.stringify({type: 'frame', seq: 3, arrays: [
            {name: 'g', dtype: 'uint8', shape: [2, 2], offset: 0, range: [0, 1]},
            {name: 'w', dtype: 'float32', shape: [2], offset: 4}]});
          const text = new TextEncoder().encode(header);
          const buf = new ArrayBuffer(4 + text.length + 12);
          new DataView(buf).setUint32(0, text.length, true);
          new Uint8Array(buf, 4, text.length).set(text);
          const start = 4 + text.length;
          new Uint8Array(buf, start, 4).set([0, 85, 170, 255]);
          const dv = new DataView(buf);
          dv.setFloat32(start + 4, -1.5, true);
          dv.setFloat32(start + 8, 0.25, true);
          const frame = decodeFrame(buf);
          let error = null;
          try { decodeFrame(buf.slice(0, start + 6)); } catch (e) { error = e.message; }
          const config = {dataset: 'spiral', hidden: [], activation: ['relu', 'tanh'],
            dropout: [0.1, 0.2], learning_rate: 0.003, features: ['x1'],
            custom_points: [[1, -2.5, 1]], problem: 'binary', seed: 2147483647};
          const query = writeUrl(config, {auto: new Set(['problem']), view: {speed: 5},
            hide: new Set(['features'])});
          const back = readUrl('?' + query);
          return {seq: frame.seq, g: Array.from(frame.arrays.g.data),
                  w: Array.from(frame.arrays.w.data), error, query, back: back.config,
                  view: back.view, hide: Array.from(back.hide)};
        }"""
    )
    assert result["seq"] == 3 and result["g"] == [0, 85, 170, 255]
    assert result["w"] == [-1.5, 0.25]
    assert result["error"] == "array w overruns"
    expected = {
        "dataset": "spiral", "hidden": [], "activation": ["relu", "tanh"],
        "dropout": [0.1, 0.2], "learning_rate": 0.003, "features": ["x1"],
        "custom_points": [[1, -2.5, 1]], "seed": 2147483647,
    }  # fmt: skip
    assert result["back"] == expected  # problem stays automatic: not in the URL
    assert result["view"] == {"speed": 5} and result["hide"] == ["features"]


def test_diverged_run_shows_a_plain_words_banner(new_page: Any, server: Server) -> None:
    page = new_page()
    load(page, server.url + "/?dataset=spiral&learning_rate=10&optimizer=momentum&hidden=8,8")
    page.click(tid("play"))
    banner = page.locator("#banner")
    banner.wait_for(state="visible", timeout=20_000)
    assert "learning rate" in banner.text_content().lower()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=play]').getAttribute('aria-pressed')"
        " === 'false'"
    )
    wait_drawn(page)


def test_reconnects_after_a_server_restart_and_restores_the_run(new_page: Any) -> None:
    own = Server().start()
    try:
        page = new_page()
        load(page, own.url + "/?dataset=moons&seed=4")
        page.click(tid("step"))
        wait_step(page, 25)
        page.click(tid("step"))
        wait_step(page, 50)
        settle(page)
        loss = number(page, "test-loss")
        page.wait_for_function("() => window.playground.session.lastSnapshot !== null")
        own.stop()
        page.wait_for_selector("[data-testid=conn][data-state=disconnected]")
        own.start()
        page.wait_for_selector("[data-testid=conn][data-state=connected]", timeout=20_000)
        settle(page)
        assert step_count(page) == 50
        assert number(page, "test-loss") == loss
        assert "dataset=moons" in page.url and "seed=4" in page.url
        page.click(tid("step"))
        wait_step(page, 75)  # and it keeps training from there
    finally:
        own.stop()


def test_custom_points_by_clicking_the_output(page: Any) -> None:
    page.click(tid("dataset-custom"))
    wait_url_has(page, "dataset=custom")
    area = page.locator(tid("control-custom_points"))
    assert area.is_visible()
    assert len(area.input_value().splitlines()) == 4
    box = page.locator(tid("boundary")).bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=control-custom_points]')"
        ".value.split('\\n').length === 5"
    )
    page.click(tid("dataset-circle"))
    wait_url_has(page, "dataset=circle")
    assert not area.is_visible()


def test_hovering_a_neuron_shows_it_large_and_previews_are_drawn(page: Any) -> None:
    note = page.locator("#hover-note")
    assert not note.is_visible()
    page.locator(tid("neuron-0-1")).hover()
    note.wait_for(state="visible")
    assert "neuron 2" in note.text_content()
    page.mouse.move(5, 5)
    note.wait_for(state="hidden")
    page.wait_for_function(
        """() => {
          const c = document.querySelector('[data-testid=dataset-spiral] canvas');
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          for (let k = 0; k < d.length; k += 4) if (d[k] !== 255 || d[k + 2] !== 255) return true;
          return false;
        }"""
    )


def test_training_health_table_follows_the_network(page: Any) -> None:
    table = page.locator(tid("diagnostics"))
    assert not table.is_visible()
    page.click(tid("show-diagnostics"))
    wait_url_has(page, "diagnostics=1")
    page.click(tid("step"))
    table.locator("tbody tr").nth(2).wait_for()
    assert table.locator("tbody tr").count() == 3  # two hidden layers + output
    assert table.locator("tbody td").first.text_content() not in ("", "–")
    page.click(tid("add-layer"))
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=diagnostics] tbody tr').length === 4"
    )
