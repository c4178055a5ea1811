"""A country's risk profile: the stage, the level of each UN Framework risk factor, constraints and context.

Profiles are YAML or JSON files. They are read with the same line tracking as entries, so a mistake is
reported with the file, the line and the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError, field_validator

from apkb.content.front_matter import read_data_file
from apkb.content.model import (
    Actor,
    Cost,
    Leverage,
    RiskFactorId,
    Situation,
    Slug,
    Stage,
    Strict,
    Text,
    TimeToEffect,
)
from apkb.content.problems import ContentError, display_path
from apkb.content.pydantic_problems import validation_problems
from apkb.content.vocabulary import vocabularies

Level = Annotated[int, Field(ge=0, le=3)]
"""0: absent; 1: present but weak; 2: clearly present; 3: severe."""


class Constraints(Strict):
    """What the officer has to work with. A constraint left out does not limit the recommendation."""

    leverage: Leverage | None = Field(default=None, description="The leverage available: low, medium or high.")
    time_horizon: TimeToEffect | None = Field(
        default=None, description="How soon an effect is needed: days, weeks, months or years."
    )
    budget: Cost | None = Field(default=None, description="The money and staff time available: low, medium or high.")
    actors_available: list[Actor] | None = Field(
        default=None, description="The institutions that can act; left out, all are assumed available."
    )
    exclude: list[Slug] = Field(default_factory=list, description="Tool ids to leave out of the recommendation.")


class Context(Strict):
    """Context in the spirit of the State/USAID Atrocity Assessment Framework. Shown in briefings, not scored."""

    perpetrators: list[Text] = Field(default_factory=list, description="Likely perpetrators and their motives.")
    targets: list[Text] = Field(default_factory=list, description="Groups at risk.")
    triggers: list[Text] = Field(default_factory=list, description="Events that could set off violence.")
    resilience: list[Text] = Field(default_factory=list, description="Factors and actors that resist violence.")
    legitimacy_sensitive: bool | None = Field(
        default=None, description="Whether the government cares about its international standing."
    )


class Profile(Strict):
    """A risk profile: the input to the recommender."""

    title: Text | None = Field(default=None, description="A name for the situation, such as a country and date.")
    description: Text | None = Field(default=None, description="A few sentences on the situation.")
    stage: Stage
    risk_factors: dict[RiskFactorId, Level] = Field(
        default_factory=dict, description="Level 0-3 for each of RF01-RF14; a factor left out is 0."
    )
    situations: list[Situation] = Field(
        default_factory=list, description="The situations present, such as an election; tools made for others fit less."
    )
    constraints: Constraints = Field(default_factory=Constraints)
    context: Context = Field(default_factory=Context)

    @field_validator("risk_factors")
    @classmethod
    def _in_framework_order(cls, levels: dict[str, int]) -> dict[str, int]:
        return {factor: levels[factor] for factor in vocabularies().risk_factors.ids if factor in levels}

    def level(self, factor: str) -> int:
        """The level of a risk factor; 0 when the profile leaves it out."""
        return self.risk_factors.get(factor, 0)

    def levels(self) -> dict[str, int]:
        """The level of every risk factor RF01-RF14, in order, with 0 for those left out."""
        return {factor: self.level(factor) for factor in vocabularies().risk_factors.ids}


def load_profile(path: Path) -> Profile:
    """Read a profile file, or raise :class:`ContentError` naming each wrong field and its line."""
    document = read_data_file(path)
    try:
        return Profile.model_validate(document.data)
    except ValidationError as error:
        raise ContentError(validation_problems(display_path(path), error, Profile, document.line_of)) from None
