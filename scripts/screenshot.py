"""Regenerate the README's screenshot (docs/screenshot.png) from the real page.

Starts the app (uvicorn subprocess on a free port), opens a shared-link configuration in
headless Chromium at 1920x1080 (the projector size), trains until the picture is worth
showing, pauses and saves the page. Nothing is drawn by hand.
With ``--sweep`` it shows the sweep panel instead (4 learning rates x 4 seeds on the
spiral, trained together) and writes docs/sweep.png.
Run: .venv/bin/python scripts/screenshot.py [--sweep] [--out docs/screenshot.png]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the browser tests' server and Chromium settings
from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, Server  # noqa: E402

# A spiral with a few extra features: it shows every part of the page at work.
QUERY = "?dataset=spiral&noise=5&features=x1,x2,x1_sq,x2_sq,sin_x1,sin_x2&hidden=8,6,4&seed=3"
EPOCHS = 150


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--sweep", action="store_true", help="the sweep panel (docs/sweep.png)")
    parser.add_argument("--size", default="1920x1080", help="viewport WIDTHxHEIGHT")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    args.out = args.out or ROOT / "docs" / ("sweep.png" if args.sweep else "screenshot.png")
    if not Path(CHROMIUM).exists():
        print(f"no Chromium at {CHROMIUM}; apt-get install -y chromium", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    server = Server().start()
    url = server.url
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(url + "/" + QUERY)
            page.wait_for_selector("[data-testid=conn][data-state=connected]")
            page.wait_for_timeout(500)
            if args.sweep:
                sweep(page)
                args.out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.out))
                browser.close()
                return finish(args.out, width, height)
            page.click("[data-testid=play]")
            page.wait_for_function(
                "n => Number(document.querySelector('[data-testid=epoch]').textContent) >= n",
                arg=EPOCHS,
                timeout=120_000,
            )
            page.click("[data-testid=play]")
            page.mouse.move(0, 0)
            page.wait_for_timeout(1200)  # last frame, charts flushed
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out))
            browser.close()
    finally:
        server.stop()
    return finish(args.out, width, height)


def finish(out: Path, width: int, height: int) -> int:
    print(f"wrote {out} ({out.stat().st_size // 1024} KiB, {width}x{height})")
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
