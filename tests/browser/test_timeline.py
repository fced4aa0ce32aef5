"""Timeline, forks, compare and keeping the work (issue 9), in Chromium.

The first tests drive the page's modules and its message handling directly (fed with
messages shaped as in docs/protocol.md); the end-to-end ones use the real server.
"""

from __future__ import annotations

import json
from typing import Any

from tests.browser.helpers import (
    epoch,
    number,
    set_control,
    settle,
    step_count,
    tid,
    wait_epoch_at_least,
    wait_step,
)

RUN_A = {"id": "A", "step": 300, "epoch": 12, "playing": False, "diverged": False,
         "parent": None, "forked_at": None,
         "config": {"optimizer": "sgd", "learning_rate": 0.03, "hidden": [4, 2]}}  # fmt: skip
RUN_B = {**RUN_A, "id": "B", "parent": "A", "forked_at": 300,
         "config": {"optimizer": "adam", "learning_rate": 0.01, "hidden": [4, 2]}}  # fmt: skip
HISTORY = {"epoch": [1, 2, 3], "step": [25, 50, 75], "train_loss": [0.6, 0.5, 0.4],
           "test_loss": [0.65, 0.55, 0.45], "train_accuracy": [0.6, 0.7, 0.8],
           "test_accuracy": [0.55, 0.65, 0.75]}  # fmt: skip


def feed(page: Any, message: dict[str, Any]) -> None:
    """Hand the page's session a server message, as if it came over the socket."""
    page.evaluate("m => window.playground.session.onMessage({data: m})", json.dumps(message))


def test_config_diff_names_what_b_changes(page: Any) -> None:
    diff = page.evaluate(
        """async ([a, b]) => {
          const { configDiff } = await import('/static/js/runs.js');
          return [configDiff(a, b, 'B'), configDiff(a, a, 'B')];
        }""",
        [RUN_A["config"], RUN_B["config"]],
    )
    assert diff == ["B: optimizer adam, lr 0.01", "B: same config"]


def test_scrubber_keeps_one_seek_in_flight_and_returns_to_live(page: Any) -> None:
    seeks = page.evaluate(
        """async (history) => {
          const { Timeline } = await import('/static/js/timeline.js');
          const box = document.createElement('div');
          box.innerHTML = '<input type=range><output></output><button></button><button></button>';
          document.body.append(box);
          const [range, epoch, rewind, fork] = box.children;
          const seeks = [];
          const t = new Timeline({ root: box, range, epoch, rewind, fork },
            { seek: (s) => { seeks.push(s); return true; }, rewind() {}, fork() {} });
          t.setTimeline({ first_step: 0, step: 75, history });
          const move = (v, change = false) => {
            range.value = String(v);
            range.dispatchEvent(new Event(change ? 'change' : 'input'));
          };
          move(25); move(40); move(50);          // one seek out, the newest waits
          const first = [...seeks];
          const label = epoch.textContent;
          t.showFrame({ at: 25, epoch: 1, step: 25 });   // the answer: send the newest
          const second = [...seeks];
          t.showFrame({ at: 50, epoch: 2, step: 50 });
          const rewindOn = !rewind.disabled;
          move(75); move(75, true);               // released at the end: live again
          t.showFrame({ at: null, epoch: 3, step: 75 });
          box.remove();
          return { first, label, second, rewindOn, all: seeks, rewindOff: rewind.disabled };
        }""",
        HISTORY,
    )
    assert seeks["first"] == [25]
    assert seeks["label"] == "2"  # step 50 is epoch 2 in the history
    assert seeks["second"] == [25, 50]
    assert seeks["rewindOn"] is True
    assert seeks["all"] == [25, 50, None]
    assert seeks["rewindOff"] is True


def test_dragging_labels_the_epoch_from_a_history_without_steps(page: Any) -> None:
    # The server's history lists epochs, not steps (docs/protocol.md `timeline`).
    labels = page.evaluate(
        """async () => {
          const { Timeline } = await import('/static/js/timeline.js');
          const box = document.createElement('div');
          box.innerHTML = '<input type=range><output></output><button></button><button></button>';
          document.body.append(box);
          const [range, epoch, rewind, fork] = box.children;
          const t = new Timeline({ root: box, range, epoch, rewind, fork },
            { seek: () => true, rewind() {}, fork() {} });
          t.setTimeline({ first_step: 0, step: 100, epoch: 4,
                          history: { epoch: [1, 2, 3, 4], train_loss: [4, 3, 2, 1] } });
          const out = [];
          for (const v of [0, 24, 25, 60, 99]) {
            range.value = String(v);
            range.dispatchEvent(new Event('input'));
            out.push(epoch.textContent);
            t.showFrame({ at: v, epoch: 0, step: v });  // answer, so the next one is sent
          }
          box.remove();
          return out;
        }"""
    )
    assert labels == ["0", "0", "1", "2", "3"]


