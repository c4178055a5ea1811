"""``apkb evaluate``: backtest the recommender on every lesson's decision point, leaving that lesson out."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.table import Table

from apkb.cli.shared import load_catalog, plain_console, refuse_foreign_file
from apkb.content.problems import display_path

GENERATED_MARK = "Written by `apkb evaluate --write"
"""Every page the command writes says so; it overwrites only such a page, unless told to with --force."""


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


@click.command(name="evaluate")
@click.option(
    "--format", "output_format", type=click.Choice(["table", "markdown", "json"]), default="table", show_default=True,
    help="'markdown' is the docs page; 'json' the figures for other programs.",
)
@click.option("--write", "write_to", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the docs page (Markdown) to this file, such as docs/recommender-evaluation.md.")
@click.option("--force", is_flag=True, help="With --write, replace a file that this command did not write.")
@click.pass_context
def evaluate_command(context: click.Context, output_format: str, write_to: Path | None, force: bool) -> None:
    """Score the recommender on every lesson's decision point, leaving that lesson out of the case base.

    For each lesson: recall@10 of the tools that helped, were mixed or were missed there, and the tools that
    backfired there found in the top 5; the same for a random top 10, for ranking by evidence alone, and for
    the usual practice of the other cases.
    """
    from apkb.recommend.evaluate import evaluate, evaluation_markdown

    catalog = load_catalog(context)
    if not catalog.lessons:
        click.echo("error: the knowledge base has no lessons to evaluate on", err=True)
        sys.exit(1)
    evaluation = evaluate(catalog)
    if write_to is not None:
        refuse_foreign_file(write_to, GENERATED_MARK, "apkb evaluate", force)
        write_to.write_text(evaluation_markdown(evaluation, catalog), encoding="utf-8")
        click.echo(f"Wrote {display_path(write_to)}.", err=True)
        return
    if output_format == "json":
        click.echo(json.dumps(evaluation.as_data(), indent=2, ensure_ascii=False))
        return
    if output_format == "markdown":
        click.echo(evaluation_markdown(evaluation, catalog), nl=False)
        return
    console = plain_console()
    table = Table(title=f"Backtest on {len(evaluation.cases)} lessons, each left out of the case base", title_justify="left")
    for column in ("lesson", "to find", "found", "recall@10", "evidence alone", "usual practice", "backfired in top 5"):
        table.add_column(column, justify="left" if column == "lesson" else "right")
    for case in evaluation.cases:
        table.add_row(case.place, str(len(case.positives)), str(len(case.found)), _percent(case.recall),
                      _percent(case.evidence_recall), _percent(case.usual_recall),
                      f"{len(case.backfired_in_top)} of {len(case.backfired)}")
    console.print(table)
    found = sum(len(case.backfired_in_top) for case in evaluation.cases)
    console.print(
        f"Recall@10: {_percent(evaluation.recall)} (mean over lessons; {_percent(evaluation.recall_pooled)} pooled). "
        f"Random top 10: {_percent(evaluation.random_recall)}. Evidence alone: {_percent(evaluation.evidence_recall)}. "
        f"Usual practice: {_percent(evaluation.usual_recall)}. "
        f"Best fixed list, in hindsight: {_percent(evaluation.hindsight_recall)}.",
        markup=False,
    )
    console.print(
        f"Backfired tools in the top 5: {_percent(evaluation.backfired_share)} ({found} of {evaluation.backfired}). "
        f"Random: {_percent(evaluation.random_backfired_share)}. Evidence alone: {_percent(evaluation.evidence_backfired_share)}. "
        f"Usual practice: {_percent(evaluation.usual_backfired_share)}.",
        markup=False,
    )
