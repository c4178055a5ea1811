"""The content model: pydantic models for tools and lessons, with terms drawn from the vocabularies.

Vocabulary terms become ``Literal`` types, so a wrong term fails with the list of allowed ones and the
generated JSON Schema carries them as enums.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    model_validator,
)

from apkb.content.front_matter import nearest_line
from apkb.content.vocabulary import vocabularies

_V = vocabularies()


def _terms(ids: tuple[str, ...]) -> Any:
    """A ``Literal`` type of the given vocabulary ids."""
    return Literal[ids]  # type: ignore[valid-type]


Stage = _terms(_V.stages.ids)
Category = _terms(_V.categories.ids)
Strategy = _terms(_V.strategies.ids)
Actor = _terms(_V.actors.ids)
Leverage = _terms(_V.leverage.ids)
TimeToEffect = _terms(_V.time_to_effect.ids)
Cost = _terms(_V.cost.ids)
Effect = _terms(_V.effects.ids)
Certainty = _terms(_V.certainty.ids)
StudyDesign = _terms(_V.study_designs.ids)
Measure = _terms(_V.measures.ids)
Direction = _terms(_V.directions.ids)
Outcome = _terms(_V.outcomes.ids)
RiskFactorId = _terms(_V.risk_factors.ids)
Situation = _terms(_V.situations.ids)

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, min_length=2, max_length=80)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=150, pattern=r"^[^<>]+$")]
"""Titles reach page headers and <title>, where themes may print them unescaped: no angle brackets."""
Doi = Annotated[str, StringConstraints(pattern=r"^10\.\d{4,9}/\S+$")]
HttpUrl = Annotated[str, StringConstraints(pattern=r"^https?://[^\s/$.?#][^\s]*$")]
Year = Annotated[int, Field(ge=1800, le=2100)]


def _unique(items: list[Any]) -> list[Any]:
    duplicates = sorted({str(item) for item in items if items.count(item) > 1})
    if duplicates:
        raise ValueError(f"lists {', '.join(duplicates)} more than once")
    return items


def UniqueList(item: Any, min_length: int = 0) -> Any:  # noqa: N802 - reads as a type
    """A list type whose items must be unique."""
    return Annotated[list[item], Field(min_length=min_length), AfterValidator(_unique)]


class Strict(BaseModel):
    """Base for every front matter model: unknown keys are errors, and no value is coerced to another type."""

    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)


class Citation(Strict):
    """A source: enough to find it again, and whether a maintainer has checked that it exists."""

    authors: Text = Field(description="Authors or issuing organisation, as in the source.")
    year: Year
    title: Text
    venue: Text = Field(description="Journal, book publisher, or the organisation that issued a report.")
    doi: Doi | None = None
    url: HttpUrl | None = None
    verified: bool = Field(
        description="True only once a maintainer has checked that the source exists as cited."
    )

    @model_validator(mode="after")
    def _checkable(self) -> Citation:
        if self.verified and not (self.doi or self.url):
            raise ValueError("a verified source needs a doi or url, so that readers can check it")
        return self

    @property
    def reference(self) -> str:
        """The citation as one line: Authors (year). Title. Venue."""
        title = self.title if self.title[-1] in ".?!" else f"{self.title}."
        return f"{self.authors} ({self.year}). {title} {self.venue}."

    @property
    def link(self) -> str | None:
        """Where a reader can find the source: the DOI resolver first, else the URL."""
        if self.doi:
            return f"https://doi.org/{self.doi}"
        return self.url


class Study(Citation):
    """A study of the tool's effect, with what it found in our own words."""

    design: StudyDesign
    measures: Measure = Field(description="direct: atrocities were measured; related: another outcome.")
    finding: Text = Field(description="What the study found, in our own words (quote only briefly).")
    direction: Direction


class SuccessFactors(Strict):
    """What makes the tool work: the setting it meets, and how it is designed and run."""

    contextual: UniqueList(Text, min_length=1)
    design: UniqueList(Text, min_length=1)


class Risk(Strict):
    """A backfire risk or harm, how to reduce it, and when it applies most."""

    risk: Text
    mitigation: Text
    risk_factors: UniqueList(RiskFactorId) = Field(
        default_factory=list, description="Risk factors whose presence makes this risk more likely."
    )
    stages: UniqueList(Stage) = Field(
        default_factory=list, description="Stages at which this risk applies most; empty for all."
    )


