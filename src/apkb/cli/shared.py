"""What several ``apkb`` commands share: options, the console, and loading the knowledge base they run on."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click
from rich.console import Console

from apkb.content.problems import display_path

if TYPE_CHECKING:
    from apkb.content.catalog import Catalog
    from apkb.content.validate import Report

annotation_format_option = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "github"]),
    default="text",
    show_default=True,
    help="'github' writes GitHub Actions annotations that mark the offending lines in a pull request.",
)
"""Problems as file:line: field: message text, or as GitHub annotations."""


def plain_console(stderr: bool = False) -> Console:
    """A console for plain text: no highlighting of numbers or paths, lines wrapped by the terminal."""
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def load_report(context: click.Context) -> Report:
    """Load and validate the knowledge base the command runs on (``apkb --root``, or found from here)."""
    from apkb.content.validate import validate

    root: Path = context.obj
    if not root.is_dir():
        raise click.UsageError(f"the knowledge base folder {display_path(root)} does not exist")
    return validate(root)


def load_catalog(context: click.Context) -> Catalog:
    """The catalog, with a warning on stderr if some files did not load."""
    report = load_report(context)
    if report.problems:
        plain_console(stderr=True).print(
            f"[yellow]warning:[/] {len(report.problems)} problem(s) in the knowledge base; "
            "entries with problems are left out. Run 'apkb validate' for details."
        )
    return report.catalog


def unknown_id(entry_id: str, catalog: Catalog, what: str = "tool or lesson") -> NoReturn:
    """Say that no entry has this id, with the closest ids, and exit 1."""
    ids = [e.id for e in catalog.entries()] + list(catalog.aliases)
    close = difflib.get_close_matches(entry_id, ids, n=3, cutoff=0.5)
    hint = f" Did you mean: {', '.join(close)}?" if close else " Run 'apkb list' to see the ids."
    click.echo(f"error: no {what} has the id {entry_id!r}.{hint}", err=True)
    sys.exit(1)


def refuse_foreign_file(path: Path, mark: str, command: str, force: bool) -> None:
    """Exit 1 unless ``path`` is absent, says it was written by this command (holds ``mark``), or ``force`` is given:
    a command that writes a file never replaces one a user wrote."""
    if path.exists() and not force and mark not in path.read_text(encoding="utf-8", errors="replace"):
        click.echo(f"error: {display_path(path)} was not written by {command}; use --force to replace it", err=True)
        sys.exit(1)
