"""A recommendation as data (JSON) or as a briefing note in Markdown that an officer can adapt for a cable."""

from __future__ import annotations

import datetime
from functools import cache
from typing import Any

from jinja2 import Environment

from apkb import __version__
from apkb.content.catalog import Catalog
from apkb.content.model import Citation
from apkb.content.templating import template_environment
from apkb.content.vocabulary import vocabularies
from apkb.recommend.fragment import profile_fragment
from apkb.recommend.recommendation import Recommendation, Scored
from apkb.recommend.spec import PARTS, scoring_spec


def _citation(citation: Citation) -> dict[str, Any]:
    return {
        "reference": citation.reference,
        "link": citation.link,
        "verified": citation.verified,
    }


def combinations(recommendation: Recommendation, top: list[Scored]) -> list[dict[str, Any]]:
    """Pairs among the top tools that work well together, then partners of the top tools ranked lower."""
    shown = {scored.id for scored in top}
    ranks = {scored.id: scored.rank for scored in recommendation.ranked}
    pairs: list[dict[str, Any]] = []
    seen: set[frozenset[str]] = set()
    for scored in top:
        for other in scored.tool["combines_with"]:
            pair = frozenset((scored.id, other))
            if pair in seen or other not in ranks:
                continue
            seen.add(pair)
            pairs.append({"tools": [scored.id, other], "both_recommended": other in shown, "rank": ranks[other]})
    pairs.sort(key=lambda pair: (not pair["both_recommended"], ranks[pair["tools"][0]], pair["rank"]))
    return pairs


def recommendation_data(
    recommendation: Recommendation, catalog: Catalog, top: int, profile_name: str | None = None
) -> dict[str, Any]:
    """Everything the briefing shows, as JSON-ready data."""
    profile = recommendation.profile
    shown = recommendation.top(top)
    results = []
    for scored in shown:
        tool = catalog.tools[scored.id]
        results.append(
            {
                "rank": scored.rank,
                "shown_rank": scored.shown_rank,
                "tied": scored.tied,
                "tier": scored.tier,
                "id": scored.id,
                "title": scored.tool["title"],
                "summary": scored.tool["summary"],
                "category": scored.tool["category"],
                "url": scored.tool["url"],
                "total": scored.total,
                "parts": dict(scored.parts),
                "reasons": scored.reasons,
                "shortfalls": scored.shortfalls,
                "cautions": scored.cautions,
                "evidence": {
                    "effect": tool.evidence.effect,
                    "certainty": tool.evidence.certainty,
                    "direct_studies": tool.evidence.direct_studies,
                    "related_studies": tool.evidence.related_studies,
                    "rationale": tool.evidence.rationale,
                    "studies": [_citation(study) | {"finding": study.finding} for study in tool.evidence.studies],
                },
                "lessons": scored.tool["lessons"],
                "combines_with": scored.tool["combines_with"],
            }
        )
    return {
        "generator": f"apkb {__version__}",
        "profile_file": profile_name,
        "profile": profile.model_dump(mode="json"),
        "fragment": profile_fragment(profile),
        "scoring": {"version": scoring_spec()["version"], "weights": scoring_spec()["weights"]},
        "tools_ranked": len(recommendation.ranked),
        "results": results,
        "blocked": [
            {"id": b.id, "title": b.tool["title"], "url": b.tool["url"], "blocked_by": b.blocked_by, "reasons": b.reasons,
             "alternatives": [t["id"] for t in b.alternatives]}
            for b in recommendation.blocked
        ],
        "excluded": [tool["id"] for tool in recommendation.excluded],
        "past_cases": [
            {"id": n.case["id"], "title": n.case["title"], "place": n.case["place"], "url": n.case["url"],
             "similarity": n.similarity}
            for n in recommendation.near
        ],
        "combinations": combinations(recommendation, shown),
    }


@cache
def _environment() -> Environment:
    """Plain-text templates: a briefing is Markdown for people, not HTML, so nothing is HTML-escaped."""
    environment = template_environment("apkb.recommend", autoescape=False)
    environment.globals.update(
        V=vocabularies(), PARTS=PARTS, weights=scoring_spec()["weights"],
        tier_labels={"strong": "strong fit", "considering": "worth considering", "weak": "weak fit"},
    )
    return environment


def briefing_markdown(
    recommendation: Recommendation,
    catalog: Catalog,
    top: int,
    profile_name: str | None = None,
    today: datetime.date | None = None,
) -> str:
    """The briefing note: the situation, the top tools with reasons and evidence, cautions, combinations, sources."""
    data = recommendation_data(recommendation, catalog, top, profile_name)
    sources: list[dict[str, Any]] = []
    numbers: dict[str, int] = {}
    for result in data["results"]:
        result["source_numbers"] = []
        for study in result["evidence"]["studies"]:
            key = study["reference"]
            if key not in numbers:
                sources.append(study)
                numbers[key] = len(sources)
            result["source_numbers"].append(numbers[key])
    titles = {tool_id: tool.title for tool_id, tool in catalog.tools.items()}
    levels = recommendation.profile.levels()
    present = sorted(((f, level) for f, level in levels.items() if level), key=lambda item: -item[1])
    return _environment().get_template("briefing.md.j2").render(
        data=data,
        profile=recommendation.profile,
        sources=sources,
        present=present,
        titles=titles,
        today=(today or datetime.date.today()).isoformat(),
    )
