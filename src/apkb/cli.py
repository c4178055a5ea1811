"""The ``apkb`` command line: validate, list and show entries, and recommend tools for a risk profile."""

from __future__ import annotations

import difflib
import importlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from apkb.cli_options import annotation_format_option
from apkb.problems import ContentError, display_path, github_annotation
from apkb.vocabulary import vocabularies

if TYPE_CHECKING:
    from apkb.catalog import Catalog
    from apkb.load import Entry
    from apkb.model import Lesson, Tool
    from apkb.recommend import Recommendation
    from apkb.validate import Report

_V = vocabularies()

LAZY_COMMANDS = {
    "profile": "apkb.cli_profile:profile_group",
    "build": "apkb.cli_build:build_command",
    "bundle": "apkb.cli_bundle:bundle_command",
    "index": "apkb.cli_search:index_command",
    "search": "apkb.cli_search:search_command",
    "new": "apkb.cli_new:new_group",
    "fmt": "apkb.cli_fmt:fmt_command",
    "schema": "apkb.cli_schema:schema_command",
    "check-studies": "apkb.cli_check_studies:check_studies_command",
}
"""Commands whose modules are imported only when used, so that `apkb search` starts fast."""


class LazyGroup(click.Group):
    """A click group that imports a sub-command's module only when that command runs (or help lists it)."""

    def list_commands(self, context: click.Context) -> list[str]:
        return sorted([*super().list_commands(context), *LAZY_COMMANDS])

    def get_command(self, context: click.Context, name: str) -> click.Command | None:
        if name in LAZY_COMMANDS:
            module, attribute = LAZY_COMMANDS[name].split(":")
            command: click.Command = getattr(importlib.import_module(module), attribute)
            return command
        return super().get_command(context, name)


