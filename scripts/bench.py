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
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import gc
import gzip
import inspect
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import make_corpus  # noqa: E402  (scripts/make_corpus.py, beside this file)

from apkb.search import index as search_index_module  # noqa: E402
from apkb.search import query as search_query  # noqa: E402
from apkb.content.profile import Profile  # noqa: E402
from apkb.recommend.engine import engine_data, profile_data, recommend  # noqa: E402
from apkb.content.validate import validate  # noqa: E402

START, END = "<!-- bench:start -->", "<!-- bench:end -->"
PROFILE_START, PROFILE_END = "<!-- profile:start -->", "<!-- profile:end -->"
HOSTILE_START, HOSTILE_END = "<!-- hostile:start -->", "<!-- hostile:end -->"
CHROMIUM = Path(os.environ.get("APKB_CHROMIUM", "/usr/bin/chromium"))
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
ENV["NO_MKDOCS_2_WARNING"] = "1"
"""Child processes cache bytecode as on a maintainer's machine, so that process start is not a recompilation."""

PROFILE = {
    "title": "Benchmark profile: mitigation before an election",
    "stage": "mitigation",
    "situations": ["election"],
    "risk_factors": {"RF04": 2, "RF07": 2, "RF08": 3, "RF09": 2},
    "constraints": {
        "leverage": "medium",
        "time_horizon": "weeks",
        "budget": "medium",
        "actors_available": ["embassy", "foreign-ministry", "regional-organisation"],
        "exclude": [make_corpus.tool_id(1)],
    },
}
"""The README's example profile; it excludes the first synthetic tool so that the exclusion path runs too."""


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- bounded steps ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimedOut:
    seconds: float


@dataclass(frozen=True)
class Failed:
    reason: str


@dataclass(frozen=True)
class Skipped:
    reason: str


Value = float | int | str | TimedOut | Failed | Skipped | None


class StepTimeout(Exception):
    pass


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise StepTimeout in this (main) thread if the block runs longer than ``seconds``."""

    def expire(signum: int, frame: Any) -> None:
        raise StepTimeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def step(results: dict[str, Value], name: str, keys: list[str], timeout: float, run: Callable[[], dict[str, Value]]) -> None:
    """Run one measurement under a deadline; a timeout or error fills its keys with a marker, never a crash."""
    log(f"{name} ...")
    began = time.perf_counter()
    try:
        with deadline(timeout):
            values = run()
    except (StepTimeout, subprocess.TimeoutExpired):
        log(f"{name}: timed out after {timeout:g} s")
        values = {key: TimedOut(timeout) for key in keys}
    except Exception as error:  # a benchmark reports a broken step and goes on
        log(f"{name}: failed: {type(error).__name__}: {error}")
        values = {key: Failed(f"{type(error).__name__}: {error}") for key in keys}
    results.update(values)
    log(f"{name}: done in {time.perf_counter() - began:.1f} s")


@dataclass
class Child:
    seconds: float
    max_rss_kb: int
    returncode: int
    stderr: str


def run_child(command: list[str], timeout: float, cwd: Path | None = None) -> Child:
    """Run a command, timing it and reading its own peak memory from wait4; kill its process group on timeout."""
    with tempfile.TemporaryFile() as errors:
        began = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=errors, start_new_session=True
        )
        limit = began + timeout
        try:
            while True:
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                if pid:
                    break
                if time.perf_counter() > limit:
                    raise subprocess.TimeoutExpired(command, timeout)
                time.sleep(0.02)
        except BaseException:  # our own timeout, the step's deadline, or Ctrl-C: stop the whole build
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            os.wait4(process.pid, 0)
            process.returncode = -9
            raise
        seconds = time.perf_counter() - began
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        text = errors.read().decode("utf-8", "replace")
    return Child(seconds, usage.ru_maxrss, process.returncode, text)


def _number(value: Value) -> float:
    """A measured time, or infinity for a marker (so that min() keeps the measured one)."""
    return float(value) if isinstance(value, (int, float)) else math.inf


def percentile(samples: list[float], fraction: float) -> float:
    """The nearest-rank percentile of ``samples``."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def apkb_command() -> list[str]:
    script = Path(sys.executable).parent / "apkb"
    return [str(script)] if script.exists() else [sys.executable, "-c", "from apkb.cli.main import main; main()"]


