"""The playground page in real Chromium against the real server: loading, training, live
changes, offline use, and the frame decoder and URL table run in the browser itself.
"""

from __future__ import annotations

from typing import Any

from tests.browser.helpers import (
    REQUIRED_TESTIDS,
    Problems,
    Server,
    block_outside,
    drawn_points,
    epoch,
    field_names,
    load,
    number,
    set_control,
    shot,
    step_count,
    tid,
    wait_epoch_at_least,
    wait_step,
    wait_url_has,
)


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
    assert drawn_points(page) == 250  # the training half of 500 points
    page.click(tid("show-test"))
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=boundary] .scatterlayer path.point')"
        ".length === 500"
    )
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


def test_works_with_every_non_localhost_request_blocked(
    new_page: Any, server: Server, problems: Problems
) -> None:
    page = new_page()
    outside = block_outside(page)
    load(page, server.url)
    page.click(tid("play"))
    wait_epoch_at_least(page, 3)
    assert outside == []
    assert problems.console == []


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
