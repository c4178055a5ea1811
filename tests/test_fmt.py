"""apkb fmt: one canonical front matter, the body byte for byte, no value and no comment lost; apkb schema."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

from apkb.content.front_matter import read_front_matter
from apkb.content.load import entry_files
from apkb.content.model import Tool
from apkb.content.problems import display_path
from apkb.content.schema import SCHEMAS
from apkb.maintain.fmt import (
    WIDTH,
    format_file,
    plain_ok,
    render_front_matter,
    same,
    split_entry,
    wrap,
)
from conftest import FIXTURE_SITE, REPO, run_cli


def _copy_knowledge_base(target: Path) -> list[Path]:
    for folder in ("toolkit", "lessons"):
        shutil.copytree(REPO / folder, target / folder)
    return entry_files(target)


def _blocks(front_matter: str) -> list[str]:
    """The front matter cut into its top-level fields, each with the lines nested under it."""
    blocks: list[str] = []
    for line in front_matter.splitlines(keepends=True):
        if blocks and line[:1] in (" ", "-"):
            blocks[-1] += line
        else:
            blocks.append(line)
    return blocks


def _scramble(path: Path) -> None:
    """Reverse the order of the top-level fields, and of the keys of the first study or source, in place."""
    parts = split_entry(path.read_bytes(), str(path))
    blocks = _blocks(parts.front_matter)[::-1]
    text = "".join(blocks)
    # the first item of a block list of mappings: swap its first two keys (e.g. authors and year)
    lines = text.splitlines(keepends=True)
    for number, line in enumerate(lines[:-1]):
        nxt = lines[number + 1]
        if line.lstrip().startswith("- ") and ": " in line and not nxt.lstrip().startswith("- ") and ": " in nxt:
            indent = len(line) - len(line.lstrip())
            if len(nxt) - len(nxt.lstrip()) == indent + 2 and not line.rstrip().endswith(">-") \
                    and not nxt.rstrip().endswith(">-"):
                first, second = line.lstrip()[2:], nxt.lstrip()
                lines[number] = " " * indent + "- " + second
                lines[number + 1] = " " * (indent + 2) + first
                break
    head = "---\n" + "".join(lines) + "---\n"
    path.write_bytes(head.encode("utf-8") + parts.body)


def test_the_repository_is_formatted(in_repo: Path) -> None:
    result = run_cli("fmt", "--check")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "0 file(s) would be reformatted" in result.stderr


def test_fmt_restores_every_scrambled_entry_keeping_bodies_and_values(tmp_path: Path) -> None:
    files = _copy_knowledge_base(tmp_path)
    assert len(files) >= 50
    before = {path: path.read_bytes() for path in files}
    metadata = {path: read_front_matter(path).metadata for path in files}
    scrambled = files[::7]
    for path in scrambled:
        _scramble(path)
        assert path.read_bytes() != before[path]
        assert same(read_front_matter(path).metadata, metadata[path])

    check = run_cli("--root", str(tmp_path), "fmt", "--check")
    assert check.exit_code == 1
    assert check.stdout.splitlines() == [f"would reformat {display_path(path)}" for path in scrambled]
    assert all(path.read_bytes() != before[path] for path in scrambled), "--check must write nothing"

    result = run_cli("--root", str(tmp_path), "fmt")
    assert result.exit_code == 0, result.stderr
    for path in files:
        new = path.read_bytes()
        assert split_entry(new, str(path)).body == split_entry(before[path], str(path)).body, path
        assert same(read_front_matter(path).metadata, metadata[path]), path
        # the repository is in canonical form, so the canonical form of a scrambled copy is the original
        assert new == before[path], path
    again = run_cli("--root", str(tmp_path), "fmt", "--check")
    assert again.exit_code == 0 and not again.stdout


def test_fmt_is_idempotent_from_a_very_different_layout(tmp_path: Path) -> None:
    files = _copy_knowledge_base(tmp_path)
    for path in files[::5]:
        document = read_front_matter(path)
        parts = split_entry(path.read_bytes(), str(path))
        # PyYAML's own layout: sorted keys, block lists, narrow lines, single quotes where it likes them
        dumped = yaml.safe_dump(document.metadata, sort_keys=True, width=60, allow_unicode=True)
        path.write_bytes(f"---\n{dumped}---\n".encode() + parts.body)
        first = format_file(path, tmp_path)
        assert not first.problems and first.changed
        once = path.read_bytes()
        assert same(read_front_matter(path).metadata, document.metadata)
        assert split_entry(once, str(path)).body == parts.body
        second = format_file(path, tmp_path)
        assert not second.problems and not second.changed and path.read_bytes() == once


def test_check_lists_the_files_that_would_change_and_writes_nothing(tmp_path: Path) -> None:
    files = _copy_knowledge_base(tmp_path)
    target = files[0]
    _scramble(target)
    scrambled = target.read_bytes()
    result = run_cli("--root", str(tmp_path), "fmt", "--check", str(target))
    assert result.exit_code == 1
    assert result.stdout.strip().endswith(target.name) and "would reformat" in result.stdout
    assert "1 file(s) would be reformatted" in result.stderr
    assert target.read_bytes() == scrambled
    diff = run_cli("--root", str(tmp_path), "fmt", "--diff", str(target))
    assert diff.exit_code == 1 and diff.stdout.startswith("--- a/") and "+++ b/" in diff.stdout
    assert target.read_bytes() == scrambled


def _entry(tmp_path: Path, front_matter: str, body: bytes = b"## What it is\n\nText.\n") -> Path:
    path = tmp_path / "toolkit" / "financial" / "example.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"---\n" + front_matter.encode() + b"---\n" + body)
    return path


def test_a_front_matter_comment_is_never_lost(tmp_path: Path) -> None:
    fixture = tmp_path / "toolkit" / "financial" / "example-sanctions.md"
    fixture.parent.mkdir(parents=True)
    shutil.copy(FIXTURE_SITE / "toolkit" / "financial" / "example-sanctions.md", fixture)
    before = fixture.read_bytes()
    result = run_cli("--root", str(tmp_path), "fmt")
    assert result.exit_code == 1
    assert "example-sanctions.md:2: the front matter has a comment" in result.stderr
    assert fixture.read_bytes() == before

    trailing = _entry(tmp_path, "title: Example  # a note\nid: example\n")
    outcome = format_file(trailing, tmp_path)
    assert outcome.problems and "comment" in outcome.problems[0].message and outcome.problems[0].line == 2
    header = _entry(tmp_path, "summary: >- # a note\n  Folded text.\nid: example\n")
    assert "comment" in format_file(header, tmp_path).problems[0].message
    assert header.read_bytes().startswith(b"---\nsummary: >- # a note")


def test_a_hash_inside_a_value_is_not_a_comment(tmp_path: Path) -> None:
    path = _entry(
        tmp_path,
        'url: "https://example.org/page#part"\ntitle: "C# and #hashtags"\nid: example\n'
        "summary: >-\n  A note with # inside a folded block.\n",
    )
    outcome = format_file(path, tmp_path)
    assert not outcome.problems and outcome.changed
    assert read_front_matter(path).metadata["url"] == "https://example.org/page#part"
    assert "url: https://example.org/page#part\n" in path.read_text()
    assert 'summary: "A note with # inside a folded block."\n' in path.read_text()  # " #" would start a comment


def test_the_body_is_kept_byte_for_byte(tmp_path: Path) -> None:
    body = b"## What it is\r\n\r\n---\r\nA line that looks like a delimiter, CRLF ends, trailing space \r\n\t\xc3\xa9"
    path = _entry(tmp_path, "title: Example\nid: example\n", body)
    outcome = format_file(path, tmp_path)
    assert outcome.changed and not outcome.problems
    assert path.read_bytes() == b"---\nid: example\ntitle: Example\n---\n" + body


def test_strings_are_quoted_only_where_yaml_needs_it_and_read_back_the_same(tmp_path: Path) -> None:
    values = [
        "plain text", "yes", "no", "null", "~", "2008", "2008-01-01", "1.5", "0x1F", "- a dash", "#tag",
        "key: value", "ends with colon:", "'single'", '"double"', "a \\ backslash", " leading space",
        "trailing space ", "tab\there", "line\nbreak", "@at", "`tick", "%percent", "*star", "&amp", "!bang",
        "[bracket", "{brace", "Côte d'Ivoire – 2011", "a  double  space", "\u2028separator", "?", "-", ":",
    ]
    front_matter = "id: example\n" + "".join(f"k{n}: {json.dumps(v)}\n" for n, v in enumerate(values))
    long_value = " ".join(["word"] * 60) + "  and  double  spaces " + " ".join(["more"] * 40)
    front_matter += f"long: {json.dumps(long_value)}\n"
    front_matter += 'terms: ["a", "yes", "b c", "x,y", "2008"]\nfew:\n  - a\n  - b c\n'
    path = _entry(tmp_path, front_matter)
    expected = read_front_matter(path).metadata
    outcome = format_file(path, tmp_path)
    assert not outcome.problems, outcome.problems
    assert same(read_front_matter(path).metadata, expected)
    text = path.read_text(encoding="utf-8")
    assert "k0: plain text\n" in text and 'k1: "yes"\n' in text and 'k5: "2008"\n' in text
    assert "k28: Côte d'Ivoire – 2011\n" in text
    assert "long: >-\n" in text and all(len(line) <= WIDTH for line in text.splitlines())
    assert 'terms:\n  - a\n  - "yes"\n  - b c\n  - x,y\n  - "2008"\n' in text  # quoted items: a block list
    assert "few: [a, b c]\n" in text
    assert not format_file(path, tmp_path).changed


def test_plain_ok_and_wrap() -> None:
    assert plain_ok("Targeted sanctions") and plain_ok("A Choice for Peace? The Story")
    assert not plain_ok("true") and not plain_ok("Title: subtitle") and not plain_ok("")
    assert plain_ok("a,b") and not plain_ok("a,b", flow=True)
    assert wrap("one two three four", 9) == ["one two", "three", "four"]
    assert wrap("a  b c", 4) == ["a  b", "c"]  # never breaks at a double space


def test_keys_follow_the_model_with_the_checks_last() -> None:
    metadata = {
        "checks": [], "drafted": "2026-01-01", "evidence": {"studies": [{"verified": True, "year": 1,
        "authors": "A"}], "effect": "beneficial"}, "category": "financial", "title": "T", "id": "t", "unknown": 1,
    }
    lines = render_front_matter(metadata, Tool)
    keys = [line.split(":")[0] for line in lines if not line.startswith(" ")]
    assert keys == ["id", "title", "category", "evidence", "unknown", "drafted", "checks"]
    assert lines[lines.index("evidence:") + 1] == "  effect: beneficial"
    study = [line.strip() for line in lines if line.startswith("    ")]
    assert study == ["- authors: A", "year: 1", "verified: true"]


def test_an_entry_that_cannot_be_read_is_reported_and_left_alone(tmp_path: Path) -> None:
    path = _entry(tmp_path, "id: example\nid: twice\n")
    before = path.read_bytes()
    result = run_cli("--root", str(tmp_path), "fmt")
    assert result.exit_code == 1 and "appears twice" in result.stderr
    assert path.read_bytes() == before


# --- apkb schema ----------------------------------------------------------------------------------------


def test_schema_writes_valid_json_schemas(tmp_path: Path) -> None:
    out = tmp_path / "schemas"
    result = run_cli("schema", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{name}.schema.json" for name in SCHEMAS)
    for name in SCHEMAS:
        schema = json.loads((out / f"{name}.schema.json").read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["$id"] == f"{name}.schema.json"
    tool_schema = json.loads((out / "tool.schema.json").read_text(encoding="utf-8"))
    tool = read_front_matter(REPO / "toolkit" / "financial" / "targeted-sanctions.md").metadata
    jsonschema.validate(json.loads(json.dumps(tool, default=str)), tool_schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**json.loads(json.dumps(tool, default=str)), "colour": "red"}, tool_schema)


def test_schema_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    out = tmp_path / "schemas"
    out.mkdir()
    (out / "tool.schema.json").write_text("{}", encoding="utf-8")
    refused = run_cli("schema", "--out", str(out))
    assert refused.exit_code == 1 and "--force" in refused.stderr
    assert (out / "tool.schema.json").read_text(encoding="utf-8") == "{}"
    assert not (out / "lesson.schema.json").exists()
    forced = run_cli("schema", "--out", str(out), "--force")
    assert forced.exit_code == 0 and json.loads((out / "tool.schema.json").read_text(encoding="utf-8"))


def test_schema_prints_one_schema_or_asks_which() -> None:
    printed = run_cli("schema", "lesson")
    assert printed.exit_code == 0 and json.loads(printed.stdout)["title"].endswith("lesson")
    missing = run_cli("schema")
    assert missing.exit_code == 2 and "--out" in missing.stderr
