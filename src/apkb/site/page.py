"""A generated file of the site: its docs-relative path and its content."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    """A generated file: a Markdown page, a script, a stylesheet or a data export."""

    path: str
    content: str