class Evidence(Strict):
    """The effectiveness evidence for a tool, rated on the effect and certainty scales."""

    effect: Effect
    certainty: Certainty
    rationale: Text = Field(description="Why the effect and certainty are rated as they are.")
    success_factors: SuccessFactors
    risks: list[Risk] = Field(min_length=1)
    studies: list[Study] = Field(min_length=1)

    @property
    def direct_studies(self) -> int:
        """Studies cited that measure atrocities themselves."""
        return sum(1 for study in self.studies if study.measures == "direct")

    @property
    def related_studies(self) -> int:
        """Studies cited that measure a related outcome."""
        return sum(1 for study in self.studies if study.measures == "related")


class Entry(Strict):
    """Fields shared by tools and lessons, and where the entry came from."""

    kind: ClassVar[str]

    id: Slug = Field(description="Permanent: equals the file name, makes the URL, never changes.")
    title: Title
    summary: ShortText = Field(description="One sentence.")
    aliases: UniqueList(Slug) = Field(
        default_factory=list, description="Former ids; each becomes a redirect to this entry."
    )
    last_reviewed: datetime.date
    reviewers: UniqueList(Text, min_length=1)

    _path: Path | None = PrivateAttr(default=None)
    _body: str = PrivateAttr(default="")
    _body_line: int = PrivateAttr(default=1)
    _lines: dict[tuple[str | int, ...], int] = PrivateAttr(default_factory=dict)

    @property
    def path(self) -> Path | None:
        """The file the entry was read from, if any."""
        return self._path

    @property
    def body(self) -> str:
        """The Markdown body below the front matter."""
        return self._body

    @property
    def body_line(self) -> int:
        """The file line on which the body starts."""
        return self._body_line

    def attach_source(
        self, path: Path, body: str, body_line: int, lines: dict[tuple[str | int, ...], int]
    ) -> None:
        """Record the file this entry was loaded from, its body, and the line of each field."""
        self._path, self._body, self._body_line, self._lines = path, body, body_line, lines

    def line_of(self, *field: str | int) -> int | None:
        """The file line of a field, or of its nearest enclosing field; None if not loaded from a file."""
        return nearest_line(self._lines, field)


class Tool(Entry):
    """A tool of atrocity prevention: what it is, when it works, and the evidence for it."""

    kind: ClassVar[str] = "tool"
    category: Category
    stages: UniqueList(Stage, min_length=1)
    strategies: UniqueList(Strategy, min_length=1)
    risk_factors: UniqueList(RiskFactorId, min_length=1)
    actors: UniqueList(Actor, min_length=1)
    situations: UniqueList(Situation) = Field(
        default_factory=list, description="Situations the tool is made for, such as an election; empty means any."
    )
    leverage_needed: Leverage
    time_to_effect: TimeToEffect
    cost: Cost
    evidence: Evidence
    related: UniqueList(Slug) = Field(default_factory=list, description="Ids of related tools.")
    combines_with: UniqueList(Slug) = Field(
        default_factory=list, description="Ids of tools that work better together with this one."
    )
    sources: list[Citation] = Field(
        default_factory=list, description="Practice guidance and reviews beyond the rated studies."
    )


class Period(Strict):
    """The years a case covers."""

    start: Year
    end: Year | None = Field(default=None, description="Empty while the case is ongoing.")

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"ends ({self.end}) before it starts ({self.start})")
        return self

    def __str__(self) -> str:
        if self.end is None:
            return f"{self.start}–"
        return str(self.start) if self.end == self.start else f"{self.start}–{self.end}"


class ToolUse(Strict):
    """A tool used (or missed) in a case, and how it fared."""

    tool: Slug
    outcome: Outcome
    note: Text


class Lesson(Entry):
    """A case study: what was tried, what happened, and what practitioners can learn from it."""

    kind: ClassVar[str] = "lesson"
    country: Text
    iso3: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = Field(
        description="ISO 3166-1 alpha-3 code of the country."
    )
    period: Period
    stage: Stage
    risk_factors: UniqueList(RiskFactorId) = Field(
        default_factory=list, description="Risk factors that were present."
    )
    tools_used: list[ToolUse] = Field(min_length=1)
    outcome: Text = Field(description="What happened, in two or three sentences.")
    lessons: UniqueList(Text, min_length=1)
    sources: list[Citation] = Field(min_length=1)


KINDS: dict[str, type[Tool] | type[Lesson]] = {"tool": Tool, "lesson": Lesson}
