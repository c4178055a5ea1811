"""The content model: pydantic models for tools and lessons, with terms drawn from the vocabularies (see
:mod:`apkb.content.terms`)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Annotated, ClassVar, Literal

from pydantic import Field, PrivateAttr, StringConstraints, model_validator

from apkb.content.front_matter import nearest_line
from apkb.content.profile import Profile
from apkb.content.vocabulary import vocabularies
from apkb.content.terms import (
    Actor,
    Category,
    Certainty,
    Channel,
    Cost,
    Direction,
    Doi,
    Effect,
    HttpUrl,
    Leverage,
    Measure,
    Need,
    Outcome,
    PerpetratorType,
    Region,
    Result,
    RiskFactorId,
    ShortText,
    Situation,
    Slug,
    Stage,
    Start,
    Strategy,
    Strict,
    StudyDesign,
    Text,
    TimeToEffect,
    Title,
    UniqueList,
    Year,
)


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

    @model_validator(mode="after")
    def _certainty_can_bear_the_effect(self) -> Evidence:
        allowed = vocabularies().effects.term(self.effect).certainty
        if self.certainty not in allowed:
            raise ValueError(
                f"effect {self.effect!r} needs certainty {' or '.join(allowed)}, found {self.certainty!r}: a rating may "
                "claim only what its certainty can bear (see the effect scale on the methodology page)"
            )
        return self

    @property
    def direct_studies(self) -> int:
        """Studies cited that measure atrocities themselves."""
        return sum(1 for study in self.studies if study.measures == "direct")

    @property
    def related_studies(self) -> int:
        """Studies cited that measure a related outcome."""
        return sum(1 for study in self.studies if study.measures == "related")


class Check(Strict):
    """A check made of an entry since it was drafted: when, by whom, and what was checked against what."""

    date: datetime.date
    by: Text = Field(description="Who checked: a person, or the process that did (such as 'apkb-seed').")
    what: Text = Field(description="What was checked, and against what; say what was not.")


class ExpertReview(Strict):
    """A review of the whole entry by a subject expert: the review every entry waits for until it has one."""

    date: datetime.date
    by: Text = Field(description="The expert's name and affiliation.")
    note: Text | None = Field(default=None, description="What the expert reviewed, or changed.")


class Entry(Strict):
    """Fields shared by tools and lessons, and where the entry came from."""

    kind: ClassVar[str]

    id: Slug = Field(description="Permanent: equals the file name, makes the URL, never changes.")
    title: Title
    summary: ShortText = Field(description="One sentence.")
    aliases: UniqueList(Slug) = Field(
        default_factory=list, description="Former ids; each becomes a redirect to this entry."
    )
    drafted: datetime.date = Field(description="When the entry was first written.")
    checks: list[Check] = Field(default_factory=list, description="Checks made since it was drafted, oldest first.")
    expert_review: ExpertReview | None = Field(
        default=None, description="The review by a subject expert; empty while it is pending."
    )

    _path: Path | None = PrivateAttr(default=None)
    _body: str = PrivateAttr(default="")
    _body_line: int = PrivateAttr(default=1)
    _lines: dict[tuple[str | int, ...], int] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _checks_in_order(self) -> Entry:
        dates = [check.date for check in self.checks]
        if any(date < self.drafted for date in dates) or (
            self.expert_review is not None and self.expert_review.date < self.drafted
        ):
            raise ValueError(f"a check or review is dated before the entry was drafted ({self.drafted})")
        if dates != sorted(dates):
            raise ValueError("checks must be listed oldest first")
        return self

    @property
    def last_checked(self) -> datetime.date:
        """The latest date anyone checked the entry (a check or the expert review), else when it was drafted."""
        dates = [self.drafted, *(check.date for check in self.checks)]
        if self.expert_review is not None:
            dates.append(self.expert_review.date)
        return max(dates)

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


ToolFact = Literal["risk_factors", "strategies", "perpetrator_types", "needs", "routes_around", "channels", "start"]
"""The facts about a tool that the recommender weighs, and that ``notes`` may explain. Each risk factor a tool is
tagged with carries its own reason in ``risk_factors``; ``notes.risk_factors`` says why a factor one might expect is
not tagged."""


class Tool(Entry):
    """A tool of atrocity prevention: what it is, when it works, and the evidence for it."""

    kind: ClassVar[str] = "tool"
    category: Category
    stages: UniqueList(Stage, min_length=1)
    strategies: UniqueList(Strategy, min_length=1)
    risk_factors: dict[RiskFactorId, ShortText] = Field(
        min_length=1,
        description="The risk factors the tool addresses, each with a one-line reason: the Framework indicator it "
        "answers, and how.",
    )
    actors: UniqueList(Actor, min_length=1)
    situations: UniqueList(Situation) = Field(
        default_factory=list, description="Situations the tool is made for, such as an election; empty means any."
    )
    perpetrator_types: UniqueList(PerpetratorType) = Field(
        description="The kinds of perpetrator the tool works on; empty means whoever they are."
    )
    needs: UniqueList(Need) = Field(
        description="What the tool cannot work without (the Council, host consent, access, communications); may be empty."
    )
    routes_around: UniqueList(Need) = Field(
        default_factory=list,
        description="Needs of other tools that this one can stand in for when the profile says they are not met.",
    )
    channels: UniqueList(Channel) = Field(
        description="The channels of leverage the tool runs through (aid, trade, ...); empty means none in particular."
    )
    leverage_needed: Leverage
    time_to_effect: TimeToEffect
    start: Start = Field(description="at-once if it must start now whatever its time to effect, else when-ready.")
    cost: Cost
    notes: dict[ToolFact, Text] = Field(
        default_factory=dict,
        description="A one-line reason for each of the recommender's facts whose value is not obvious, by field.",
    )
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
    before_decision_point: bool = Field(
        default=False,
        description="True when the use lay wholly before the decision point (a warning ignored months earlier, a "
        "mediation that had ended) and was no longer a choice at it. The case base and the backtest count only "
        "the choices open at the decision point; the lesson still tells the whole story.",
    )
    note: Text


DecisionNote = Literal[
    "stage", "risk_factors", "situations", "perpetrator_types", "objectives", "setting.security_council",
    "setting.host_consent", "setting.access", "setting.communications", "constraints.channels",
    "constraints.time_horizon", "constraints.leverage",
]
"""The parts of a decision point's profile that a note may explain or source."""


