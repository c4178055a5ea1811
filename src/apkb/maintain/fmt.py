"""``apkb fmt``: write every entry's front matter in one canonical form, leaving the body untouched.

The canonical form, chosen to change the existing entries as little as possible:

- keys in the model's field order, nested models too (evidence, studies, risks, sources ...), except that
  the fields recording a check (``verified``, ``drafted``, ``checks``, ``expert_review``) come last, where every entry
  had them; keys the model does not know keep their order before those (``apkb validate`` names them);
- two spaces of indentation; a block list sits two spaces in from its key;
- a list of short scalars (no item over 40 characters, none needing quotes) in flow style, ``[a, b]``, on
  one line; a mapping of up to four numbers or dates (a lesson's ``period``) in flow style,
  ``{start: 2007, end: 2008}``;
- a string plain when YAML allows it, else in double quotes; a string whose ``key: value`` line would pass
  120 columns folded (``>-``) into lines of at most 120 columns. The author's line breaks in a folded
  string are kept when every line fits, so re-wrapping never churns a paragraph that is already tidy.

Everything after the closing ``---`` line is copied byte for byte. PyYAML drops comments, so a file whose
front matter has a comment is refused rather than rewritten. Every rewrite is checked before it is kept:
the new front matter must parse to exactly the same values as the old, and the body must be identical;
the file is then replaced atomically (a temporary file renamed over it).
"""

from __future__ import annotations

import datetime
import difflib
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from apkb.content.front_matter import FieldPath, field_name, read_front_matter
from apkb.content.load import KINDS, SKIPPED_FILES, entry_files, kind_for
from apkb.content.problems import ContentError, Problem, display_path
from apkb.content.pydantic_problems import model_of

WIDTH = 120
"""No line the formatter wraps is longer than this; only a single word (such as a URL) can pass it."""
INDENT = 2
FLOW_ITEM_MAX = 40
"""Lists whose items are all at most this long (terms, ids, names) go in flow style; prose items do not."""
FLOW_MAPPING_MAX = 4
"""A mapping of at most this many numbers, dates or booleans (a lesson's period) goes in flow style."""
TRAILING_FIELDS = ("verified", "drafted", "checks", "expert_review")
"""Fields that record a check: they come after the content they vouch for."""

_BOUNDARY = re.compile(r"^-{3,}[ \t]*\r?$", re.MULTILINE)
"""A front matter delimiter line, as python-frontmatter recognises it."""
_OPENING = re.compile(r"\A---[ \t]*(\r?\n)")
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
_INDICATORS = "!&*{}[],#|>@`\"'%"
_STR_TAG = "tag:yaml.org,2002:str"
_SCALARS = (bool, int, float, datetime.date, type(None))


class FormatError(Exception):
    """A file that cannot be formatted safely; carries the problem that says why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


# --- splitting a file into front matter and body ------------------------------------------------------


@dataclass
class Parts:
    """An entry file cut at its front matter delimiters. ``body`` is the raw bytes after the closing line."""

    newline: str
    front_matter: str
    closing_end: str
    body: bytes
    front_matter_line: int = 2


def split_entry(data: bytes, shown: str) -> Parts:
    """Cut the file's bytes into its front matter text and its body bytes."""
    text = data.decode("utf-8")
    opening = _OPENING.match(text)
    if not opening:
        raise FormatError(Problem(shown, "no front matter: the first line must be '---'", 1))
    closing = _BOUNDARY.search(text, opening.end())
    if closing is None:
        raise FormatError(Problem(shown, "the front matter opened on line 1 is never closed by a '---' line", 1))
    line_end = text.find("\n", closing.end())
    body_start = len(text) if line_end < 0 else line_end + 1
    closing_end = "" if line_end < 0 else ("\r\n" if text[closing.end() - 1 : closing.end()] == "\r" else "\n")
    prefix_bytes = len(text[:body_start].encode("utf-8"))
    return Parts(
        newline=opening.group(1),
        front_matter=text[opening.end() : closing.start()],
        closing_end=closing_end,
        body=data[prefix_bytes:],
    )


