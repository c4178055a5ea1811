"""Profiling instead of benchmarking: where the time of validate + render, or of a whole build, goes.

``profile`` runs validate + ``site_files`` (or a whole mkdocs build in process) of one corpus under cProfile,
and again under pyinstrument if it is installed, and returns the report to print and the shorter one for the
page.
"""

from __future__ import annotations

import argparse
import datetime
import os
import time
from pathlib import Path
from typing import Any

import make_corpus  # scripts/make_corpus.py (bench.py puts scripts/ on sys.path)

from apkb.content.validate import validate

from .steps import log

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
