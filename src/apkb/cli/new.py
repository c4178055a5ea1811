"""``apkb new tool`` and ``apkb new lesson``: start an entry with every field present and nothing filled in."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from apkb.content.load import LESSONS_DIR, TOOLKIT_DIR
from apkb.content.problems import display_path
from apkb.content.vocabulary import vocabularies
from apkb.maintain.scaffold import Created, ScaffoldError, new_entry

_id_option = click.option(
    "--id",
    "entry_id",
    metavar="ID",
    help="The permanent id (and file name). Default: made from the title, such as 'visa-bans'.",
)


@click.group(name="new")
def new_group() -> None:
    """Start a new tool or lesson: a file with every field present, for you to fill in."""


def _create(context: click.Context, kind: str, title: str, category: str | None, entry_id: str | None) -> None:
    root: Path = context.obj
    if not (root / TOOLKIT_DIR).is_dir() and not (root / LESSONS_DIR).is_dir():
        click.echo(
            f"error: {display_path(root)} holds no knowledge base (no toolkit/ or lessons/ folder); run apkb new "
            "from the repository, or give --root",
            err=True,
        )
        sys.exit(1)
    try:
        created = new_entry(root, kind, title, category=category, entry_id=entry_id)
    except ScaffoldError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    _report(created)


def _report(created: Created) -> None:
    shown = display_path(created.path)
    if created.similar:
        click.echo(f"warning: {len(created.similar)} existing {created.kind}(s) look similar; make sure yours is "
                   "not a duplicate (to rename an entry, keep its old id in 'aliases' instead):", err=True)
        for similar in created.similar:
            click.echo(f"  - {similar.id}: {similar.title} ({similar.path}; {similar.why})", err=True)
    click.echo(f"Created {shown}")
    steps = [
        (f"apkb fmt {shown}", "writes the front matter in the canonical layout"),
        ("apkb validate", "names each field still empty or wrong, with its line"),
        ("make serve", f"then look at http://127.0.0.1:8000/{created.page}"),
    ]
    width = max(len(command) for command, _ in steps)
    click.echo("Next steps:")
    click.echo("  1. Fill it in: replace every null and fill every list that applies (CONTRIBUTING.md has the\n"
               "     evidence standard), and write each section of the body in place of its <!-- prompt -->.")
    for number, (command, note) in enumerate(steps, start=2):
        click.echo(f"  {number}. {command.ljust(width)}   ({note})")
    click.echo(f"  {len(steps) + 2}. Open a pull request: its template has the review checklist.")


@new_group.command(name="tool")
@click.argument("title")
@click.option("--category", required=True, type=click.Choice(vocabularies().categories.ids), help="Its category.")
@_id_option
@click.pass_context
def new_tool_command(context: click.Context, title: str, category: str, entry_id: str | None) -> None:
    """Start a tool called TITLE in toolkit/<category>/<id>.md."""
    _create(context, "tool", title, category, entry_id)


@new_group.command(name="lesson")
@click.argument("title")
@_id_option
@click.pass_context
def new_lesson_command(context: click.Context, title: str, entry_id: str | None) -> None:
    """Start a lesson (a case study) called TITLE in lessons/<id>.md."""
    _create(context, "lesson", title, None, entry_id)
