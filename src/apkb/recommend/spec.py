"""What both recommender engines read: the scoring specification (``scoring.yml``), and the catalogue and a profile
turned into plain, JSON-ready data. The Python engine and the browser engine (``site/static/recommender.js``) score
exactly this data, so that shared test vectors can keep them identical."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from apkb.content.catalog import Catalog
from apkb.content.model import Lesson, Tool
from apkb.content.profile import Profile
from apkb.content.urls import html_path, lesson_page, tool_page
from apkb.content.vocabulary import vocabularies

PARTS = ("risk_fit", "stage_fit", "objectives", "perpetrators", "channels", "evidence", "feasibility", "precedent")
"""The parts of a tool's score, in the order they are shown."""

FEASIBILITY_CHECKS = ("leverage", "time", "budget", "actors")

SETTING_SCALES = {"security_council": "council", "host_consent": "consent", "access": "access",
                  "communications": "communications"}
"""Each part of a profile's international setting, and the vocabulary that is its scale."""


@cache
def scoring_spec() -> dict[str, Any]:
    """The weights and rules of ``scoring.yml``, as plain data (the browser engine gets the same)."""
    text = files("apkb.recommend").joinpath("scoring.yml").read_text(encoding="utf-8")
    spec: dict[str, Any] = yaml.load(text, Loader=yaml.CSafeLoader)
    return spec


def tool_facts(catalog: Catalog, tool: Tool) -> dict[str, Any]:
    """What the engines need to know about a tool, as JSON-ready data."""
    return {
        "id": tool.id,
        "title": tool.title,
        "summary": tool.summary,
        "category": tool.category,
        "url": html_path(tool_page(tool.id)),
        "stages": list(tool.stages),
        "strategies": list(tool.strategies),
        "risk_factors": list(tool.risk_factors),
        "situations": list(tool.situations),
        "perpetrator_types": list(tool.perpetrator_types),
        "needs": list(tool.needs),
        "routes_around": list(tool.routes_around),
        "channels": list(tool.channels),
        "actors": list(tool.actors),
        "leverage_needed": tool.leverage_needed,
        "time_to_effect": tool.time_to_effect,
        "start": tool.start,
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


def case_facts(catalog: Catalog, lesson: Lesson) -> dict[str, Any]:
    """A lesson as a past case: where and when, its decision point as a profile, and how each tool chosen at or
    after the decision point fared (by the tool's id, a former id resolved). Uses that lay wholly before the
    decision point are history at that moment, not choices made in it, and are left out."""
    point = lesson.decision_point
    return {
        "id": lesson.id,
        "title": lesson.title,
        "place": f"{lesson.country} {lesson.period}",
        "url": html_path(lesson_page(lesson.id)),
        "date": point.date.isoformat(),
        "profile": profile_data(point.profile),
        "outcomes": decision_outcomes(catalog, lesson),
    }


def decision_outcomes(catalog: Catalog, lesson: Lesson) -> dict[str, str]:
    """How each tool chosen at or after the lesson's decision point fared, by the tool's current id."""
    return {
        tool.id: use.outcome
        for use in lesson.tools_used
        if not use.before_decision_point and (tool := catalog.tool(use.tool)) is not None
    }


def engine_data(catalog: Catalog, leave_out: str | None = None) -> dict[str, Any]:
    """Everything an engine needs: the scoring spec, the scales and labels, every tool in id order, and the past
    cases in id order (less ``leave_out``, the lesson a backtest is scoring the engine on)."""
    v = vocabularies()
    scales = {
        name: list(getattr(v, name).ids)
        for name in ("stages", "leverage", "time_to_effect", "cost", "channel_levels", "channels", "strategies",
                     "perpetrator_types", "situations")
    }
    scales["risk_factors"] = list(v.risk_factors.ids)
    scales["setting"] = {key: list(getattr(v, scale).ids) for key, scale in SETTING_SCALES.items()}
    labelled = ("stages", "leverage", "time_to_effect", "cost", "actors", "effects", "certainty", "outcomes",
                "situations", "strategies", "perpetrator_types", "channels", "channel_levels", "needs", "start",
                *SETTING_SCALES.values())
    labels: dict[str, dict[str, str]] = {name: {t.id: t.label for t in getattr(v, name).terms} for name in labelled}
    labels["risk_factors"] = {f.id: f.name for f in v.risk_factors.risk_factors}
    labels["setting"] = {part: labels[scale] for part, scale in SETTING_SCALES.items()}  # by profile part
    return {
        "spec": scoring_spec(),
        "scales": scales,
        "labels": labels,
        "tools": [tool_facts(catalog, tool) for tool in catalog.tools.values()],
        "cases": [case_facts(catalog, lesson) for lesson in catalog.lessons.values() if lesson.id != leave_out],
    }


def profile_data(profile: Profile) -> dict[str, Any]:
    """A profile as the engines read it: every level and every part of the setting filled in (None where
    unknown), and the constraints spelled out."""
    c, s = profile.constraints, profile.setting
    return {
        "stage": profile.stage,
        "risk_factors": profile.levels(),
        "situations": list(profile.situations),
        "perpetrator_types": list(profile.perpetrator_types),
        "setting": {key: getattr(s, key) for key in SETTING_SCALES},
        "objectives": list(profile.objectives),
        "constraints": {
            "leverage": c.leverage,
            "time_horizon": c.time_horizon,
            "budget": c.budget,
            "actors_available": None if c.actors_available is None else list(c.actors_available),
            "exclude": list(c.exclude),
            "channels": dict(c.channels),
        },
    }
