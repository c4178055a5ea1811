"""The recommender's scoring, on plain data: the parts of each tool's score, the gates that block a tool in a
setting, the ranking, and tiers instead of false precision. :mod:`apkb.recommend.recommendation` wraps it for
callers, with the words.

The scoring is additive and every weight lives in ``scoring.yml``. The same specification runs in the browser
(``site/static/recommender.js``); both engines work on the same plain data (:func:`engine_data`), and shared
test vectors keep their rankings and scores identical. To keep floating-point results identical across the two
languages, every sum of floats is an explicit left-to-right loop (Python's ``sum()`` of floats is compensated
since 3.12, which JavaScript's ``+`` is not).
"""

from __future__ import annotations

from typing import Any

from apkb.recommend.cases import Near, nearest_cases, precedent_fraction
from apkb.recommend.spec import FEASIBILITY_CHECKS, PARTS

TIERS = ("strong", "considering", "weak")


# --- the parts of a score --------------------------------------------------------------------------------


def _shortfall(spec: dict[str, Any], steps: int) -> float:
    table: list[float] = spec["feasibility"]["shortfall"]
    return float(table[min(max(steps, 0), len(table) - 1)])


def situation_fits(tool: dict[str, Any], situations: list[str]) -> bool:
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
    if not situation_fits(tool, profile["situations"]):
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
    if tool["situations"] and situation_fits(tool, profile["situations"]):
        fraction = max(fraction, rules["situation_floor"])
    return fraction


def objectives_of(spec: dict[str, Any], profile: dict[str, Any]) -> tuple[list[str], bool]:
    """The objectives a profile is scored against, and whether they are the stage's defaults."""
    if profile["objectives"]:
        return list(profile["objectives"]), False
    return list(spec["objectives"]["defaults"][profile["stage"]]), True


def _objectives_fraction(spec: dict[str, Any], tool: dict[str, Any], profile: dict[str, Any]) -> float:
    objectives, default = objectives_of(spec, profile)
    served = 0
    for objective in objectives:
        if objective in tool["strategies"]:
            served += 1
    enough = spec["objectives"]["enough_by_default" if default else "enough"]
    return min(1.0, served / min(len(objectives), enough))


def _perpetrators_fraction(tool: dict[str, Any], profile: dict[str, Any]) -> float:
    present = profile["perpetrator_types"]
    if not present or not tool["perpetrator_types"]:
        return 1.0
    reached = 0
    for kind in present:
        if kind in tool["perpetrator_types"]:
            reached += 1
    return reached / len(present)


def best_channel(data: dict[str, Any], tool: dict[str, Any], profile: dict[str, Any]) -> tuple[str, str] | None:
    """The strongest of the tool's channels that the profile knows, as (channel, level); None if it knows none.
    Ties go to the channel listed first by the tool."""
    held = profile["constraints"]["channels"]
    scale = data["scales"]["channel_levels"]
    best: tuple[str, str] | None = None
    for channel in tool["channels"]:
        level = held.get(channel)
        if level is not None and (best is None or scale.index(level) > scale.index(best[1])):
            best = (channel, level)
    return best


def _channels_fraction(data: dict[str, Any], tool: dict[str, Any], profile: dict[str, Any]) -> float:
    best = best_channel(data, tool, profile)
    if best is None or best[1] == "none":
        return 1.0  # unknown never counts against a tool; "none" blocks it instead
    return float(data["spec"]["channels"]["value"][best[1]])


def _evidence_fraction(spec: dict[str, Any], tool: dict[str, Any]) -> float:
    rules = spec["evidence"]
    neutral = rules["effect"][rules["neutral"]]
    return neutral + (rules["effect"][tool["effect"]] - neutral) * rules["certainty_pull"][tool["certainty"]]


def effective_leverage(data: dict[str, Any], constraints: dict[str, Any]) -> str | None:
    """The leverage the profile gives, or, if it gives none, the strongest channel held (none counts for nothing)."""
    if constraints["leverage"] is not None:
        return str(constraints["leverage"])
    scale = data["scales"]["leverage"]
    best: str | None = None
    for level in constraints["channels"].values():
        if level in scale and (best is None or scale.index(level) > scale.index(best)):
            best = level
    return best


