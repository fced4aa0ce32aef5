"""The API reference pages offline in headless Chromium: load time, operations and schemas.

Starts its own server, aborts every request that is not to 127.0.0.1 (as on a classroom
network with no internet) and opens `/docs` (Swagger UI) and `/redoc` (ReDoc), both
served by fastapi-offline. For each load it prints the time until every operation and
every schema of `/openapi.json` is on screen, how many were shown, and the requests that
tried to leave the machine. This is the measurement behind replacing the hand-written
`/docs` page (issue 11). Measured back to back on the 2-core machine shared with other
builds (load average 6-10, relative figures only): the old page 0.5-1.0 s per load, 5
operations, no schema list; Swagger UI 2.7 s median, 5 operations and all 18 schemas, no
request off the machine; ReDoc 2.6 s, 5 operations with their answers, one attempted
request (Redocly's attribution logo, hidden when it fails). Slower, but complete, with
try-it-out and maintained elsewhere: the API reference is not on any hot path.

Run: .venv/bin/python benchmarks/api_docs.py [--loads 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the browser tests' server and Chromium settings
from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, Server, block_outside  # noqa: E402


def _swagger(page: Any, doc: dict[str, Any]) -> tuple[int, int]:
    page.wait_for_selector(".opblock")
    names = len(doc["components"]["schemas"])
    page.wait_for_function(
        "n => document.querySelectorAll('.models .json-schema-2020-12-head').length >= n",
        arg=names,
    )
    schemas = page.locator(".models .json-schema-2020-12-head").count()
    return page.locator(".opblock").count(), schemas


def _redoc(page: Any, doc: dict[str, Any]) -> tuple[int, int]:
    ids = [op["operationId"] for ops in doc["paths"].values() for op in ops.values()]
    for operation_id in ids:
        page.wait_for_selector(f"[data-section-id='operation/{operation_id}']", state="attached")
    return page.locator("[data-section-id^='operation/']").count(), 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=3, help="page loads per viewer")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    server = Server().start()
    try:
        with urllib.request.urlopen(server.url + "/openapi.json") as r:
            doc = json.load(r)
        operations = sum(len(ops) for ops in doc["paths"].values())
        schema_count = len(doc["components"]["schemas"])
        print(f"/openapi.json: {operations} operations, {schema_count} schemas")
        print(f"{'page':<8} {'median ms':>9} {'ops':>4} {'schemas':>7}  requests off the machine")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            for path, shown_by in (("/docs", _swagger), ("/redoc", _redoc)):
                times, outside_all, counts = [], set(), (0, 0)
                for _ in range(args.loads):
                    context = browser.new_context()
                    page = context.new_page()
                    outside = block_outside(page)
                    start = time.perf_counter()
                    page.goto(server.url + path)
                    counts = shown_by(page, doc)
                    times.append((time.perf_counter() - start) * 1000)
                    outside_all.update(outside)
                    context.close()
                schemas = str(counts[1]) if path == "/docs" else "inline"
                print(
                    f"{path:<8} {statistics.median(times):>9.0f} {counts[0]:>4} {schemas:>7}  "
                    f"{sorted(outside_all) or 'none'}"
                )
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
