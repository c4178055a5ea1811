"""Load entry files into models, turning every validation error into a :class:`Problem` with its line."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from apkb.front_matter import FrontMatterDocument, field_name, read_front_matter
from apkb.model import KINDS, SLUG_PATTERN, Lesson, Tool
from apkb.problems import ContentError, Problem, display_path

Entry = Tool | Lesson

TOOLKIT_DIR = "toolkit"
LESSONS_DIR = "lessons"
SKIPPED_FILES = {"README.md"}

_PATTERN_MEANINGS = {
    SLUG_PATTERN: "a lowercase slug of letters, digits and single hyphens, such as 'targeted-sanctions'",
    r"^10\.\d{4,9}/\S+$": "a bare DOI such as '10.1017/S0020818300012345', without 'https://doi.org/'",
    r"^https?://[^\s/$.?#][^\s]*$": "an http:// or https:// address",
    r"^[A-Z]{3}$": "an ISO 3166-1 alpha-3 code in capitals, such as 'KEN'",
    r"^[^<>]+$": "plain text without '<' or '>'",
}


@dataclass
class LoadResult:
    """The entries that loaded, and the problems found in the files that did not."""

    entries: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    failed_ids: set[str] = field(default_factory=set)
    """Ids (file names) of entries that exist but did not load; references to them are not unknown."""


def kind_for(path: Path, root: Path | None, metadata: dict[str, Any]) -> str | None:
    """Whether a file holds a tool or a lesson: by its folder under the root, else by its fields."""
    if root is not None:
        try:
            top = path.resolve().relative_to(root.resolve()).parts[0]
        except (ValueError, IndexError):
            top = None
        if top == TOOLKIT_DIR:
            return "tool"
        if top == LESSONS_DIR:
            return "lesson"
    if "category" in metadata:
        return "tool"
    if "country" in metadata or "tools_used" in metadata:
        return "lesson"
    return None


def load_entry(path: Path, root: Path | None = None) -> tuple[Entry | None, list[Problem]]:
    """Load one file. Returns the entry, or None with the problems that prevented it."""
    try:
        document = read_front_matter(path)
    except ContentError as error:
        return None, error.problems
    shown = display_path(path)
    kind = kind_for(path, root, document.metadata)
    if kind is None:
        return None, [
            Problem(
                shown,
                "cannot tell whether this is a tool or a lesson: put it under toolkit/<category>/ or "
                "lessons/ (a tool has a 'category' field, a lesson a 'country')",
                1,
            )
        ]
    model = KINDS[kind]
    try:
        entry = model.model_validate(document.metadata)
    except ValidationError as error:
        return None, [_problem(shown, document, model, detail) for detail in error.errors()]
    entry.attach_source(path, document.body, document.body_line, document.lines)
    return entry, []


def entry_files(root: Path) -> list[Path]:
    """Every entry file under ``root``'s toolkit and lessons folders, in a stable order."""
    found: list[Path] = []
    for folder in (TOOLKIT_DIR, LESSONS_DIR):
        base = root / folder
        if base.is_dir():
            found.extend(p for p in base.rglob("*.md") if p.name not in SKIPPED_FILES and p.is_file())
    return sorted(found)


def load_paths(paths: list[Path], root: Path | None) -> LoadResult:
    """Load the given files, collecting every problem rather than stopping at the first."""
    result = LoadResult()
    for path in paths:
        entry, problems = load_entry(path, root)
        result.files += 1
        result.problems.extend(problems)
        if entry is not None:
            result.entries.append(entry)
        else:
            result.failed_ids.add(path.stem)
    return result


# --- turning pydantic's errors into problems a maintainer can act on ---------------------------------


def _problem(shown: str, document: FrontMatterDocument, model: type[BaseModel], detail: ErrorDetails) -> Problem:
    location = tuple(detail["loc"])
    return Problem(
        shown,
        _message(model, detail),
        document.line_of(location),
        field_name(location),
    )


def _found(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _message(model: type[BaseModel], detail: ErrorDetails) -> str:
    kind = detail["type"]
    location = tuple(detail["loc"])
    context = detail.get("ctx") or {}
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        allowed = _fields_at(model, location[:-1])
        expected = f"; expected one of: {', '.join(allowed)}" if allowed else ""
        return f"unknown field{expected}"
    found = f"found {_found(detail['input'])}"
    if kind == "literal_error":
        expected = str(context["expected"]).replace(" or ", ", ").replace("'", "")
        return f"{found}; expected one of: {expected}"
    if kind == "string_pattern_mismatch":
        meaning = _PATTERN_MEANINGS.get(str(context.get("pattern")), f"text matching {context.get('pattern')}")
        return f"{found}; expected {meaning}"
    if kind in {"value_error", "assertion_error"}:
        return str(detail["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return f"{found}; expected: {str(detail['msg']).removeprefix('Input should be ').lower()}"


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model class inside an annotation such as ``list[Study]`` or ``Period | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in typing.get_args(annotation):
        if isinstance(argument, (type, types.GenericAlias)) or typing.get_args(argument):
            found = _model_of(argument)
            if found is not None:
                return found
    return None


def _fields_at(model: type[BaseModel], location: tuple[str | int, ...]) -> list[str]:
    """The field names allowed at ``location`` inside ``model``."""
    current: type[BaseModel] | None = model
    for part in location:
        if isinstance(part, int) or current is None:
            continue
        info = current.model_fields.get(part)
        current = _model_of(info.annotation) if info else None
    return list(current.model_fields) if current else []
