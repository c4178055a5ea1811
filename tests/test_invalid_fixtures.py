"""The negative corpus: one file per failure mode under tests/fixtures/invalid/, each failing with the message
it names, plus the cases too big or too odd to keep as files (a 10 MB entry). Every case must name the file,
exit with 1, and print no traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from apkb.content.front_matter import MAX_ENTRY_BYTES, read_front_matter
from apkb.content.problems import ContentError
from conftest import INVALID, REPO, run_cli

CIRCLE = INVALID / "alias-circle"
"""Two entries that name each other as former ids: only wrong together, so tested together."""
FIXTURE_FILES = sorted(p for p in INVALID.rglob("*.md") if p.parent != CIRCLE)
SPEAKS_FOR_ITSELF = {"empty.md": ("-", "the file is empty")}
"""Expectations of the files that cannot hold a comment."""


def expectation(path: Path, key: str) -> str:
    if path.name in SPEAKS_FOR_ITSELF:
        return SPEAKS_FOR_ITSELF[path.name][key == "message"]
    text = path.read_bytes().decode("utf-8", errors="replace")  # the corpus holds a file that is not UTF-8
    match = re.search(rf"^# expect-{key}: (.+)$", text, re.MULTILINE)
    assert match, f"{path} must name its expected {key} in a '# expect-{key}:' comment"
    return match.group(1).strip()


def test_there_is_a_fixture_for_each_failure_mode() -> None:
    names = {p.stem for p in FIXTURE_FILES}
    required = {
        "malformed-yaml", "tab-indent", "unclosed-front-matter", "empty", "no-front-matter", "byte-order-mark",
        "not-utf8", "wrong-type-year", "unknown-field", "id-not-file-name", "self-alias", "alias-collides",
        "unknown-related-tool", "unknown-cross-link", "billion-laughs", "body-script", "body-onerror",
        "body-onclick", "body-javascript-url", "body-data-url", "body-iframe", "front-matter-script",
        "front-matter-onerror", "front-matter-onclick", "front-matter-javascript-url", "front-matter-data-url",
        "front-matter-iframe", "terminal-escape-in-body", "terminal-escape-in-value", "bidi-override",
        "effect-beyond-certainty",
    }
    assert required <= names, sorted(required - names)
    assert (INVALID / "duplicate-id").is_dir() and len(list(CIRCLE.glob("*.md"))) == 2


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.relative_to(INVALID).as_posix())
def test_validate_fails_naming_the_file_the_line_and_the_field(in_repo: Path, path: Path) -> None:
    shown = path.relative_to(REPO).as_posix()
    result = run_cli("validate", shown)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    field, message = expectation(path, "field"), expectation(path, "message")
    lines = [line for line in result.stdout.splitlines() if line.startswith(f"{shown}:")]
    named = (lambda line: re.match(rf"{re.escape(shown)}:\d+: (?!\w[\w.\[\]]*: )", line)) if field == "-" else (
        lambda line: f": {field}: " in line
    )
    assert any(named(line) and message in line for line in lines), result.stdout
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


def test_a_circle_of_former_ids_is_refused(in_repo: Path) -> None:
    files = [p.relative_to(REPO).as_posix() for p in sorted(CIRCLE.glob("*.md"))]
    result = run_cli("validate", *files)
    assert result.exit_code == 1
    assert f"{files[1]}:7: aliases[0]: 'circle-b' and 'circle-a' ({files[0]}) name each other as former ids" in (
        result.stdout
    )


def test_a_10_mb_entry_is_refused_by_its_size_alone(in_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    huge = tmp_path / "huge.md"
    with huge.open("wb") as handle:
        handle.write(b"---\nid: huge\n---\n")
        handle.write(b"A" * (10 * 1024 * 1024))
    read_bytes = Path.read_bytes

    def read_all_but_huge(self: Path) -> bytes:
        if self.name == "huge.md":
            pytest.fail(f"{self} was read; its size alone should stop it")
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_all_but_huge)
    result = run_cli("validate", str(huge))
    assert result.exit_code == 1
    assert f"huge.md: the file is {huge.stat().st_size:,} bytes; entries may be at most {MAX_ENTRY_BYTES:,} bytes" in result.stdout


def test_an_alias_bomb_is_refused_before_a_single_alias_is_expanded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        yaml.CSafeLoader, "construct_document", lambda *_: pytest.fail("the alias bomb was being expanded")
    )
    with pytest.raises(ContentError) as error:
        read_front_matter(INVALID / "billion-laughs.md")
    assert "anchors and aliases" in str(error.value.problems[0])
