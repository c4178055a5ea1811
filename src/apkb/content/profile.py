"""A country's risk profile: the stage, the level of each UN Framework risk factor, constraints and context.

Profiles are YAML or JSON files. They are read with the same line tracking as entries, so a mistake is
reported with the file, the line and the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError, field_validator

from apkb.content.front_matter import read_data_file
from apkb.content.problems import ContentError, display_path
from apkb.content.pydantic_problems import validation_problems
from apkb.content.terms import (
    Access,
    Actor,
    Channel,
    ChannelLevel,
    Communications,
    Consent,
    Cost,
    CouncilState,
    Leverage,
    PerpetratorType,
    RiskFactorId,
    Situation,
    Slug,
    Stage,
    Strategy,
    Strict,
    Text,
    TimeToEffect,
    UniqueList,
)
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
    channels: dict[Channel, ChannelLevel] = Field(
        default_factory=dict,
        description="The leverage held through each channel (aid, trade, finance, security, diplomatic): none, low, "
        "medium or high; a channel left out is unknown.",
    )

    @field_validator("channels")
    @classmethod
    def _channels_in_order(cls, levels: dict[str, str]) -> dict[str, str]:
        return {channel: levels[channel] for channel in vocabularies().channels.ids if channel in levels}

    def effective_leverage(self) -> str | None:
        """The leverage to weigh tools against: ``leverage`` if given, else the strongest channel held, if any."""
        if self.leverage is not None:
            return self.leverage
        held = [level for level in self.channels.values() if level != "none"]
        scale = vocabularies().leverage.ids
        return max(held, key=scale.index) if held else None


class Setting(Strict):
    """The international setting: what outsiders can and cannot do. A part left out is unknown, and an unknown
    part never counts against a tool."""

    security_council: CouncilState | None = Field(
        default=None, description="Whether the Security Council can act: open, divided or blocked."
    )
    host_consent: Consent | None = Field(
        default=None, description="Whether the host government accepts an international presence: given, conditional or refused."
    )
    access: Access | None = Field(
        default=None, description="Whether outsiders can reach the people at risk: open, restricted or denied."
    )
    communications: Communications | None = Field(
        default=None, description="Whether phones, internet and media work in the affected areas: open, restricted or blackout."
    )


class Context(Strict):
    """Context in the spirit of the State/USAID Atrocity Assessment Framework, in words. Shown in briefings, not
    scored: the scored answers to its questions are the profile's own fields."""

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
    perpetrator_types: UniqueList(PerpetratorType) = Field(
        default_factory=list, description="Who commits or threatens the violence, by type; empty if unknown."
    )
    setting: Setting = Field(default_factory=Setting)
    objectives: UniqueList(Strategy) = Field(
        default_factory=list, description="What the response should achieve; empty: the usual aims of the stage."
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
