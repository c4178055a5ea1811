"""The open-data exports: api/catalog.json, api/tools.csv, api/studies.csv and the JSON Schemas.

catalog.json holds every entry's front matter exactly as the pydantic models dump it, with the Markdown body,
so that the knowledge base can be rebuilt from it (:func:`catalog_from_json`). The CSV files flatten the
tools and their studies for spreadsheets. The JSON Schemas are generated from the same models that
``apkb validate`` uses, so they cannot drift from what the knowledge base accepts.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

from apkb.content import urls
from apkb.content.catalog import Catalog
from apkb.content.load import LESSONS_DIR, TOOLKIT_DIR, Entry
from apkb.content.model import Lesson, Tool
from apkb.content.schema import SCHEMAS, schema_file_name, schema_text
from apkb.site.page import Page

SCHEMA_VERSION = 1
"""The version of the export format. It changes only when a key is renamed or removed, or changes meaning."""

CATALOG_JSON = "api/catalog.json"
TOOLS_CSV = "api/tools.csv"
STUDIES_CSV = "api/studies.csv"
SCHEMA_DIR = "api/schema"

MULTI_VALUE_SEPARATOR = ";"
"""Joins the values of a multi-valued field in one CSV cell."""

ENVELOPE_KEYS = ("kind", "url", "body", "derived")
"""Keys that catalog.json adds to each entry beside its front matter; no front matter field has these names."""

LICENCE = {
    "content": "CC-BY-4.0",
    "code": "MIT",
    "note": "Entries (front matter and body) are licensed CC BY 4.0: credit the Atrocity Prevention Knowledge Base.",
}

TOOL_COLUMNS = (
    "id", "title", "category", "summary", "stages", "strategies", "risk_factors", "actors", "leverage_needed",
    "time_to_effect", "cost", "effect", "certainty", "direct_studies", "related_studies", "studies",
    "verified_studies", "lessons", "url",
)
STUDY_COLUMNS = (
    "tool_id", "tool_title", "authors", "year", "title", "venue", "doi", "url", "design", "measures", "finding",
    "direction", "verified",
)




def export_files(catalog: Catalog) -> list[Page]:
    """Every file this feature adds to the site."""
    return [
        Page(CATALOG_JSON, _json_text(catalog_json(catalog))),
        Page(TOOLS_CSV, _csv_text(TOOL_COLUMNS, tool_rows(catalog))),
        Page(STUDIES_CSV, _csv_text(STUDY_COLUMNS, study_rows(catalog))),
        *(Page(schema_path(name), schema_text(name)) for name in SCHEMAS),
    ]


def schema_path(name: str) -> str:
    """The site path of a named JSON Schema, such as ``api/schema/tool.schema.json``."""
    return f"{SCHEMA_DIR}/{schema_file_name(name)}"


def generator() -> str:
    """The program that wrote the exports, with its version."""
    try:
        return f"apkb {package_version('apkb')}"
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "apkb"


# catalog.json


def catalog_json(catalog: Catalog) -> dict[str, Any]:
    """The whole knowledge base as one JSON document."""
    return {
        "generator": generator(),
        "version": SCHEMA_VERSION,
        "licence": LICENCE,
        "tools": [_entry_json(tool, _tool_derived(catalog, tool)) for tool in catalog.tools.values()],
        "lessons": [_entry_json(lesson, _lesson_derived(catalog, lesson)) for lesson in catalog.lessons.values()],
    }


def entry_url(entry: Entry) -> str:
    """The site-relative address of an entry's page, such as ``toolkit/mediation.html``."""
    page = urls.tool_page(entry.id) if isinstance(entry, Tool) else urls.lesson_page(entry.id)
    return urls.html_path(page)


def _entry_json(entry: Entry, derived: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": entry.kind,
        "url": entry_url(entry),
        **entry.model_dump(mode="json"),
        "body": entry.body,
        "derived": derived,
    }


