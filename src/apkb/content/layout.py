"""Where entries live in a knowledge base. Kept free of heavy imports, so that quick commands can list files
without loading the content model."""

from __future__ import annotations

from pathlib import Path

TOOLKIT_DIR = "toolkit"
LESSONS_DIR = "lessons"
SKIPPED_FILES = {"README.md"}


def entry_files(root: Path) -> list[Path]:
    """Every entry file under ``root``'s toolkit and lessons folders, in a stable order."""
    found: list[Path] = []
    for folder in (TOOLKIT_DIR, LESSONS_DIR):
        base = root / folder
        if base.is_dir():
            found.extend(p for p in base.rglob("*.md") if p.name not in SKIPPED_FILES and p.is_file())
    return sorted(found)
