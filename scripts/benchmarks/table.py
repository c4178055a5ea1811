"""The results table: which measures it shows, how, against which target, and where it is written.

``SECTIONS`` lists the rows (a label, the key of the measurement, how to show it, and the target of issue 8
with its check); ``derive`` adds the measures computed from others; ``table`` renders one column per N, with
``provenance`` saying where the figures come from; ``write_between`` puts a table into a Markdown page between
two markers.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .steps import Failed, Skipped, TimedOut, Value, log
from .units import count, kilobytes, megabytes, millis, ratio, seconds, text

REPO = Path(__file__).resolve().parent.parent.parent
"""The repository, whose commit and state under src/ each run records."""


Check = Callable[[int, float, dict[int, dict[str, Value]]], bool | None]


def below(limit: float) -> Check:
    return lambda n, value, _: value < limit


def at_most(limit: float) -> Check:
    return lambda n, value, _: value <= limit


def search_target(n: int, value: float, _: Any) -> bool | None:
    return {1000: value <= 0.020, 5000: value <= 0.060}.get(n)


def from_size(smallest: int, check: Check) -> Check:
    """Apply ``check`` only at the sizes the issue states a target for (N >= ``smallest``)."""
    return lambda n, value, everything: check(n, value, everything) if n >= smallest else None


def within_smallest(key: str, tolerance: float) -> Check:
    def check(n: int, value: float, everything: dict[int, dict[str, Value]]) -> bool | None:
        smallest = min(everything)
        base = everything[smallest].get(key)
        if n == smallest or not isinstance(base, (int, float)):
            return None
        return abs(value - base) <= tolerance * base

    return check


@dataclass
class Row:
    label: str
    key: str
    show: Callable[[Any], str]
    target: str = ""
    check: Check | None = None


SECTIONS: list[tuple[str, list[Row]]] = [
    ("Corpus", [
        Row("Tools", "tools", count),
        Row("Lessons", "lessons", count),
        Row("Pages in the built site (HTML)", "pages", count),
    ]),
    ("Validation and build", [
        Row("Load and validate, in process (best of 3)", "validate", seconds, "< 3 s at 5,000",
            from_size(5000, below(3.0))),
        Row("Site build with the apkb plugin", "build", seconds),
        Row("Floor: the same pages as static Markdown, plain MkDocs", "floor", seconds),
        Row("**Build overhead** (plugin ÷ floor)", "overhead", ratio, "≤ 1.25× at 1,000",
            from_size(1000, at_most(1.25))),
        Row("Build time per 1,000 pages (plugin)", "build_per_1000", seconds, "linear: flat across N"),
        Row("Peak memory of the build (plugin)", "build_rss", megabytes),
        Row("Peak memory of the build (floor)", "floor_rss", megabytes),
        Row("`mkdocs serve`: edit one entry → page served", "serve_rebuild", seconds),
        Row("`mkdocs serve`: start → first page served", "serve_start", seconds),
    ]),
    ("Search", [
        Row("whoosh: build the index", "whoosh_build", seconds),
        Row("whoosh: warm query p50 (one searcher)", "whoosh_p50", millis),
        Row("whoosh: warm query p95 (one searcher)", "whoosh_p95", millis, "≤ 20 ms at 1,000; ≤ 60 ms at 5,000",
            search_target),
        Row("whoosh: `search_index()` per call, p50", "percall_p50", millis),
        Row("whoosh: `search_index()` per call, p95", "percall_p95", millis),
        Row("whoosh: cold open + first query (fresh process)", "whoosh_cold", millis),
        Row("`apkb search` end to end (process start included)", "apkb_search", seconds, "< 0.5 s", below(0.5)),
        Row("whoosh: refresh after adding one entry (`fresh_index`)", "whoosh_refresh", seconds, "< 1 s at 1,000",
            from_size(1000, below(1.0))),
        Row("… what `fresh_index` did", "refresh_done", text),
        Row("… and the validation the caller runs before it (old API)", "refresh_validate", seconds),
        Row("tantivy: build the index", "tantivy_build", seconds),
        Row("tantivy: warm query p50", "tantivy_p50", millis),
        Row("tantivy: warm query p95 (the speed anchor)", "tantivy_p95", millis),
        Row("whoosh p95 ÷ tantivy p95", "search_gap", ratio),
    ]),
    ("Recommender (one profile, the whole catalogue)", [
        Row("`engine_data`, best of 3 (built once per build or run)", "engine_data", millis),
        Row("Python `recommend`, p50", "rec_py_p50", millis),
        Row("Python `recommend`, p95", "rec_py_p95", millis, "< 20 ms at 5,000",
            from_size(5000, below(0.020))),
        Row("Chromium `APKBRecommender.recommend`, p50", "rec_js_p50", millis),
        Row("Chromium `APKBRecommender.recommend`, p95", "rec_js_p95", millis, "< 50 ms at 5,000",
            from_size(5000, below(0.050))),
    ]),
    ("What readers download", [
        Row("`search/search_index.json`", "search_json", megabytes),
        Row("`search/search_index.json`, gzipped (a first search)", "search_json_gz", megabytes),
        Row("`assets/apkb/recommender-data.js`", "rec_data", megabytes),
        Row("`assets/apkb/recommender-data.js`, gzipped", "rec_data_gz", megabytes),
        Row("Site size", "site_bytes", megabytes),
        Row("Bytes per page (site size ÷ pages)", "bytes_per_page", kilobytes, "within 10% of the smallest N",
            within_smallest("bytes_per_page", 0.10)),
        Row("… leaving out the theme's files, which do not grow with N", "own_per_page", kilobytes,
            "within 10% of the smallest N", within_smallest("own_per_page", 0.10)),
        Row("HTML bytes per HTML page", "html_per_page", kilobytes, "within 10% of the smallest N",
            within_smallest("html_per_page", 0.10)),
    ]),
]


def derive(results: dict[str, Value]) -> None:
    build, pages = results.get("build"), results.get("pages")
    if isinstance(build, float) and isinstance(pages, int) and pages:
        results["build_per_1000"] = build / pages * 1000
    whoosh, tantivy = results.get("whoosh_p95"), results.get("tantivy_p95")
    if isinstance(whoosh, float) and isinstance(tantivy, float) and tantivy > 0:
        results["search_gap"] = whoosh / tantivy


def cell(row: Row, n: int, value: Value, everything: dict[int, dict[str, Value]]) -> str:
    if value is None:
        return "–"
    if isinstance(value, TimedOut):
        return f"> {value.seconds:g} s"
    if isinstance(value, Failed):
        return "failed"
    if isinstance(value, Skipped):
        return "skipped"
    shown = row.show(value)
    if row.check is not None and isinstance(value, (int, float)):
        verdict = row.check(n, float(value), everything)
        if verdict is not None:
            shown += " ✔" if verdict else " ✘"
    return shown


def provenance(args: argparse.Namespace, sizes: list[int]) -> str:
    """Where a run's figures come from: the date, the machine, the commit, and the settings."""
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, check=False).stdout.strip() or "unknown"
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "src"], capture_output=True,
                           text=True, check=False).stdout.strip()
    return (
        f"N = {', '.join(f'{n:,}' for n in sizes)}: measured {datetime.date.today().isoformat()} with "
        f"`scripts/bench.py --sizes {','.join(map(str, sizes))}` on {os.cpu_count()} cores "
        f"({platform.python_implementation()} {platform.python_version()}), commit `{commit}`"
        f"{' with uncommitted changes under src/' if dirty else ''}; {args.queries} queries, {args.runs} "
        f"recommender runs, {args.timeout:g} s per step."
    )


