"""Options shared by several ``apkb`` commands."""

from __future__ import annotations

import click

annotation_format_option = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "github"]),
    default="text",
    show_default=True,
    help="'github' writes GitHub Actions annotations that mark the offending lines in a pull request.",
)
"""Problems as file:line: field: message text, or as GitHub annotations."""
