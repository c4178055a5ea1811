"""The recommender: from a risk profile to ranked tools, each with its score in parts, reasons and cautions.

The scoring is additive and every weight lives in ``scoring.yml``. The same specification runs in the
browser (``static/recommender.js``); both engines work on the same plain data (:func:`engine_data`), and
shared test vectors keep their rankings and scores identical. To keep floating-point results identical
across the two languages, every sum of floats is an explicit left-to-right loop (Python's ``sum()`` of
floats is compensated since 3.12, which JavaScript's ``+`` is not).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib.resources import files
from typing import Any
from urllib.parse import quote

import yaml

from apkb.content.catalog import Catalog
from apkb.content.model import Tool
from apkb.content.profile import Profile
from apkb.content.urls import html_path, lesson_page, tool_page
from apkb.content.vocabulary import vocabularies

PARTS = ("risk_fit", "stage_fit", "evidence", "feasibility")
FEASIBILITY_CHECKS = ("leverage", "time", "budget", "actors")


@cache
def scoring_spec() -> dict[str, Any]:
    """The weights and rules of ``scoring.yml``, as plain data (the browser engine gets the same)."""
    text = files("apkb.recommend").joinpath("scoring.yml").read_text(encoding="utf-8")
    spec: dict[str, Any] = yaml.load(text, Loader=yaml.CSafeLoader)
    return spec


# --- the data both engines score ----------------------------------------------------------------------


def tool_facts(catalog: Catalog, tool: Tool) -> dict[str, Any]:
    """What the engines need to know about a tool, as JSON-ready data."""
    return {
        "id": tool.id,
        "title": tool.title,
        "summary": tool.summary,
        "category": tool.category,
        "url": html_path(tool_page(tool.id)),
        "stages": list(tool.stages),
        "risk_factors": list(tool.risk_factors),
        "situations": list(tool.situations),
        "actors": list(tool.actors),
        "leverage_needed": tool.leverage_needed,
        "time_to_effect": tool.time_to_effect,
        "cost": tool.cost,
        "effect": tool.evidence.effect,
        "certainty": tool.evidence.certainty,
        "direct_studies": tool.evidence.direct_studies,
        "related_studies": tool.evidence.related_studies,
        "risks": [
            {"risk": r.risk, "mitigation": r.mitigation, "risk_factors": list(r.risk_factors), "stages": list(r.stages)}
            for r in tool.evidence.risks
        ],
        "lessons": [
            {
                "id": use.lesson.id,
                "title": use.lesson.title,
                "url": html_path(lesson_page(use.lesson.id)),
                "outcome": use.use.outcome,
            }
            for use in catalog.lessons_using(tool.id)
        ],
        "combines_with": [other.id for other in catalog.combinations(tool)],
    }


def engine_data(catalog: Catalog) -> dict[str, Any]:
    """Everything an engine needs: the scoring spec, the scales and every tool, in id order."""
    v = vocabularies()
    return {
        "spec": scoring_spec(),
        "scales": {
            "stages": list(v.stages.ids),
            "leverage": list(v.leverage.ids),
            "time_to_effect": list(v.time_to_effect.ids),
            "cost": list(v.cost.ids),
            "risk_factors": list(v.risk_factors.ids),
        },
        "labels": {
            "stages": {t.id: t.label for t in v.stages.terms},
            "leverage": {t.id: t.label for t in v.leverage.terms},
            "time_to_effect": {t.id: t.label for t in v.time_to_effect.terms},
            "cost": {t.id: t.label for t in v.cost.terms},
            "actors": {t.id: t.label for t in v.actors.terms},
            "effects": {t.id: t.label for t in v.effects.terms},
            "certainty": {t.id: t.label for t in v.certainty.terms},
            "outcomes": {t.id: t.label for t in v.outcomes.terms},
            "situations": {t.id: t.label for t in v.situations.terms},
            "risk_factors": {f.id: f.name for f in v.risk_factors.risk_factors},
        },
        "tools": [tool_facts(catalog, tool) for tool in catalog.tools.values()],
    }


def profile_data(profile: Profile) -> dict[str, Any]:
    """A profile as the engines read it: every level filled in, constraints spelled out."""
    c = profile.constraints
    return {
        "stage": profile.stage,
        "risk_factors": profile.levels(),
        "situations": list(profile.situations),
        "constraints": {
            "leverage": c.leverage,
            "time_horizon": c.time_horizon,
            "budget": c.budget,
            "actors_available": None if c.actors_available is None else list(c.actors_available),
            "exclude": list(c.exclude),
        },
    }


# --- scoring --------------------------------------------------------------------------------------------


@dataclass
class Scored:
    """One tool's place in a recommendation. Its words (reasons, shortfalls, cautions) are written when first
    asked for: a page shows a few tools, and writing them for thousands would cost more than the scoring."""

    tool: dict[str, Any]
    parts: dict[str, float]
    total: float
    rank: int
    data: dict[str, Any] = field(repr=False)
    profile: dict[str, Any] = field(repr=False)

    @property
    def id(self) -> str:
        return str(self.tool["id"])

    @cached_property
    def _words(self) -> tuple[list[str], list[str]]:
        return _reasons(self.data, self.tool, self.profile)

    @property
    def reasons(self) -> list[str]:
        return self._words[0]

    @property
    def shortfalls(self) -> list[str]:
        return self._words[1]

    @cached_property
    def cautions(self) -> list[dict[str, str]]:
        return _cautions(self.data, self.tool, self.profile)


@dataclass
class Recommendation:
    """Every tool scored and ranked for one profile, and the tools the profile excluded."""

    profile: Profile
    ranked: list[Scored]
    excluded: list[dict[str, Any]]

    def top(self, count: int) -> list[Scored]:
        return self.ranked[:count]

    def find(self, tool_id: str) -> Scored | None:
        return next((scored for scored in self.ranked if scored.id == tool_id), None)


def _shortfall(spec: dict[str, Any], steps: int) -> float:
    table: list[float] = spec["feasibility"]["shortfall"]
    return float(table[min(max(steps, 0), len(table) - 1)])


def _situation_fits(tool: dict[str, Any], situations: list[str]) -> bool:
    """Whether the tool is made for any situation, or for one the profile lists."""
    return not tool["situations"] or any(s in situations for s in tool["situations"])


def _stage_fraction(spec: dict[str, Any], stages: list[str], tool: dict[str, Any], profile: dict[str, Any]) -> float:
    rules = spec["stage_fit"]
    stage = profile["stage"]
    if stage in tool["stages"]:
        fraction = float(rules["match"])
    elif any(abs(stages.index(s) - stages.index(stage)) == 1 for s in tool["stages"]):
        fraction = float(rules["adjacent"])
    else:
        fraction = float(rules["other"])
    if not _situation_fits(tool, profile["situations"]):
        fraction = fraction * rules["situation_mismatch"]
    return fraction


def _risk_fraction(spec: dict[str, Any], tool: dict[str, Any], profile: dict[str, Any]) -> float:
    rules = spec["risk_fit"]
    levels = profile["risk_factors"]
    fraction = 0.0
    total = 0
    for level in levels.values():
        total += level
    if total > 0:
        addressed = 0
        for factor in tool["risk_factors"]:
            addressed += levels[factor]
        coverage = addressed / total
        focus = addressed / (rules["max_level"] * len(tool["risk_factors"]))
        fraction = rules["coverage_share"] * coverage + rules["focus_share"] * focus
    if tool["situations"] and _situation_fits(tool, profile["situations"]):
        fraction = max(fraction, rules["situation_floor"])
    return fraction


def _evidence_fraction(spec: dict[str, Any], tool: dict[str, Any]) -> float:
    rules = spec["evidence"]
    neutral = rules["effect"][rules["neutral"]]
    return neutral + (rules["effect"][tool["effect"]] - neutral) * rules["certainty_pull"][tool["certainty"]]


def _check_scores(data: dict[str, Any], tool: dict[str, Any], constraints: dict[str, Any]) -> dict[str, float]:
    spec, scales = data["spec"], data["scales"]

    def steps(scale: str, need: str, have: str | None) -> float:
        if have is None:
            return 1.0
        return _shortfall(spec, scales[scale].index(need) - scales[scale].index(have))

    available = constraints["actors_available"]
    return {
        "leverage": steps("leverage", tool["leverage_needed"], constraints["leverage"]),
        "time": steps("time_to_effect", tool["time_to_effect"], constraints["time_horizon"]),
        "budget": steps("cost", tool["cost"], constraints["budget"]),
        "actors": 1.0 if available is None or any(a in available for a in tool["actors"]) else 0.0,
    }


def _feasibility_fraction(spec: dict[str, Any], checks: dict[str, float]) -> float:
    fraction = 0.0
    for check in FEASIBILITY_CHECKS:
        fraction = fraction + spec["feasibility"]["checks"][check] * checks[check]
    return fraction


def score(data: dict[str, Any], tool: dict[str, Any], profile: dict[str, Any]) -> tuple[dict[str, float], float]:
    """The four parts of a tool's score, in points, and their total."""
    spec = data["spec"]
    weights = spec["weights"]
    fractions = {
        "risk_fit": _risk_fraction(spec, tool, profile),
        "stage_fit": _stage_fraction(spec, data["scales"]["stages"], tool, profile),
        "evidence": _evidence_fraction(spec, tool),
        "feasibility": _feasibility_fraction(spec, _check_scores(data, tool, profile["constraints"])),
    }
    parts = {part: weights[part] * fractions[part] for part in PARTS}
    total = 0.0
    for part in PARTS:
        total = total + parts[part]
    return parts, total


