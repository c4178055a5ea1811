"""The recommender's words: why a tool scores as it does (reasons), what holds it back (shortfalls), which of its
backfire risks apply (cautions), why a blocked tool is blocked, and ``apkb recommend --explain``.

The browser engine writes the same sentences; the parity tests compare them word for word.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from apkb.recommend.cases import Near
from apkb.recommend.engine import (
    best_channel,
    check_scores,
    effective_leverage,
    gate_words,
    need_states,
    objectives_of,
    situation_fits,
)
from apkb.recommend.spec import PARTS, scoring_spec

if TYPE_CHECKING:
    from apkb.content.catalog import Catalog
    from apkb.recommend.recommendation import Recommendation


def _lower(text: str) -> str:
    return text.lower()


def _risk_reason(data: dict[str, Any], tool: dict[str, Any], profile: dict[str, Any]) -> str:
    labels, levels = data["labels"], profile["risk_factors"]
    order = data["scales"]["risk_factors"]
    present = sorted((f for f in tool["risk_factors"] if levels[f] > 0), key=lambda f: (-levels[f], order.index(f)))
    if not present:
        return "addresses none of the risk factors present in this profile"
    return "addresses " + "; ".join(f"{f} {labels['risk_factors'][f]} (level {levels[f]})" for f in present)


def _stage_reasons(data: dict[str, Any], tool: dict[str, Any], profile: dict[str, Any]) -> list[str]:
    labels, stages = data["labels"], data["scales"]["stages"]
    stage_label = _lower(labels["stages"][profile["stage"]])
    if profile["stage"] in tool["stages"]:
        found = [f"used at the {stage_label} stage"]
    else:
        used = ", ".join(_lower(labels["stages"][s]) for s in stages if s in tool["stages"])
        found = [f"not a {stage_label}-stage tool: used at the {used} stage"]
    if tool["situations"]:
        made_for = " or ".join(_lower(labels["situations"][s]) for s in tool["situations"])
        has = "which this profile has" if situation_fits(tool, profile["situations"]) else "which this profile does not list"
        found.append(f"made for {made_for}, {has}")
    return found


def _objectives_words(data: dict[str, Any], tool: dict[str, Any], profile: dict[str, Any]) -> tuple[str | None, str | None]:
    """A reason naming the objectives the tool serves, or a shortfall if it serves none."""
    labels = data["labels"]["strategies"]
    objectives, default = objectives_of(data["spec"], profile)
    served = [o for o in objectives if o in tool["strategies"]]
    whose = f"the usual aims at the {_lower(data['labels']['stages'][profile['stage']])} stage" if default else "your objectives"
    if served:
        return f"serves {whose}: " + "; ".join(_lower(labels[o]) for o in served), None
    return None, f"serves none of {whose} (" + "; ".join(_lower(labels[o]) for o in objectives) + ")"


def _perpetrator_words(data: dict[str, Any], tool: dict[str, Any], profile: dict[str, Any]) -> tuple[str | None, str | None]:
    labels = data["labels"]["perpetrator_types"]
    present = profile["perpetrator_types"]
    if not present:
        return None, None
    if not tool["perpetrator_types"]:
        return "works whoever the perpetrators are", None
    reached = [p for p in present if p in tool["perpetrator_types"]]
    missed = [p for p in present if p not in tool["perpetrator_types"]]
    reason = "works on " + "; ".join(_lower(labels[p]) for p in reached) if reached else None
    shortfall = "not made for " + "; ".join(_lower(labels[p]) for p in missed) + ", among the perpetrators here" if missed else None
    return reason, shortfall


def _channel_reason(data: dict[str, Any], tool: dict[str, Any], profile: dict[str, Any]) -> str | None:
    best = best_channel(data, tool, profile)
    if best is None:
        return None
    channel, level = best
    return (f"runs through {_lower(data['labels']['channels'][channel])}, "
            f"where you hold {_lower(data['labels']['channel_levels'][level])} leverage")


def _precedent_reason(data: dict[str, Any], tool: dict[str, Any], near: list[Near]) -> str:
    if not near:
        return "no past case in the knowledge base is close enough to this profile to compare"
    labels = data["labels"]["outcomes"]
    used = [n for n in near if tool["id"] in n.case["outcomes"]][: data["spec"]["precedent"]["cases_named"]]
    if not used:
        cases = "the one past case" if len(near) == 1 else f"any of the {len(near)} past cases"
        return f"not used in {cases} most like this one"
    named = []
    for n in used:
        closest = " (the closest)" if n is near[0] else ""
        named.append(f"{n.case['place']}{closest}: {_lower(labels[n.case['outcomes'][tool['id']]])}")
    return "in past cases like this one: " + "; ".join(named)


def reasons_and_shortfalls(
    data: dict[str, Any], tool: dict[str, Any], profile: dict[str, Any], near: list[Near]
) -> tuple[list[str], list[str]]:
    """Why a tool scores as it does (reasons), and what holds it back (shortfalls)."""
    labels = data["labels"]
    reasons = [_risk_reason(data, tool, profile), *_stage_reasons(data, tool, profile)]
    shortfalls: list[str] = []
    for reason, shortfall in (_objectives_words(data, tool, profile), _perpetrator_words(data, tool, profile)):
        if reason:
            reasons.append(reason)
        if shortfall:
            shortfalls.append(shortfall)
    channel = _channel_reason(data, tool, profile)
    if channel:
        reasons.append(channel)
    if tool["start"] == "at-once":
        reasons.append(f"must start at once, though it takes {_lower(labels['time_to_effect'][tool['time_to_effect']])}"
                       " to have effect: what it works with is lost with delay")
    reasons.append(
        f"evidence: {_lower(labels['effects'][tool['effect']])}, {_lower(labels['certainty'][tool['certainty']])}"
        f" certainty ({tool['direct_studies']} direct, {tool['related_studies']} related studies)"
    )
    reasons.append(_precedent_reason(data, tool, near))
    c = profile["constraints"]
    checks = check_scores(data, tool, profile)
    if checks["leverage"] < 1:
        shortfalls.append(
            f"needs {_lower(labels['leverage'][tool['leverage_needed']])} leverage; "
            f"you have {_lower(labels['leverage'][effective_leverage(data, c)])}"
        )
    if checks["time"] < 1:
        shortfalls.append(
            f"takes {_lower(labels['time_to_effect'][tool['time_to_effect']])} to have effect; "
            f"your horizon is {_lower(labels['time_to_effect'][c['time_horizon']])}"
        )
    if checks["budget"] < 1:
        shortfalls.append(f"costs {_lower(labels['cost'][tool['cost']])}; your budget is {_lower(labels['cost'][c['budget']])}")
    if checks["actors"] < 1:
        shortfalls.append("none of the actors who wield it is available: " + ", ".join(labels["actors"][a] for a in tool["actors"]))
    gates = data["spec"]["gates"]["needs"]
    for need, state in need_states(data, tool, profile).items():
        if state == "strained":
            shortfalls.append(gate_words(gates, need, profile["setting"], state))
    return reasons, shortfalls


def block_reasons(data: dict[str, Any], tool: dict[str, Any], profile: dict[str, Any], blocked_by: list[str]) -> list[str]:
    """Why the setting rules the tool out, one sentence for each need it lacks."""
    gates = data["spec"]["gates"]["needs"]
    found = []
    for need in blocked_by:
        if need == "channel":
            through = " or ".join(_lower(data["labels"]["channels"][c]) for c in tool["channels"])
            found.append(f"runs through {through}, and you hold no leverage there")
        else:
            found.append(gate_words(gates, need, profile["setting"], "blocked"))
    return found


def cautions(data: dict[str, Any], tool: dict[str, Any], profile: dict[str, Any]) -> list[dict[str, str]]:
    """The tool's backfire risks that apply to this profile's stage and risk factors."""
    minimum = data["spec"]["cautions"]["min_level"]
    levels = profile["risk_factors"]
    return [
        {"risk": r["risk"], "mitigation": r["mitigation"]}
        for r in tool["risks"]
        if (not r["stages"] or profile["stage"] in r["stages"])
        and (not r["risk_factors"] or any(levels[f] >= minimum for f in r["risk_factors"]))
    ]


TIER_LABELS = {"strong": "a strong fit", "considering": "worth considering", "weak": "a weak fit"}


def explain(recommendation: Recommendation, tool_id: str, catalog: Catalog) -> list[str]:
    """Plain-language lines on why one tool ranks where it does, or why it was left out or blocked."""
    tool = catalog.tool(tool_id)
    if tool is None:
        raise KeyError(tool_id)
    if any(excluded["id"] == tool.id for excluded in recommendation.excluded):
        return [f"{tool.title} ({tool.id}) was left out: the profile's constraints.exclude lists it."]
    blocked = recommendation.find_blocked(tool.id)
    if blocked is not None:
        lines = [f"{tool.title} ({tool.id}) is blocked in this setting, so it is not ranked:"]
        lines += [f"- {reason}" for reason in blocked.reasons]
        if blocked.alternatives:
            lines.append("- what routes around it: " + ", ".join(f"{t['title']} ({t['id']})" for t in blocked.alternatives))
        return lines
    scored = recommendation.find(tool.id)
    assert scored is not None
    best = recommendation.ranked[0]
    weights = scoring_spec()["weights"]
    equal = " (shared: the engine cannot tell these apart)" if scored.tied else ""
    lines = [
        f"{tool.title} ({tool.id}) ranks {scored.shown_rank}{equal} of {len(recommendation.ranked)}, "
        f"{TIER_LABELS[scored.tier]}, with {scored.total:.1f} points; the top tool, {best.tool['title']}, has {best.total:.1f}.",
        "",
        f"{'part':<13} {'this tool':>10} {'top tool':>10} {'most':>6}",
    ]
    for part in PARTS:
        lines.append(f"{part:<13} {scored.parts[part]:>10.1f} {best.parts[part]:>10.1f} {weights[part]:>6}")
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
    if recommendation.near:
        lines.append("- the past cases compared: " + "; ".join(n.case["place"] for n in recommendation.near))
    return lines
