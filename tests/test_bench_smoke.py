"""Keep scripts/make_corpus.py and scripts/bench.py working. A smoke run only: nothing here times anything."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from apkb.content.validate import validate

REPO = Path(__file__).resolve().parent.parent
SCRIPTS = REPO / "scripts"
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def make_corpus(size: int, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPTS / "make_corpus.py"), str(size), str(out), *extra],
        capture_output=True, text=True, env=ENV, check=False,
    )


def test_the_synthetic_corpus_validates_and_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    assert make_corpus(50, first).returncode == 0
    report = validate(first)
    assert report.ok, "\n".join(str(problem) for problem in report.problems)
    assert len(report.catalog.tools) == 50
    assert len(report.catalog.lessons) == 12
    assert {tool.category for tool in report.catalog.tools.values()} == {"diplomatic", "financial", "programme"}
    for tool in report.catalog.tools.values():
        assert 2 <= len(tool.evidence.studies) <= 6
        assert all(not study.verified and study.doi is None and study.url is None for study in tool.evidence.studies)
    assert any("](tool:synthetic-tool-" in tool.body for tool in report.catalog.tools.values())
    assert any("](lesson:synthetic-lesson-" in tool.body for tool in report.catalog.tools.values())
    assert (first / "mkdocs.yml").is_file() and (first / "docs" / "index.md").is_file()

    assert make_corpus(50, second).returncode == 0
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert all((first / name).read_bytes() == (second / name).read_bytes() for name in files)


def test_make_corpus_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    refused = make_corpus(8, tmp_path)
    assert refused.returncode == 1
    assert "not empty" in refused.stderr
    assert make_corpus(8, tmp_path, "--force").returncode == 0
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_a_quick_benchmark_run_writes_its_table(tmp_path: Path) -> None:
    page = tmp_path / "performance.md"
    page.write_text("# Performance\n\n<!-- bench:start -->\nstale table\n<!-- bench:end -->\n\nAfter.\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, str(SCRIPTS / "bench.py"), "--sizes", "50", "--quick", "--timeout", "120",
         "--queries", "20", "--runs", "5", "--work", str(tmp_path / "work"), "--write", str(page)],
        capture_output=True, text=True, env=ENV, check=False, timeout=900,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "| Measure | N = 50 | Target |" in run.stdout
    written = page.read_text(encoding="utf-8")
    assert "stale table" not in written and written.endswith("<!-- bench:end -->\n\nAfter.\n")
    for label in ("Load and validate", "Build overhead", "whoosh: warm query p95", "Python `recommend`, p95",
                  "`search/search_index.json`"):
        assert label in written
    # every step ran: none failed (skipped is fine for the steps --quick leaves out)
    assert "failed" not in written, written
