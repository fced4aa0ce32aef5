"""Regenerate the README's screenshots from the real page: the page (docs/screenshot.png),
the timeline scrubbed back to a past moment (docs/timeline.png) and compare A | B
(docs/compare.png).

Starts the app (uvicorn subprocess on a free port), opens a shared-link configuration in
headless Chromium at 1920x1080 (the projector size), trains until the picture is worth
showing, pauses and saves the page. The timeline and compare pictures come from a second
run: trained with a learning-rate change along the way (a marker on the loss chart),
scrubbed back, then forked from that moment into B with Adam and trained side by side.
With ``--only sweep`` it shows the sweep panel (4 learning rates x 4 seeds on the spiral,
trained together) and writes docs/sweep.png (not part of the default set: it trains for
minutes). Nothing is drawn by hand.
Run: .venv/bin/python scripts/screenshot.py [--docs docs] [--only page|timeline|sweep]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the browser tests' server and Chromium settings
from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, Server, set_control  # noqa: E402

# A spiral with a few extra features: it shows every part of the page at work.
QUERY = "?dataset=spiral&noise=5&features=x1,x2,x1_sq,x2_sq,sin_x1,sin_x2&hidden=8,6,4&seed=3"
EPOCHS = 150
# Timeline and compare: SGD, a learning-rate change at epoch 40, scrub back to epoch 30,
# fork there and give B Adam.
RUN_QUERY = "?dataset=spiral&noise=5&features=x1,x2,x1_sq,x2_sq,sin_x1,sin_x2&hidden=8,6&seed=3"
CHANGE_AT, TRAINED, FORK_AT, COMPARE_EPOCHS = 40, 120, 30, 160
LONG = 180_000  # ms: the machine may be busy


def epoch_of(page: Any, testid: str = "epoch") -> int:
    return int(page.text_content(f"[data-testid={testid}]"))


def play_until(page: Any, n: int, side: str | None = None) -> None:
    """Play until the epoch (or a compare side's epoch) reaches `n`, then pause."""
    page.click("[data-testid=play]")
    if side is None:
        test = "n => Number(document.querySelector('[data-testid=epoch]').textContent) >= n"
    else:
        test = (
            f"n => Number(document.querySelector('[data-testid=side-{side}]').dataset.epoch) >= n"
        )
    page.wait_for_function(test, arg=n, timeout=LONG)
    page.click("[data-testid=play]")
    page.wait_for_timeout(1200)  # last frame, charts flushed


def open_page(browser: Any, url: str, width: int, height: int) -> Any:
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(30_000)
    page.goto(url)
    page.wait_for_selector("[data-testid=conn][data-state=connected]")
    page.wait_for_timeout(500)
    return page


def page_shot(browser: Any, url: str, out: Path, size: tuple[int, int]) -> None:
    page = open_page(browser, url + "/" + QUERY, *size)
    play_until(page, EPOCHS)
    page.mouse.move(0, 0)
    page.screenshot(path=str(out))
    page.close()


def timeline_and_compare(browser: Any, url: str, docs: Path, size: tuple[int, int]) -> None:
    page = open_page(browser, url + "/" + RUN_QUERY, *size)
    play_until(page, CHANGE_AT)
    set_control(page, "learning_rate", "0.1")
    play_until(page, TRAINED)
    # Scrub back to epoch FORK_AT (the batch size stays put: steps per epoch are fixed).
    steps = int(page.text_content("[data-testid=step-count]"))
    step = round(FORK_AT * steps / epoch_of(page))
    page.locator("[data-testid=timeline]").fill(str(step))
    page.wait_for_function("() => document.getElementById('timeline-bar').dataset.at !== ''")
    page.wait_for_timeout(1200)
    page.mouse.move(0, 0)
    page.screenshot(path=str(docs / "timeline.png"))
    page.click("[data-testid=fork]")  # B starts from the moment shown
    page.wait_for_selector("[data-testid=side-B].selected")
    set_control(page, "optimizer", "adam")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=diff-B]').textContent.includes('adam')"
    )
    play_until(page, COMPARE_EPOCHS, side="B")
    page.mouse.move(0, 0)
    page.screenshot(path=str(docs / "compare.png"))
    page.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=Path, default=ROOT / "docs", help="where PNGs go")
    parser.add_argument("--only", choices=["page", "timeline", "sweep"], default=None,
                        help="the page shot, timeline + compare, or the sweep")  # fmt: skip
    parser.add_argument("--size", default="1920x1080", help="viewport WIDTHxHEIGHT")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    if not Path(CHROMIUM).exists():
        print(f"no Chromium at {CHROMIUM}; apt-get install -y chromium", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    args.docs.mkdir(parents=True, exist_ok=True)
    server = Server().start()
    written = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            if args.only in (None, "page"):
                page_shot(browser, server.url, args.docs / "screenshot.png", (width, height))
                written.append("screenshot.png")
            if args.only == "sweep":
                page = open_page(browser, server.url + "/" + QUERY, width, height)
                sweep(page)
                page.screenshot(path=str(args.docs / "sweep.png"))
                written.append("sweep.png")
            if args.only in (None, "timeline"):
                timeline_and_compare(browser, server.url, args.docs, (width, height))
                written += ["timeline.png", "compare.png"]
            browser.close()
    finally:
        server.stop()
    for name in written:
        path = args.docs / name
        print(f"wrote {path} ({path.stat().st_size // 1024} KiB, {width}x{height})")
    return 0


def sweep(page: Any) -> None:
    """Open the sweep panel, train 4 learning rates x 4 seeds for a while, pause."""
    page.click("[data-testid=sweep-toggle]")
    page.select_option("[data-testid=sweep-field-1]", "learning_rate")
    page.fill("[data-testid=sweep-values-1]", "0.003:0.3:log:4")
    page.select_option("[data-testid=sweep-field-2]", "seed")
    page.fill("[data-testid=sweep-values-2]", "1:4")
    page.check("[data-testid=sweep-curves]")
    page.click("[data-testid=sweep-start]")
    page.wait_for_selector("[data-testid=sweep-cell-15]")
    page.click("[data-testid=sweep-play]")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=sweep-grid] .sweep-cell')]"
        ".every(c => Number(c.dataset.step) >= 150 * 25)",
        timeout=300_000,
    )
    page.click("[data-testid=sweep-play]")
    page.mouse.move(0, 0)
    page.wait_for_timeout(1500)


if __name__ == "__main__":
    raise SystemExit(main())
