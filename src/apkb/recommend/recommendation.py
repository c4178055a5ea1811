"""A recommendation for callers (the command line, the site, the briefing): the engine's ranking of
:mod:`apkb.recommend.engine` with the words of :mod:`apkb.recommend.words`, written only for the tools shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from apkb.content.catalog import Catalog
from apkb.content.profile import Profile
from apkb.recommend.cases import Near
from apkb.recommend.engine import rank
from apkb.recommend.spec import engine_data, profile_data
from apkb.recommend.words import block_reasons, cautions, reasons_and_shortfalls


@dataclass
class Scored:
    """One tool's place in a recommendation. Its words (reasons, shortfalls, cautions) are written when first
    asked for: a page shows a few tools, and writing them for thousands would cost more than the scoring."""

    tool: dict[str, Any]
    parts: dict[str, float]
    total: float
    rank: int
    shown_rank: int
    tier: str
    tied: bool
    data: dict[str, Any] = field(repr=False)
    profile: dict[str, Any] = field(repr=False)
    near: list[Near] = field(repr=False)

    @property
    def id(self) -> str:
        return str(self.tool["id"])

    @cached_property
    def _words(self) -> tuple[list[str], list[str]]:
        return reasons_and_shortfalls(self.data, self.tool, self.profile, self.near)

    @property
    def reasons(self) -> list[str]:
        return self._words[0]

    @property
    def shortfalls(self) -> list[str]:
        return self._words[1]

    @cached_property
    def cautions(self) -> list[dict[str, str]]:
        return cautions(self.data, self.tool, self.profile)


@dataclass
class Blocked:
    """A tool the setting rules out: why, and the best-ranked tools that route around what it lacks."""

    tool: dict[str, Any]
    blocked_by: list[str]
    alternatives: list[dict[str, Any]]
    data: dict[str, Any] = field(repr=False)
    profile: dict[str, Any] = field(repr=False)

    @property
    def id(self) -> str:
        return str(self.tool["id"])

    @cached_property
    def reasons(self) -> list[str]:
        return block_reasons(self.data, self.tool, self.profile, self.blocked_by)


@dataclass
class Recommendation:
    """Every tool the profile allows, scored and ranked; those the setting blocks; those the profile excluded; and
    the past cases the precedent part drew on."""

    profile: Profile
    ranked: list[Scored]
    blocked: list[Blocked]
    excluded: list[dict[str, Any]]
    near: list[Near]

    def top(self, count: int) -> list[Scored]:
        return self.ranked[:count]

    def find(self, tool_id: str) -> Scored | None:
        return next((scored for scored in self.ranked if scored.id == tool_id), None)

    def find_blocked(self, tool_id: str) -> Blocked | None:
        return next((blocked for blocked in self.blocked if blocked.id == tool_id), None)


def recommend(catalog: Catalog, profile: Profile, data: dict[str, Any] | None = None) -> Recommendation:
    """Score and rank every tool in ``catalog`` for ``profile``."""
    data = data or engine_data(catalog)
    plain = profile_data(profile)
    result = rank(data, plain)
    near: list[Near] = result["near"]
    ranked = [
        Scored(item["tool"], item["parts"], item["total"], item["rank"], item["shown_rank"], item["tier"],
               item["tied"], data, plain, near)
        for item in result["ranked"]
    ]
    by_id = {tool["id"]: tool for tool in data["tools"]}
    blocked = [
        Blocked(item["tool"], item["blocked_by"], [by_id[i] for i in item["alternatives"]], data, plain)
        for item in result["blocked"]
    ]
    return Recommendation(profile, ranked, blocked, [by_id[i] for i in result["excluded"]], near)
