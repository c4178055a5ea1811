"""Load entry files into models, turning every validation error into a :class:`Problem` with its line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from apkb.content.front_matter import read_front_matter
from apkb.content.layout import LESSONS_DIR, SKIPPED_FILES, TOOLKIT_DIR, entry_files
from apkb.content.model import KINDS, Lesson, Tool
from apkb.content.problems import ContentError, Problem, display_path
from apkb.content.pydantic_problems import validation_problems

__all__ = ["LESSONS_DIR", "SKIPPED_FILES", "TOOLKIT_DIR", "entry_files"]

Entry = Tool | Lesson



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
        top = None
        # As given first (an entry may be a link to a file elsewhere), then with links resolved.
        for candidate, base in ((path.absolute(), root.absolute()), (path.resolve(), root.resolve())):
            try:
                top = candidate.relative_to(base).parts[0]
                break
            except (ValueError, IndexError):
                continue
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
        return None, validation_problems(shown, error, model, document.line_of)
    entry.attach_source(path, document.body, document.body_line, document.lines)
    return entry, []


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
