"""``apkb check-studies``: in a pull request, every study or source added must be complete and checkable."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from apkb.cli.shared import annotation_format_option
from apkb.content.problems import github_annotation
from apkb.maintain.check_studies import GitError, check_new_studies


@click.command(name="check-studies")
@click.option("--base", required=True, metavar="REF", help="The branch or commit the change is compared with.")
@click.option("--head", default="HEAD", show_default=True, metavar="REF", help="The commit to check.")
@annotation_format_option
@click.pass_context
def check_studies_command(context: click.Context, base: str, head: str, output_format: str) -> None:
    """Check every study or source added to an entry since REF (from the merge base of REF and --head).

    Each new citation must give authors, year, title and venue, and a doi or url unless it says
    'verified: false'. Prints file:line: field: message for each failure and exits 1 if there is any.
    A citation edited in the change counts as new.
    """
    root: Path = context.obj
    try:
        result = check_new_studies(root, base, head)
    except GitError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    for problem in result.problems:
        click.echo(github_annotation(problem) if output_format == "github" else str(problem))
    counts = f"{result.new_citations} new citation(s) in {result.files} changed entry file(s) since {base}"
    if result.problems:
        click.echo(f"{len(result.problems)} problem(s); {counts}.", err=True)
        sys.exit(1)
    click.echo(f"OK: {counts}; each gives authors, year, title, venue and a doi, a url or verified: false.", err=True)