class DecisionPoint(Strict):
    """The moment in a case when the main choices were made, described as a risk profile: the recommender's case
    base, and what the backtest (``apkb evaluate``) runs the recommender on."""

    date: datetime.date = Field(description="The day (or the first day of the month) the situation is described at.")
    summary: Text = Field(description="The moment, in a sentence or two: what had happened, and what had to be decided.")
    profile: Profile = Field(description="The situation at that moment, as a risk profile (only what was known then).")
    notes: dict[DecisionNote, Text] = Field(
        default_factory=dict, description="A source or a reason for each part of the profile that is not obvious."
    )


class Lesson(Entry):
    """A case study: what was tried, what happened, and what practitioners can learn from it."""

    kind: ClassVar[str] = "lesson"
    country: Text
    iso3: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = Field(
        description="ISO 3166-1 alpha-3 code of the country."
    )
    region: Region = Field(description="The part of the world where the country lies.")
    period: Period
    stage: Stage
    risk_factors: UniqueList(RiskFactorId) = Field(
        default_factory=list, description="Risk factors that were present."
    )
    tools_used: list[ToolUse] = Field(min_length=1)
    outcome: Text = Field(description="What happened, in two or three sentences.")
    result: Result = Field(description="How it ended for the people at risk, whatever stopped the violence.")
    lessons: UniqueList(Text, min_length=1)
    sources: list[Citation] = Field(min_length=1)
    decision_point: DecisionPoint

    @model_validator(mode="after")
    def _decided_within_the_period(self) -> Lesson:
        year, period = self.decision_point.date.year, self.period
        if year < period.start or (period.end is not None and year > period.end):
            raise ValueError(f"decision_point.date: {self.decision_point.date} is outside the period {period}")
        return self


KINDS: dict[str, type[Tool] | type[Lesson]] = {"tool": Tool, "lesson": Lesson}