def _tool_derived(catalog: Catalog, tool: Tool) -> dict[str, Any]:
    """Values computed from the tool and the rest of the catalog, kept apart from its front matter."""
    studies = tool.evidence.studies
    return {
        "studies": len(studies),
        "direct_studies": tool.evidence.direct_studies,
        "related_studies": tool.evidence.related_studies,
        "verified_studies": sum(1 for study in studies if study.verified),
        "lessons": [{"id": use.lesson.id, "outcome": use.use.outcome} for use in catalog.lessons_using(tool.id)],
        "related": [other.id for other in catalog.related(tool)],
        "combines_with": [other.id for other in catalog.combinations(tool)],
    }


def _lesson_derived(catalog: Catalog, lesson: Lesson) -> dict[str, Any]:
    """The current ids of the tools a lesson names (a tool renamed since keeps its old id as an alias)."""
    tools = (catalog.tool(use.tool) for use in lesson.tools_used)
    return {"tools": [tool.id if tool else use.tool for tool, use in zip(tools, lesson.tools_used, strict=True)]}


def catalog_from_json(data: dict[str, Any]) -> Catalog:
    """Rebuild the catalog from the content of catalog.json, as a consumer of the data would.

    Each entry is validated by the same models as the Markdown files, with its body attached. The entries'
    paths are where their files live in the repository; line numbers are not exported.
    """
    if data.get("version") != SCHEMA_VERSION:
        raise ValueError(f"catalog.json has version {data.get('version')!r}; this reader knows {SCHEMA_VERSION}")
    tools = [_entry_from_json(Tool, item) for item in data["tools"]]
    lessons = [_entry_from_json(Lesson, item) for item in data["lessons"]]
    return Catalog(tools, lessons)


def _entry_from_json(model: type[Tool] | type[Lesson], item: dict[str, Any]) -> Any:
    front_matter = {key: value for key, value in item.items() if key not in ENVELOPE_KEYS}
    # JSON mode: the models are strict, and only in JSON mode does a strict date field accept "2025-03-01".
    entry = model.model_validate_json(json.dumps(front_matter))
    folder = Path(TOOLKIT_DIR, entry.category) if isinstance(entry, Tool) else Path(LESSONS_DIR)
    entry.attach_source(folder / f"{entry.id}.md", item.get("body", ""), 1, {})
    return entry


# CSV


def _joined(values: Iterable[str]) -> str:
    return MULTI_VALUE_SEPARATOR.join(values)


def _flag(value: bool) -> str:
    return "true" if value else "false"


def tool_rows(catalog: Catalog) -> list[list[str | int]]:
    """One row per tool, in the order of TOOL_COLUMNS."""
    rows: list[list[str | int]] = []
    for tool in catalog.tools.values():
        derived = _tool_derived(catalog, tool)
        rows.append([
            tool.id, tool.title, tool.category, tool.summary, _joined(tool.stages), _joined(tool.strategies),
            _joined(tool.risk_factors), _joined(tool.actors), tool.leverage_needed, tool.time_to_effect, tool.cost,
            tool.evidence.effect, tool.evidence.certainty, derived["direct_studies"], derived["related_studies"],
            derived["studies"], derived["verified_studies"], _joined(lesson["id"] for lesson in derived["lessons"]),
            entry_url(tool),
        ])
    return rows


def study_rows(catalog: Catalog) -> list[list[str | int]]:
    """One row per study, tool by tool, in the order of STUDY_COLUMNS."""
    return [
        [
            tool.id, tool.title, study.authors, study.year, study.title, study.venue, study.doi or "",
            study.url or "", study.design, study.measures, study.finding, study.direction, _flag(study.verified),
        ]
        for tool in catalog.tools.values()
        for study in tool.evidence.studies
    ]


def _csv_text(columns: Sequence[str], rows: Iterable[Sequence[str | int]]) -> str:
    """RFC 4180 CSV: a header row, CRLF line ends, fields quoted when they hold a comma, quote or line break."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


def _json_text(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