def test_stored_session_is_used_only_with_the_same_address_config(page: Any) -> None:
    result = page.evaluate(
        """async () => {
          const { RunStore } = await import('/static/js/runstore.js');
          const mem = new Map();
          const storage = { getItem: (k) => mem.get(k) ?? null,
            setItem: (k, v) => mem.set(k, v), removeItem: (k) => mem.delete(k) };
          const store = new RunStore(storage);
          const empty = store.load({});
          store.save({ format: 'nn-playground.session/2', runs: [] }, '?dataset=xor&seed=3');
          const out = {
            empty,
            noUrl: store.load({}) !== null,
            same: store.load({ seed: 3, dataset: 'xor' }) !== null,
            other: store.load({ dataset: 'xor', seed: 4 }),
          };
          store.forget();
          out.forgotten = store.load({});
          return out;
        }"""
    )
    assert result == {"empty": None, "noUrl": True, "same": True, "other": None,
                      "forgotten": None}  # fmt: skip


def test_runs_message_splits_the_page_and_overlays_the_charts(page: Any) -> None:
    feed(page, {"type": "runs", "runs": [RUN_A, RUN_B], "selected": "A"})
    page.wait_for_selector(f"{tid('compare-view')}:not([hidden])")
    assert page.locator(tid("side-A")).count() == 1
    assert page.locator(tid("side-B")).count() == 1
    assert page.text_content(tid("diff-B")) == "B: optimizer adam, lr 0.01"
    assert page.locator(f"{tid('boundary-B')} .main-svg").count() > 0
    feed(page, {"type": "timeline", "run": "B", "first_step": 0, "step": 75, "epoch": 3,
                "events": [], "history": HISTORY})  # fmt: skip
    feed(page, {"type": "timeline", "run": "A", "first_step": 0, "step": 75, "epoch": 3,
                "history": HISTORY,
                "events": [{"step": 0, "epoch": 0, "kind": "start", "detail": "start"},
                           {"step": 50, "epoch": 2, "kind": "live",
                            "detail": "learning_rate 0.03 → 0.1"}]})  # fmt: skip
    traces = page.evaluate(
        """() => document.querySelector('[data-testid=loss-chart]').data.map(
             t => ({ name: t.name, mode: t.mode, n: t.x.length, text: t.text || null,
                     dash: t.line ? t.line.dash : null, color: t.line ? t.line.color : null }))"""
    )
    lines = [t for t in traces if t["mode"] == "lines"]
    assert [t["name"] for t in lines] == ["A", "A test", "B", "B test"]
    assert lines[0]["color"] != lines[2]["color"]  # one colour per run
    assert lines[1]["dash"] == "dash" and lines[0]["dash"] == "solid"
    assert lines[2]["n"] == 3
    markers = [t for t in traces if t["mode"] == "markers"]
    # Compare: every run's markers, in its colour, the hover text naming the run.
    assert [t["name"] for t in markers] == ["A changes", "B changes"]
    assert markers[0]["text"] == ["A: learning_rate 0.03 → 0.1"]
    assert markers[1]["text"] == []
    # Selecting B on the server: controls follow B's config.
    feed(page, {"type": "runs", "runs": [RUN_A, RUN_B], "selected": "B"})
    page.wait_for_selector(f"{tid('side-B')}.selected")
    assert page.locator(tid("control-optimizer")).input_value() == "adam"
    # Back to one run: one boundary, two traces.
    feed(page, {"type": "runs", "runs": [RUN_A], "selected": "A"})
    page.wait_for_selector(f"{tid('compare-view')}[hidden]", state="attached")
    names = page.evaluate(
        "() => document.querySelector('[data-testid=loss-chart]').data"
        ".filter(t => t.mode === 'lines').map(t => t.name)"
    )
    assert names == ["training", "test"]


# End to end, against the real server ------------------------------------------------


def boundary_image(page: Any, testid: str = "boundary") -> str:
    source: str = page.evaluate(
        "id => document.querySelector(`[data-testid=${id}]`).layout.images[0].source", testid
    )
    return source