def comment_line(front_matter: str) -> int | None:
    """The offset line (0-based) of the first comment in the front matter, or None if it has none."""
    previous = 0

    def line_at(index: int) -> int:
        return front_matter.count("\n", 0, index)

    for token in yaml.scan(front_matter, Loader=yaml.SafeLoader):
        start, end = token.start_mark.index, token.end_mark.index
        gap = front_matter[previous:start]
        if "#" in gap:
            return line_at(previous + gap.index("#"))
        if isinstance(token, yaml.ScalarToken) and token.style in ("|", ">"):
            header_end = front_matter.find("\n", start)
            header = front_matter[start : end if header_end < 0 else min(header_end, end)]
            if "#" in header:
                return line_at(start + header.index("#"))
        previous = max(previous, end)
    return None


# --- the order of keys ---------------------------------------------------------------------------------


def field_order(model: type[BaseModel]) -> list[str]:
    """The canonical order of a model's keys: its field order, with the fields recording a check last."""
    names = list(model.model_fields)
    return [n for n in names if n not in TRAILING_FIELDS] + [n for n in TRAILING_FIELDS if n in names]


def child_model(model: type[BaseModel] | None, key: object) -> type[BaseModel] | None:
    """The model of the value (or of each item of the list) under ``key``."""
    if model is None or not isinstance(key, str):
        return None
    info = model.model_fields.get(key)
    return model_of(info.annotation) if info else None


def ordered_items(mapping: dict[Any, Any], model: type[BaseModel] | None) -> list[tuple[Any, Any]]:
    """The mapping's items in canonical order. Keys the model does not know keep their own order, after the
    known ones but before the fields recording a check."""
    if model is None:
        return list(mapping.items())
    order = field_order(model)
    known = [(key, mapping[key]) for key in order if key in mapping]
    unknown = [(key, value) for key, value in mapping.items() if key not in order]
    checks = sum(1 for key, _ in known if key in TRAILING_FIELDS)
    return known[: len(known) - checks] + unknown + known[len(known) - checks :]


# --- scalars ---------------------------------------------------------------------------------------------


def _loads(text: str) -> Any:
    return yaml.load(text, Loader=yaml.CSafeLoader)


def _resolves_to_string(text: str) -> bool:
    return yaml.resolver.Resolver().resolve(yaml.ScalarNode, text, (True, False)) == _STR_TAG


def plain_ok(text: str, flow: bool = False) -> bool:
    """Whether ``text`` can be written without quotes and read back as the same string."""
    if not text or text != text.strip() or "\n" in text or "\t" in text or _UNPRINTABLE.search(text):
        return False
    if text[0] in _INDICATORS or (text[0] in "-?:" and (len(text) == 1 or text[1] == " ")):
        return False
    if ": " in text or " #" in text or text.endswith(":"):
        return False
    if flow and any(character in text for character in ",[]{}"):
        return False
    if not _resolves_to_string(text):
        return False
    sample = f"k: [{text}]" if flow else f"k: {text}"
    try:
        return _loads(sample) == {"k": [text] if flow else text}
    except yaml.YAMLError:
        return False


