"""``apkb evidence``: this knowledge base's evidence beside outside reviews of the same tools."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import yaml
from rich.table import Table

from apkb.cli.shared import load_catalog, plain_console, refuse_foreign_file
from apkb.content.problems import ContentError, display_path

if TYPE_CHECKING:
    from apkb.content.catalog import Catalog
    from apkb.maintain.ushmm_review import Comparison

COUNTS_MARK = "Written by `apkb evidence ushmm"
"""Every counts file the command writes says so; it overwrites only such a file, unless told to with --force."""


@click.group(name="evidence")
def evidence_group() -> None:
    """Compare the entries' evidence with outside reviews of the same tools."""


@evidence_group.command(name="ushmm")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--gaps", is_flag=True, help="Also list, per tool, the review's studies that the entry does not cite.")
@click.option("--write-counts", "write_to", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the derived counts (numbers only) that the site shows, such as toolkit/ushmm-review-counts.yml.")
@click.option("--force", is_flag=True, help="With --write-counts, replace a file that this command did not write.")
@click.pass_context
def ushmm_command(context: click.Context, path: Path, output_format: str, gaps: bool, write_to: Path | None,
                  force: bool) -> None:
    """Set USHMM's systematic review (its all_sources CSV, PATH) beside the entries that cover its twelve tools.

    For each: the review's findings on the tool's overall effect (fewer atrocities or closely related outcomes;
    more; no or mixed effect), how many measure mass atrocities themselves and how many are about adverse
    consequences, beside the entry's rating and studies, and how many of the review's studies it cites. The file
    is read where it is and never copied.
    """
    from apkb.content.ushmm_mapping import MAPPING_FILE, load_mapping
    from apkb.maintain.ushmm_review import compare, counts, read_review

    catalog = load_catalog(context)
    root: Path = context.obj
    loaded = load_mapping(root)
    if loaded.value is None:
        click.echo(f"error: {MAPPING_FILE} is missing or invalid; run apkb validate", err=True)
        sys.exit(1)
    try:
        review = read_review(path)
    except ContentError as error:
        for problem in error.problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(1)
    comparisons = compare(review, loaded.value, catalog)
    if write_to is not None:
        refuse_foreign_file(write_to, COUNTS_MARK, "apkb evidence ushmm", force)
        data = counts(comparisons, review).model_dump(mode="json")
        header = (f"# {COUNTS_MARK} {path.name} --write-counts`: counts only, from {data['attribution']}.\n"
                  "# The site shows them on each mapped tool's page. Do not edit by hand; write it again instead.\n")
        write_to.write_text(header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100),
                            encoding="utf-8")
        click.echo(f"Wrote {display_path(write_to)}.", err=True)
        return
    if output_format == "json":
        click.echo(json.dumps([_as_data(c, catalog) for c in comparisons], indent=2, ensure_ascii=False))
        return
    _print_table(comparisons, catalog, review.path)
    if gaps:
        _print_gaps(comparisons)


def _as_data(comparison: Comparison, catalog: Catalog) -> dict[str, Any]:
    tool = catalog.tools[comparison.entry]
    reviewed = comparison.reviewed
    return {
        "ushmm": reviewed.name,
        "entry": comparison.entry,
        "review": {
            "studies": len(reviewed.effect_studies),
            "findings": dict(reviewed.findings),
            "on_mass_atrocities": reviewed.on_mass_atrocities,
            "adverse_consequences": reviewed.adverse_consequences,
        },
        "here": {
            "effect": tool.evidence.effect,
            "certainty": tool.evidence.certainty,
            "studies": len(tool.evidence.studies),
            "direct_studies": tool.evidence.direct_studies,
            "related_studies": tool.evidence.related_studies,
        },
        "cited": [s.citation for s in comparison.cited],
        "not_cited": [{"citation": s.citation, "year": s.year} for s in comparison.gaps],
    }


def _print_table(comparisons: list[Comparison], catalog: Catalog, path: Path) -> None:
    console = plain_console()
    if not console.is_terminal:
        console.width = max(console.width, 170)  # a table too wide for 80 columns stays readable in a file or a pipe
    table = Table(title=f"USHMM's review ({display_path(path)}) beside this knowledge base", title_justify="left")
    for column in ("USHMM tool", "entry here", "studies", "fewer / more / none or mixed", "on mass atrocities",
                   "adverse", "rating here", "studies here (direct + related)", "cited here", "not cited"):
        left = column in ("USHMM tool", "entry here", "rating here")
        table.add_column(column, justify="left" if left else "right", no_wrap=column != "USHMM tool" and left)
    for c in comparisons:
        tool, findings = catalog.tools[c.entry], c.reviewed.findings
        table.add_row(
            c.reviewed.name, c.entry, str(len(c.reviewed.effect_studies)),
            f"{findings['fewer']} / {findings['more']} / {findings['no_or_mixed']}",
            str(c.reviewed.on_mass_atrocities), str(c.reviewed.adverse_consequences),
            f"{tool.evidence.effect} / {tool.evidence.certainty}",
            f"{len(tool.evidence.studies)} ({tool.evidence.direct_studies} + {tool.evidence.related_studies})",
            str(len(c.cited)), str(len(c.gaps)),
        )
    console.print(table)
    console.print("Counts are of the review's findings on each tool's overall effect (its 'Average' rows); studies "
                  "are distinct. Source: USHMM Tools for Atrocity Prevention, v3, 2025.", markup=False)


def _print_gaps(comparisons: list[Comparison]) -> None:
    console = plain_console()
    for c in comparisons:
        console.print(f"\n{c.reviewed.name} ({c.entry}): {len(c.gaps)} of the review's "
                      f"{len(c.reviewed.effect_studies)} studies not cited", markup=False)
        for study in c.gaps:
            console.print(f"  - {study.citation}", markup=False)
