"""What USHMM's systematic review found for each tool it covers, as counts only: the small derived file that
``apkb evidence ushmm PATH --write-counts`` writes from the review's data, and that the build reads to show "What
USHMM's review found" on each mapped tool's page. Without the file, the pages simply lack that panel; no study
and no prose of the review is copied, only how many findings point which way."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, NonNegativeInt

from apkb.content.problems import Problem, display_path
from apkb.content.pydantic_problems import LoadedData, load_data_model
from apkb.content.terms import Slug, Strict, Text
from apkb.content.ushmm_mapping import UshmmTool

COUNTS_FILE = "toolkit/ushmm-review-counts.yml"
"""Where the derived counts live, relative to the knowledge base's root, beside the mapping."""

ATTRIBUTION = "USHMM Tools for Atrocity Prevention, v3, 2025"
"""How the counts are attributed wherever they are shown."""


class Findings(Strict):
    """How the review's findings on a tool's overall effect point."""

    fewer: NonNegativeInt = Field(description="Findings of fewer mass atrocities or closely related outcomes.")
    more: NonNegativeInt = Field(description="Findings of more mass atrocities or closely related outcomes.")
    no_or_mixed: NonNegativeInt = Field(description="Findings of no effect, or mixed effects.")

    @property
    def total(self) -> int:
        return self.fewer + self.more + self.no_or_mixed


class ToolCounts(Strict):
    """The review's counts for one of its tools, and the entry here that covers it."""

    ushmm: UshmmTool = Field(description="The tool as USHMM's review names it.")  # type: ignore[valid-type]
    entry: Slug = Field(description="The id of the tool entry that covers it (from toolkit/ushmm-tools.yml).")
    studies: NonNegativeInt = Field(description="Distinct studies with a finding on the tool's overall effect.")
    findings: Findings
    on_mass_atrocities: NonNegativeInt = Field(description="Findings whose outcome is mass atrocities themselves.")
    adverse_consequences: NonNegativeInt = Field(description="Findings about the tool's adverse consequences.")
    cited_here: NonNegativeInt = Field(description="How many of those studies the entry here cites.")


class ReviewCounts(Strict):
    """The whole derived file."""

    attribution: Text = Field(description="Whose counts these are, as shown on the pages.")
    url: Text = Field(description="Where the review's data is published.")
    data_file: Text = Field(description="The name of the data file the counts were derived from.")
    tools: list[ToolCounts] = Field(min_length=1)

    def for_entry(self, entry_id: str) -> list[ToolCounts]:
        """The counts of every reviewed tool that this entry covers (usually one)."""
        return [tool for tool in self.tools if tool.entry == entry_id]


LoadedCounts = LoadedData[ReviewCounts]
"""The counts as loaded: ``value``, ``document`` (for line numbers) and ``problems``."""


def load_counts(root: Path) -> LoadedCounts:
    """Read ``root``/toolkit/ushmm-review-counts.yml; a knowledge base without one has no counts and no problem."""
    return load_data_model(root / COUNTS_FILE, ReviewCounts)


def counts_problems(loaded: LoadedCounts, mapped: dict[str, str]) -> list[Problem]:
    """Each reviewed tool's counts must name the entry the mapping gives it (``mapped``: USHMM name to entry id):
    a counts file written before the mapping changed is out of date."""
    if loaded.value is None or loaded.document is None:
        return []
    shown = display_path(loaded.document.path)
    problems = []
    for index, tool in enumerate(loaded.value.tools):
        expected = mapped.get(tool.ushmm)
        if expected is not None and expected != tool.entry:
            problems.append(Problem(
                shown, f"found {tool.entry!r}, but toolkit/ushmm-tools.yml maps {tool.ushmm!r} to {expected!r}; "
                "rewrite the file with apkb evidence ushmm PATH --write-counts", loaded.document.line_of(("tools", index, "entry")),
                f"tools[{index}].entry"))
    return problems
