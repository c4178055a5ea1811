"""``apkb validate``: check every entry against the schema, the vocabularies and each other."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from apkb.cli.shared import annotation_format_option
from apkb.content.problems import github_annotation


@click.command(name="validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@annotation_format_option
@click.pass_context
def validate_command(context: click.Context, paths: tuple[Path, ...], output_format: str) -> None:
    """Check every entry (and any extra PATHS) against the schema, the vocabularies and each other.

    Reports every problem with its file, line and field. Exits 1 if there is any problem, else 0.
    """
    from apkb.content.validate import validate

    report = validate(context.obj, paths)
    for problem in report.problems:
        click.echo(github_annotation(problem) if output_format == "github" else str(problem))
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if report.warnings:
        click.echo(f"{len(report.warnings)} warning(s): links to unofficial copies (they do not fail validation).",
                   err=True)
    tools, lessons = len(report.catalog.tools), len(report.catalog.lessons)
    if report.problems:
        files = len({problem.path for problem in report.problems})
        click.echo(f"{len(report.problems)} problem(s) in {files} file(s); {report.files} file(s) checked.", err=True)
        sys.exit(1)
    extras = f", {len(report.modules)} training module(s), {len(report.scenarios)} scenario(s)"
    click.echo(f"OK: {report.files} file(s) checked: {tools} tool(s), {lessons} lesson(s){extras}, no problems.",
               err=True)
