"""USHMM's systematic review behind Tools for Atrocity Prevention, read from the user's copy of its data
(``all_sources_3.csv``: one row per study and finding) and set beside this knowledge base's entries: per reviewed
tool, how the review's findings on the tool's overall effect point, and which of its studies our entry does not
cite (the maintainer's gap list).

The review's editions name some columns differently (``effects_type``, ``Effects.Type``, ...), so each column is
found by a pattern; a file that lacks one gets an error that names what is missing and what the file has. Nothing
of the file is copied into the repository: only counts, through :mod:`apkb.content.ushmm_counts`.
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from apkb.content.catalog import Catalog
from apkb.content.model import Study
from apkb.content.problems import ContentError, Problem, display_path
from apkb.content.ushmm_counts import ATTRIBUTION, Findings, ReviewCounts, ToolCounts
from apkb.content.ushmm_mapping import USHMM_TOOLS, UshmmMapping

COLUMNS = {
    "tool": r"^tool$",
    "effects_type": r"^effects?[\W_]*type$",
    "overall": r"^overall([\W_]*effect)?$",
    "outcome": r"^outcome$",
    "citation": r"citation$",
    "year": r"^(publication[\W_]*)?year$",
    "study": r"^index[\W_]*(number|no)$",
}
"""Each column the comparison reads, and the pattern (case-insensitive) its header matches in any edition."""

OVERALL = {"fewer": r"decreas", "more": r"increas", "no_or_mixed": r"no\b.*effect|mixed"}
"""How the ``overall`` values (``Decreases mass atrocities or CROs`` ...) are read."""

AVERAGE = r"^average"
"""The ``effects_type`` of a finding on the tool's overall effect (the others are success factors)."""

MASS_ATROCITIES = r"^mass atrocit"
ADVERSE = r"^adverse"

DATA_URL = "https://github.com/ushmm/atrocity-prevention-data"


@dataclass
class ReviewStudy:
    """One study in the review's set for a tool: its citation as the review gives it, and its year."""

    key: str
    citation: str
    year: int | None
    overall_effect: bool = False
    """Whether the review codes a finding of it on the tool's overall effect (not only a success factor)."""


@dataclass
class ReviewedTool:
    """What the review holds for one of its tools."""

    name: str
    studies: dict[str, ReviewStudy] = field(default_factory=dict)
    findings: dict[str, int] = field(default_factory=lambda: {"fewer": 0, "more": 0, "no_or_mixed": 0})
    on_mass_atrocities: int = 0
    adverse_consequences: int = 0

    @property
    def effect_studies(self) -> list[ReviewStudy]:
        return [s for s in self.studies.values() if s.overall_effect]


@dataclass
class Review:
    """The review's data as read from one file."""

    path: Path
    tools: dict[str, ReviewedTool]


