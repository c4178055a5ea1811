"""Measure what a first visit downloads: bytes per page, uncompressed and gzip-compressed, in Chromium.

Usage: python scripts/page_weight.py [--site site] [--write docs/performance.md]

The built site is served on 127.0.0.1, gzip-compressed as a web server would (level 6), and each page is opened
in a fresh browser context (an empty cache), recording every response through Playwright's request events. The
gzip figure is what a visitor on a slow link actually waits for. A second run opens each page on an emulated slow
link (400 kbit/s down and up, 400 ms round trip, as an embassy on a poor connection) and times when the page is
readable (DOMContentLoaded) and when the search index has arrived (until then, search finds nothing). With
--write, both tables replace the part of the page between the page-weight markers.
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
import time
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


SLOW_LINK = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
"""400 kbit/s each way and a 400 ms round trip, in the units of Chrome's Network.emulateNetworkConditions."""
SEARCH_INDEX = "search/search_index.json"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    """Serves the site quietly, gzip-compressed when the browser accepts it, as a production server would."""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        path = Path(self.translate_path(self.path))
        if "gzip" not in self.headers.get("Accept-Encoding", "") or not path.is_file():
            super().do_GET()
            return
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


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


@dataclass
class SlowVisit:
    page: str
    readable: float
    """Seconds to DOMContentLoaded."""
    search_ready: float | None
    """Seconds until the search index had arrived, or None if the page did not ask for it."""


def slow_visit(base: str, path: str) -> SlowVisit:
    """Open ``path`` with an empty cache on the emulated slow link and time it."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context()
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", SLOW_LINK)
        start = time.monotonic()
        finished: dict[str, float] = {}
        page.on("requestfinished", lambda request: finished.setdefault(request.url, time.monotonic() - start))
        page.goto(base + path, wait_until="domcontentloaded", timeout=300_000)
        readable = time.monotonic() - start
        try:
            page.wait_for_event("requestfinished", lambda r: r.url.endswith(SEARCH_INDEX), timeout=300_000)
        except Exception:  # noqa: BLE001 - the index may have finished already, or never be asked for
            pass
        ready = next((t for url, t in finished.items() if url.endswith(SEARCH_INDEX)), None)
        browser.close()
    return SlowVisit(path, readable, ready)


def slow_table(visits: dict[str, SlowVisit]) -> str:
    lines = [
        "",
        "On a slow link (400 kbit/s each way, 400 ms round trip, gzip as served), with an empty cache:",
        "",
        "| Page | Readable | Search ready |",
        "| --- | ---: | ---: |",
    ]
    for name, v in visits.items():
        ready = f"{v.search_ready:.1f} s" if v.search_ready is not None else "not loaded"
        lines.append(f"| {name} | {v.readable:.1f} s | {ready} |")
    return "\n".join(lines)


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
        visits = {name: slow_visit(base, path) for name, path in PAGES.items()}
    finally:
        server.shutdown()
    text = table(weights) + "\n" + slow_table(visits)
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
