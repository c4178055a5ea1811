"""Read a Markdown file's YAML front matter with python-frontmatter, keeping the line of every field.

YAML is parsed once, with libyaml's ``CSafeLoader``: the node tree gives each field's line, and the same
nodes are constructed into Python values. Anything that would make the file ambiguous or dangerous to
load (a byte-order mark, anchors and aliases, duplicate keys) is refused with a message naming the line.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import frontmatter
import yaml

from apkb.content.problems import ContentError, Problem, display_path

MAX_ENTRY_BYTES = 1024 * 1024
"""Entries are a few kilobytes; anything over a mebibyte is a mistake or an attack."""
MAX_DEPTH = 50
"""Entries nest a few levels deep; deeper YAML is a mistake, and reading it would exhaust Python's stack."""

_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Control characters (which can drive a terminal: colours, links, a cleared screen) and the bidirectional
overrides that make text display in another order than it reads, hiding what a reviewer approves. Tabs
and line breaks are the only controls an entry needs."""

FieldPath = tuple[str | int, ...]
_OPENING = re.compile(r"\A---[ \t]*\r?\n")


def nearest_line(lines: dict[FieldPath, int], path: FieldPath) -> int | None:
    """The line of the field at ``path``, or of its nearest enclosing field that has one."""
    for end in range(len(path), -1, -1):
        line = lines.get(tuple(path[:end]))
        if line is not None:
            return line
    return None


@dataclass
class FrontMatterDocument:
    """A parsed entry file: its front matter, its body, and where each lies in the file."""

    path: Path
    metadata: dict[str, Any]
    body: str
    body_line: int
    lines: dict[FieldPath, int] = field(default_factory=dict)

    def line_of(self, path: FieldPath) -> int:
        """The line of the field at ``path``, or of its nearest enclosing field that exists."""
        return nearest_line(self.lines, path) or 1


def _tag_name(node: yaml.Node) -> str:
    """What YAML reads a node as: 'str', 'int', 'bool', 'null', 'timestamp', 'seq', 'map' ... or its own tag."""
    return node.tag.removeprefix("tag:yaml.org,2002:")


class _Loader(yaml.CSafeLoader):
    """libyaml's safe loader, whose value constructors' errors (``!!int x``, a date such as 2020-13-45) are
    marked with the node they came from, like every other YAML error."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ArithmeticError, AttributeError, LookupError, TypeError, ValueError) as error:
            # e.g. int('x'), date(2020, 13, 45), a timestamp that does not match ("no attribute 'groupdict'")
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a valid {_tag_name(node)} ({error})", node.start_mark
            ) from None