def rank(data: dict[str, Any], profile: dict[str, Any]) -> tuple[list[tuple[dict[str, Any], dict[str, float], float]], list[str]]:
    """Every tool the profile does not exclude, scored and in order; and the excluded tool ids."""
    excluded = set(profile["constraints"]["exclude"])
    scored = [(tool, *score(data, tool, profile)) for tool in data["tools"] if tool["id"] not in excluded]
    scored.sort(key=lambda item: (-item[2], -item[1]["evidence"], -item[1]["risk_fit"], item[0]["id"]))
    return scored, [tool["id"] for tool in data["tools"] if tool["id"] in excluded]


# --- words --------------------------------------------------------------------------------------------


def _reasons(data: dict[str, Any], tool: dict[str, Any], profile: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Why a tool scores as it does (reasons), and what holds it back under the constraints (shortfalls)."""
    labels, levels = data["labels"], profile["risk_factors"]
    reasons: list[str] = []
    present = sorted(
        (f for f in tool["risk_factors"] if levels[f] > 0), key=lambda f: (-levels[f], data["scales"]["risk_factors"].index(f))
    )
    if present:
        reasons.append(
            "addresses "
            + "; ".join(f"{f} {labels['risk_factors'][f]} (level {levels[f]})" for f in present)
        )
    else:
        reasons.append("addresses none of the risk factors present in this profile")
    stage, stages = profile["stage"], data["scales"]["stages"]
    stage_label = labels["stages"][stage].lower()
    if stage in tool["stages"]:
        reasons.append(f"used at the {stage_label} stage")
    else:
        used = ", ".join(labels["stages"][s].lower() for s in stages if s in tool["stages"])
        reasons.append(f"not a {stage_label}-stage tool: used at the {used} stage")
    if tool["situations"]:
        made_for = " or ".join(labels["situations"][s].lower() for s in tool["situations"])
        if _situation_fits(tool, profile["situations"]):
            reasons.append(f"made for {made_for}, which this profile has")
        else:
            reasons.append(f"made for {made_for}, which this profile does not list")
    reasons.append(
        f"evidence: {labels['effects'][tool['effect']].lower()}, {labels['certainty'][tool['certainty']].lower()}"
        f" certainty ({tool['direct_studies']} direct, {tool['related_studies']} related studies)"
    )
    shortfalls: list[str] = []
    c = profile["constraints"]
    checks = _check_scores(data, tool, c)
    if checks["leverage"] < 1:
        shortfalls.append(
            f"needs {labels['leverage'][tool['leverage_needed']].lower()} leverage; "
            f"you have {labels['leverage'][c['leverage']].lower()}"
        )
    if checks["time"] < 1:
        shortfalls.append(
            f"takes {labels['time_to_effect'][tool['time_to_effect']].lower()} to have effect; "
            f"your horizon is {labels['time_to_effect'][c['time_horizon']].lower()}"
        )
    if checks["budget"] < 1:
        shortfalls.append(
            f"costs {labels['cost'][tool['cost']].lower()}; your budget is {labels['cost'][c['budget']].lower()}"
        )
    if checks["actors"] < 1:
        shortfalls.append(
            "none of the actors who wield it is available: "
            + ", ".join(labels["actors"][a] for a in tool["actors"])
        )
    return reasons, shortfalls


def _cautions(data: dict[str, Any], tool: dict[str, Any], profile: dict[str, Any]) -> list[dict[str, str]]:
    """The tool's backfire risks that apply to this profile's stage and risk factors."""
    minimum = data["spec"]["cautions"]["min_level"]
    levels = profile["risk_factors"]
    return [
        {"risk": r["risk"], "mitigation": r["mitigation"]}
        for r in tool["risks"]
        if (not r["stages"] or profile["stage"] in r["stages"])
        and (not r["risk_factors"] or any(levels[f] >= minimum for f in r["risk_factors"]))
    ]


def recommend(catalog: Catalog, profile: Profile, data: dict[str, Any] | None = None) -> Recommendation:
    """Score and rank every tool in ``catalog`` for ``profile``."""
    data = data or engine_data(catalog)
    plain = profile_data(profile)
    ordered, excluded_ids = rank(data, plain)
    ranked = [
        Scored(tool, parts, total, position, data, plain)
        for position, (tool, parts, total) in enumerate(ordered, start=1)
    ]
    by_id = {tool["id"]: tool for tool in data["tools"]}
    return Recommendation(profile, ranked, [by_id[tool_id] for tool_id in excluded_ids])


def explain(recommendation: Recommendation, tool_id: str, catalog: Catalog) -> list[str]:
    """Plain-language lines on why one tool ranks where it does, or why it was left out."""
    tool = catalog.tool(tool_id)
    if tool is None:
        raise KeyError(tool_id)
    if any(excluded["id"] == tool.id for excluded in recommendation.excluded):
        return [f"{tool.title} ({tool.id}) was left out: the profile's constraints.exclude lists it."]
    scored = recommendation.find(tool.id)
    assert scored is not None
    best = recommendation.ranked[0]
    weights = scoring_spec()["weights"]
    lines = [
        f"{tool.title} ({tool.id}) ranks {scored.rank} of {len(recommendation.ranked)} "
        f"with {scored.total:.1f} points; the top tool, {best.tool['title']}, has {best.total:.1f}.",
        "",
        f"{'part':<12} {'this tool':>10} {'top tool':>10} {'most':>6}",
    ]
    for part in PARTS:
        lines.append(f"{part:<12} {scored.parts[part]:>10.1f} {best.parts[part]:>10.1f} {weights[part]:>6}")
    lines.append("")
    lines += [f"- {reason}" for reason in scored.reasons]
    lines += [f"- held back: {shortfall}" for shortfall in scored.shortfalls]
    gaps = sorted(PARTS, key=lambda part: scored.parts[part] - best.parts[part])
    worst = gaps[0]
    if scored is not best and best.parts[worst] > scored.parts[worst]:
        lines.append(
            f"- the biggest gap to the top tool is {worst.replace('_', ' ')}: "
            f"{best.parts[worst] - scored.parts[worst]:.1f} points"
        )
    return lines


def profile_fragment(profile: Profile) -> str:
    """The profile as the recommender page's URL fragment (without '#'); static/recommender.js reads it.

    ``stage=mitigation&rf=01203000000000&sit=election&leverage=low&time=weeks&budget=medium&actors=embassy&exclude=x``,
    where ``rf`` holds the levels of RF01..RF14 as 14 digits and constraints left out are left out.
    """
    c = profile.constraints
    params = [("stage", profile.stage), ("rf", "".join(str(level) for level in profile.levels().values()))]
    if profile.situations:
        params.append(("sit", ",".join(profile.situations)))
    params += [(key, value) for key, value in (("leverage", c.leverage), ("time", c.time_horizon), ("budget", c.budget)) if value]
    if c.actors_available is not None:
        params.append(("actors", ",".join(c.actors_available)))
    if c.exclude:
        params.append(("exclude", ",".join(c.exclude)))
    return "&".join(f"{key}={quote(value, safe=',')}" for key, value in params)