def table(everything: dict[int, dict[str, Value]], origins: list[str]) -> str:
    sizes = sorted(everything)
    lines = [
        *(f"- {origin}" for origin in origins),
        "",
        "✔/✘ compare with the targets of issue 8, at the sizes the issue gives them for. N counts tools; "
        "each corpus also has N/4 lessons.",
        "",
        "| Measure | " + " | ".join(f"N = {n:,}" for n in sizes) + " | Target |",
        "| --- | " + " | ".join("---:" for _ in sizes) + " | --- |",
    ]
    for title, rows in SECTIONS:
        lines.append(f"| ***{title}*** | " + " | ".join("" for _ in sizes) + " | |")
        for row in rows:
            cells = [cell(row, n, everything[n].get(row.key), everything) for n in sizes]
            lines.append(f"| {row.label} | " + " | ".join(cells) + f" | {row.target} |")
    notes = []
    for n in sizes:
        for key, value in everything[n].items():
            if isinstance(value, Failed):
                notes.append(f"N = {n:,}, `{key}` failed: {value.reason[:300]}")
    if notes:
        lines += ["", *(f"- {note}" for note in notes)]
    return "\n".join(lines)


def write_between(path: Path, start: str, end: str, content: str) -> None:
    page = path.read_text(encoding="utf-8")
    if start not in page or end not in page:
        raise SystemExit(f"error: {path} has no {start} ... {end} markers")
    updated = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: f"{start}\n{content}\n{end}", page,
                     flags=re.S)
    path.write_text(updated, encoding="utf-8")
    log(f"updated {path}")
