"""``apkb index`` and ``apkb search``: full-text search of the knowledge base from the command line."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.markup import escape

from apkb.content.vocabulary import vocabularies
from apkb.search.index import (
    SearchIndexError,
    build_index,
    default_cache_dir,
    search_cache,
)
from apkb.search.query import MARK_END, MARK_START, QueryError, Results

if TYPE_CHECKING:
    from apkb.content.catalog import Catalog

_V = vocabularies()

_DONE = {
    "updated": "the search index was out of date and has been updated",
    "built": "the search index was out of date and has been built",
    "rebuilt": "the search index could not be read and has been rebuilt",
    "busy": "the search index is out of date and another apkb is updating it; these results may miss recent changes",
}
"""What ``search_cache`` did to the index, as told on stderr (nothing when it was fresh)."""


def _cache(root: Path, cache_dir: Path | None) -> Path:
    return cache_dir if cache_dir is not None else default_cache_dir(root)


def _catalog(root: Path) -> Catalog:
    from apkb.content.validate import validate

    report = validate(root)
    if report.problems:
        click.echo(
            f"warning: {len(report.problems)} problem(s) in the knowledge base; entries with problems are not "
            "indexed. Run 'apkb validate' for details.",
            err=True,
        )
    return report.catalog


_cache_option = click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the index is kept. Default: $APKB_CACHE_DIR, else .cache/apkb/ in the knowledge base.",
)


@click.command(name="index")
@_cache_option
@click.pass_context
def index_command(context: click.Context, cache_dir: Path | None) -> None:
    """Build the search index afresh. 'apkb search' also refreshes it by itself when entries change."""
    root: Path = context.obj
    catalog = _catalog(root)
    cache = _cache(root, cache_dir)
    try:
        folder = build_index(catalog, root, cache)
    except OSError as error:
        click.echo(f"error: cannot build the search index in {cache}: {error}", err=True)
        sys.exit(1)
    click.echo(f"Indexed {len(catalog.tools)} tool(s) and {len(catalog.lessons)} lesson(s) in {folder}.", err=True)


@click.command(name="search")
@click.argument("query")
@click.option("--category", type=click.Choice(_V.categories.ids), help="Only tools of this category.")
@click.option("--stage", type=click.Choice(_V.stages.ids), help="Only entries for this stage.")
@click.option("--risk-factor", type=click.Choice(_V.risk_factors.ids), help="Only entries that address it.")
@click.option("--effect", type=click.Choice(_V.effects.ids), help="Only tools with this effect rating.")
@click.option("--certainty", type=click.Choice(_V.certainty.ids), help="Only tools with this certainty.")
@click.option("--kind", type=click.Choice(["tool", "lesson"]), help="Only tools, or only lessons.")
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True, help="How many results to show.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_cache_option
@click.pass_context
def search_command(
    context: click.Context,
    query: str,
    category: str | None,
    stage: str | None,
    risk_factor: str | None,
    effect: str | None,
    certainty: str | None,
    kind: str | None,
    limit: int,
    output_format: str,
    cache_dir: Path | None,
) -> None:
    """Search every entry for QUERY: words, "a phrase", AND / OR / NOT, or field:word (name, title, summary,
    body, country, aliases). Results are ranked, an entry whose name (its id) matches coming first, with
    snippets and counts by facet."""
    root: Path = context.obj
    filters = {
        "category": category, "stages": stage, "risk_factors": risk_factor,
        "effect": effect, "certainty": certainty, "kind": kind,
    }
    try:
        results, done = search_cache(root, _cache(root, cache_dir), lambda: _catalog(root), query, filters, limit)
    except QueryError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    except SearchIndexError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    if done in _DONE and output_format == "text":
        click.echo(f"({_DONE[done]})", err=True)
    if output_format == "json":
        click.echo(json.dumps(_as_json(results), indent=2, ensure_ascii=False))
    else:
        _print(results)


def _as_json(results: Results) -> dict[str, object]:
    data = asdict(results)
    for hit in data["hits"]:
        hit["snippet"] = hit["snippet"].replace(MARK_START, "**").replace(MARK_END, "**")
    return data


def _print(results: Results) -> None:
    console = Console(highlight=False, soft_wrap=True)
    if not results.total:
        hint = f" Did you mean: [bold]{escape(results.suggestion)}[/]?" if results.suggestion else ""
        console.print(f"No entries match {escape(repr(results.query))}.{hint}")
        return
    console.print(f"{results.total} entr{'y' if results.total == 1 else 'ies'} match {escape(repr(results.query))}.")
    if results.suggestion:
        console.print(f"Some words are in no entry. Did you mean: [bold]{escape(results.suggestion)}[/]?")
    for number, hit in enumerate(results.hits, start=1):
        label = hit.fields.get("category") or hit.kind
        console.print(f"\n[bold]{number}. {escape(hit.title)}[/]  ({hit.id}, {label})  {hit.url}")
        snippet = escape(hit.snippet).replace(MARK_START, "[bold yellow]").replace(MARK_END, "[/]")
        console.print(f"   {snippet}")
    console.print()
    for name, counts in results.facets.items():
        if counts:
            console.print(f"[dim]{name}:[/] " + ", ".join(f"{value} {count}" for value, count in counts.items()))