def first_weight(page: Any) -> float:
    value: float = page.evaluate("() => window.playground.network.weightValue('weight', 0, 0, 0)")
    return value


def train_to(page: Any, n: int) -> int:
    """Play until epoch >= n, pause, wait for the last frame; returns the epoch shown."""
    page.click(tid("play"))
    wait_epoch_at_least(page, n)
    page.click(tid("play"))
    settle(page)
    return epoch(page)


def cursor(page: Any) -> list[float]:
    """The epochs the charts mark as the moment shown (one line per chart, or none)."""
    xs: list[float] = page.evaluate(
        "() => ['loss-chart', 'accuracy-chart'].flatMap(id => (document.querySelector("
        "`[data-testid=${id}]`).layout.shapes || []).map(s => s.x0))"
    )
    return xs


def test_scrub_back_shows_that_moment_then_live_again(page: Any) -> None:
    end = train_to(page, 20)
    live_image = boundary_image(page)
    live_loss = number(page, "test-loss")
    last = int(page.get_attribute(tid("timeline"), "max"))
    assert last == step_count(page)
    page.locator(tid("timeline")).fill(str(last // 4))
    page.wait_for_function("() => document.getElementById('timeline-bar').dataset.at !== ''")
    settle(page)
    shown = epoch(page)
    assert 0 < shown < end
    assert page.text_content(tid("timeline-epoch")) == str(shown)
    assert boundary_image(page) != live_image
    assert number(page, "test-loss") != live_loss
    assert page.get_attribute(tid("play"), "aria-pressed") == "false"
    assert cursor(page) == [shown, shown]  # both charts mark the moment shown
    page.locator(tid("timeline")).fill(str(last))  # released at the end: live again
    page.wait_for_function("() => document.getElementById('timeline-bar').dataset.at === ''")
    settle(page)
    assert epoch(page) == end
    assert number(page, "test-loss") == live_loss
    assert cursor(page) == []


def test_fork_and_change_b_optimizer_gives_two_boundaries_and_curves(page: Any) -> None:
    train_to(page, 5)
    page.click(tid("fork"))
    page.wait_for_selector(f"{tid('side-B')}.selected")
    set_control(page, "optimizer", "adam")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=diff-B]').textContent.includes('adam')"
    )
    page.click(tid("play"))  # both runs, in lockstep
    page.wait_for_function(
        "() => ['A', 'B'].every(id => Number(document.querySelector("
        "`[data-testid=side-${id}]`).dataset.epoch) >= 25)"
    )
    page.click(tid("play"))
    settle(page)
    assert boundary_image(page, "boundary-A") != boundary_image(page, "boundary-B")
    lines = page.evaluate(
        "() => document.querySelector('[data-testid=loss-chart]').data"
        ".filter(t => t.mode === 'lines').map(t => ({name: t.name, y: t.y}))"
    )
    assert [t["name"] for t in lines] == ["A", "A test", "B", "B test"]
    a, b = lines[0]["y"], lines[2]["y"]
    assert len(a) >= 20 and len(b) >= 20
    assert a[-1] != b[-1]
    page.click(tid("close-B"))
    page.wait_for_selector(f"{tid('compare-view')}[hidden]", state="attached")


def test_reload_keeps_the_epoch_and_the_weights(page: Any) -> None:
    stamp = page.evaluate("() => Date.now()")
    end = train_to(page, 10)  # the pause asks for a snapshot, kept in sessionStorage
    weight = first_weight(page)
    page.wait_for_function("t => Number(document.body.dataset.savedAt || 0) > t", arg=stamp)
    page.reload()
    page.wait_for_selector("[data-testid=conn][data-state=connected]")
    page.wait_for_function(
        "n => Number(document.querySelector('[data-testid=epoch]').textContent) === n", arg=end
    )
    assert first_weight(page) == weight


def test_download_then_open_a_run(page: Any, tmp_path: Any) -> None:
    end = train_to(page, 8)
    weight = first_weight(page)
    with page.expect_download() as info:
        page.click(tid("download-run"))
    download = info.value
    assert download.suggested_filename == f"run-A-step{step_count(page)}.json"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert json.loads(path.read_text())["format"] == "nn-playground/snapshot"
    page.click(tid("reset"))
    wait_step(page, 0)
    page.set_input_files(tid("open-run"), str(path))
    page.click(tid("open-replace"))  # the other choice: open as a new run (test_compare)
    page.wait_for_function(
        "n => Number(document.querySelector('[data-testid=epoch]').textContent) === n", arg=end
    )
    assert first_weight(page) == weight
