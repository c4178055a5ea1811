"""The filterable catalogue page of all tools, with its script and data.

The page holds the whole table, rendered here, so that it reads without JavaScript. Each row carries what
``static/catalogue.js`` needs to filter and sort it in ``data-*`` attributes; the scales that give the sort
orders come from the vocabularies, in ``catalogue-data.js``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from apkb.content.catalog import Catalog
from apkb.content.model import Tool
from apkb.content.vocabulary import Vocabulary, vocabularies
from apkb.site.page import Page
from apkb.site.render import render_template

CATALOGUE_PAGE = "catalogue.md"
CATALOGUE_DATA = "assets/apkb/catalogue-data.js"
CATALOGUE_SCRIPT = "assets/apkb/catalogue.js"


@dataclass(frozen=True)
class Control:
    """A filter's select box: its name in the form and the URL fragment, its label, and its options."""

    name: str
    label: str
    options: list[tuple[str, str]]


def controls() -> list[Control]:
    """The filter select boxes, in the order the form shows them; each also has an "Any" option."""
    v = vocabularies()

    def terms(vocabulary: Vocabulary) -> list[tuple[str, str]]:
        return [(term.id, term.label) for term in vocabulary.terms]

    at_least = [(t.id, t.label if i == 0 else f"{t.label} or higher") for i, t in enumerate(v.certainty.terms[:-1])]
    return [
        Control("category", "Category", terms(v.categories)),
        Control("stage", "Stage", terms(v.stages)),
        Control("rf", "Risk factor addressed", [(f.id, f"{f.id}: {f.name}") for f in v.risk_factors.risk_factors]),
        Control("strategy", "Strategy", terms(v.strategies)),
        Control("effect", "Effect", terms(v.effects)),
        Control("certainty", "Certainty is exactly", terms(v.certainty)),
        Control("certainty-min", "Certainty at least", at_least),
    ]


def search_text(tool: Tool) -> str:
    """What the text box searches: the title, the summary and the former ids, in lower case."""
    return " ".join([tool.title, tool.summary, *tool.aliases]).lower()


def row_data(tool: Tool) -> dict[str, str]:
    """The ``data-*`` attributes of a tool's row (names without the ``data-`` prefix)."""
    v = vocabularies()
    return {
        "id": tool.id,
        "category": tool.category,
        "stages": " ".join(tool.stages),
        "rf": " ".join(tool.risk_factors),
        "strategies": " ".join(tool.strategies),
        "effect": tool.evidence.effect,
        "certainty": tool.evidence.certainty,
        "cost-rank": str(v.cost.rank(tool.cost)),
        "time-rank": str(v.time_to_effect.rank(tool.time_to_effect)),
        "text": search_text(tool),
    }


def catalogue_data() -> dict[str, Any]:
    """The scales the script sorts and thresholds by, each in its vocabulary's order."""
    v = vocabularies()
    return {
        "scales": {
            "category": list(v.categories.ids),
            "effect": list(v.effects.ids),
            "certainty": list(v.certainty.ids),
        },
    }


def _data_script(data: dict[str, Any]) -> str:
    return "window.APKB_CATALOGUE = " + json.dumps(data, ensure_ascii=True, separators=(",", ":")) + ";\n"


def catalogue_files(catalog: Catalog) -> list[Page]:
    """Every file this feature adds to the site."""
    tools = sorted(catalog.tools.values(), key=lambda tool: (tool.title.lower(), tool.id))
    rows = [(tool, row_data(tool)) for tool in tools]
    script = files("apkb.site").joinpath("static/catalogue.js").read_text(encoding="utf-8")
    return [
        render_template(
            "catalogue.md.j2", CATALOGUE_PAGE, rows=rows, controls=controls(), data_script=CATALOGUE_DATA, script=CATALOGUE_SCRIPT
        ),
        Page(CATALOGUE_DATA, _data_script(catalogue_data())),
        Page(CATALOGUE_SCRIPT, script),
    ]