# --- the site builds ------------------------------------------------------------------------------------


def build_site(config: Path, site: Path, timeout: float) -> Child:
    shutil.rmtree(site, ignore_errors=True)
    child = run_child([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(site)], timeout)
    if child.returncode != 0:
        raise RuntimeError(f"mkdocs build failed ({child.returncode}): {child.stderr.strip()[-800:]}")
    return child


def write_floor(root: Path, floor: Path) -> Path:
    """The same pages the plugin adds, as static Markdown, with a configuration that has no apkb plugin."""
    from apkb.site.render import STYLESHEET
    from apkb.site.files import site_files

    shutil.rmtree(floor, ignore_errors=True)
    docs_in, docs_out = root / "docs", floor / "docs"
    report = validate(root, docs_dir=docs_in)
    if report.problems:
        raise RuntimeError(f"the corpus has {len(report.problems)} problem(s): {report.problems[0]}")
    shutil.copytree(docs_in, docs_out)
    try:
        from apkb.site.render import module_markdown
    except ImportError:  # hand-written pages then keep their cross-links unresolved (warnings only)
        module_markdown = None
    for page in docs_in.rglob("*.md"):
        relative = page.relative_to(docs_in).as_posix()
        text = page.read_text(encoding="utf-8")
        if module_markdown is not None:
            text = module_markdown(text, relative, report.catalog, report.modules, report.scenarios)
        (docs_out / relative).write_text(text, encoding="utf-8")
    for generated in site_files(report.catalog, report.scenarios, report.modules, root):
        target = docs_out / generated.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(generated.content, encoding="utf-8")
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    config["plugins"] = [p for p in config["plugins"] if (p if isinstance(p, str) else next(iter(p))) != "apkb"]
    config["extra_css"] = [*config.get("extra_css", []), STYLESHEET]  # the plugin adds it in on_config
    config["docs_dir"] = "docs"
    path = floor / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


THEME_FOLDERS = {("assets", "javascripts"), ("assets", "stylesheets"), ("assets", "images"), ("assets", "vendor")}
"""Material's scripts, styles and icons, and the offline polyfill: the same bytes whatever the size of the site."""


def site_sizes(site: Path) -> dict[str, Value]:
    pages = list(site.rglob("*.html"))
    files = [p for p in site.rglob("*") if p.is_file()]
    total = sum(p.stat().st_size for p in files)
    theme = sum(p.stat().st_size for p in files if p.relative_to(site).parts[:2] in THEME_FOLDERS)
    html = sum(p.stat().st_size for p in pages)
    values: dict[str, Value] = {
        "pages": len(pages),
        "site_bytes": total,
        "bytes_per_page": total / len(pages),
        "own_per_page": (total - theme) / len(pages),
        "html_per_page": html / len(pages),
    }
    for key, relative in (("search_json", "search/search_index.json"), ("rec_data", "assets/apkb/recommender-data.js")):
        path = site / relative
        if path.is_file():
            data = path.read_bytes()
            values[key] = len(data)
            values[key + "_gz"] = len(gzip.compress(data, compresslevel=6))
        else:
            values[key] = values[key + "_gz"] = Failed(f"{relative} is missing")
    return values


# --- mkdocs serve -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode("utf-8", "replace"))
    except (urllib.error.URLError, OSError):
        return None


