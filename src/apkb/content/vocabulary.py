"""Controlled vocabularies: the YAML data files that both the schema and the pages read."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

VOCABULARY_NAMES = (
    "stages",
    "categories",
    "strategies",
    "actors",
    "leverage",
    "time_to_effect",
    "cost",
    "effects",
    "certainty",
    "study_designs",
    "measures",
    "directions",
    "outcomes",
    "regions",
    "results",
    "situations",
    "perpetrator_types",
    "council",
    "consent",
    "access",
    "communications",
    "channels",
    "channel_levels",
    "needs",
    "start",
)


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_Identified = TypeVar("_Identified", bound="Term | RiskFactor")


def _by_id(items: tuple[_Identified, ...], item_id: str) -> _Identified:
    """The item with this id; KeyError naming the id if there is none."""
    for item in items:
        if item.id == item_id:
            return item
    raise KeyError(item_id)


class Term(_Data):
    """One allowed value of a vocabulary: a permanent id, a label for people, and what it means."""

    id: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    label: str
    description: str
    certainty: tuple[str, ...] = ()
    """For an effect rating only: the certainty ratings that allow it (see effects.yml)."""


class Vocabulary(_Data):
    """A named, ordered list of terms. Order is meaningful: scales run from one end to the other."""

    name: str
    label: str
    description: str
    terms: tuple[Term, ...] = Field(min_length=1)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(term.id for term in self.terms)

    def term(self, term_id: str) -> Term:
        return _by_id(self.terms, term_id)

    def label_of(self, term_id: str) -> str:
        return self.term(term_id).label

    def rank(self, term_id: str) -> int:
        """Position of a term on its scale, from 0."""
        return self.ids.index(term_id)


class Indicator(_Data):
    """One numbered indicator of a UN Framework risk factor."""

    id: str = Field(pattern=r"^\d{1,2}\.\d{1,2}$")
    text: str
    verified: bool = True


class RiskFactor(_Data):
    """A risk factor of the UN Framework of Analysis for Atrocity Crimes (2014)."""

    id: str = Field(pattern=r"^RF(0[1-9]|1[0-4])$")
    number: int = Field(ge=1, le=14)
    name: str
    group: Literal["common", "specific"]
    crime: Literal["genocide", "crimes-against-humanity", "war-crimes"] | None
    description: str
    indicators: tuple[Indicator, ...] = ()

    @property
    def anchor(self) -> str:
        """The fragment id of this factor on the methodology page."""
        return self.id.lower()


class FrameworkSource(_Data):
    title: str
    publisher: str
    year: int
    url: str


class RiskFactorFramework(_Data):
    source: FrameworkSource
    risk_factors: tuple[RiskFactor, ...] = Field(min_length=14, max_length=14)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(factor.id for factor in self.risk_factors)

    def get(self, factor_id: str) -> RiskFactor:
        return _by_id(self.risk_factors, factor_id)


class BodySections(_Data):
    """The level-2 headings each kind of entry's body must have, in order."""

    tool: tuple[str, ...]
    lesson: tuple[str, ...]


class Vocabularies(_Data):
    """Every vocabulary the content model uses."""

    stages: Vocabulary
    categories: Vocabulary
    strategies: Vocabulary
    actors: Vocabulary
    leverage: Vocabulary
    time_to_effect: Vocabulary
    cost: Vocabulary
    effects: Vocabulary
    certainty: Vocabulary
    study_designs: Vocabulary
    measures: Vocabulary
    directions: Vocabulary
    outcomes: Vocabulary
    regions: Vocabulary
    results: Vocabulary
    situations: Vocabulary
    perpetrator_types: Vocabulary
    council: Vocabulary
    consent: Vocabulary
    access: Vocabulary
    communications: Vocabulary
    channels: Vocabulary
    channel_levels: Vocabulary
    needs: Vocabulary
    start: Vocabulary
    risk_factors: RiskFactorFramework
    body_sections: BodySections

    @model_validator(mode="after")
    def _every_effect_says_which_certainty_allows_it(self) -> Vocabularies:
        for term in self.effects.terms:
            unknown = [c for c in term.certainty if c not in self.certainty.ids]
            if not term.certainty or unknown:
                raise ValueError(f"effects.yml: {term.id} must list the certainty ratings that allow it "
                                 f"(from {', '.join(self.certainty.ids)}); found {list(term.certainty)}")
        return self

    def all(self) -> tuple[Vocabulary, ...]:
        return tuple(getattr(self, name) for name in VOCABULARY_NAMES)


def _read(name: str) -> object:
    text = files("apkb.content").joinpath(f"vocabularies/{name}.yml").read_text(encoding="utf-8")
    return yaml.load(text, Loader=yaml.CSafeLoader)


@cache
def vocabularies() -> Vocabularies:
    """Load and check every vocabulary file shipped with the package (once per process)."""
    data = {name: _read(name) for name in (*VOCABULARY_NAMES, "risk_factors", "body_sections")}
    return Vocabularies.model_validate(data)
