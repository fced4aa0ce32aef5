"""Page drawing speed in headless Chromium: frames drawn per second while playing, and ms
of main-thread work per drawn frame.

Starts its own server (uvicorn subprocess on a free port), opens the page in Debian's
Chromium, presses play and measures for a few seconds per scenario:

- `draw ms/frame`: the page's own frame handler (decode + diagram + Plotly updates),
  timed in api.js around each drawn frame;
- `main-thread ms/frame`: Chromium's TaskDuration over the interval (everything the main
  thread did: script, style, layout, paint, GC) divided by frames drawn;
- `received`/`dropped`: frames the server sent, and stale ones the page skipped (the page
  never queues frames, so a slow page shows up as fewer frames, not as a backlog).

Goals (issue 5): >= 20 frames drawn per second and <= 25 ms per frame at default settings.
The compare scenario (issue 9) forks run A into B and plays both in lockstep (each side
draws its boundary and its compact network diagram); it reports frames drawn per second
on each side and main-thread ms per drawn frame (goal: >= 20 fps per side, <= 25 ms per
frame). The sweep scenario (issue 14) opens the sweep panel on the reference network,
4 learning rates x 4 seeds (16 runs in one stack), plays it and reports sweep frames drawn
per second (goal: >= 15) and main-thread ms per drawn frame.
Run: .venv/bin/python benchmarks/browser.py [--seconds 5] [--only compare]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the browser tests' server and Chromium settings
from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, Server  # noqa: E402

SCENARIOS = {
    "default (circle, 4-2 tanh, speed 25)": "",
    "reference (spiral, 6x8 tanh, speed 25)": "?dataset=spiral&hidden=8,8,8,8,8,8",
    "multiclass (spiral_k 5 classes, 8-8 relu)": "?dataset=spiral_k&n_classes=5&hidden=8,8"
    "&activation=relu",
    "max diagram (all 9 features, 8x32)": "?features=x1,x2,x1_sq,x2_sq,x1x2,sin_x1,sin_x2,r,theta"
    "&hidden=32,32,32,32,32,32,32,32&speed=1",
}


def task_ms(cdp: Any) -> float:
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return 1000.0 * float(metrics["TaskDuration"])


COMPARE = "compare A | B (default, fork, both playing)"


def sides_drawn(page: Any) -> dict[str, int]:
    drawn: dict[str, int] = page.evaluate(
        "() => Object.fromEntries([...window.playground.views.compare.sides]"
        ".map(([id, side]) => [id, side.drawn]))"
    )
    return drawn


def measure(browser: Any, url: str, seconds: float, compare: bool = False) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("[data-testid=conn][data-state=connected]")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=test-loss]').dataset.value !== undefined"
    )
    page.wait_for_timeout(500)  # previews and first layout settle
    if compare:
        page.click("[data-testid=compare]")
        page.wait_for_selector("[data-testid=side-B]")
        page.wait_for_timeout(500)
    sides0 = sides_drawn(page)
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    stats0 = page.evaluate("({...window.playground.session.stats})")
    tasks0 = task_ms(cdp)
    page.click("[data-testid=play]")
    t0 = time.perf_counter()
    page.wait_for_timeout(seconds * 1000)
    stats1 = page.evaluate("({...window.playground.session.stats})")
    tasks1 = task_ms(cdp)
    elapsed = time.perf_counter() - t0
    sides1 = sides_drawn(page)
    page.click("[data-testid=play]")
    context.close()
    drawn = stats1["drawn"] - stats0["drawn"]
    return {
        "fps": drawn / elapsed,
        "draw_ms": (stats1["drawMs"] - stats0["drawMs"]) / max(drawn, 1),
        "main_ms": (tasks1 - tasks0) / max(drawn, 1),
        "received": stats1["received"] - stats0["received"],
        "dropped": stats1["dropped"] - stats0["dropped"],
        "drawn": drawn,
        "side_fps": {k: (sides1[k] - sides0.get(k, 0)) / elapsed for k in sides1},
    }


SWEEP = "sweep 4 x 4 (reference, 16 runs, speed 25)"


def measure_sweep(browser: Any, url: str, seconds: float) -> dict[str, float]:
    """Sweep frames drawn per second and main-thread ms per drawn frame."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("[data-testid=conn][data-state=connected]")
    page.wait_for_timeout(500)
    page.click("[data-testid=sweep-toggle]")
    page.select_option("[data-testid=sweep-field-1]", "learning_rate")
    page.fill("[data-testid=sweep-values-1]", "0.003:0.3:log:4")
    page.select_option("[data-testid=sweep-field-2]", "seed")
    page.fill("[data-testid=sweep-values-2]", "1:4")
    page.click("[data-testid=sweep-start]")
    page.wait_for_selector("[data-testid=sweep-cell-15]")
    page.wait_for_timeout(300)
    frames = "() => Number(document.querySelector('[data-testid=sweep]').dataset.frames || 0)"
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    drawn0, tasks0 = page.evaluate(frames), task_ms(cdp)
    page.click("[data-testid=sweep-play]")
    t0 = time.perf_counter()
    page.wait_for_timeout(seconds * 1000)
    drawn1, tasks1 = page.evaluate(frames), task_ms(cdp)
    elapsed = time.perf_counter() - t0
    context.close()
    drawn = drawn1 - drawn0
    return {"fps": drawn / elapsed, "main_ms": (tasks1 - tasks0) / max(drawn, 1), "drawn": drawn}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="play time per scenario")
    parser.add_argument("--only", default="", help="run only scenarios whose name has this")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"no Chromium at {CHROMIUM}; apt-get install -y chromium")
        return 1
    from playwright.sync_api import sync_playwright

    server = Server().start()
    base = server.url
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            print(f"headless Chromium, 1366x768, {args.seconds:.0f} s of play per scenario")
            print(
                f"{'scenario':44} {'fps':>6} {'draw ms':>8} {'main ms':>8} {'drawn':>6} "
                f"{'dropped':>7}"
            )
            for name, query in [*SCENARIOS.items(), (COMPARE, "")]:
                if args.only not in name:
                    continue
                r = measure(browser, base + "/" + query, args.seconds, compare=name == COMPARE)
                print(
                    f"{name:44} {r['fps']:6.1f} {r['draw_ms']:8.2f} {r['main_ms']:8.2f} "
                    f"{r['drawn']:6.0f} {r['dropped']:7.0f}"
                )
                if r["side_fps"]:
                    per_side = ", ".join(f"{k} {v:.1f}" for k, v in r["side_fps"].items())
                    print(f"{'':44} frames drawn per second per side: {per_side}")
            r = measure_sweep(browser, base + "/" + SCENARIOS[
                "reference (spiral, 6x8 tanh, speed 25)"], args.seconds)  # fmt: skip
            print(f"{SWEEP:44} {r['fps']:6.1f} {'':>8} {r['main_ms']:8.2f} {r['drawn']:6.0f}")
            browser.close()
    finally:
        server.stop()
    print("goal at defaults: >= 20 fps drawn, <= 25 ms per frame; compare: >= 20 fps per side; "
          "sweep: >= 15 fps")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