class _TrackingYAMLHandler(frontmatter.YAMLHandler):
    """A python-frontmatter handler that parses with CSafeLoader and records each field's line."""

    def __init__(self, source: str, problem: _ProblemFactory, what: str = "front matter") -> None:
        super().__init__()
        self.source = source
        self.problem = problem
        self.what = what
        self.first_line = 1
        self.lines: dict[FieldPath, int] = {}
        self.loaded = False

    def load(self, fm: str, **kwargs: object) -> Any:
        self.first_line = self.source.count("\n", 0, self.source.find(fm)) + 1
        loader = _Loader(fm)
        try:
            try:
                node = loader.get_single_node()
            except yaml.reader.ReaderError as error:
                raise ContentError([self._character_problem(fm, error)]) from None
            except yaml.MarkedYAMLError as error:
                raise ContentError([self._syntax_problem(error)]) from None
            self.loaded = True
            if node is None:
                return {}
            if not isinstance(node, yaml.MappingNode):
                raise ContentError(
                    [self.problem(f"{self.what} must be a mapping of field: value", self._line(node))]
                )
            self._walk(node, (), set())
            try:
                return loader.construct_document(node)
            except yaml.MarkedYAMLError as error:
                raise ContentError([self._syntax_problem(error)]) from None
        finally:
            loader.dispose()

    def _character_problem(self, fm: str, error: yaml.reader.ReaderError) -> Problem:
        """A character YAML does not allow, such as a control character, with the line it is on."""
        character = error.character if isinstance(error.character, str) else chr(error.character)
        line = self.first_line + fm.count("\n", 0, max(fm.find(character), 0))
        return self.problem(f"the character {character!r} is not allowed in YAML ({error.reason})", line)

    def _syntax_problem(self, error: yaml.MarkedYAMLError) -> Problem:
        mark = error.problem_mark or error.context_mark
        line = self.first_line + mark.line if mark else None
        kind = "YAML error" if isinstance(error, yaml.constructor.ConstructorError) else "YAML syntax error"
        message = f"{kind}: {error.problem or error.context or 'cannot be parsed'}"
        source_lines = self.source.split("\n")
        if line is not None and 0 < line <= len(source_lines) and "\t" in source_lines[line - 1]:
            message += " (this line has a tab: tabs cannot indent YAML; use spaces)"
        if error.context and error.context_mark and error.problem_mark:
            started = self.first_line + error.context_mark.line
            if started != line:
                message += f" ({error.context} that starts on line {started})"
        return self.problem(message, line)

    def _line(self, node: yaml.Node) -> int:
        return self.first_line + node.start_mark.line

    def _walk(self, node: yaml.Node, path: FieldPath, seen: set[int]) -> None:
        """Record lines, and refuse aliases (a repeated node), keys that are not text, duplicate keys and
        deep nesting before constructing."""
        if id(node) in seen:
            raise ContentError(
                [
                    self.problem(
                        f"YAML anchors and aliases (&name, *name) are not allowed in {self.what}",
                        nearest_line(self.lines, path) or self.first_line,
                        field_name(path),
                    )
                ]
            )
        seen.add(id(node))
        self.lines.setdefault(path, self._line(node))
        if len(path) > MAX_DEPTH:
            raise ContentError(
                [self.problem(f"{self.what} is nested more than {MAX_DEPTH} levels deep", self._line(node),
                              field_name(path[:1]))]
            )
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for key_node, value_node in node.value:
                key = str(key_node.value)
                child = (*path, key)
                if _tag_name(key_node) != "str":
                    found = (
                        f"the key {key!r}, which YAML reads as {_tag_name(key_node)}"
                        if isinstance(key_node, yaml.ScalarNode)
                        else f"a {'list' if isinstance(key_node, yaml.SequenceNode) else 'mapping'} as a key"
                    )
                    raise ContentError(
                        [
                            self.problem(
                                f"found {found}; a field name must be text (put it in quotes)",
                                self._line(key_node),
                                field_name(path),
                            )
                        ]
                    )
                if key in keys:
                    raise ContentError(
                        [
                            self.problem(
                                f"the key {key!r} appears twice; a YAML mapping keeps only the last",
                                self._line(key_node),
                                field_name(child),
                            )
                        ]
                    )
                keys.add(key)
                self.lines[child] = self._line(key_node)
                self._walk(value_node, child, seen)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._walk(item, (*path, index), seen)
        elif isinstance(node.value, str) and (found := _INVISIBLE.search(node.value)):  # e.g. from "\e" in YAML
            raise ContentError(
                [self.problem(f"the value holds {invisible_name(found.group())}; {_INVISIBLE_HINT}", self._line(node),
                              field_name(path))]
            )


class _ProblemFactory:
    def __init__(self, path: Path) -> None:
        self.shown = display_path(path)

    def __call__(self, message: str, line: int | None = None, field: str | None = None) -> Problem:
        return Problem(self.shown, message, line, field)