def serve_rebuild(root: Path, entry: Path, work: Path, edits: int) -> dict[str, Value]:
    """Start mkdocs serve, edit one entry, and time until the served page shows the edit (``edits`` times; the
    median is reported)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    log_file = (work / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-f", str(root / "mkdocs.yml"), "-a", f"127.0.0.1:{port}"],
        env=ENV, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True,
    )
    original = entry.read_text(encoding="utf-8")
    page = base + f"toolkit/{entry.stem}.html"
    values: dict[str, Value] = {}
    try:
        began = time.perf_counter()
        while fetch(page) is None:
            if process.poll() is not None:
                raise RuntimeError(f"mkdocs serve exited with {process.returncode}; see {work / 'serve.log'}")
            time.sleep(0.1)
        values["serve_start"] = time.perf_counter() - began
        rebuilds = []
        for attempt in range(edits):
            token = f"benchedit{attempt}{random.randrange(10**9)}"
            time.sleep(1.0)  # let the watcher settle after the previous build
            edited = original.rstrip("\n") + f"\n\nEdited by the benchmark: {token}.\n"
            began = time.perf_counter()
            entry.write_text(edited, encoding="utf-8")
            while token not in (fetch(page) or ""):
                if process.poll() is not None:
                    raise RuntimeError(f"mkdocs serve exited with {process.returncode}")
                time.sleep(0.05)
            rebuilds.append(time.perf_counter() - began)
        values["serve_rebuild"] = statistics.median(rebuilds)
    finally:
        entry.write_text(original, encoding="utf-8")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log_file.close()
    return values


# --- search ---------------------------------------------------------------------------------------------


def query_words(catalog: Any) -> tuple[list[str], list[int]]:
    """Words of the corpus (no stop words) with their document frequencies, to draw queries from."""
    from whoosh.analysis import STOP_WORDS

    frequency: Counter[str] = Counter()
    for entry in catalog.entries():
        text = f"{entry.title} {entry.summary} {search_index_module.plain(entry.body)}".lower()
        frequency.update(set(re.findall(r"[a-z]{3,}", text)) - STOP_WORDS)
    words = sorted(frequency)
    return words, [frequency[w] for w in words]


def make_queries(catalog: Any, count: int, seed: int) -> list[str]:
    """``count`` queries of 1 to 3 words, each word drawn by how many entries hold it (broad queries)."""
    rng = random.Random(seed)
    words, weights = query_words(catalog)
    return [" ".join(rng.choices(words, weights=weights, k=rng.randint(1, 3))) for _ in range(count)]


def warm_searcher(folder: Path) -> tuple[Callable[[str], Any], Callable[[], None]]:
    """A query function over one opened index and one reused searcher: apkb.search.query.run_query where it exists
    (it does what search_index does, with a searcher the caller keeps), else search_index per call."""
    from whoosh import index

    run_query = getattr(search_query, "run_query", None)
    if run_query is None:
        log("apkb.search.query has no run_query: timing apkb.search.query.search_index per call instead")
        return (lambda text: search_query.search_index(folder, text)), (lambda: None)
    searcher = index.open_dir(str(folder)).searcher()
    return (lambda text: run_query(searcher, text)), searcher.close


def time_queries(run: Callable[[str], Any], queries: list[str]) -> list[float]:
    run(queries[0])  # one warm-up query
    gc.collect()  # start from a clean heap; collections during the loop are part of the cost
    times = []
    for text in queries:
        began = time.perf_counter()
        run(text)
        times.append(time.perf_counter() - began)
    return times


COLD = """
import json, sys, time
began = time.perf_counter()
from apkb.search.query import search_index
imported = time.perf_counter()
search_index(__import__("pathlib").Path(sys.argv[1]), sys.argv[2])
done = time.perf_counter()
print(json.dumps({"import": imported - began, "first": done - imported}))
"""


def whoosh_steps(results: dict[str, Value], root: Path, catalog: Any, queries: list[str], work: Path,
                 timeout: float, size: int, seed: int) -> None:
    cache = work / "whoosh"
    shutil.rmtree(cache, ignore_errors=True)
    folder_box: dict[str, Path] = {}

    def build() -> dict[str, Value]:
        began = time.perf_counter()
        folder_box["folder"] = search_index_module.build_index(catalog, root, cache)
        return {"whoosh_build": time.perf_counter() - began}

    step(results, "whoosh: build the index", ["whoosh_build"], timeout, build)
    if "folder" not in folder_box:
        for key in ("whoosh_p50", "whoosh_p95", "percall_p50", "percall_p95", "whoosh_cold", "apkb_search",
                    "whoosh_refresh"):
            results[key] = Skipped("no index")
        return
    folder = folder_box["folder"]

    def warm() -> dict[str, Value]:
        run, close = warm_searcher(folder)
        try:
            times = time_queries(run, queries)
        finally:
            close()
        return {"whoosh_p50": percentile(times, 0.5), "whoosh_p95": percentile(times, 0.95)}

    step(results, f"whoosh: {len(queries)} warm queries, one searcher", ["whoosh_p50", "whoosh_p95"], timeout, warm)

    def per_call() -> dict[str, Value]:
        times = time_queries(lambda text: search_query.search_index(folder, text), queries)
        return {"percall_p50": percentile(times, 0.5), "percall_p95": percentile(times, 0.95)}

    step(results, "whoosh: search_index() per call", ["percall_p50", "percall_p95"], timeout, per_call)

    def cold() -> dict[str, Value]:
        samples = []
        for text in queries[:3]:
            out = subprocess.run([sys.executable, "-c", COLD, str(folder), text], capture_output=True, text=True,
                                 env=ENV, timeout=timeout, check=True)
            samples.append(json.loads(out.stdout))
        return {"whoosh_cold": statistics.median(s["first"] for s in samples),
                "search_import": statistics.median(s["import"] for s in samples)}

    step(results, "whoosh: cold open + first query", ["whoosh_cold", "search_import"], timeout, cold)

    def end_to_end() -> dict[str, Value]:
        command = apkb_command()
        times = []
        for text in queries[:6]:  # the first run only warms the bytecode cache and the disk cache
            began = time.perf_counter()
            done = subprocess.run([*command, "--root", str(root), "search", text, "--cache-dir", str(cache)],
                                  capture_output=True, text=True, env=ENV, timeout=timeout, check=False)
            times.append(time.perf_counter() - began)
            if done.returncode != 0:
                raise RuntimeError(f"apkb search exited with {done.returncode}: {done.stderr.strip()[-500:]}")
        return {"apkb_search": statistics.median(times[1:])}

    step(results, "whoosh: apkb search end to end", ["apkb_search"], timeout, end_to_end)

    def refresh() -> dict[str, Value]:
        added = make_corpus.extra_tool(root, size, size + 1, seed)
        values: dict[str, Value] = {}
        try:
            if next(iter(inspect.signature(search_index_module.fresh_index).parameters)) == "catalog":
                # fresh_index(catalog, root, cache): the caller validates first, so time that apart
                began = time.perf_counter()
                report = validate(root)
                values["refresh_validate"] = time.perf_counter() - began
                if report.problems:
                    raise RuntimeError(f"the added entry does not validate: {report.problems[0]}")
                began = time.perf_counter()
                _, done = search_index_module.fresh_index(report.catalog, root, cache)
            else:  # fresh_index(root, cache, load_catalog): it loads what it needs itself
                values["refresh_validate"] = None  # shown as "–"
                began = time.perf_counter()
                _, done = search_index_module.fresh_index(root, cache, lambda: validate(root).catalog)
            values["whoosh_refresh"] = time.perf_counter() - began
            values["refresh_done"] = {True: "rebuilt", False: "fresh"}.get(done, str(done))  # type: ignore[call-overload]
            log(f"fresh_index after adding one entry: {values['refresh_done']}")
            return values
        finally:
            added.unlink()

    step(results, "whoosh: refresh after adding one entry", ["whoosh_refresh", "refresh_validate"], timeout, refresh)


def tantivy_steps(results: dict[str, Value], catalog: Any, queries: list[str], work: Path, timeout: float) -> None:
    try:
        import tantivy
    except ImportError:
        for key in ("tantivy_build", "tantivy_p50", "tantivy_p95"):
            results[key] = Skipped("tantivy not installed (pip install -e '.[bench]')")
        return
    from apkb.content.urls import html_path, lesson_page, tool_page

    box: dict[str, Any] = {}
    fields = ("title", "summary", "body", "country", "aliases")

    def build() -> dict[str, Value]:
        folder = work / "tantivy"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        began = time.perf_counter()
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        builder.add_text_field("title", stored=True, tokenizer_name="en_stem")
        for name in fields[1:]:
            builder.add_text_field(name, tokenizer_name="en_stem")
        ix = tantivy.Index(builder.build(), path=str(folder))
        writer = ix.writer()
        for entry in catalog.entries():
            url = html_path(tool_page(entry.id) if entry.kind == "tool" else lesson_page(entry.id))
            document = search_index_module.document(entry, url)
            writer.add_document(tantivy.Document(**{name: str(document.get(name) or "") for name in ("id", *fields)}))
        writer.commit()
        writer.wait_merging_threads()
        ix.reload()
        box["ix"] = ix
        return {"tantivy_build": time.perf_counter() - began}

    step(results, "tantivy: build the index", ["tantivy_build"], timeout, build)
    if "ix" not in box:
        results["tantivy_p50"] = results["tantivy_p95"] = Skipped("no index")
        return
    ix = box["ix"]
    boosts = {"title": 4.0, "summary": 2.0, "country": 2.0, "aliases": 2.0}

    def warm() -> dict[str, Value]:
        searcher = ix.searcher()

        def run(text: str) -> Any:
            query = ix.parse_query(text, list(fields), field_boosts=boosts)
            found = searcher.search(query, 10, count=True)
            return [searcher.doc(address)["id"] for _, address in found.hits], found.count

        times = time_queries(run, queries)
        return {"tantivy_p50": percentile(times, 0.5), "tantivy_p95": percentile(times, 0.95)}

    step(results, f"tantivy: {len(queries)} warm queries", ["tantivy_p50", "tantivy_p95"], timeout, warm)


# --- the recommender ----------------------------------------------------------------------------------


def recommender_steps(results: dict[str, Value], catalog: Any, runs: int, timeout: float, browser: bool) -> None:
    profile = Profile.model_validate(PROFILE)
    box: dict[str, Any] = {}

    def python() -> dict[str, Value]:
        builds = []
        for _ in range(3):
            began = time.perf_counter()
            data = engine_data(catalog)
            builds.append(time.perf_counter() - began)
        built = min(builds)
        box["data"] = data
        recommend(catalog, profile, data)
        gc.collect()  # start from a clean heap; collections during the loop are part of the cost
        times = []
        for _ in range(runs):
            began = time.perf_counter()
            recommend(catalog, profile, data)
            times.append(time.perf_counter() - began)
        return {"engine_data": built, "rec_py_p50": percentile(times, 0.5), "rec_py_p95": percentile(times, 0.95)}

    step(results, f"recommender in Python, {runs} runs", ["engine_data", "rec_py_p50", "rec_py_p95"], timeout, python)
    if not browser:
        results["rec_js_p50"] = results["rec_js_p95"] = Skipped("--quick")
        return
    if not CHROMIUM.exists():
        results["rec_js_p50"] = results["rec_js_p95"] = Skipped(f"{CHROMIUM} is missing")
        return

    def chromium() -> dict[str, Value]:
        from importlib.resources import files

        from playwright.sync_api import sync_playwright

        data = box.get("data") or engine_data(catalog)
        engine = files("apkb.site").joinpath("static/recommender.js").read_text(encoding="utf-8")
        with sync_playwright() as playwright:
            browser_ = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            try:
                page = browser_.new_page()
                page.set_content("<!doctype html><html><head><title>bench</title></head><body></body></html>")
                page.add_script_tag(content=engine)
                page.add_script_tag(content="window.APKB_DATA = " + json.dumps(data, separators=(",", ":")) + ";")
                times = page.evaluate(
                    """([profile, runs]) => {
                        const engine = window.APKBRecommender, data = window.APKB_DATA;
                        const normal = engine.normaliseProfile(data, profile);
                        engine.recommend(data, normal);
                        const times = [];
                        for (let i = 0; i < runs; i++) {
                            const began = performance.now();
                            engine.recommend(data, normal);
                            times.push(performance.now() - began);
                        }
                        return times;
                    }""",
                    [profile_data(profile), runs],
                )
            finally:
                browser_.close()
        seconds = [t / 1000 for t in times]
        return {"rec_js_p50": percentile(seconds, 0.5), "rec_js_p95": percentile(seconds, 0.95)}

    step(results, f"recommender in Chromium, {runs} runs", ["rec_js_p50", "rec_js_p95"], timeout, chromium)


# --- one size -------------------------------------------------------------------------------------------


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


# --- the table ------------------------------------------------------------------------------------------


def seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def millis(value: float) -> str:
    ms = value * 1000
    return f"{ms:.2f} ms" if ms < 10 else f"{ms:.1f} ms" if ms < 100 else f"{ms:,.0f} ms"


def megabytes(value: float) -> str:
    return f"{value / 1e6:,.2f} MB" if value < 1e8 else f"{value / 1e6:,.0f} MB"


def kilobytes(value: float) -> str:
    return f"{value / 1e3:,.1f} kB"


def ratio(value: float) -> str:
    return f"{value:.2f}×"


def count(value: float) -> str:
    return f"{int(value):,}"


def text(value: Any) -> str:
    return str(value)


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


# --- hostile input: how fast, and in how little memory, the loader refuses what it must -----------------------


def _alias_bomb(levels: int = 10) -> str:
    """A "billion laughs" front matter: each level lists the one before ten times, 10**levels strings if expanded."""
    lines = ['lol0: &a0 "lol"'] + [f"lol{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, levels)]
    return "---\nid: bomb\n" + "\n".join(lines) + "\n---\n## What it is\n"


def hostile_input(work: Path, runs: int = 5) -> str:
    """Time (best of ``runs``) and trace the peak Python memory of refusing each hostile file, as a Markdown table."""
    import tracemalloc

    from apkb.content.front_matter import read_front_matter
    from apkb.content.problems import ContentError

    cases = {
        "a 10 MB entry": lambda path: path.write_bytes(b"---\nid: huge\n---\n" + b"A" * (10 * 1024 * 1024)),
        "a billion-laughs alias bomb (10 levels)": lambda path: path.write_text(_alias_bomb(), encoding="utf-8"),
        "200,000 nested lists": lambda path: path.write_text(
            "---\nid: deep\nx: " + "[" * 200_000 + "]" * 200_000 + "\n---\n", encoding="utf-8"),
    }
    rows = ["| Input | Refused with | Best time | Peak memory traced |", "| --- | --- | ---: | ---: |"]
    for name, write in cases.items():
        path = work / "hostile.md"
        write(path)
        times, message, peak = [], "", 0
        for _ in range(runs):
            tracemalloc.start()
            began = time.perf_counter()
            try:
                read_front_matter(path)
                message = "(accepted!)"
            except ContentError as error:
                message = error.problems[0].message
            times.append(time.perf_counter() - began)
            peak = max(peak, tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
        shown = message if len(message) <= 70 else message[:67] + "..."
        rows.append(f"| {name} ({path.stat().st_size:,} bytes) | {shown} | {millis(min(times))} | {kilobytes(peak)} |")
    return "\n".join(rows)


# --- profiling ------------------------------------------------------------------------------------------


PAGE_TREE_THRESHOLD = 0.04
"""The page shows pyinstrument's call tree down to frames of 4% of the total (the printed tree goes to 1%)."""


