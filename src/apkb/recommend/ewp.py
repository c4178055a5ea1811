"""A starting risk profile from the USHMM Early Warning Project's statistical risk assessment.

The EWP publishes, each year, a CSV of forecasts with one row per country: the risk of a new mass killing
in the next two years, the country's rank, and the predictors the model used. This module finds the latest
two-year window by the columns' names, finds a country by name, and turns its predictors into levels of
the UN Framework's risk factors with the rules in ``ewp_mapping.yml``. No click and no MkDocs here: the
command is in :mod:`apkb.cli.profile`.
"""

from __future__ import annotations

import csv
import difflib
import json
import math
import operator
import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from apkb.content.problems import display_path
from apkb.content.profile import Profile
from apkb.content.terms import RiskFactorId
from apkb.content.vocabulary import vocabularies

COUNTRY_COLUMN = "ewp_name"
RISK_COLUMN = re.compile(r"^risk\.(\d{4})and(\d{4})\.from(\d{4})$")
"""The two-year risk column, such as ``risk.2025and2026.from2024``: the window's years and the data year."""
_MISSING = {"", "na", "nan", "null", "none"}
_COMPARATORS: dict[str, tuple[str, Callable[[float, float], bool]]] = {
    "equals": ("=", operator.eq),
    "min": ("≥", operator.ge),
    "above": (">", operator.gt),
    "max": ("≤", operator.le),
    "below": ("<", operator.lt),
}


class EWPError(Exception):
    """The EWP file, the country or the mapping cannot be used; the message says why."""


class CountryNotFound(EWPError):
    """No single country in the file matches the name; ``closest`` holds the names to suggest."""

    def __init__(self, message: str, closest: Sequence[str]) -> None:
        super().__init__(message)
        self.closest = tuple(closest)


