"""The site builds and ``mkdocs serve``: the build with the apkb plugin, its floor, what readers download, and
how long ``mkdocs serve`` takes to show an edit.

The floor (``write_floor``) is the same set of pages written as static Markdown and built by plain MkDocs with
the same theme and plugins but without the apkb plugin; ``build_site`` builds either in a child process and
reports its time and peak memory; ``site_sizes`` measures the built site; ``serve_rebuild`` starts
``mkdocs serve``, edits one entry and times until the served page shows the edit.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml

from apkb.content.validate import validate

from .steps import ENV, Child, Failed, Value, run_child

# --- the site builds ------------------------------------------------------------------------------------


def build_site(config: Path, site: Path, timeout: float) -> Child:
    shutil.rmtree(site, ignore_errors=True)
    child = run_child([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(site)], timeout)
    if child.returncode != 0:
        raise RuntimeError(f"mkdocs build failed ({child.returncode}): {child.stderr.strip()[-800:]}")
    return child


def write_floor(root: Path, floor: Path) -> Path:
    """The same pages the plugin adds, as static Markdown, with a configuration that has no apkb plugin."""
    from apkb.site.files import site_files
    from apkb.site.render import STYLESHEET

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
