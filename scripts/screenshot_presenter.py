"""Regenerate the README's presenter-mode screenshot (docs/presenter.png) from the real page.

Starts the app (uvicorn subprocess on a free port), opens a built-in lesson's compare
scene in presenter mode in headless Chromium at 1920x1080 (the projector size), trains
until both boundaries are worth showing, pauses and saves the page. Nothing is drawn by
hand. Run: .venv/bin/python scripts/screenshot_presenter.py [--out docs/presenter.png]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the browser tests' server and Chromium settings
from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, Server  # noqa: E402

# The optimizers lesson, scene 2: SGD (A) against Adam (B) on the two swirls.
QUERY = "?lesson=7-optimizers&scene=2&present=1"
EPOCHS = 120


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "presenter.png")
    parser.add_argument("--size", default="1920x1080", help="viewport WIDTHxHEIGHT")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    if not Path(CHROMIUM).exists():
        print(f"no Chromium at {CHROMIUM}; apt-get install -y chromium", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    server = Server().start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(server.url + "/" + QUERY)
            page.wait_for_selector("[data-testid=conn][data-state=connected]")
            page.wait_for_selector("[data-testid=side-B]")
            page.wait_for_timeout(800)
            page.click("[data-testid=play]")
            page.wait_for_function(
                "n => Number(document.querySelector('[data-testid=epoch]').textContent) >= n",
                arg=EPOCHS,
                timeout=180_000,
            )
            page.click("[data-testid=play]")
            page.mouse.move(0, 0)
            page.wait_for_timeout(1200)  # last frame, charts flushed
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out))
            browser.close()
    finally:
        server.stop()
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB, {width}x{height})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