def field_name(path: FieldPath) -> str | None:
    """``('evidence', 'studies', 2, 'year')`` as ``evidence.studies[2].year``, as problems show it."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or None


def _decode(data: bytes, problem: _ProblemFactory) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        raise ContentError(
            [problem("the file starts with a UTF-8 byte-order mark (BOM); save it as UTF-8 without BOM", 1)]
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise ContentError(
            [
                problem(
                    f"not valid UTF-8: byte 0x{data[error.start]:02x} at line {line}, column {column} "
                    f"(byte offset {error.start}); save the file as UTF-8",
                    line,
                )
            ]
        ) from None


_INVISIBLE_HINT = "only printable text, tabs and line breaks are allowed"


def invisible_name(character: str) -> str:
    """A control character as a reader can recognise it: ``U+001B (ESCAPE)``."""
    code = ord(character)
    name = unicodedata.name(character, "") or {0x1B: "ESCAPE", 0x7F: "DELETE"}.get(code, "a control character")
    return f"the invisible character U+{code:04X} ({name})"


def _refuse_invisible(text: str, problem: _ProblemFactory) -> None:
    found = _INVISIBLE.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        column = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
        where = f"at line {line}, column {column}"
        raise ContentError([problem(f"{invisible_name(found.group())} {where}; {_INVISIBLE_HINT}", line)])


def _read_source(path: Path, problem: _ProblemFactory) -> str:
    """The file's text with Unix line ends, refusing files that are too big, unreadable or not UTF-8."""
    try:
        size = path.stat().st_size
        if size > MAX_ENTRY_BYTES:
            raise ContentError(
                [problem(f"the file is {size:,} bytes; entries may be at most {MAX_ENTRY_BYTES:,} bytes")]
            )
        data = path.read_bytes()
    except OSError as error:
        raise ContentError([problem(f"cannot be read: {error.strerror or error}")]) from None
    # Every line end, as Python's universal newlines read them: "\r\r\n" must not become a "\r\n" that
    # python-frontmatter then shortens again, shifting the lines of the front matter.
    text = _decode(data, problem).replace("\r\n", "\n").replace("\r", "\n")
    _refuse_invisible(text, problem)
    return text


@dataclass
class DataDocument:
    """A parsed YAML or JSON data file (such as a risk profile) and the line of each of its fields."""

    path: Path
    data: dict[str, Any]
    lines: dict[FieldPath, int] = field(default_factory=dict)

    def line_of(self, path: FieldPath) -> int:
        return nearest_line(self.lines, path) or 1


def read_data_file(path: Path) -> DataDocument:
    """Read a YAML (or JSON, which is YAML) mapping with the same safety checks and line tracking as entries."""
    problem = _ProblemFactory(path)
    source = _read_source(path, problem)
    if not source.strip():
        raise ContentError([problem("the file is empty; expected a mapping of field: value", 1)])
    handler = _TrackingYAMLHandler(source, problem, what="the file")
    data = handler.load(source)
    return DataDocument(path=path, data=data, lines=handler.lines)


def read_front_matter(path: Path) -> FrontMatterDocument:
    """Read ``path`` into front matter and body, or raise :class:`ContentError` saying what is wrong."""
    problem = _ProblemFactory(path)
    source = _read_source(path, problem)
    if not source.strip():
        raise ContentError([problem("the file is empty; an entry starts with front matter between '---' lines", 1)])
    if not _OPENING.match(source):
        raise ContentError(
            [problem("no front matter: the first line of an entry must be '---', followed by YAML fields", 1)]
        )
    handler = _TrackingYAMLHandler(source, problem)
    # parse, not loads: loads passes the fields as keyword arguments, and 'content' or 'handler' would clash.
    metadata, body = frontmatter.parse(source, handler=handler)
    if not handler.loaded:
        raise ContentError(
            [problem("the front matter opened with '---' on line 1 is never closed by another '---' line", 1)]
        )
    body_start = source.find(body, source.find("\n---", 3) + 4) if body else len(source)
    return FrontMatterDocument(
        path=path,
        metadata=metadata,
        body=body,
        body_line=source.count("\n", 0, max(body_start, 0)) + 1,
        lines=handler.lines,
    )
