"""``apkb fmt``: write the front matter of entries in the canonical form (see :mod:`apkb.maintain.fmt`)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from apkb.content.problems import display_path
from apkb.maintain.fmt import WIDTH, format_files


@click.command(name="fmt")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--check", is_flag=True, help="Write nothing; list the files that would change and exit 1 if any.")
@click.option(
    "--diff", "show_diff", is_flag=True, help="Write nothing; print the changes as a unified diff (exit 1 as --check)."
)
@click.pass_context
def fmt_command(context: click.Context, paths: tuple[Path, ...], check: bool, show_diff: bool) -> None:
    """Rewrite each entry's front matter in one canonical form; the body is never touched.

    Keys follow the model's order (with verified, drafted, checks and expert_review last), lists of short terms go
    in flow style ([a, b]), strings are quoted only where YAML needs it, and long strings are folded (>-) at
    {width} columns, keeping the author's line breaks where they fit. A file is only replaced once its new
    front matter has been read back to the same values. Files whose front matter has comments are left alone.

    With no PATHS, formats every entry under toolkit/ and lessons/. A folder stands for its .md files.
    """
    root: Path = context.obj
    write = not (check or show_diff)
    changed: list[str] = []
    unchanged = failed = 0
    for outcome in format_files(paths, root, write=write):
        shown = display_path(outcome.path)
        if outcome.problems:
            failed += 1
            for problem in outcome.problems:
                click.echo(f"error: {problem}", err=True)
        elif outcome.changed:
            changed.append(shown)
            if show_diff:
                click.echo(outcome.diff(), nl=False)
            else:
                click.echo(f"{'would reformat' if not write else 'reformatted'} {shown}")
        else:
            unchanged += 1
    total = len(changed) + unchanged + failed
    if total == 0:
        click.echo("No entry files found.", err=True)
        return
    verb = "reformatted" if write else "would be reformatted"
    summary = f"{len(changed)} file(s) {verb}, {unchanged} already formatted"
    if failed:
        summary += f", {failed} left alone because of the errors above"
    if changed and not write:
        summary += "; run 'apkb fmt' to format them"
    click.echo(summary + ".", err=True)
    if failed or (changed and not write):
        sys.exit(1)


fmt_command.help = (fmt_command.help or "").replace("{width}", str(WIDTH))