def need_states(data: dict[str, Any], tool: dict[str, Any], profile: dict[str, Any]) -> dict[str, str]:
    """For each of the tool's needs the setting speaks to: "blocked" or "strained" (met and unknown needs are left
    out)."""
    gates = data["spec"]["gates"]["needs"]
    found: dict[str, str] = {}
    for need in tool["needs"]:
        state = gate_state(gates, need, profile["setting"])
        if state is not None:
            found[need] = state
    return found


def gate_state(gates: dict[str, Any], need: str, setting: dict[str, str | None]) -> str | None:
    """"blocked", "strained" or None (met or unknown) for one need. A need met in any of several ways (``any_of``)
    is met if one way is met or unknown, strained if the best way is strained, and blocked only if every way is."""
    gate = gates[need]
    if "any_of" in gate:
        states = [gate_state(gates, way, setting) for way in gate["any_of"]]
        if None in states:
            return None
        return "strained" if "strained" in states else "blocked"
    value = setting[gate["setting"]]
    if value in gate["blocked"]:
        return "blocked"
    if value in gate["strained"]:
        return "strained"
    return None


def routes_around(gates: dict[str, Any], tool: dict[str, Any], need: str) -> bool:
    """Whether a tool can stand in for a need: it routes around the need, or around one of its ways (any_of)."""
    if need in tool["routes_around"]:
        return True
    return any(way in tool["routes_around"] for way in gates.get(need, {}).get("any_of", []))


def gate_words(gates: dict[str, Any], need: str, setting: dict[str, str | None], state: str) -> str:
    """The sentence that says why a need is blocked or strained ("needs a Security Council decision, and ...")."""
    gate = gates[need]
    if "any_of" in gate:
        return str(gate[state])
    return str(gate[state][setting[gate["setting"]]])


def check_scores(data: dict[str, Any], tool: dict[str, Any], profile: dict[str, Any]) -> dict[str, float]:
    """The score of each feasibility check, from 0 to 1."""
    spec, scales, constraints = data["spec"], data["scales"], profile["constraints"]

    def steps(scale: str, need: str, have: str | None) -> float:
        if have is None:
            return 1.0
        return _shortfall(spec, scales[scale].index(need) - scales[scale].index(have))

    available = constraints["actors_available"]
    return {
        "leverage": steps("leverage", tool["leverage_needed"], effective_leverage(data, constraints)),
        "time": 1.0 if tool["start"] == "at-once" else steps("time_to_effect", tool["time_to_effect"], constraints["time_horizon"]),
        "budget": steps("cost", tool["cost"], constraints["budget"]),
        "actors": 1.0 if available is None or any(a in available for a in tool["actors"]) else 0.0,
    }


def _feasibility_fraction(data: dict[str, Any], tool: dict[str, Any], profile: dict[str, Any]) -> float:
    """The weighted checks, scaled down by ``strained_score`` when the setting only partly meets a need of the tool:
    such a tool can only partly be carried out."""
    spec = data["spec"]
    checks = check_scores(data, tool, profile)
    fraction = 0.0
    for check in FEASIBILITY_CHECKS:
        fraction = fraction + spec["feasibility"]["checks"][check] * checks[check]
    if "strained" in need_states(data, tool, profile).values():
        fraction = fraction * spec["gates"]["strained_score"]
    return fraction


def score(
    data: dict[str, Any], tool: dict[str, Any], profile: dict[str, Any], near: list[Near]
) -> tuple[dict[str, float], float]:
    """The parts of a tool's score, in points, and their total."""
    spec = data["spec"]
    weights = spec["weights"]
    fractions = {
        "risk_fit": _risk_fraction(spec, tool, profile),
        "stage_fit": _stage_fraction(spec, data["scales"]["stages"], tool, profile),
        "objectives": _objectives_fraction(spec, tool, profile),
        "perpetrators": _perpetrators_fraction(tool, profile),
        "channels": _channels_fraction(data, tool, profile),
        "evidence": _evidence_fraction(spec, tool),
        "feasibility": _feasibility_fraction(data, tool, profile),
        "precedent": precedent_fraction(data, tool["id"], near),
    }
    parts = {part: weights[part] * fractions[part] for part in PARTS}
    total = 0.0
    for part in PARTS:
        total = total + parts[part]
    return parts, total


