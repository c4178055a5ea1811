"""The study check: every study or source that a change adds must be complete and checkable.

In the spirit of OWASP's cheat-sheet check, it looks only at what a pull request adds. For each entry file
changed between the base and the head (``git diff`` from their merge base, following renames), it parses
the front matter at both ends; a citation (an item of any ``studies`` or ``sources`` list) is new when no
identical citation was in the file at the base, so an edited citation is checked again. A new citation
must give its authors, year, title and venue, and a ``doi`` or ``url`` unless it says ``verified: false``.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from apkb.content.front_matter import (
    FieldPath,
    FrontMatterDocument,
    field_name,
    read_front_matter,
)
from apkb.content.load import LESSONS_DIR, SKIPPED_FILES, TOOLKIT_DIR
from apkb.content.problems import ContentError, Problem

CITATION_LISTS = ("studies", "sources")
REQUIRED = ("authors", "year", "title", "venue")


class GitError(Exception):
    """git failed, or the knowledge base is not in a git repository; the message says which."""


def git(root: Path, *args: str) -> str:
    """Run git in ``root`` and return its output."""
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip() or f"exit status {done.returncode}"
        raise GitError(f"git {' '.join(args)}: {message}")
    return done.stdout.decode("utf-8")


@dataclass(frozen=True)
class ChangedFile:
    """An entry file that the change adds or modifies, and where it was at the base (None if added)."""

    path: str
    old_path: str | None


def merge_base(root: Path, base: str, head: str) -> str:
    """The commit the change starts from: the merge base of ``base`` and ``head``, or ``base`` itself."""
    for ref in (base, head):
        try:
            git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        except GitError:
            raise GitError(
                f"{ref!r} names no commit in this repository (a shallow clone may lack it: fetch the base branch, "
                "or check out with fetch-depth: 0)"
            ) from None
    try:
        return git(root, "merge-base", base, head).strip()
    except GitError:  # unrelated histories: compare with the base as it is
        return git(root, "rev-parse", f"{base}^{{commit}}").strip()


def changed_entry_files(root: Path, start: str, head: str) -> list[ChangedFile]:
    """Entry files added, modified, renamed or copied between ``start`` and ``head``, relative to ``root``."""
    output = git(
        root, "diff", "--name-status", "-z", "-M", "--relative", "--diff-filter=ACMR", start, head, "--",
        TOOLKIT_DIR, LESSONS_DIR,
    )
    fields = output.split("\0")
    changed: list[ChangedFile] = []
    index = 0
    while index < len(fields) and fields[index]:
        status = fields[index]
        if status[0] in "RC":
            old, new = fields[index + 1], fields[index + 2]
            index += 3
        else:
            old = new = fields[index + 1]
            index += 2
        name = PurePosixPath(new)
        if name.suffix == ".md" and name.name not in SKIPPED_FILES:
            changed.append(ChangedFile(new, None if status[0] == "A" else old))
    return changed


def _show(root: Path, commit: str, path: str) -> bytes | None:
    try:
        done = subprocess.run(["git", "show", f"{commit}:./{path}"], cwd=root, capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    return done.stdout if done.returncode == 0 else None


def _parse(data: bytes, path: str) -> FrontMatterDocument:
    """Parse a file's content with the same reader (and safety checks) as ``apkb validate``."""
    with tempfile.TemporaryDirectory(prefix="apkb-check-") as folder:
        temporary = Path(folder) / PurePosixPath(path).name
        temporary.write_bytes(data)
        try:
            return read_front_matter(temporary)
        except ContentError as error:
            raise ContentError([Problem(path, p.message, p.line, p.field) for p in error.problems]) from None


def citations(value: Any, path: FieldPath = ()) -> Iterator[tuple[FieldPath, dict[str, Any]]]:
    """Every item of a ``studies`` or ``sources`` list anywhere in the front matter, with its field path."""
    if isinstance(value, dict):
        for key, child in value.items():
            if key in CITATION_LISTS and isinstance(child, list):
                for number, item in enumerate(child):
                    if isinstance(item, dict):
                        yield (*path, key, number), item
            else:
                yield from citations(child, (*path, key))
    elif isinstance(value, list):
        for number, item in enumerate(value):
            yield from citations(item, (*path, number))


def _identity(citation: dict[str, Any]) -> str:
    return json.dumps(citation, sort_keys=True, default=str, ensure_ascii=False)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def citation_problems(
    shown: str, document: FrontMatterDocument, where: FieldPath, item: dict[str, Any]
) -> list[Problem]:
    """What a new citation lacks."""
    problems = [
        Problem(shown, f"a new {_what(where)} needs its {name}: give {', '.join(REQUIRED)}", document.line_of(
            (*where, name)), field_name((*where, name)))
        for name in REQUIRED
        if _blank(item.get(name))
    ]
    if _blank(item.get("doi")) and _blank(item.get("url")) and item.get("verified") is not False:
        place = (*where, "verified") if "verified" in item else where
        problems.append(
            Problem(shown, f"a new {_what(where)} needs a doi or url so that readers can check it; if nobody has "
                    "checked that it exists as cited, say verified: false", document.line_of(place), field_name(place))
        )
    return problems


def _what(where: FieldPath) -> str:
    return "study" if "studies" in where else "source"


@dataclass
class StudyCheck:
    """The outcome: files and new citations checked, and what is wrong with them."""

    base: str
    start: str
    files: int = 0
    new_citations: int = 0
    problems: list[Problem] = field(default_factory=list)


def check_new_studies(root: Path, base: str, head: str = "HEAD") -> StudyCheck:
    """Check every citation added to an entry between ``base`` (from its merge base with ``head``) and ``head``."""
    start = merge_base(root, base, head)
    result = StudyCheck(base, start)
    for changed in changed_entry_files(root, start, head):
        result.files += 1
        data = _show(root, head, changed.path)
        if data is None:
            result.problems.append(Problem(changed.path, f"cannot be read from {head}"))
            continue
        try:
            document = _parse(data, changed.path)
        except ContentError as error:
            result.problems.extend(error.problems)
            continue
        before: set[str] = set()
        old = _show(root, start, changed.old_path) if changed.old_path else None
        if old is not None:
            try:
                before = {_identity(item) for _, item in citations(_parse(old, changed.path).metadata)}
            except ContentError:
                before = set()
        for where, item in citations(document.metadata):
            if _identity(item) in before:
                continue
            result.new_citations += 1
            result.problems.extend(citation_problems(changed.path, document, where, item))
    result.problems.sort(key=Problem.sort_key)
    return result
