"""The case base: how similar a profile is to each past case (the lessons' decision points), which cases are the
nearest, and what was done there, and how it went, for each tool.

Like the browser engine, every sum of floats is an explicit left-to-right loop, so that both give the same bits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

SIMILARITY_PARTS = ("stage", "risk_factors", "situations", "perpetrator_types", "setting")


@dataclass(frozen=True)
class Near:
    """A past case near the profile: the case's data and how similar it is (0 to 1)."""

    case: dict[str, Any]
    similarity: float


def _shared_share(a: list[str], b: list[str]) -> float | None:
    """Shared items / items in either; None (unknown) if either lists none."""
    if not a or not b:
        return None
    either = list(a)
    for item in b:
        if item not in either:
            either.append(item)
    shared = 0
    for item in a:
        if item in b:
            shared += 1
    return shared / len(either)


def _cosine(order: list[str], a: dict[str, int], b: dict[str, int]) -> float | None:
    dot, norm_a, norm_b = 0, 0, 0
    for factor in order:
        dot += a[factor] * b[factor]
        norm_a += a[factor] * a[factor]
        norm_b += b[factor] * b[factor]
    if norm_a == 0 or norm_b == 0:
        return None
    return dot / (math.sqrt(norm_a) * math.sqrt(norm_b))


def _setting_closeness(scales: dict[str, list[str]], a: dict[str, str | None], b: dict[str, str | None]) -> float | None:
    total, known = 0.0, 0
    for key, scale in scales.items():
        if a[key] is None or b[key] is None:
            continue
        total = total + (1 - abs(scale.index(a[key]) - scale.index(b[key])) / (len(scale) - 1))
        known += 1
    return total / known if known else None


def similarity(data: dict[str, Any], a: dict[str, Any], b: dict[str, Any]) -> float:
    """How alike two profiles are, from 0 to 1: the weighted mean of the parts both describe (see scoring.yml)."""
    rules, scales = data["spec"]["precedent"], data["scales"]
    stages = scales["stages"]
    distance = abs(stages.index(a["stage"]) - stages.index(b["stage"]))
    stage = rules["stage"]["same"] if distance == 0 else rules["stage"]["adjacent"] if distance == 1 else rules["stage"]["other"]
    parts: dict[str, float | None] = {
        "stage": float(stage),
        "risk_factors": _cosine(scales["risk_factors"], a["risk_factors"], b["risk_factors"]),
        "situations": _shared_share(a["situations"], b["situations"]),
        "perpetrator_types": _shared_share(a["perpetrator_types"], b["perpetrator_types"]),
        "setting": _setting_closeness(scales["setting"], a["setting"], b["setting"]),
    }
    weighted, weights = 0.0, 0.0
    for name in SIMILARITY_PARTS:
        value = parts[name]
        if value is None:
            continue
        weight = rules["similarity_weights"][name]
        weighted = weighted + weight * value
        weights = weights + weight
    return weighted / weights


def nearest_cases(data: dict[str, Any], profile: dict[str, Any]) -> list[Near]:
    """The cases that count for this profile: the most similar ones (at most ``nearest``, each at least
    ``min_similarity``), most similar first, ties by case id."""
    rules = data["spec"]["precedent"]
    near = [Near(case, similarity(data, profile, case["profile"])) for case in data["cases"]]
    near = [n for n in near if n.similarity >= rules["min_similarity"]]
    near.sort(key=lambda n: (-n.similarity, n.case["id"]))
    return near[: rules["nearest"]]


def precedent_fraction(data: dict[str, Any], tool_id: str, near: list[Near]) -> float:
    """(1 + the similarity-weighted mean outcome value of the tool in the nearest cases) / 2; 0.5 with none."""
    values = data["spec"]["precedent"]["outcome_value"]
    weighted, weights = 0.0, 0.0
    for n in near:
        outcome = n.case["outcomes"].get(tool_id)
        value = values[outcome] if outcome is not None else 0.0
        weighted = weighted + n.similarity * value
        weights = weights + n.similarity
    if weights == 0:
        return 0.5
    return (1 + weighted / weights) / 2
