"""The apkb command line, as a maintainer uses it."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import FIXTURE_SITE, run_cli

ROOT = ("--root", str(FIXTURE_SITE))


def test_validate_passes_on_a_sound_knowledge_base() -> None:
    result = run_cli(*ROOT, "validate")
    assert result.exit_code == 0
    assert "3 file(s) checked: 2 tool(s), 1 lesson(s), 1 training module(s), 0 scenario(s), no problems" in result.stderr


def test_list_filters_by_category_and_stage() -> None:
    everything = run_cli(*ROOT, "list").stdout
    assert "example-envoy" in everything and "example-sanctions" in everything and "example-crisis" in everything
    financial = run_cli(*ROOT, "list", "--category", "financial").stdout
    assert "example-sanctions" in financial and "example-envoy" not in financial
    assert "example-crisis" not in financial
    mitigation = run_cli(*ROOT, "list", "--stage", "mitigation").stdout
    assert "example-envoy" in mitigation and "example-crisis" in mitigation
    assert "example-sanctions" not in mitigation


def test_list_rejects_an_unknown_category() -> None:
    result = run_cli(*ROOT, "list", "--category", "military")
    assert result.exit_code == 2 and "diplomatic" in result.stderr


def test_show_summarises_a_tool_with_names_not_only_ids() -> None:
    result = run_cli(*ROOT, "show", "example-envoy")
    assert result.exit_code == 0
    assert "RF08 Triggering factors" in result.stdout
    assert "Likely beneficial" in result.stdout and "Certainty: Low" in result.stdout
    assert "example-crisis (helped)" in result.stdout
    assert "[unverified]" in result.stdout


def test_show_finds_an_entry_by_former_id() -> None:
    result = run_cli(*ROOT, "show", "old-example-sanctions")
    assert result.exit_code == 0 and "(example-sanctions)" in result.stdout


def test_show_a_lesson() -> None:
    result = run_cli(*ROOT, "show", "example-crisis")
    assert "Exampleland (EXL)" in result.stdout and "example-envoy: Helped" in result.stdout


def test_show_an_unknown_id_suggests_close_ones() -> None:
    result = run_cli(*ROOT, "show", "example-envy")
    assert result.exit_code == 1
    assert "Did you mean: example-envoy" in result.stderr


def test_validate_warns_about_links_to_unofficial_copies_without_failing(tmp_path: Path) -> None:
    """Copy sites (docslib and the like) are blocked on many government networks: validation names each such link
    with its file, line and field, as a warning, and still passes."""
    kb = tmp_path / "kb"
    shutil.copytree(FIXTURE_SITE, kb)
    entry = kb / "toolkit/financial/example-sanctions.md"
    text = entry.read_text(encoding="utf-8")
    entry.write_text(text.replace("      verified: false", "      url: https://docslib.org/doc/123/a-copy\n      verified: false", 1),
                     encoding="utf-8")
    result = run_cli("--root", str(kb), "validate")
    assert result.exit_code == 0, result.output
    line = next(n for n, l in enumerate(entry.read_text(encoding="utf-8").splitlines(), start=1) if "docslib.org" in l)
    assert f"example-sanctions.md:{line}: evidence.studies[0].url: links to docslib.org" in result.stderr
    assert result.stderr.startswith("warning: ")
    clean = run_cli("--root", str(FIXTURE_SITE), "validate")
    assert clean.exit_code == 0 and "warning:" not in clean.stderr
