"""``apkb list`` and ``apkb show``: the entries of the knowledge base, as a table or one at a time."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from apkb.cli.shared import load_catalog, plain_console, unknown_id
from apkb.content.problems import display_path
from apkb.content.vocabulary import vocabularies

if TYPE_CHECKING:
    from apkb.content.catalog import Catalog
    from apkb.content.load import Entry
    from apkb.content.model import Lesson, Tool

_V = vocabularies()


def _labels(vocabulary_name: str, ids: list[str]) -> str:
    vocabulary = getattr(_V, vocabulary_name)
    return ", ".join(vocabulary.label_of(i) for i in ids)


@click.command(name="list")
@click.option("--category", type=click.Choice(_V.categories.ids), help="Only tools of this category.")
@click.option("--stage", type=click.Choice(_V.stages.ids), help="Only entries for this stage.")
@click.option("--kind", type=click.Choice(["tool", "lesson"]), help="Only tools, or only lessons.")
@click.pass_context
def list_command(context: click.Context, category: str | None, stage: str | None, kind: str | None) -> None:
    """Print a table of entries, optionally filtered."""
    catalog = load_catalog(context)
    console = plain_console()
    tools = [
        t for t in catalog.tools.values()
        if kind in (None, "tool") and category in (None, t.category) and stage in (None, *t.stages)
    ]
    lessons = [
        lesson for lesson in catalog.lessons.values()
        if kind in (None, "lesson") and category is None and stage in (None, lesson.stage)
    ]
    if tools:
        table = Table(title=f"Tools ({len(tools)})", title_justify="left")
        table.add_column("id", no_wrap=True)
        for column in ("title", "category", "stages", "effect", "certainty"):
            table.add_column(column, overflow="fold")
        for tool in sorted(tools, key=lambda t: (_V.categories.rank(t.category), t.title)):
            table.add_row(
                tool.id, Text(tool.title), tool.category, ", ".join(tool.stages),
                _V.effects.label_of(tool.evidence.effect), _V.certainty.label_of(tool.evidence.certainty),
            )
        console.print(table)
    if lessons:
        table = Table(title=f"Lessons ({len(lessons)})", title_justify="left")
        table.add_column("id", no_wrap=True)
        for column in ("title", "country", "period", "stage"):
            table.add_column(column, overflow="fold")
        for lesson in sorted(lessons, key=lambda x: (x.period.start, x.id)):
            table.add_row(lesson.id, Text(lesson.title), Text(lesson.country), str(lesson.period), lesson.stage)
        console.print(table)
    if not tools and not lessons:
        console.print("No entries match.")


@click.command(name="show")
@click.argument("entry_id")
@click.pass_context
def show_command(context: click.Context, entry_id: str) -> None:
    """Print one tool or lesson, summarised, by its id (or a former id)."""
    catalog = load_catalog(context)
    entry = catalog.get(entry_id)
    if entry is None:
        unknown_id(entry_id, catalog)
    _show(entry, catalog, plain_console())


def _show(entry: Entry, catalog: Catalog, console: Console) -> None:
    from apkb.content.model import Tool

    console.print(f"[bold]{escape(entry.title)}[/]  ({entry.id})")
    console.print(entry.summary, markup=False)
    console.print()
    if isinstance(entry, Tool):
        _show_tool(entry, catalog, console)
    else:
        _show_lesson(entry, console)
    console.print()
    checked = f"; last checked {entry.checks[-1].date} by {entry.checks[-1].by}" if entry.checks else ""
    expert = (f"reviewed by {entry.expert_review.by} on {entry.expert_review.date}" if entry.expert_review
              else "review by a subject expert pending")
    console.print(f"Drafted {entry.drafted}{checked}; {expert}" + (f"; file {display_path(entry.path)}" if entry.path else ""),
                  markup=False)


def _field(console: Console, name: str, value: str) -> None:
    console.print(f"[bold]{name}:[/] ", end="")
    console.print(value, markup=False)


def _show_tool(tool: Tool, catalog: Catalog, console: Console) -> None:
    evidence = tool.evidence
    _field(console, "Category", _V.categories.label_of(tool.category))
    _field(console, "Stages", _labels("stages", tool.stages))
    _field(console, "Strategies", _labels("strategies", tool.strategies))
    factors = "; ".join(f"{rf} {_V.risk_factors.get(rf).name}" for rf in tool.risk_factors)
    _field(console, "Risk factors", factors)
    _field(console, "Actors", _labels("actors", tool.actors))
    _field(console, "Leverage needed / time to effect / cost",
           f"{tool.leverage_needed} / {tool.time_to_effect} / {tool.cost}")
    console.print()
    _field(console, "Effect", _V.effects.label_of(evidence.effect))
    _field(console, "Certainty", _V.certainty.label_of(evidence.certainty))
    _field(console, "Studies cited",
           f"{evidence.direct_studies} measuring atrocities directly, {evidence.related_studies} related outcomes")
    _field(console, "Why", evidence.rationale)
    for study in evidence.studies:
        mark = "" if study.verified else " [unverified]"
        console.print(f"  - {study.reference}{mark}", markup=False)
        console.print(f"    {study.finding}", markup=False)
    console.print("[bold]Backfire risks:[/]")
    for risk in evidence.risks:
        console.print(f"  - {risk.risk} Mitigation: {risk.mitigation}", markup=False)
    uses = catalog.lessons_using(tool.id)
    if uses:
        _field(console, "Lessons", "; ".join(
            f"{u.lesson.id} ({_V.outcomes.label_of(u.use.outcome).lower()})" for u in uses))
    related = catalog.related(tool)
    if related:
        _field(console, "Related tools", ", ".join(t.id for t in related))


def _show_lesson(lesson: Lesson, console: Console) -> None:
    _field(console, "Country", f"{lesson.country} ({lesson.iso3})")
    _field(console, "Period", str(lesson.period))
    _field(console, "Stage", _V.stages.label_of(lesson.stage))
    console.print("[bold]Tools used:[/]")
    for use in lesson.tools_used:
        console.print(f"  - {use.tool}: {_V.outcomes.label_of(use.outcome)}. {use.note}", markup=False)
    _field(console, "Outcome", lesson.outcome)
    console.print("[bold]Lessons:[/]")
    for item in lesson.lessons:
        console.print(f"  - {item}", markup=False)
    console.print("[bold]Sources:[/]")
    for source in lesson.sources:
        console.print(f"  - {source.reference}", markup=False)
