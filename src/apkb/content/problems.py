"""Problems found in content: each names the file, the line, the field, what was found and what was expected."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


def display_path(path: Path | str) -> str:
    """A path as a user should see it: relative to the working directory when it lies below it."""
    return _display_path(str(path), os.getcwd())


@lru_cache(maxsize=4096)
def _display_path(path: str, cwd: str) -> str:
    # Resolving paths is slow and validation asks for the same few thousand again and again.
    try:
        return Path(path).resolve().relative_to(Path(cwd).resolve()).as_posix()
    except ValueError:
        return os.path.normpath(path).replace(os.sep, "/")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file."""

    path: str
    message: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"

    def sort_key(self) -> tuple[str, int]:
        return (self.path, self.line or 0)


class ContentError(Exception):
    """Raised when content cannot be read at all; carries the problems that say why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


def github_annotation(problem: Problem) -> str:
    """A GitHub Actions workflow command that annotates the offending line in a pull request."""

    def escape_data(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def escape_property(text: str) -> str:
        return escape_data(text).replace(":", "%3A").replace(",", "%2C")

    properties = [f"file={escape_property(problem.path)}"]
    if problem.line is not None:
        properties.append(f"line={problem.line}")
    title = f"apkb: {problem.field}" if problem.field else "apkb"
    properties.append(f"title={escape_property(title)}")
    return f"::error {','.join(properties)}::{escape_data(str(problem.message))}"
