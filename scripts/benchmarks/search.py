"""The search steps: whoosh (the engine the site's ``apkb search`` uses) and tantivy beside it as a speed anchor.

Queries are drawn from the corpus's own words (``make_queries``). ``whoosh_steps`` times building the index,
warm queries over one reused searcher and ``search_index()`` per call, a cold open in a fresh process,
``apkb search`` end to end, and the refresh of the cached index after adding one entry; ``tantivy_steps`` builds
the same documents into tantivy and times the same queries, or marks them skipped if tantivy is not installed.
"""

from __future__ import annotations

import gc
import inspect
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import make_corpus  # scripts/make_corpus.py (bench.py puts scripts/ on sys.path)

from apkb.content.validate import validate
from apkb.search import index as search_index_module
from apkb.search import query as search_query

from .steps import ENV, Skipped, Value, apkb_command, log, percentile, step


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