def profile(args: argparse.Namespace, work: Path) -> tuple[str, str]:
    """Profile validate + render (or a whole in-process mkdocs build) of the N = --profile-size corpus.
    Returns the report to print, and the shorter one for the page."""
    import cProfile
    import pstats

    root = work / f"corpus-{args.profile_size}"
    if not root.exists():
        make_corpus.write_corpus(root, args.profile_size, args.seed)

    def render() -> None:
        from apkb.site.files import site_files

        report = validate(root)
        site_files(report.catalog, report.scenarios, report.modules, root)

    def build() -> None:
        from mkdocs.commands.build import build as mkdocs_build
        from mkdocs.config import load_config

        os.environ["NO_MKDOCS_2_WARNING"] = "1"
        config = load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(work / "profile-site"))
        config.plugins.on_startup(command="build", dirty=False)
        try:
            mkdocs_build(config)
        finally:
            config.plugins.on_shutdown()

    target = render if args.profile_target == "render" else build
    label = ("validate + render (`validate()` then `site_files()`)" if target is render
             else "a whole `mkdocs build` in process")
    log(f"profiling {label} at N = {args.profile_size} with cProfile ...")
    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.runcall(target)
    total = time.perf_counter() - began
    stats = pstats.Stats(profiler)
    cumulative = _stats_table(stats, "cumulative", args.top, total)
    internal = _stats_table(stats, "tottime", args.top, total)
    out = [
        f"Profile of {label}, N = {args.profile_size:,} tools, measured {datetime.date.today().isoformat()} with "
        f"`scripts/bench.py --profile --profile-target {args.profile_target}` (cProfile; {total:.1f} s under the "
        "profiler, which slows pure-Python code down).",
        "",
        f"Top {args.top} functions by cumulative time:",
        "",
        cumulative,
        "",
        f"Top {args.top} functions by their own time:",
        "",
        internal,
    ]
    try:
        from pyinstrument import Profiler
    except ImportError:
        log("pyinstrument is not installed; only cProfile ran")
    else:
        log("profiling again with pyinstrument (a call tree, less overhead) ...")
        instrument = Profiler(interval=0.001)
        instrument.start()
        target()
        instrument.stop()
        tree = instrument.output_text(unicode=True, color=False).strip()
        short = instrument.output_text(
            unicode=True, color=False, processor_options={"filter_threshold": PAGE_TREE_THRESHOLD}
        ).strip()
        heading = ["", "pyinstrument call tree:", "", "```text"]
        page_heading = ["", f"pyinstrument call tree (frames of {PAGE_TREE_THRESHOLD:.0%} or more):", "", "```text"]
        return "\n".join([*out, *heading, tree, "```"]), "\n".join([*out, *page_heading, short, "```"])
    return "\n".join(out), "\n".join(out)


def _stats_table(stats: Any, order: str, top: int, total: float) -> str:
    rows = []
    for (filename, line, name), (_, calls, own, cumulative, _) in stats.stats.items():
        rows.append((cumulative if order == "cumulative" else own, calls, own, cumulative, filename, line, name))
    rows.sort(reverse=True)
    lines = ["| Function | Calls | Own | Cumulative | Share |", "| --- | ---: | ---: | ---: | ---: |"]
    for _, calls, own, cumulative, filename, line, name in rows[:top]:
        where = _short(filename)
        function = f"`{where}:{line} {name}`" if line else f"`{name}`"
        share = (cumulative if order == "cumulative" else own) / total if total else 0
        lines.append(f"| {function} | {calls:,} | {own:.2f} s | {cumulative:.2f} s | {share:.0%} |")
    return "\n".join(lines)


def _short(filename: str) -> str:
    for marker in ("site-packages/", "/src/", "/lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1].split("/", 1)[-1] if marker == "/lib/python3" else filename.split(marker, 1)[1]
    return filename.replace("\\", "/").rsplit("/", 1)[-1]


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