def _header_map(path: Path, headers: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, pattern in COLUMNS.items():
        matches = [h for h in headers if re.search(pattern, h.strip(), re.IGNORECASE)]
        if matches:
            found[name] = matches[0]
    missing = [name for name in COLUMNS if name not in found]
    if missing:
        wanted = "; ".join(f"{name} (a header like /{COLUMNS[name]}/)" for name in missing)
        shown = ", ".join(h for h in headers if h.strip()) or "none"
        raise ContentError([Problem(display_path(path), f"no column for {wanted}. The file's columns are: {shown}", 1,
                                    ", ".join(missing))])
    return found


def _tool_name(value: str) -> str | None:
    """The review's own tool name for a ``Tool`` cell such as ``Naming_and_shaming_tool``, or None."""
    cleaned = re.sub(r"[_\s]+", " ", re.sub(r"_?tool$", "", value.strip(), flags=re.IGNORECASE)).strip().casefold()
    return next((name for name in USHMM_TOOLS if name.casefold() == cleaned), None)


def _year(value: str) -> int | None:
    match = re.search(r"\d{4}", value)
    return int(match.group()) if match else None


def read_review(path: Path) -> Review:
    """Read the review's ``all_sources`` file, or raise :class:`ContentError` naming the file, the line and the
    column that is wrong."""
    shown = display_path(path)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise ContentError([Problem(shown, f"cannot be read: {error.strerror}", None, None)]) from None
    with handle:
        try:
            reader = csv.DictReader(handle)
            columns = _header_map(path, list(reader.fieldnames or []))
            tools: dict[str, ReviewedTool] = {}
            for row in reader:
                line = reader.line_num
                cell = {name: (row.get(header) or "").strip() for name, header in columns.items()}
                name = _tool_name(cell["tool"])
                if name is None:
                    raise ContentError([Problem(
                        shown, f"found tool {cell['tool']!r}; expected one of the review's twelve tools "
                        f"({', '.join(USHMM_TOOLS)})", line, columns["tool"])])
                tool = tools.setdefault(name, ReviewedTool(name))
                key = cell["study"] or cell["citation"]
                study = tool.studies.setdefault(key, ReviewStudy(key, cell["citation"], _year(cell["year"])))
                if not re.search(AVERAGE, cell["effects_type"], re.IGNORECASE):
                    continue
                direction = next((d for d, p in OVERALL.items() if re.search(p, cell["overall"], re.IGNORECASE)), None)
                if direction is None:
                    raise ContentError([Problem(
                        shown, f"found {cell['overall']!r}; expected an overall effect that decreases, increases, "
                        "or has no or mixed effects", line, columns["overall"])])
                study.overall_effect = True
                tool.findings[direction] += 1
                tool.on_mass_atrocities += bool(re.search(MASS_ATROCITIES, cell["outcome"], re.IGNORECASE))
                tool.adverse_consequences += bool(re.search(ADVERSE, cell["outcome"], re.IGNORECASE))
        except (csv.Error, UnicodeDecodeError) as error:
            raise ContentError([Problem(shown, f"is not a readable CSV file: {error}", None, None)]) from None
    if not tools:
        raise ContentError([Problem(shown, "has no rows of findings", None, None)])
    return Review(path, tools)


# --- matching the review's studies with ours ---------------------------------------------------------------

_DOI = re.compile(r"10\.\d{4,9}/[^\s,;\]\)]+", re.IGNORECASE)


def _words(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    return " ".join(re.findall(r"[a-z0-9]+", folded))


def _title_of(citation: str) -> str:
    """The title inside a review citation: the quoted article title, else the italic book or report title."""
    quoted = re.search(r"[\"“]([^\"”]{8,})[\"”]", citation)
    if quoted:
        return quoted.group(1)
    italic = re.search(r"\*([^*]{8,})\*", citation)
    return italic.group(1) if italic else citation


def _surname(authors: str) -> str:
    first = re.split(r",| and |&|;", authors.strip(), maxsplit=1)[0]
    return _words(first).split(" ")[-1] if _words(first) else ""


def cites(study: ReviewStudy, ours: Study) -> bool:
    """Whether our study is the review's: the same DOI, the same title, or the same first author and year with a
    title that is alike."""
    doi = _DOI.search(study.citation)
    if doi and ours.doi and doi.group().rstrip(".").casefold() == str(ours.doi).casefold():
        return True
    theirs, mine = _words(_title_of(study.citation)), _words(ours.title)
    if not theirs or not mine:
        return False
    likeness = difflib.SequenceMatcher(None, theirs, mine).ratio()
    if likeness >= 0.85 or (min(len(theirs), len(mine)) > 25 and (theirs in mine or mine in theirs)):
        return True
    same_author = _surname(ours.authors) != "" and _surname(ours.authors) == _surname(study.citation.split(".")[0])
    close_year = study.year is not None and abs(study.year - ours.year) <= 1
    return same_author and close_year and likeness >= 0.6


@dataclass
class Comparison:
    """One reviewed tool beside the entry that covers it."""

    reviewed: ReviewedTool
    entry: str
    cited: list[ReviewStudy]
    """The review's overall-effect studies that the entry cites."""
    gaps: list[ReviewStudy]
    """The review's overall-effect studies that the entry does not cite, newest first."""


def compare(review: Review, mapping: UshmmMapping, catalog: Catalog) -> list[Comparison]:
    """Every mapped tool the review holds, in the mapping's order, with the studies our entry cites and those it
    does not."""
    out = []
    for mapped in mapping.tools:
        reviewed = review.tools.get(mapped.ushmm)
        tool = catalog.tools.get(mapped.entry)
        if reviewed is None or tool is None:
            continue
        ours = tool.evidence.studies
        cited = [s for s in reviewed.effect_studies if any(cites(s, mine) for mine in ours)]
        gaps = [s for s in reviewed.effect_studies if s not in cited]
        gaps.sort(key=lambda s: (-(s.year or 0), s.citation))
        out.append(Comparison(reviewed, mapped.entry, cited, gaps))
    return out


def counts(comparisons: Iterable[Comparison], review: Review) -> ReviewCounts:
    """The derived counts file's content: numbers only, attributed."""
    return ReviewCounts(
        attribution=ATTRIBUTION,
        url=DATA_URL,
        data_file=review.path.name,
        tools=[
            ToolCounts(
                ushmm=c.reviewed.name, entry=c.entry, studies=len(c.reviewed.effect_studies),
                findings=Findings(**c.reviewed.findings), on_mass_atrocities=c.reviewed.on_mass_atrocities,
                adverse_consequences=c.reviewed.adverse_consequences, cited_here=len(c.cited),
            )
            for c in comparisons
        ],
    )
