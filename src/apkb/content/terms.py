"""The types every content model is built from: vocabulary terms as ``Literal`` types (so a wrong term fails with
the list of allowed ones, and the JSON Schema carries them as enums), and the common field types and base class."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

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
Region = _terms(_V.regions.ids)
Result = _terms(_V.results.ids)
RiskFactorId = _terms(_V.risk_factors.ids)
Situation = _terms(_V.situations.ids)
PerpetratorType = _terms(_V.perpetrator_types.ids)
CouncilState = _terms(_V.council.ids)
Consent = _terms(_V.consent.ids)
Access = _terms(_V.access.ids)
Communications = _terms(_V.communications.ids)
Channel = _terms(_V.channels.ids)
ChannelLevel = _terms(_V.channel_levels.ids)
Need = _terms(_V.needs.ids)
Start = _terms(_V.start.ids)

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
