"""``apkb recommend``: rank the tools for a risk profile, as a table, a briefing note or JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from apkb.cli.shared import load_catalog, plain_console, unknown_id
from apkb.content.problems import ContentError, display_path

if TYPE_CHECKING:
    from apkb.recommend.recommendation import Recommendation


@click.command(name="recommend")
@click.argument("profile_path", metavar="PROFILE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="How many tools to show.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "markdown", "json"]),
    default="table",
    show_default=True,
    help="'markdown' writes a briefing note to adapt for a cable; 'json' the full result for other programs.",
)
@click.option("--explain", "explain_id", metavar="ID", help="Say why the tool ID ranks where it does, or why it was blocked or left out.")
@click.pass_context
def recommend_command(
    context: click.Context, profile_path: Path, top: int, output_format: str, explain_id: str | None
) -> None:
    """Rank the tools for the risk PROFILE (a YAML or JSON file), with reasons, evidence and cautions.

    A profile gives the stage, a level from 0 to 3 for each UN Framework risk factor (RF01-RF14), and
    optional constraints and context. See docs/training/scenarios/ for examples.
    """
    from apkb.content.profile import load_profile
    from apkb.recommend.briefing import briefing_markdown, recommendation_data
    from apkb.recommend.recommendation import recommend
    from apkb.recommend.words import explain

    try:
        profile = load_profile(profile_path)
    except ContentError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    catalog = load_catalog(context)
    unknown = [tool_id for tool_id in profile.constraints.exclude if catalog.tool(tool_id) is None]
    if unknown:
        click.echo(f"warning: constraints.exclude names no tool with the id(s): {', '.join(unknown)}", err=True)
    result = recommend(catalog, profile)
    if explain_id is not None:
        if catalog.tool(explain_id) is None:
            unknown_id(explain_id, catalog, "tool")
        click.echo("\n".join(explain(result, explain_id, catalog)))
        return
    name = display_path(profile_path)
    if output_format == "json":
        click.echo(json.dumps(recommendation_data(result, catalog, top, name), indent=2, ensure_ascii=False))
    elif output_format == "markdown":
        click.echo(briefing_markdown(result, catalog, top, name), nl=False)
    else:
        _recommendation_table(result, top, name)


TIER_HEADINGS = {"strong": "strong fit", "considering": "worth considering", "weak": "weak fit"}


def _recommendation_table(result: Recommendation, top: int, name: str) -> None:
    from apkb.recommend.spec import PARTS, scoring_spec

    console = plain_console()
    profile = result.profile
    present = ", ".join(f"{f}={level}" for f, level in profile.risk_factors.items() if level) or "none"
    console.print(f"[bold]{escape(profile.title or name)}[/]")
    console.print(f"Stage: {profile.stage}; risk factors present: {present}", markup=False)
    table = Table(title=f"Top {min(top, len(result.ranked))} of {len(result.ranked)} tools ranked", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("tool", overflow="fold", ratio=3)
    table.add_column("fit", overflow="fold")
    table.add_column("score", justify="right")
    table.add_column("held back by, cautions", overflow="fold", ratio=3)
    for scored in result.top(top):
        notes = list(scored.shortfalls) + ([f"{len(scored.cautions)} caution(s)"] if scored.cautions else [])
        shown = f"{scored.shown_rank}=" if scored.tied else str(scored.shown_rank)
        table.add_row(shown, Text(scored.tool["title"]), TIER_HEADINGS[scored.tier], f"{scored.total:.1f}", Text("; ".join(notes)))
    console.print(table)
    if result.blocked:
        console.print("[bold]Blocked in this setting[/] (not ranked):")
        for blocked in result.blocked:
            around = ", ".join(t["id"] for t in blocked.alternatives)
            console.print(f"  {blocked.id}: {'; '.join(blocked.reasons)}"
                          + (f"; what routes around it: {around}" if around else ""), markup=False)
    if result.excluded:
        console.print("Left out: " + ", ".join(tool["id"] for tool in result.excluded), markup=False)
    weights = scoring_spec()["weights"]
    console.print("Points out of 100: " + ", ".join(f"{part.replace('_', ' ')} {weights[part]}" for part in PARTS) + ".")
    console.print("n= marks tools the engine cannot tell apart. This is a starting point for judgement, not a substitute for it.")
    console.print("For reasons, evidence and cautions: --format markdown. For one tool: --explain ID.")