def double_quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar, escaping only what must be escaped."""
    escapes = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\x00": "\\0"}
    out = []
    for character in text:
        if character in escapes:
            out.append(escapes[character])
        elif _UNPRINTABLE.match(character):
            code = ord(character)
            out.append(f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}")
        else:
            out.append(character)
    return '"' + "".join(out) + '"'


def string_text(text: str, flow: bool = False) -> str:
    """A string on one line: plain when possible, else double-quoted."""
    return text if plain_ok(text, flow) else double_quoted(text)


def scalar_text(value: Any, flow: bool = False) -> str:
    """Any scalar on one line, as YAML reads it back."""
    if isinstance(value, str):
        return string_text(value, flow)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        text = yaml.dump(value, Dumper=yaml.SafeDumper).removesuffix("\n...\n").strip()
        return text
    raise TypeError(f"cannot write a value of type {type(value).__name__}")


def _break_points(text: str) -> list[str]:
    """``text`` cut at each single space (a double space must stay inside a line to survive folding)."""
    return re.split(r"(?<! ) (?! )", text)


def foldable(text: str) -> bool:
    """Whether ``text`` can be written as a folded (``>-``) block, read back unchanged, over several lines.

    A single word (such as a long URL) gains nothing from folding and stays on its line.
    """
    return (
        text == text.strip()
        and not re.search(r"[\n\r\t]", text)
        and not _UNPRINTABLE.search(text)
        and len(_break_points(text)) > 1
    )


def wrap(text: str, width: int) -> list[str]:
    """Greedy wrapping of ``text`` at single spaces into lines of at most ``width`` (a long word stands alone)."""
    lines: list[str] = []
    current = ""
    for word in _break_points(text):
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    return lines


def _folded_reads_back(text: str, lines: list[str]) -> bool:
    sample = "k: >-\n" + "".join(f"  {line}\n" for line in lines)
    try:
        return _loads(sample) == {"k": text}
    except yaml.YAMLError:
        return False


# --- the writer -----------------------------------------------------------------------------------------


def _flow_list(items: list[Any]) -> bool:
    return all(
        (isinstance(item, str) and len(item) <= FLOW_ITEM_MAX and plain_ok(item, flow=True))
        or (isinstance(item, _SCALARS) and not isinstance(item, str))
        for item in items
    )


def _flow_mapping(mapping: dict[Any, Any]) -> bool:
    """A few numbers or dates, such as a lesson's period; a mapping of nothing but nulls (a template) is not."""
    values = list(mapping.values())
    return (
        len(values) <= FLOW_MAPPING_MAX
        and all(isinstance(key, str) and plain_ok(key, flow=True) for key in mapping)
        and all(isinstance(value, _SCALARS) and not isinstance(value, str) for value in values)
        and any(value is not None for value in values)
    )


class _Writer:
    """Writes a front matter mapping as canonical YAML lines."""

    def __init__(self, folds: dict[FieldPath, list[str]], width: int = WIDTH) -> None:
        self.folds = folds
        self.width = width
        self.lines: list[str] = []

    def mapping(
        self, mapping: dict[Any, Any], indent: int, path: FieldPath, model: type[BaseModel] | None,
        first: str | None = None,
    ) -> None:
        for number, (key, value) in enumerate(ordered_items(mapping, model)):
            lead = first if number == 0 and first is not None else " " * indent
            key_text = scalar_text(key) if not isinstance(key, str) else string_text(key)
            self.value(f"{lead}{key_text}:", value, indent, (*path, key), child_model(model, key))

    def sequence(self, items: list[Any], dash: int, path: FieldPath, model: type[BaseModel] | None) -> None:
        for number, item in enumerate(items):
            lead = " " * dash + "-"
            item_path = (*path, number)
            if isinstance(item, dict) and item and not _flow_mapping(item):
                self.mapping(item, dash + INDENT, item_path, model, first=lead + " ")
            elif isinstance(item, list) and item and not _flow_list(item):
                self.lines.append(lead)
                self.sequence(item, dash + INDENT, item_path, model)
            else:
                self.value(lead, item, dash, item_path, model)

    def value(self, prefix: str, value: Any, indent: int, path: FieldPath, model: type[BaseModel] | None) -> None:
        """Write ``value`` after ``prefix`` (``key:`` or ``-``) whose key or dash starts at column ``indent``."""
        if isinstance(value, dict):
            if not value:
                self.lines.append(f"{prefix} {{}}")
            elif _flow_mapping(value):
                pairs = ", ".join(f"{string_text(k, flow=True)}: {scalar_text(v, flow=True)}" for k, v in value.items())
                self.lines.append(f"{prefix} {{{pairs}}}")
            else:
                self.lines.append(prefix)
                self.mapping(value, indent + INDENT, path, model)
        elif isinstance(value, list):
            if not value:
                self.lines.append(f"{prefix} []")
            elif _flow_list(value):
                self.lines.append(f"{prefix} [{', '.join(scalar_text(item, flow=True) for item in value)}]")
            else:
                self.lines.append(prefix)
                self.sequence(value, indent + INDENT, path, model)
        elif isinstance(value, str):
            self.lines.extend(self.string(prefix, value, indent + INDENT, path))
        else:
            try:
                self.lines.append(f"{prefix} {scalar_text(value)}")
            except TypeError as error:
                raise _Unwritable(path, str(error)) from None

    def string(self, prefix: str, text: str, text_indent: int, path: FieldPath) -> list[str]:
        one_line = f"{prefix} {string_text(text)}"
        if len(one_line) <= self.width or not foldable(text):
            return [one_line]
        available = self.width - text_indent
        kept = self.folds.get(path)
        if kept and " ".join(kept) == text and all(len(line) <= available for line in kept):
            lines = kept
        else:
            lines = wrap(text, available)
        if not _folded_reads_back(text, lines):
            return [one_line]
        return [f"{prefix} >-", *(" " * text_indent + line for line in lines)]


