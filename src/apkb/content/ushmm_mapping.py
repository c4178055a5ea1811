"""USHMM's Tools for Atrocity Prevention reviews twelve tools. ``toolkit/ushmm-tools.yml`` says which entry of this
knowledge base covers each, and why; validation checks that each of the twelve is mapped once, to a tool entry."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from apkb.content.catalog import Catalog
from apkb.content.model import Citation
from apkb.content.problems import Problem, display_path
from apkb.content.pydantic_problems import LoadedData, load_data_model
from apkb.content.terms import Slug, Strict, Text

MAPPING_FILE = "toolkit/ushmm-tools.yml"
"""Where the mapping lives, relative to the knowledge base's root."""

USHMM_TOOLS = (
    "Amnesties",
    "Arms embargoes",
    "Comprehensive economic sanctions",
    "Development assistance",
    "Diplomatic sanctions",
    "Mediation",
    "Naming and shaming",
    "Peace operations",
    "Prosecutions",
    "Security assistance",
    "Support to non-state armed groups",
    "Targeted sanctions",
)
"""The twelve tools USHMM's systematic review covers (version 3, April 2025), as the review names them."""

UshmmTool = Literal[USHMM_TOOLS]  # type: ignore[valid-type]


class MappedTool(Strict):
    """One of USHMM's reviewed tools and the entry here that covers it."""

    ushmm: UshmmTool = Field(description="The tool as USHMM's review names it.")  # type: ignore[valid-type]
    entry: Slug = Field(description="The id of the tool entry that covers it.")
    reason: Text = Field(description="Why that entry is the one: what it covers of the review's tool, and what not.")


class UshmmMapping(Strict):
    """The whole mapping file."""

    review: Citation = Field(description="The review the mapping refers to.")
    tools: list[MappedTool] = Field(min_length=1)


LoadedMapping = LoadedData[UshmmMapping]
"""The mapping as loaded: ``value``, ``document`` (for line numbers) and ``problems``."""


def load_mapping(root: Path) -> LoadedMapping:
    """Read ``root``/toolkit/ushmm-tools.yml; a knowledge base without one has no mapping and no problem."""
    return load_data_model(root / MAPPING_FILE, UshmmMapping)


def mapping_problems(loaded: LoadedMapping, catalog: Catalog) -> list[Problem]:
    """Each mapped entry must be a tool here, and each of the twelve must be mapped exactly once."""
    if loaded.value is None or loaded.document is None:
        return []
    shown = display_path(loaded.document.path)
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for index, tool in enumerate(loaded.value.tools):
        if tool.ushmm in seen:
            line = loaded.document.line_of(("tools", index, "ushmm"))
            problems.append(Problem(shown, f"{tool.ushmm!r} is mapped twice (also item {seen[tool.ushmm]})", line,
                                    f"tools[{index}].ushmm"))
        seen.setdefault(tool.ushmm, index)
        if tool.entry not in catalog.tools:
            line = loaded.document.line_of(("tools", index, "entry"))
            known = "a lesson, not a tool" if tool.entry in catalog.lessons else "no entry has that id"
            problems.append(Problem(shown, f"found {tool.entry!r}: {known}; expected the id of a tool entry", line,
                                    f"tools[{index}].entry"))
    missing = [name for name in USHMM_TOOLS if name not in seen]
    if missing:
        problems.append(Problem(shown, f"USHMM's review covers twelve tools; not mapped: {', '.join(missing)}",
                                loaded.document.line_of(("tools",)), "tools"))
    return problems
