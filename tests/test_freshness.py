"""Freshness: which entries are due for review, and which changed most recently."""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from apkb.content import freshness
from apkb.content.validate import validate
from conftest import FIXTURE_SITE


def test_months_are_counted_as_people_count_them() -> None:
    assert freshness.months_between(datetime.date(2024, 5, 20), datetime.date(2025, 11, 20)) == 18
    assert freshness.months_between(datetime.date(2024, 5, 20), datetime.date(2025, 11, 19)) == 17


def test_entries_not_reviewed_for_eighteen_months_are_due_oldest_first() -> None:
    catalog = validate(FIXTURE_SITE).catalog
    reviewed = sorted({entry.last_checked for entry in catalog.entries()})
    on = reviewed[0].replace(year=reviewed[0].year + 1) + datetime.timedelta(days=190)
    due = freshness.review_due(catalog, on)
    assert due, "the oldest entry is over 18 months old on that date"
    assert all(item.months >= 18 for item in due)
    assert [item.months for item in due] == sorted((item.months for item in due), reverse=True)
    assert freshness.review_due(catalog, reviewed[-1]) == []


def test_the_build_date_follows_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert freshness.today() == datetime.date(2023, 11, 14)


def _git(repo: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    if date:
        env |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_recently_updated_uses_the_last_commit_of_each_file(tmp_path: Path) -> None:
    repo = tmp_path / "kb"
    shutil.copytree(FIXTURE_SITE, repo)
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "start", date="2030-01-01T12:00:00")
    envoy = repo / "toolkit" / "diplomatic" / "example-envoy.md"
    envoy.write_text(envoy.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    _git(repo, "commit", "-qam", "edit", date="2031-06-01T12:00:00")
    changes = freshness.recently_updated(validate(repo).catalog, repo)
    assert (changes[0].entry.id, changes[0].date, changes[0].source) == ("example-envoy", datetime.date(2031, 6, 1), "git")
    assert {c.date for c in changes[1:]} == {datetime.date(2030, 1, 1)}


def test_outside_git_the_review_date_stands_in(tmp_path: Path) -> None:
    copy = tmp_path / "kb"
    shutil.copytree(FIXTURE_SITE, copy)
    changes = freshness.recently_updated(validate(copy).catalog, copy)
    assert all(change.source == "checked" for change in changes)
    assert [c.date for c in changes] == sorted((c.date for c in changes), reverse=True)


def test_every_entry_waits_for_an_expert_until_one_has_reviewed_it() -> None:
    catalog = validate(FIXTURE_SITE).catalog
    waiting = freshness.awaiting_expert_review(catalog)
    assert {e.id for e in waiting} == {e.id for e in catalog.entries() if e.expert_review is None}
    assert [e.drafted for e in waiting] == sorted(e.drafted for e in waiting), "the longest-waiting first"


def test_a_check_dated_before_the_draft_or_out_of_order_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "kb"
    shutil.copytree(FIXTURE_SITE, copy)
    envoy = copy / "toolkit" / "diplomatic" / "example-envoy.md"
    text = envoy.read_text(encoding="utf-8")
    drafted = next(line for line in text.splitlines() if line.startswith("drafted: "))
    early = "checks:\n  - date: 1999-01-01\n    by: someone\n    what: Sources looked up.\n"
    envoy.write_text(text.replace("checks: []\n", early), encoding="utf-8")
    result = validate(copy)
    assert any("dated before the entry was drafted" in p.message for p in result.problems), drafted