# --- the mapping ---------------------------------------------------------------------------------------


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Data):
    """A test of one value: exactly one of equals (=), min (≥), above (>), max (≤) or below (<)."""

    equals: float | None = None
    min: float | None = None
    above: float | None = None
    max: float | None = None
    below: float | None = None
    means: str

    @model_validator(mode="after")
    def _exactly_one(self) -> Condition:
        given = [name for name in _COMPARATORS if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of {', '.join(_COMPARATORS)}; found {', '.join(given) or 'none'}")
        return self

    def _test(self) -> tuple[str, float]:
        return next((name, value) for name in _COMPARATORS if (value := getattr(self, name)) is not None)

    def matches(self, value: float) -> bool:
        """Whether ``value`` meets the condition."""
        name, bound = self._test()
        return _COMPARATORS[name][1](value, bound)

    def describe(self) -> str:
        """The condition as a reader sees it, such as ``≥ 9.967``."""
        name, bound = self._test()
        return f"{_COMPARATORS[name][0]} {_number_text(bound)}"


class Threshold(Condition):
    """A condition and the level (1-3) a value meeting it gives."""

    level: int = Field(ge=1, le=3)


class Link(_Data):
    """How one predictor informs one risk factor."""

    risk_factor: RiskFactorId
    thresholds: tuple[Threshold, ...] = Field(min_length=1)
    rationale: str
    weakness: str


class Predictor(_Data):
    """One column of the EWP file and the risk factors it informs."""

    column: str
    label: str
    measures: str
    scale: str
    distribution: str
    informs: tuple[Link, ...] = Field(min_length=1)


class StageCondition(Condition):
    column: str


class ResponseRule(_Data):
    rationale: str
    when_any: tuple[StageCondition, ...] = Field(min_length=1)


class MitigationRule(_Data):
    max_rank: int = Field(ge=1)
    min_risk: float = Field(gt=0, le=1)
    rationale: str


class PreventionRule(_Data):
    rationale: str


class StageRules(_Data):
    response: ResponseRule
    mitigation: MitigationRule
    prevention: PreventionRule


class UnusedColumn(_Data):
    column: str
    reason: str


class Mapping(_Data):
    """The whole of ``ewp_mapping.yml``."""

    source: dict[str, str]
    stage: StageRules
    predictors: tuple[Predictor, ...] = Field(min_length=1)
    not_informed: dict[RiskFactorId, str]
    not_used: tuple[UnusedColumn, ...] = ()

    @model_validator(mode="after")
    def _every_factor_accounted_for(self) -> Mapping:
        columns = [predictor.column for predictor in self.predictors]
        repeated = sorted({column for column in columns if columns.count(column) > 1})
        if repeated:
            raise ValueError(f"predictors list {', '.join(repeated)} more than once")
        informed = {link.risk_factor for predictor in self.predictors for link in predictor.informs}
        both = sorted(informed & set(self.not_informed))
        if both:
            raise ValueError(f"{', '.join(both)} are informed by a predictor and also listed in not_informed")
        missing = [f for f in vocabularies().risk_factors.ids if f not in informed and f not in self.not_informed]
        if missing:
            raise ValueError(f"{', '.join(missing)} are neither informed by a predictor nor listed in not_informed")
        return self


def load_mapping(path: Path | None = None) -> Mapping:
    """The mapping shipped with apkb, or the one in ``path``; :class:`EWPError` if it is malformed."""
    if path is None:
        return _shipped_mapping()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise EWPError(f"cannot read the mapping {display_path(path)}: {error}") from None
    return _parse_mapping(text, display_path(path))


@cache
def _shipped_mapping() -> Mapping:
    return _parse_mapping(files("apkb.recommend").joinpath("ewp_mapping.yml").read_text(encoding="utf-8"), "ewp_mapping.yml")


def _parse_mapping(text: str, name: str) -> Mapping:
    try:
        data = yaml.load(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError as error:
        raise EWPError(f"{name} is not valid YAML: {error}") from None
    try:
        return Mapping.model_validate(data)
    except ValidationError as error:
        details = "; ".join(f"{'.'.join(map(str, e['loc'])) or '(top)'}: {e['msg']}" for e in error.errors())
        raise EWPError(f"{name} is not a valid mapping: {details}") from None


# --- the forecasts file --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """The two years a risk covers, and the year of the data it was forecast from."""

    first: int
    last: int
    data_year: int

    def __str__(self) -> str:
        return f"{self.first}–{self.last}"


@dataclass(frozen=True)
class Forecasts:
    """An EWP forecasts file: its risk and rank columns and its rows, one per country."""

    path: Path
    risk_column: str
    rank_column: str
    window: Window
    rows: tuple[dict[str, str], ...]
    lines: tuple[int, ...]
    """The file line of each row, for messages."""

    @property
    def name(self) -> str:
        return display_path(self.path)

    @property
    def countries(self) -> tuple[str, ...]:
        return tuple(row[COUNTRY_COLUMN].strip() for row in self.rows)


def find_columns(fieldnames: Sequence[str], source: str) -> tuple[str, str, Window]:
    """The risk and rank columns of the latest two-year window, found by their names' pattern."""
    windows = [
        (int(m[1]), int(m[2]), int(m[3]), column) for column in fieldnames if (m := RISK_COLUMN.match(column))
    ]
    if not windows:
        raise EWPError(
            f"{source}: no two-year risk column; expected a column named like 'risk.2025and2026.from2024' "
            f"(pattern {RISK_COLUMN.pattern})"
        )
    first, last, data_year, risk_column = max(windows)
    rank_pattern = re.compile(rf"^rank\.{first}and{last}\.from(\d{{4}})$")
    ranks = sorted((int(m[1]), column) for column in fieldnames if (m := rank_pattern.match(column)))
    if not ranks:
        raise EWPError(
            f"{source}: no rank column for {first}–{last} to go with '{risk_column}'; expected a column named like "
            f"'rank.{first}and{last}.from{data_year}' (pattern {rank_pattern.pattern})"
        )
    return risk_column, ranks[-1][1], Window(first, last, data_year)


def read_forecasts(path: Path) -> Forecasts:
    """Read an EWP final forecasts CSV, or raise :class:`EWPError` naming the file and what was expected."""
    name = display_path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle, restval="")
            fieldnames = list(reader.fieldnames or [])
            if not fieldnames:
                raise EWPError(f"{name} is empty; expected the EWP's forecasts CSV with a header row")
            if COUNTRY_COLUMN not in fieldnames:
                raise EWPError(f"{name}: no '{COUNTRY_COLUMN}' column (the country); is it an EWP forecasts file?")
            risk_column, rank_column, window = find_columns(fieldnames, name)
            rows, lines = [], []
            for row in reader:
                if (row.get(COUNTRY_COLUMN) or "").strip():
                    rows.append(row)
                    lines.append(reader.line_num)
    except OSError as error:
        raise EWPError(f"cannot read {name}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise EWPError(f"{name} is not UTF-8 text; expected the EWP's forecasts CSV") from None
    except csv.Error as error:
        raise EWPError(f"{name} is not a readable CSV file: {error}") from None
    if not rows:
        raise EWPError(f"{name} has a header but no countries")
    return Forecasts(path, risk_column, rank_column, window, tuple(rows), tuple(lines))


# --- finding a country ---------------------------------------------------------------------------------


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _parts(name: str) -> list[str]:
    """The names a country goes by: 'Burma/Myanmar' is also 'Burma' and 'Myanmar'."""
    return [_fold(part) for part in name.split("/") if part.strip()]


def find_country(names: Sequence[str], query: str, source: str) -> str:
    """The one name matching ``query``: exactly, then by part of a slash name, then by a unique prefix or
    substring, ignoring case. Otherwise :class:`CountryNotFound` with the closest names."""
    wanted = _fold(query)
    if not wanted:
        raise CountryNotFound(f"no country name given; {source} names countries as the EWP does", ())
    exact = [name for name in names if _fold(name) == wanted]
    if exact:
        return exact[0]
    for matches in (
        [name for name in names if wanted in _parts(name)],
        [name for name in names if any(part.startswith(wanted) for part in [_fold(name), *_parts(name)])],
        [name for name in names if wanted in _fold(name)],
    ):
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise CountryNotFound(
                f"'{query}' matches several countries in {source}: {', '.join(matches)}; give more of the name",
                matches,
            )
    closest = closest_names(names, query)
    hint = f"closest: {', '.join(closest)}" if closest else "no name is close; names are as the EWP writes them"
    raise CountryNotFound(f"no country '{query}' in {source}; {hint}", closest)


def closest_names(names: Sequence[str], query: str, limit: int = 3) -> list[str]:
    """Up to ``limit`` names that look like ``query``, by whole name, slash part or word."""
    keys: dict[str, list[str]] = {}
    for pass_keys in (lambda n: [_fold(n)], _parts, lambda n: [w for w in _fold(n).split() if len(w) >= 4]):
        for name in names:
            for key in pass_keys(name):
                keys.setdefault(key, [])
                if name not in keys[key]:
                    keys[key].append(name)
    found: list[str] = []
    for key in difflib.get_close_matches(_fold(query), list(keys), n=limit * 2, cutoff=0.6):
        found += [name for name in keys[key] if name not in found]
    return found[:limit]


# --- from predictors to levels -------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """What one predictor's value says about one risk factor."""

    column: str
    label: str
    value: str | None
    """The value as the file writes it; None when the file has no such column."""
    level: int
    condition: str | None
    """The threshold that gave the level, such as '≥ 9.967'; None when none did."""
    means: str
    """What the threshold means, or why no threshold was met."""

    @property
    def shown(self) -> str:
        return "absent" if self.value is None else self.value

    @property
    def rule(self) -> str:
        return f"{self.condition} → {self.level} ({self.means})" if self.condition else self.means

    def __str__(self) -> str:
        return f"{self.column} = {self.shown}: {self.rule}"


@dataclass(frozen=True)
class FactorLevel:
    """A risk factor's level and the readings behind it."""

    factor: str
    name: str
    level: int
    readings: tuple[Reading, ...]
    note: str | None = None
    """Why the EWP data cannot inform this factor, if they cannot."""

    @property
    def drivers(self) -> tuple[Reading, ...]:
        """The readings that gave the factor its level (none when the level is 0)."""
        return tuple(r for r in self.readings if self.level and r.level == self.level)

    def summary(self) -> str:
        """The predictors that gave the level, briefly; for a table."""
        if self.note is not None:
            return "not informed by EWP data"
        if self.drivers:
            return "; ".join(f"{r.column} = {r.shown} ({r.condition})" for r in self.drivers)
        return f"none ({', '.join(f'{r.column} = {r.shown}' for r in self.readings)})"

    def explanation(self) -> str:
        """Where the level came from, in one line."""
        if self.note is not None:
            return f"not informed by EWP data: {_one_line(self.note)}"
        given = sorted((r for r in self.readings if r.level), key=lambda r: -r.level)
        if given:
            return "; ".join(map(str, given))
        return f"no predictor gives a level ({', '.join(f'{r.column} = {r.shown}' for r in self.readings)})"


def _number(raw: str | None) -> float | None:
    if raw is None or raw.strip().casefold() in _MISSING:
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _number_text(value: float) -> str:
    return f"{value:g}"


def read_link(row: dict[str, str], predictor: Predictor, link: Link) -> Reading:
    """What ``predictor``'s value in ``row`` gives ``link``'s risk factor, and by which threshold."""
    raw = row.get(predictor.column)
    if raw is None:
        return Reading(predictor.column, predictor.label, None, 0, None, "column not in this file")
    value = _number(raw)
    if value is None:
        return Reading(predictor.column, predictor.label, raw.strip(), 0, None, "no usable value")
    met = [threshold for threshold in link.thresholds if threshold.matches(value)]
    if not met:
        lowest = min(link.thresholds, key=lambda t: t.level)
        needs = f"needs {lowest.describe()} for level {lowest.level}"
        return Reading(predictor.column, predictor.label, raw.strip(), 0, None, needs)
    best = max(met, key=lambda t: t.level)
    return Reading(predictor.column, predictor.label, raw.strip(), best.level, best.describe(), best.means)


def derive_levels(row: dict[str, str], mapping: Mapping) -> tuple[FactorLevel, ...]:
    """Every risk factor's level for the country in ``row``: the highest any of its predictors gives."""
    readings: dict[str, list[Reading]] = {}
    for predictor in mapping.predictors:
        for link in predictor.informs:
            readings.setdefault(link.risk_factor, []).append(read_link(row, predictor, link))
    factors = []
    for factor in vocabularies().risk_factors.risk_factors:
        found = tuple(readings.get(factor.id, ()))
        level = max((r.level for r in found), default=0)
        factors.append(FactorLevel(factor.id, factor.name, level, found, mapping.not_informed.get(factor.id)))
    return tuple(factors)


# --- the stage -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageDecision:
    """The stage a profile starts at, and why."""

    stage: str
    reason: str


def percent(value: float) -> str:
    """A probability as a percentage with one decimal, without a trailing '.0'."""
    return f"{value * 100:.1f}".removesuffix(".0") + "%"


def decide_stage(row: dict[str, str], risk: float, rank: int, rules: StageRules) -> StageDecision:
    """Response if a mass killing is under way; mitigation if the forecast is high; else prevention."""
    under_way = [
        f"{condition.means} ({condition.column} = {row[condition.column].strip()})"
        for condition in rules.response.when_any
        if (value := _number(row.get(condition.column))) is not None and condition.matches(value)
    ]
    if under_way:
        return StageDecision("response", "; ".join(under_way))
    mitigation = rules.mitigation
    high = []
    if rank <= mitigation.max_rank:
        high.append(f"rank {rank} is in the top {mitigation.max_rank}")
    if risk >= mitigation.min_risk:
        high.append(f"risk {percent(risk)} is at or above {percent(mitigation.min_risk)}")
    if high:
        return StageDecision("mitigation", f"no mass killing under way, and {' and '.join(high)}")
    return StageDecision(
        "prevention",
        f"no mass killing under way, rank {rank} is outside the top {mitigation.max_rank} and risk "
        f"{percent(risk)} is below {percent(mitigation.min_risk)}",
    )


# --- the result ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EWPResult:
    """A country's forecast, its derived risk-factor levels and stage, and the profile built from them."""

    source: Path
    country: str
    risk: float
    rank: int
    countries: int
    window: Window
    risk_column: str
    rank_column: str
    factors: tuple[FactorLevel, ...]
    stage: StageDecision
    profile: Profile

    @property
    def levels(self) -> dict[str, int]:
        return {factor.factor: factor.level for factor in self.factors}


def _cell(forecasts: Forecasts, index: int, column: str, parse: Callable[[str], Any], what: str) -> Any:
    """The value of ``column`` for the country at ``index``, or :class:`EWPError` naming the line."""
    raw = forecasts.rows[index].get(column) or ""
    try:
        return parse(raw.strip())
    except ValueError:
        line = forecasts.lines[index]
        raise EWPError(f"{forecasts.name}:{line}: {column} is not a {what}: '{raw}'") from None


def _probability(text: str) -> float:
    number = float(text)
    if not 0 <= number <= 1:  # also refuses nan
        raise ValueError(text)
    return number


def _rank(text: str) -> int:
    number = float(text)
    if not number.is_integer() or number < 1:
        raise ValueError(text)
    return int(number)


def profile_from_ewp(path: Path, country: str, mapping: Mapping | None = None) -> EWPResult:
    """Read the EWP file at ``path`` and derive ``country``'s starting profile with the mapping."""
    rules = mapping or load_mapping()
    forecasts = read_forecasts(path)
    name = find_country(forecasts.countries, country, forecasts.name)
    index = forecasts.countries.index(name)
    row = forecasts.rows[index]
    risk = _cell(forecasts, index, forecasts.risk_column, _probability, "probability")
    rank = _cell(forecasts, index, forecasts.rank_column, _rank, "rank")
    factors = derive_levels(row, rules)
    stage = decide_stage(row, risk, rank, rules.stage)
    window = forecasts.window
    profile = Profile(
        title=f"{name}: starting profile from the EWP {window.first} assessment",
        description=(
            f"The USHMM Early Warning Project's {window.first} statistical risk assessment puts the risk of a new "
            f"mass killing in {name} in {window.first} or {window.last} at {percent(risk)}, rank {rank} of "
            f"{len(forecasts.rows)} countries. The risk-factor levels were derived from the EWP's predictors by "
            "apkb's mapping: they are a starting point, to be reviewed and adjusted by someone who knows the country."
        ),
        stage=stage.stage,
        risk_factors={factor.factor: factor.level for factor in factors},
    )
    return EWPResult(
        path, name, risk, rank, len(forecasts.rows), window, forecasts.risk_column, forecasts.rank_column,
        factors, stage, profile,
    )


# --- the profile file ----------------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _comment(text: str, indent: str = "", width: int = 110) -> list[str]:
    lines = textwrap.wrap(
        _one_line(text), width=width - 2 - len(indent), break_long_words=False, break_on_hyphens=False
    )
    return [f"# {indent}{line}".rstrip() for line in lines or [""]]


def _header(result: EWPResult) -> list[str]:
    out = _comment(
        f"Starting risk profile for {result.country}, made by `apkb profile from-ewp` from {result.source.name}, "
        f"the USHMM Early Warning Project's {result.window.first} statistical risk assessment (columns "
        f"{result.risk_column} and {result.rank_column})."
    )
    out += _comment(
        f"Risk of a new mass killing in {result.window}: {percent(result.risk)} ({result.risk:g}), rank "
        f"{result.rank} of {result.countries}."
    )
    out += ["#"] + _comment(
        "The levels below were derived mechanically from the EWP's predictors by the rules in apkb's "
        "ewp_mapping.yml; each risk factor takes the highest level any of its predictors gives. They are a "
        "starting point: check each against what you know of the country, raise or lower it, add constraints "
        "and context, then run `apkb recommend` on this file."
    )
    out += ["#"] + _comment(f"Stage: {result.stage.stage}, because {result.stage.reason}.")
    out += ["#", "# Where each level came from:"]
    for factor in result.factors:
        out += _comment(f"{factor.factor} = {factor.level}: {factor.name}", "  ")
        given = sorted((r for r in factor.readings if r.level), key=lambda r: -r.level)
        for line in map(str, given) if given and factor.note is None else [factor.explanation()]:
            out += _comment(line, "    ")
    return out


def _folded(key: str, text: str, width: int = 110) -> list[str]:
    """A YAML folded block scalar: safe for any one-line text, and readable."""
    wrapped = textwrap.wrap(_one_line(text), width=width - 2, break_long_words=False, break_on_hyphens=False)
    return [f"{key}: >-"] + [f"  {line}" for line in wrapped]


_SCAFFOLD = """\
# Add what the EWP data cannot say, for example:
# situations: [displacement]  # any of: election, peace-process, displacement
# constraints:
#   leverage: medium          # low, medium or high
#   time_horizon: months      # days, weeks, months or years
#   budget: medium            # low, medium or high
# context:
#   perpetrators: ["..."]
#   targets: ["..."]
#   triggers: ["..."]
#   resilience: ["..."]
"""


def profile_yaml(result: EWPResult) -> str:
    """The profile as YAML, with comments saying which predictor and value gave each level."""
    profile = result.profile
    lines = _header(result)
    lines.append(f"title: {json.dumps(profile.title, ensure_ascii=False)}")
    lines += _folded("description", profile.description or "")
    lines.append(f"stage: {profile.stage}")
    lines.append("risk_factors:")
    lines += [f"  {factor.factor}: {factor.level}  # {_one_line(factor.name)}" for factor in result.factors]
    return "\n".join(lines) + "\n" + _SCAFFOLD
