"""Benchmark the knowledge base at growing sizes: validation, site build against its floor, serve rebuilds,
search (whoosh, with tantivy beside it), the recommender in Python and in Chromium, and what readers download.

Usage:
    python scripts/bench.py [--sizes 100,1000,5000] [--timeout SECONDS] [--write docs/performance.md]
    python scripts/bench.py --sizes 50 --quick            # no serve and no Chromium steps (the smoke test)
    python scripts/bench.py --profile [--profile-size 1000] [--profile-target render|build]

For each N, scripts/make_corpus.py writes a synthetic knowledge base of N tools and N/4 lessons into a work
folder, and every step runs against it. Each step is bounded by --timeout; a step that runs out of time is
reported as "> T s" and the run goes on. Results are printed as a Markdown table, one column per N, with the
targets of issue 8 beside them; --write puts the table into a Markdown file between the markers
<!-- bench:start --> and <!-- bench:end -->.

The build floor is the same set of pages (taken from apkb.site.files, the hand-written pages with their
cross-links resolved) written as static Markdown and built by plain MkDocs with the same theme and plugins
but without the apkb plugin. The overhead ratio (plugin build / floor build) is the number that matters.

This is a benchmark, not a test: nothing here asserts a time. tests/test_bench_smoke.py runs it at N = 50
with --quick only to keep it working.

This file parses the command line and runs one size after another (``bench_size``); the measurements live in
scripts/benchmarks/, one job each: steps (bounded steps, child processes, the log), site (the builds and
``mkdocs serve``), search (whoosh and tantivy), recommender (Python and Chromium), table and units (the
results table), hostile (--hostile) and profiling (--profile).
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_corpus  # noqa: E402  (scripts/make_corpus.py, beside this file)
from benchmarks.hostile import hostile_input  # noqa: E402  (scripts/benchmarks/, beside this file)
from benchmarks.profiling import profile  # noqa: E402
from benchmarks.recommender import recommender_steps  # noqa: E402
from benchmarks.search import make_queries, tantivy_steps, whoosh_steps  # noqa: E402
from benchmarks.site import build_site, serve_rebuild, site_sizes, write_floor  # noqa: E402
from benchmarks.steps import Failed, Skipped, TimedOut, Value, log, step  # noqa: E402
from benchmarks.table import derive, provenance, table, write_between  # noqa: E402

from apkb.content.validate import validate  # noqa: E402

START, END = "<!-- bench:start -->", "<!-- bench:end -->"
PROFILE_START, PROFILE_END = "<!-- profile:start -->", "<!-- profile:end -->"
HOSTILE_START, HOSTILE_END = "<!-- hostile:start -->", "<!-- hostile:end -->"


# --- one size -------------------------------------------------------------------------------------------


def _number(value: Value) -> float:
    """A measured time, or infinity for a marker (so that min() keeps the measured one)."""
    return float(value) if isinstance(value, (int, float)) else math.inf


def bench_size(size: int, args: argparse.Namespace, work: Path) -> dict[str, Value]:
    results: dict[str, Value] = {}
    root = work / f"corpus-{size}"
    if root.exists():
        shutil.rmtree(root)
    began = time.perf_counter()
    tools, lessons = make_corpus.write_corpus(root, size, args.seed)
    results.update(tools=tools, lessons=lessons, corpus_seconds=time.perf_counter() - began)
    log(f"N={size}: wrote {tools} tools and {lessons} lessons in {results['corpus_seconds']:.1f} s")
    box: dict[str, Any] = {}

    def load_and_validate() -> dict[str, Value]:
        times = []
        for _ in range(3):
            began = time.perf_counter()
            report = validate(root)
            times.append(time.perf_counter() - began)
        if report.problems:
            raise RuntimeError(f"{len(report.problems)} problem(s), first: {report.problems[0]}")
        box["catalog"] = report.catalog
        return {"validate": min(times)}

    step(results, "load and validate (best of 3)", ["validate"], args.timeout, load_and_validate)
    if "catalog" not in box:  # without a catalog nothing else can run; still try the builds
        log("no catalog: search and recommender steps are skipped")

    size_keys = ["pages", "site_bytes", "bytes_per_page", "own_per_page", "html_per_page", "search_json",
                 "search_json_gz", "rec_data", "rec_data_gz"]
    floor_box: dict[str, Path] = {}
    for attempt in range(1, args.build_runs + 1):  # interleaved, so that a slow spell hits both alike

        def plugin_build() -> dict[str, Value]:
            child = build_site(root / "mkdocs.yml", work / "site", args.timeout)
            values: dict[str, Value] = {"build_rss": child.max_rss_kb * 1024, **site_sizes(work / "site")}
            values["build"] = min(child.seconds, _number(results.get("build")))
            return values

        trial: dict[str, Value] = {}
        step(trial, f"site build with the apkb plugin ({attempt} of {args.build_runs})",
             ["build", "build_rss", *size_keys], args.timeout, plugin_build)

        def floor_build() -> dict[str, Value]:
            if "config" not in floor_box:
                floor_box["config"] = write_floor(root, work / "floor")
            child = build_site(floor_box["config"], work / "floor-site", args.timeout)
            pages = len(list((work / "floor-site").rglob("*.html")))
            if isinstance(results.get("pages"), int) and pages != results["pages"]:
                log(f"warning: the floor has {pages} pages, the plugin build {results['pages']}")
            return {"floor": min(child.seconds, _number(results.get("floor"))), "floor_rss": child.max_rss_kb * 1024}

        step(trial, f"floor: the same pages, plain MkDocs ({attempt} of {args.build_runs})", ["floor", "floor_rss"],
             args.timeout, floor_build)
        for key, value in trial.items():  # a later attempt that fails keeps an earlier measurement
            if not (isinstance(results.get(key), (int, float)) and not isinstance(value, (int, float))):
                results[key] = value
        if not all(isinstance(trial.get(key), float) for key in ("build", "floor")):
            break
    if isinstance(results.get("build"), float) and isinstance(results.get("floor"), float):
        results["overhead"] = results["build"] / results["floor"]
    else:
        results["overhead"] = Skipped("a build did not finish")
    shutil.rmtree(work / "floor", ignore_errors=True)
    shutil.rmtree(work / "floor-site", ignore_errors=True)
    shutil.rmtree(work / "site", ignore_errors=True)

    if args.quick:
        results["serve_rebuild"] = Skipped("--quick")
    else:
        entry = next((root / "toolkit").rglob(f"{make_corpus.tool_id(max(1, size // 2))}.md"))
        step(results, "mkdocs serve: rebuild after editing one entry", ["serve_rebuild", "serve_start"],
             args.timeout * (1 + args.serve_edits), lambda: serve_rebuild(root, entry, work, args.serve_edits))

    catalog = box.get("catalog")
    if catalog is None:
        return results
    queries = make_queries(catalog, args.queries, args.seed)
    whoosh_steps(results, root, catalog, queries, work, args.timeout, size, args.seed)
    tantivy_steps(results, catalog, queries, work, args.timeout)
    recommender_steps(results, catalog, args.runs, args.timeout, browser=not args.quick)
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(work / "whoosh", ignore_errors=True)
        shutil.rmtree(work / "tantivy", ignore_errors=True)
    return results

# --- main -----------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,5000", help="Numbers of tools, comma-separated.")
    parser.add_argument("--timeout", type=float, default=300.0, help="Seconds allowed to each step (default 300).")
    parser.add_argument("--write", type=Path, help="Put the table into this Markdown file between the bench markers.")
    parser.add_argument("--quick", action="store_true", help="Skip the mkdocs serve and Chromium steps.")
    parser.add_argument("--build-runs", type=int, default=2,
                        help="Builds of each kind, interleaved; the fastest is reported (default 2).")
    parser.add_argument("--serve-edits", type=int, default=2,
                        help="Edits timed under mkdocs serve, the median reported (default 2).")
    parser.add_argument("--queries", type=int, default=200, help="Search queries per engine (default 200).")
    parser.add_argument("--runs", type=int, default=100, help="Recommender runs per engine (default 100).")
    parser.add_argument("--seed", type=int, default=1, help="Seed of the corpus and of the queries.")
    parser.add_argument("--work", type=Path, help="Work folder (default: a new temporary folder).")
    parser.add_argument("--keep", action="store_true", help="Keep the corpora and indexes in the work folder.")
    parser.add_argument("--json", type=Path, help="Also write this run's raw results as JSON.")
    parser.add_argument("--merge", type=Path,
                        help="Add the columns of an earlier run's --json for the sizes this run leaves out.")
    parser.add_argument("--profile", action="store_true", help="Profile instead of benchmarking.")
    parser.add_argument("--profile-size", type=int, default=1000, help="N for --profile (default 1000).")
    parser.add_argument("--profile-target", choices=["render", "build"], default="render",
                        help="render: validate + site_files (default); build: a whole mkdocs build in process.")
    parser.add_argument("--top", type=int, default=15, help="How many functions --profile lists (default 15).")
    parser.add_argument("--hostile", action="store_true",
                        help="Only time the refusal of hostile input (10 MB file, alias bomb, deep nesting).")
    args = parser.parse_args(argv)
    try:
        sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    except ValueError:
        parser.error(f"--sizes takes numbers separated by commas, not {args.sizes!r}")
    if not sizes or min(sizes) < 4:
        parser.error("every size must be at least 4 (N/4 lessons)")
    if min(args.queries, args.runs, args.serve_edits, args.build_runs) < 1:
        parser.error("--queries, --runs, --build-runs and --serve-edits must be at least 1")

    work = args.work or Path(tempfile.mkdtemp(prefix="apkb-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    created = args.work is None
    try:
        if args.hostile:
            report = hostile_input(work)
            print(report)
            if args.write:
                write_between(args.write, HOSTILE_START, HOSTILE_END, report)
            return 0
        if args.profile:
            report, for_page = profile(args, work)
            print(report)
            if args.write:
                write_between(args.write, PROFILE_START, PROFILE_END, for_page)
            return 0
        everything: dict[int, dict[str, Value]] = {}
        origins: list[str] = []
        if args.merge:  # columns of an earlier run (--json) for the sizes this run does not measure
            earlier = json.loads(args.merge.read_text(encoding="utf-8"))
            kept = {int(n): {k: _value(v) for k, v in r.items()} for n, r in earlier["results"].items()
                    if int(n) not in sizes}
            everything.update(kept)
            if kept:
                origins.append(earlier["origin"])
        origin = provenance(args, sizes)
        origins.append(origin)
        for size in sizes:
            log(f"=== N = {size:,} ===")
            began = time.perf_counter()
            everything[size] = bench_size(size, args, work / f"n{size}")
            derive(everything[size])
            log(f"=== N = {size:,} done in {time.perf_counter() - began:.0f} s ===")
        result = table(everything, origins)
        print(result)
        if args.json:
            own = {str(n): {k: _plain(v) for k, v in everything[n].items()} for n in sizes}
            args.json.write_text(json.dumps({"origin": origin, "results": own}, indent=2), encoding="utf-8")
        if args.write:
            write_between(args.write, START, END, result)
        return 0
    finally:
        if created and not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def _plain(value: Value) -> Any:
    if isinstance(value, TimedOut):
        return {"timed_out": value.seconds}
    if isinstance(value, (Failed, Skipped)):
        return {type(value).__name__.lower(): value.reason}
    return value


def _value(plain: Any) -> Value:
    if isinstance(plain, dict):
        if "timed_out" in plain:
            return TimedOut(plain["timed_out"])
        if "failed" in plain:
            return Failed(plain["failed"])
        return Skipped(plain.get("skipped", ""))
    return plain  # type: ignore[no-any-return]


if __name__ == "__main__":
    sys.exit(main())