class _Unwritable(Exception):
    def __init__(self, path: FieldPath, message: str) -> None:
        super().__init__(message)
        self.path = path


def existing_folds(front_matter: str) -> dict[FieldPath, list[str]]:
    """The lines of each folded (``>``) string as the author wrapped them, by field path."""
    folds: dict[FieldPath, list[str]] = {}
    try:
        root = yaml.compose(front_matter, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return folds

    def walk(node: yaml.Node | None, path: FieldPath) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                walk(value, (*path, _key_value(key)))
        elif isinstance(node, yaml.SequenceNode):
            for number, item in enumerate(node.value):
                walk(item, (*path, number))
        elif isinstance(node, yaml.ScalarNode) and node.style == ">":
            raw = front_matter[node.start_mark.index : node.end_mark.index]
            lines = [line.strip() for line in raw.split("\n")[1:]]
            while lines and not lines[-1]:
                lines.pop()
            if lines and all(lines):
                folds[path] = lines

    walk(root, ())
    return folds


def _key_value(node: yaml.Node) -> Any:
    """A mapping key as the safe loader constructs it (keys are strings, or at times numbers)."""
    if isinstance(node, yaml.ScalarNode):
        try:
            return yaml.SafeLoader("").construct_object(node)  # type: ignore[no-untyped-call]
        except yaml.YAMLError:
            return node.value
    return None


def render_front_matter(
    metadata: dict[str, Any], model: type[BaseModel] | None, folds: dict[FieldPath, list[str]] | None = None,
    width: int = WIDTH,
) -> list[str]:
    """The canonical YAML lines of a front matter mapping."""
    writer = _Writer(folds or {}, width)
    writer.mapping(metadata, 0, (), model)
    return writer.lines


# --- whole files ----------------------------------------------------------------------------------------


def same(a: Any, b: Any) -> bool:
    """Deep equality that also compares types (so that 1 and true, or "1" and 1, differ); key order aside."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


@dataclass
class Outcome:
    """What formatting one file found: whether it changes, the text before and after, or the problem."""

    path: Path
    changed: bool = False
    before: str = ""
    after: str = ""
    problems: list[Problem] = field(default_factory=list)

    def diff(self) -> str:
        shown = display_path(self.path)
        return "".join(
            difflib.unified_diff(
                self.before.splitlines(keepends=True), self.after.splitlines(keepends=True),
                fromfile=f"a/{shown}", tofile=f"b/{shown}",
            )
        )


def formatted_bytes(path: Path, root: Path | None) -> tuple[bytes, bytes, dict[str, Any]]:
    """The file's bytes, its canonical bytes, and its parsed front matter. Raises FormatError or ContentError."""
    shown = display_path(path)
    document = read_front_matter(path)  # size, encoding, syntax, anchors and duplicate keys are checked here
    data = path.read_bytes()
    parts = split_entry(data, shown)
    line = comment_line(parts.front_matter)
    if line is not None:
        raise FormatError(
            Problem(
                shown,
                "the front matter has a comment; apkb fmt would lose it, so it leaves this file alone. "
                "Move the note into the body (or an issue) and delete the comment, then run apkb fmt again",
                parts.front_matter_line + line,
            )
        )
    kind = kind_for(path, root, document.metadata)
    if kind is None:
        raise FormatError(
            Problem(shown, "cannot tell whether this is a tool or a lesson: put it under toolkit/<category>/ or "
                    "lessons/", 1)
        )
    try:
        lines = render_front_matter(document.metadata, KINDS[kind], existing_folds(parts.front_matter))
    except _Unwritable as error:
        raise FormatError(Problem(shown, str(error), document.line_of(error.path), field_name(error.path))) from None
    newline = parts.newline
    head = "---" + newline + "".join(line + newline for line in lines) + "---" + parts.closing_end
    new = head.encode("utf-8") + parts.body
    _check(new, data, document.metadata, shown)
    return data, new, document.metadata


def _check(new: bytes, old: bytes, metadata: dict[str, Any], shown: str) -> None:
    """Refuse a rewrite that would change a value or a byte of the body."""
    new_parts, old_parts = split_entry(new, shown), split_entry(old, shown)
    reread = _loads(new_parts.front_matter.replace("\r\n", "\n")) or {}
    if new_parts.body != old_parts.body or not same(reread, metadata):
        raise FormatError(
            Problem(shown, "apkb fmt could not rewrite this file without changing its content, so it left it "
                    "alone; please report this as a bug", 1)
        )


def _write_atomically(link: Path, data: bytes, metadata: dict[str, Any]) -> None:
    """Write ``data`` beside ``link`` (or beside the file it links to, which stays a link), check that it
    parses to ``metadata``, flush it to disk, then rename it over the file: a kill or a power cut leaves
    either the old file or the new one."""
    path = link.resolve() if link.is_symlink() else link
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".apkb-fmt", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, path.stat().st_mode & 0o7777)
        reread = read_front_matter(Path(temporary)).metadata
        if not same(reread, metadata):
            raise FormatError(
                Problem(display_path(path), "the rewritten front matter does not read back the same; the file "
                        "was left alone. Please report this as a bug", 1)
            )
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Flush a folder's entries (the rename) to disk, where the platform allows it."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def format_file(path: Path, root: Path | None, write: bool = True) -> Outcome:
    """Format one entry file (or, with ``write=False``, only say whether it would change)."""
    outcome = Outcome(path)
    try:
        old, new, metadata = formatted_bytes(path, root)
        outcome.changed = new != old
        if outcome.changed:
            outcome.before = old.decode("utf-8")
            outcome.after = new.decode("utf-8")
            if write:
                _write_atomically(path, new, metadata)
    except ContentError as error:
        outcome.problems = list(error.problems)
    except FormatError as error:
        outcome.problems = [error.problem]
    except OSError as error:
        outcome.problems = [Problem(display_path(path), f"cannot be written: {error.strerror or error}")]
    return outcome


def files_to_format(paths: Iterable[Path], root: Path) -> list[Path]:
    """The entry files named (folders are searched for .md files), or every entry of the knowledge base."""
    if not paths:
        return entry_files(root)
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.md") if p.is_file() and p.name not in SKIPPED_FILES))
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def format_files(paths: Iterable[Path], root: Path, write: bool = True) -> Iterator[Outcome]:
    """Format each file in turn."""
    for path in files_to_format(list(paths), root):
        yield format_file(path, root, write)
