"""``apkb profile``: start a risk profile from data, to be reviewed by someone who knows the country."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from apkb.content.problems import display_path
from apkb.recommend.ewp import (
    EWPError,
    EWPResult,
    percent,
    profile_from_ewp,
    profile_yaml,
)


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


@click.group(name="profile")
def profile_group() -> None:
    """Start risk profiles from published data."""


def _summary(result: EWPResult) -> None:
    console = _stderr()
    console.print(
        f"[bold]{escape(result.country)}[/]: USHMM Early Warning Project, {result.window.first} statistical risk "
        f"assessment ({escape(result.source.name)})"
    )
    console.print(
        f"Risk of a new mass killing in {result.window}: [bold]{percent(result.risk)}[/] ({result.risk:g}), "
        f"rank {result.rank} of {result.countries}"
    )
    console.print(f"Stage: [bold]{result.stage.stage}[/], because {escape(result.stage.reason)}")
    table = Table(title="Risk-factor levels derived from the EWP predictors", title_justify="left")
    table.add_column("factor", no_wrap=True)
    table.add_column("name", overflow="fold", ratio=2)
    table.add_column("level", justify="right")
    table.add_column("predictor = value (rule)", overflow="fold", ratio=3)
    for factor in result.factors:
        style = None if factor.level else "dim"
        table.add_row(factor.factor, Text(factor.name), str(factor.level), Text(factor.summary()), style=style)
    console.print(table)
    console.print("These levels are a starting point: review each with someone who knows the country.")


@profile_group.command(name="from-ewp")
@click.argument("csv_path", metavar="CSV", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--country", required=True, help="The country, as the EWP names it; 'Myanmar' finds 'Burma/Myanmar'.")
@click.option(
    "--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="Write the profile here instead of to stdout."
)
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
def from_ewp_command(csv_path: Path, country: str, out: Path | None, force: bool) -> None:
    """Start a risk profile from the Early Warning Project's forecasts CSV (its final_forecasts_data file).

    Prints the country's risk of a new mass killing, its rank and the risk-factor levels derived from the
    EWP's predictors, with the predictors behind each, then writes the profile as YAML: to --out, or to
    stdout. Review the levels before using the profile with 'apkb recommend'.
    """
    if out is not None and out.exists() and not force:
        _fail(f"{display_path(out)} already exists; use --force to overwrite it")
    try:
        result = profile_from_ewp(csv_path, country)
    except EWPError as error:  # including an unknown country, with the closest names
        _fail(str(error))
    _summary(result)
    text = profile_yaml(result)
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as error:
        _fail(f"cannot write {display_path(out)}: {error.strerror or error}")
    click.echo(f"Wrote {display_path(out)}.", err=True)
