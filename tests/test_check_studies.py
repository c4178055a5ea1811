"""apkb check-studies: each study or source a change adds needs authors, year, title, venue, and a doi or
url unless it says verified: false. Run on throwaway git repositories."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from apkb.maintain.check_studies import check_new_studies
from conftest import FIXTURE_SITE, run_cli

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

TOOL = "toolkit/financial/example-sanctions.md"
ANCHOR = "\ncombines_with:"
"""The field after the fixture tool's evidence: new studies go at the end of the list before it."""


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false", *args],
        cwd=root, capture_output=True, text=True, check=True,
    )
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository holding the fixture knowledge base, committed on main."""
    for folder in ("toolkit", "lessons"):
        shutil.copytree(FIXTURE_SITE / folder, tmp_path / folder)
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-q", "-m", "base")
    _git(tmp_path, "checkout", "-q", "-b", "change")
    return tmp_path


def _add_study(root: Path, study: str, message: str = "add a study") -> None:
    path = root / TOOL
    text = path.read_text(encoding="utf-8")
    assert ANCHOR in text
    path.write_text(text.replace(ANCHOR, "\n" + study + ANCHOR.lstrip("\n"), 1), encoding="utf-8")
    _git(root, "commit", "-q", "-am", message)


STUDY = """\
    - authors: Doe, J.
      year: 2021
      title: A new study
      venue: Journal of Examples 1(1)
      design: case-study
      measures: related
      finding: Something.
      direction: positive
"""


def _check(root: Path, *extra: str) -> object:
    return run_cli("--root", str(root), "check-studies", "--base", "main", *extra)


def test_a_verified_study_without_doi_or_url_fails_with_its_line(repo: Path) -> None:
    _add_study(repo, STUDY + "      verified: true\n")
    result = _check(repo)
    assert result.exit_code == 1
    lines = (repo / TOOL).read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, start=1) if text == "      verified: true")
    assert result.stdout.strip() == (
        f"{TOOL}:{line}: evidence.studies[1].verified: a new study needs a doi or url so that readers can check "
        "it; if nobody has checked that it exists as cited, say verified: false"
    )
    assert "1 new citation(s) in 1 changed entry file(s)" in result.stderr


def test_an_unverified_study_without_doi_or_url_passes(repo: Path) -> None:
    _add_study(repo, STUDY + "      verified: false\n")
    result = _check(repo)
    assert result.exit_code == 0, result.stdout
    assert "OK: 1 new citation(s) in 1 changed entry file(s) since main" in result.stderr


def test_a_study_with_a_doi_passes_and_one_without_venue_fails(repo: Path) -> None:
    _add_study(repo, STUDY + "      doi: 10.1000/example\n      verified: true\n")
    assert _check(repo).exit_code == 0
    _add_study(repo, STUDY.replace("      venue: Journal of Examples 1(1)\n", "") + "      verified: false\n")
    result = _check(repo)
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 1, "the first new study is complete"
    assert result.stdout.startswith(f"{TOOL}:")
    assert ": evidence.studies[2].venue: a new study needs its venue: give authors, year, title, venue" in result.stdout


def test_citations_already_there_are_not_checked_again(repo: Path) -> None:
    # the fixture's own study has no doi or url (verified: false); a change elsewhere in the file is fine
    path = repo / TOOL
    path.write_text(path.read_text(encoding="utf-8").replace("title: Example sanctions", "title: Example bans"),
                    encoding="utf-8")
    _git(repo, "commit", "-q", "-am", "retitle")
    # ...and so is renaming the file
    _git(repo, "mv", TOOL, "toolkit/financial/example-bans.md")
    _git(repo, "commit", "-q", "-m", "rename")
    result = _check(repo)
    assert result.exit_code == 0, result.stdout
    assert "0 new citation(s) in 1 changed entry file(s)" in result.stderr


def test_an_edited_citation_is_checked_as_new(repo: Path) -> None:
    path = repo / TOOL
    path.write_text(path.read_text(encoding="utf-8").replace("verified: false\ncombines_with",
                                                             "verified: true\ncombines_with"), encoding="utf-8")
    _git(repo, "commit", "-q", "-am", "claim it was checked")
    result = _check(repo)
    assert result.exit_code == 1 and "evidence.studies[0].verified" in result.stdout


def test_a_new_lesson_source_is_checked(repo: Path) -> None:
    lesson = repo / "lessons" / "new-crisis.md"
    text = (repo / "lessons" / "example-crisis.md").read_text(encoding="utf-8")
    lesson.write_text(text.replace("id: example-crisis", "id: new-crisis"), encoding="utf-8")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "copy a lesson")
    result = check_new_studies(repo, "main")
    assert result.files == 1 and result.new_citations >= 1
    assert all(problem.path == "lessons/new-crisis.md" for problem in result.problems)


def test_github_annotations_and_an_unknown_base(repo: Path) -> None:
    _add_study(repo, STUDY + "      verified: true\n")
    annotated = _check(repo, "--format", "github")
    assert annotated.exit_code == 1 and annotated.stdout.startswith(f"::error file={TOOL},line=")
    unknown = run_cli("--root", str(repo), "check-studies", "--base", "no-such-branch")
    assert unknown.exit_code == 2 and "names no commit" in unknown.stderr


def test_only_changes_since_the_merge_base_count(repo: Path) -> None:
    # main moves on with an incomplete study of its own; the branch does not add it, so it is not checked
    _git(repo, "checkout", "-q", "main")
    _add_study(repo, STUDY + "      verified: true\n", "main adds a study")
    _git(repo, "checkout", "-q", "change")
    result = _check(repo)
    assert result.exit_code == 0 and "0 changed entry file(s)" in result.stderr