def blocks(data: dict[str, Any], tool: dict[str, Any], profile: dict[str, Any]) -> list[str]:
    """What blocks the tool in this profile: each need the setting says is absent ("council", ...), and
    "channel" when every one of its channels the profile knows is none."""
    found = [need for need, state in need_states(data, tool, profile).items() if state == "blocked"]
    held = profile["constraints"]["channels"]
    known = [held[c] for c in tool["channels"] if held.get(c) is not None]
    if known and all(level == "none" for level in known):
        found.append("channel")
    return found


# --- ranking ----------------------------------------------------------------------------------------


def order(item: tuple[dict[str, Any], dict[str, float], float]) -> tuple[float, float, float, str]:
    """The sort key of a scored tool: total, then evidence, then risk fit (higher first), then id."""
    tool, parts, total = item
    return (-total, -parts["evidence"], -parts["risk_fit"], tool["id"])


def shown_ranks_and_tiers(spec: dict[str, Any], totals: list[float]) -> tuple[list[int], list[str]]:
    """The rank each tool is shown with (tools within ``resolution`` points of the first of their group share its
    rank) and its tier (by how far it is below the best), for totals in ranked order."""
    rules = spec["tiers"]
    shown: list[int] = []
    tiers: list[str] = []
    head = 0
    for position, total in enumerate(totals):
        if totals[head] - total >= rules["resolution"]:
            head = position
        shown.append(head + 1)
        gap = totals[0] - total
        tiers.append("strong" if gap <= rules["strong"] else "considering" if gap <= rules["considering"] else "weak")
    return shown, tiers


def rank(data: dict[str, Any], profile: dict[str, Any]) -> dict[str, Any]:
    """The recommendation as plain data: ``ranked`` (tool, parts, total, rank, shown_rank, tier, tied: whether it
    shares its shown rank), ``blocked`` (tool,
    blocked_by, alternatives: tool ids), ``excluded`` (tool ids) and ``near`` (the nearest cases)."""
    excluded = set(profile["constraints"]["exclude"])
    near = nearest_cases(data, profile)
    scored, blocked = [], []
    for tool in data["tools"]:
        if tool["id"] in excluded:
            continue
        found = blocks(data, tool, profile)
        if found:
            blocked.append((tool, found))
        else:
            scored.append((tool, *score(data, tool, profile, near)))
    scored.sort(key=order)
    shown, tiers = shown_ranks_and_tiers(data["spec"], [total for _, _, total in scored])
    ranked = [
        {"tool": tool, "parts": parts, "total": total, "rank": i + 1, "shown_rank": shown[i], "tier": tiers[i],
         "tied": (i > 0 and shown[i - 1] == shown[i]) or (i + 1 < len(shown) and shown[i + 1] == shown[i])}
        for i, (tool, parts, total) in enumerate(scored)
    ]
    most, gates = data["spec"]["gates"]["alternatives"], data["spec"]["gates"]["needs"]
    blocked_out = []
    for tool, found in blocked:
        alternatives = []
        for item in ranked:
            stands_in = any(routes_around(gates, item["tool"], need) for need in found)
            if stands_in or ("channel" in found and _through_held_channel(item["tool"], profile)):
                alternatives.append(item["tool"]["id"])
            if len(alternatives) == most:
                break
        blocked_out.append({"tool": tool, "blocked_by": found, "alternatives": alternatives})
    return {
        "ranked": ranked,
        "blocked": blocked_out,
        "excluded": [tool["id"] for tool in data["tools"] if tool["id"] in excluded],
        "near": near,
    }


def _through_held_channel(tool: dict[str, Any], profile: dict[str, Any]) -> bool:
    """Whether the tool runs through a channel the profile holds at medium or high: an alternative to a tool whose
    channels the profile lacks."""
    held = profile["constraints"]["channels"]
    return any(held.get(c) in ("medium", "high") for c in tool["channels"])
