"""Reading entry files: every failure names the file and the line, and nothing dangerous gets through."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from apkb.content.front_matter import MAX_ENTRY_BYTES, read_front_matter
from apkb.content.problems import ContentError


def write(tmp_path: Path, data: bytes | str, name: str = "entry.md") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def problem_of(path: Path) -> str:
    with pytest.raises(ContentError) as caught:
        read_front_matter(path)
    [problem] = caught.value.problems
    assert problem.path.endswith(path.name)
    return str(problem)


def test_each_field_keeps_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "---\nid: a\nevidence:\n  studies:\n    - year: 2001\n    - year: 2002\n---\nBody\n")
    document = read_front_matter(path)
    assert document.lines[("id",)] == 2
    assert document.lines[("evidence", "studies", 1, "year")] == 6
    assert document.line_of(("evidence", "studies", 1, "missing")) == 6
    assert document.body == "Body" and document.body_line == 8


def test_lines_stay_right_after_blank_lines_in_front_matter(tmp_path: Path) -> None:
    path = write(tmp_path, "---\n\n\nid: a\n---\n\n\nBody\n")
    document = read_front_matter(path)
    assert document.lines[("id",)] == 4
    assert document.body_line == 8


def test_windows_line_endings_are_read(tmp_path: Path) -> None:
    document = read_front_matter(write(tmp_path, "---\r\nid: a\r\n---\r\nBody\r\n"))
    assert document.metadata == {"id": "a"}


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    message = problem_of(write(tmp_path, "---\nid: a\ntitle: [unclosed\n---\n"))
    assert "entry.md:4: YAML syntax error" in message and "flow sequence that starts on line 3" in message
    message = problem_of(write(tmp_path, "---\nid: a\n\ttitle: b\n---\n"))
    assert ":3: YAML syntax error" in message and "tab" in message


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    message = problem_of(write(tmp_path, "---\nid: a\nid: b\n---\n"))
    assert ":3: id: the key 'id' appears twice" in message


def test_aliases_are_refused_before_they_expand(tmp_path: Path) -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    levels += [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
    path = write(tmp_path, "---\n" + "\n".join(levels) + "\n---\n")
    started = time.monotonic()
    message = problem_of(path)
    assert "anchors and aliases" in message and ":3: b[0]:" in message
    assert time.monotonic() - started < 5, "a YAML bomb must be refused without expanding it"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "the file is empty"),
        (b"# Just a heading\n", ":1: no front matter"),
        (b"---\nid: a\n", "never closed"),
        (b"\xef\xbb\xbf---\nid: a\n---\n", "byte-order mark"),
        (b"---\nid: caf\xe9\n---\n", "byte 0xe9 at line 2, column 8"),
        (b"---\n- a list\n---\n", "must be a mapping"),
    ],
)
def test_unreadable_files_say_why(tmp_path: Path, data: bytes, expected: str) -> None:
    assert expected in problem_of(write(tmp_path, data))


def test_oversized_files_are_refused_without_reading_them(tmp_path: Path) -> None:
    path = tmp_path / "huge.md"
    with path.open("wb") as handle:
        handle.write(b"---\nid: a\n---\n")
        handle.truncate(MAX_ENTRY_BYTES * 10)
    assert "entries may be at most" in problem_of(path)
