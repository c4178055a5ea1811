"""Measure what a first visit downloads: bytes per page, uncompressed and gzip-compressed, in Chromium.

Usage: python scripts/page_weight.py [--site site] [--write docs/performance.md]

The built site is served on 127.0.0.1 and each page is opened in a fresh browser context (an empty cache),
recording every response through Playwright's request events. The gzip figure compresses each response as a
web server would (level 6); it is what a visitor on a slow link actually waits for. With --write, the table
replaces the part of the page between the page-weight markers.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import gzip
import http.server
import re
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import sync_playwright

PAGES = {
    "Home page": "index.html",
    "A tool page (targeted sanctions)": "toolkit/targeted-sanctions.html",
    "Recommend tools": "recommend.html",
    "Catalogue": "catalogue.html",
}
CHROMIUM = "/usr/bin/chromium"
START, END = "<!-- page-weight:start -->", "<!-- page-weight:end -->"


@dataclass
class Weight:
    page: str
    requests: int = 0
    raw: int = 0
    gzipped: int = 0
    largest: list[tuple[int, str]] = field(default_factory=list)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def measure(base: str, path: str) -> Weight:
    """Open ``path`` with an empty cache and add up every response it loads."""
    weight = Weight(path)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context()
        page = context.new_page()
        bodies: list[tuple[str, bytes]] = []
        page.on("response", lambda response: bodies.append((response.url, response.body())))
        page.goto(base + path, wait_until="networkidle")
        page.wait_for_timeout(2000)  # the theme fetches the search index from a worker after load
        page.wait_for_load_state("networkidle")
        browser.close()
    for url, body in bodies:
        weight.requests += 1
        weight.raw += len(body)
        weight.gzipped += len(gzip.compress(body, compresslevel=6))
        weight.largest.append((len(body), url.removeprefix(base)))
    weight.largest.sort(reverse=True)
    return weight


def kb(size: int) -> str:
    return f"{size / 1000:,.0f} kB"


def table(weights: dict[str, Weight]) -> str:
    lines = [
        f"Measured {datetime.date.today().isoformat()} with `scripts/page_weight.py` (Chromium, empty cache).",
        "",
        "| Page | Requests | Uncompressed | gzip | Largest files |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for name, w in weights.items():
        largest = ", ".join(f"`{url}` {kb(size)}" for size, url in w.largest[:3])
        lines.append(f"| {name} | {w.requests} | {kb(w.raw)} | {kb(w.gzipped)} | {largest} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=Path("site"))
    parser.add_argument("--write", type=Path, help="Update the table in this Markdown file between the markers.")
    args = parser.parse_args()
    if not (args.site / "index.html").is_file():
        print(f"error: {args.site} has no index.html; run `make build` first", file=sys.stderr)
        return 1
    server, base = serve(args.site)
    try:
        weights = {name: measure(base, path) for name, path in PAGES.items()}
    finally:
        server.shutdown()
    text = table(weights)
    print(text)
    if args.write:
        page = args.write.read_text(encoding="utf-8")
        if START not in page or END not in page:
            print(f"error: {args.write} has no {START} ... {END} markers", file=sys.stderr)
            return 1
        updated = re.sub(re.escape(START) + ".*?" + re.escape(END), f"{START}\n{text}\n{END}", page, flags=re.S)
        args.write.write_text(updated, encoding="utf-8")
        print(f"updated {args.write}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
