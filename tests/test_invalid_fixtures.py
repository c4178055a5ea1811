"""One file per failure mode under tests/fixtures/invalid/: each must fail with the message it names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import INVALID, REPO, run_cli

FIXTURE_FILES = sorted(INVALID.rglob("*.md"))


def expectation(path: Path, key: str) -> str:
    match = re.search(rf"^# expect-{key}: (.+)$", path.read_text(encoding="utf-8"), re.MULTILINE)
    assert match, f"{path} must name its expected {key} in a '# expect-{key}:' comment"
    return match.group(1).strip()


def test_there_is_a_fixture_for_each_failure_mode() -> None:
    assert len(FIXTURE_FILES) >= 25


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.relative_to(INVALID).as_posix())
def test_validate_fails_naming_the_file_the_line_and_the_field(in_repo: Path, path: Path) -> None:
    shown = path.relative_to(REPO).as_posix()
    result = run_cli("validate", shown)
    assert result.exit_code == 1, result.output
    field, message = expectation(path, "field"), expectation(path, "message")
    lines = [line for line in result.stdout.splitlines() if line.startswith(f"{shown}:")]
    assert any(f": {field}: " in line and message in line for line in lines), result.stdout
    assert all(re.match(rf"{re.escape(shown)}:\d+: ", line) for line in lines), "every problem names its line"
    blamed = {line.split(":")[0] for line in result.stdout.splitlines()}
    assert blamed <= {shown, "toolkit/diplomatic/mediation.md", "toolkit/financial/targeted-sanctions.md"}


def test_a_duplicate_given_by_absolute_path_never_blames_the_entry_it_copies(in_repo: Path) -> None:
    result = run_cli("validate", str(INVALID / "duplicate-id" / "mediation.md"))
    assert result.exit_code == 1
    assert not any(line.startswith("toolkit/") for line in result.stdout.splitlines()), result.stdout


def test_all_problems_are_reported_not_only_the_first(in_repo: Path) -> None:
    files = [p.relative_to(REPO).as_posix() for p in FIXTURE_FILES]
    result = run_cli("validate", *files)
    assert result.exit_code == 1
    assert {line.split(":")[0] for line in result.stdout.splitlines()} >= set(files)


def test_github_format_annotates_the_line(in_repo: Path) -> None:
    result = run_cli("validate", "--format", "github", "tests/fixtures/invalid/unknown-stage.md")
    assert result.exit_code == 1
    assert (
        "::error file=tests/fixtures/invalid/unknown-stage.md,line=8,title=apkb%3A stages[1]::"
        "found 'crisis'; expected one of: prevention, mitigation, response"
    ) in result.stdout