def find_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` that holds a knowledge base (toolkit/ or lessons/)."""
    for folder in (start, *start.parents):
        if (folder / "toolkit").is_dir() or (folder / "lessons").is_dir():
            return folder
    return start


def _console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


@click.group(cls=LazyGroup)
@click.version_option(package_name="apkb")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    help="The knowledge base folder (holding toolkit/ and lessons/). Default: found from the current folder.",
)
@click.pass_context
def main(context: click.Context, root: Path | None) -> None:
    """Atrocity Prevention Knowledge Base: check and explore tools and lessons."""
    context.obj = root if root is not None else find_root(Path.cwd())


def _load(context: click.Context) -> Report:
    from apkb.validate import validate
    
    root: Path = context.obj
    if not root.is_dir():
        raise click.UsageError(f"the knowledge base folder {display_path(root)} does not exist")
    return validate(root)


def _catalog(context: click.Context) -> Catalog:
    """The catalog, with a warning on stderr if some files did not load."""
    report = _load(context)
    if report.problems:
        _console(stderr=True).print(
            f"[yellow]warning:[/] {len(report.problems)} problem(s) in the knowledge base; "
            "entries with problems are left out. Run 'apkb validate' for details."
        )
    return report.catalog


@main.command(name="validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@annotation_format_option
@click.pass_context
def validate_command(context: click.Context, paths: tuple[Path, ...], output_format: str) -> None:
    """Check every entry (and any extra PATHS) against the schema, the vocabularies and each other.

    Reports every problem with its file, line and field. Exits 1 if there is any problem, else 0.
    """
    from apkb.validate import validate
    
    report = validate(context.obj, paths)
    for problem in report.problems:
        click.echo(github_annotation(problem) if output_format == "github" else str(problem))
    tools, lessons = len(report.catalog.tools), len(report.catalog.lessons)
    if report.problems:
        files = len({problem.path for problem in report.problems})
        click.echo(f"{len(report.problems)} problem(s) in {files} file(s); {report.files} file(s) checked.", err=True)
        sys.exit(1)
    extras = f", {len(report.modules)} training module(s), {len(report.scenarios)} scenario(s)"
    click.echo(f"OK: {report.files} file(s) checked: {tools} tool(s), {lessons} lesson(s){extras}, no problems.",
               err=True)


def _labels(vocabulary_name: str, ids: list[str]) -> str:
    vocabulary = getattr(_V, vocabulary_name)
    return ", ".join(vocabulary.label_of(i) for i in ids)


@main.command(name="list")
@click.option("--category", type=click.Choice(_V.categories.ids), help="Only tools of this category.")
@click.option("--stage", type=click.Choice(_V.stages.ids), help="Only entries for this stage.")
@click.option("--kind", type=click.Choice(["tool", "lesson"]), help="Only tools, or only lessons.")
@click.pass_context
def list_command(context: click.Context, category: str | None, stage: str | None, kind: str | None) -> None:
    """Print a table of entries, optionally filtered."""
    catalog = _catalog(context)
    console = _console()
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


def _unknown_id(entry_id: str, catalog: Catalog, what: str = "tool or lesson") -> None:
    """Say that no entry has this id, with the closest ids, and exit 1."""
    ids = [e.id for e in catalog.entries()] + list(catalog.aliases)
    close = difflib.get_close_matches(entry_id, ids, n=3, cutoff=0.5)
    hint = f" Did you mean: {', '.join(close)}?" if close else " Run 'apkb list' to see the ids."
    click.echo(f"error: no {what} has the id {entry_id!r}.{hint}", err=True)
    sys.exit(1)


@main.command(name="show")
@click.argument("entry_id")
@click.pass_context
def show_command(context: click.Context, entry_id: str) -> None:
    """Print one tool or lesson, summarised, by its id (or a former id)."""
    catalog = _catalog(context)
    entry = catalog.get(entry_id)
    if entry is None:
        _unknown_id(entry_id, catalog)
        return
    _show(entry, catalog, _console())


def _show(entry: Entry, catalog: Catalog, console: Console) -> None:
    from apkb.model import Tool
    
    console.print(f"[bold]{escape(entry.title)}[/]  ({entry.id})")
    console.print(entry.summary, markup=False)
    console.print()
    if isinstance(entry, Tool):
        _show_tool(entry, catalog, console)
    else:
        _show_lesson(entry, console)
    console.print()
    console.print(f"Last reviewed {entry.last_reviewed} by {', '.join(entry.reviewers)}"
                  + (f"; file {display_path(entry.path)}" if entry.path else ""))


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


@main.command(name="recommend")
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
@click.option("--explain", "explain_id", metavar="ID", help="Say why the tool ID ranks where it does, or was left out.")
@click.pass_context
def recommend_command(
    context: click.Context, profile_path: Path, top: int, output_format: str, explain_id: str | None
) -> None:
    """Rank the tools for the risk PROFILE (a YAML or JSON file), with reasons, evidence and cautions.

    A profile gives the stage, a level from 0 to 3 for each UN Framework risk factor (RF01-RF14), and
    optional constraints and context. See docs/training/scenarios/ for examples.
    """
    from apkb.briefing import briefing_markdown, recommendation_data
    from apkb.profile import load_profile
    from apkb.recommend import explain, recommend
    
    try:
        profile = load_profile(profile_path)
    except ContentError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    catalog = _catalog(context)
    unknown = [tool_id for tool_id in profile.constraints.exclude if catalog.tool(tool_id) is None]
    if unknown:
        click.echo(f"warning: constraints.exclude names no tool with the id(s): {', '.join(unknown)}", err=True)
    result = recommend(catalog, profile)
    if explain_id is not None:
        if catalog.tool(explain_id) is None:
            _unknown_id(explain_id, catalog, "tool")
        click.echo("\n".join(explain(result, explain_id, catalog)))
        return
    name = display_path(profile_path)
    if output_format == "json":
        click.echo(json.dumps(recommendation_data(result, catalog, top, name), indent=2, ensure_ascii=False))
    elif output_format == "markdown":
        click.echo(briefing_markdown(result, catalog, top, name), nl=False)
    else:
        _recommendation_table(result, top, name)


def _recommendation_table(result: Recommendation, top: int, name: str) -> None:
    from apkb.recommend import PARTS, scoring_spec
    
    console = _console()
    profile = result.profile
    present = ", ".join(f"{f}={level}" for f, level in profile.risk_factors.items() if level) or "none"
    console.print(f"[bold]{escape(profile.title or name)}[/]")
    console.print(f"Stage: {profile.stage}; risk factors present: {present}", markup=False)
    table = Table(title=f"Top {min(top, len(result.ranked))} of {len(result.ranked)} tools", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("tool", overflow="fold", ratio=3)
    table.add_column("score", justify="right")
    table.add_column("risk/stage/evidence/feasible", justify="right")
    table.add_column("held back by, cautions", overflow="fold", ratio=3)
    for scored in result.top(top):
        notes = list(scored.shortfalls) + ([f"{len(scored.cautions)} caution(s)"] if scored.cautions else [])
        table.add_row(
            str(scored.rank), Text(scored.tool["title"]), f"{scored.total:.1f}",
            " / ".join(f"{scored.parts[part]:.0f}" for part in PARTS), Text("; ".join(notes)),
        )
    console.print(table)
    if result.excluded:
        console.print("Left out: " + ", ".join(tool["id"] for tool in result.excluded), markup=False)
    console.print(f"Points: risk fit / stage fit / evidence / feasibility, out of {' / '.join(str(w) for w in scoring_spec()['weights'].values())}.")
    console.print("For reasons, evidence and cautions: --format markdown. For one tool: --explain ID.")


if __name__ == "__main__":  # pragma: no cover
    main()
