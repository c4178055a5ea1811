"""The backtest: the recommender scored on every lesson's decision point, leaving that lesson out of the case base,
against what was actually done there, beside three baselines: a random top 10, ranking by evidence alone, and the
usual practice of the other cases (the tools that helped, were mixed or were missed in the most of them).

For each lesson, the tools that helped, were mixed or were missed ("should have been used") there are the ones a
good recommendation should hold; those that backfired are the ones it should not put first. Tools that were used
with no clear effect count neither way, and so do uses that lay wholly before the decision point (a warning
ignored months earlier): at that moment they were no longer choices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apkb.content.catalog import Catalog
from apkb.content.templating import template_environment
from apkb.content.vocabulary import vocabularies
from apkb.content.model import Lesson
from apkb.recommend.engine import rank
from apkb.recommend.spec import decision_outcomes, engine_data, profile_data, scoring_spec

TOP = 10
"""Recall is measured in the top 10, the default number of results on the page and in the briefing."""

BACKFIRE_TOP = 5
"""Backfired tools are looked for in the top 5: the tools an officer would act on first."""

POSITIVE = ("helped", "mixed", "missed")


@dataclass
class Miss:
    """A tool that should have been in the top 10 and was not, and where it was instead."""

    tool: str
    outcome: str
    where: str


@dataclass
class CaseResult:
    """The backtest of one lesson."""

    lesson: str
    title: str
    place: str
    positives: list[str]
    backfired: list[str]
    top: list[str]
    found: list[str]
    backfired_in_top: list[str]
    evidence_found: list[str]
    evidence_backfired_in_top: list[str]
    usual_found: list[str]
    usual_backfired_in_top: list[str]
    random_recall: float
    random_backfired: float
    misses: list[Miss] = field(default_factory=list)
    nearest: list[str] = field(default_factory=list)
    blocked: list[dict[str, Any]] = field(default_factory=list)
    """The tools the engine showed as blocked there: tool, blocked_by (needs) and alternatives (tool ids)."""
    outcomes: dict[str, str] = field(default_factory=dict)
    """How each tool chosen there (at or after the decision point) fared, by the tool's current id."""
    earlier: list[str] = field(default_factory=list)
    """The tools used or missed only before the decision point: history then, not choices, so not scored."""

    @property
    def recall(self) -> float | None:
        return len(self.found) / len(self.positives) if self.positives else None

    @property
    def evidence_recall(self) -> float | None:
        return len(self.evidence_found) / len(self.positives) if self.positives else None

    @property
    def usual_recall(self) -> float | None:
        return len(self.usual_found) / len(self.positives) if self.positives else None


@dataclass
class Evaluation:
    """The backtest of every lesson, and the figures over all of them."""

    cases: list[CaseResult]
    tools: int

    def worst(self, count: int) -> list[CaseResult]:
        """The ``count`` lessons with the lowest recall (ties by lesson id), leaving out those with nothing to find."""
        scored = [case for case in self.cases if case.recall is not None]
        return sorted(scored, key=lambda case: (case.recall, case.lesson))[:count]

    def _mean(self, values: list[float | None]) -> float:
        known = [v for v in values if v is not None]
        return sum(known) / len(known) if known else 0.0

    @property
    def recall(self) -> float:
        """Recall@10, the mean over lessons (each lesson counts the same)."""
        return self._mean([case.recall for case in self.cases])

    @property
    def recall_pooled(self) -> float:
        """Recall@10 over every tool use pooled (lessons with more uses count more)."""
        positives = sum(len(case.positives) for case in self.cases)
        return sum(len(case.found) for case in self.cases) / positives if positives else 0.0

    @property
    def evidence_recall(self) -> float:
        return self._mean([case.evidence_recall for case in self.cases])

    @property
    def usual_recall(self) -> float:
        return self._mean([case.usual_recall for case in self.cases])

    @property
    def hindsight_recall(self) -> float:
        """The mean recall of the best single top 10 for every lesson, chosen knowing every lesson's answers: the
        most any list that ignores the situation can reach. A tool adds 1/(positives) for each lesson it is a
        positive in, so the best list is simply the ten tools with the largest sums (ties by id)."""
        gains: dict[str, float] = {}
        for case in self.cases:
            for tool in case.positives:
                gains[tool] = gains.get(tool, 0.0) + 1 / len(case.positives)
        best = set(sorted(gains, key=lambda tool: (-gains[tool], tool))[:TOP])
        return self._mean([len(best.intersection(c.positives)) / len(c.positives) if c.positives else None
                           for c in self.cases])

    @property
    def random_recall(self) -> float:
        return self._mean([case.random_recall for case in self.cases if case.positives])

    @property
    def backfired(self) -> int:
        return sum(len(case.backfired) for case in self.cases)

    def _share(self, counts: int) -> float:
        return counts / self.backfired if self.backfired else 0.0

    @property
    def backfired_share(self) -> float:
        """The share of tools that backfired in a case that the engine puts in its top 5 there."""
        return self._share(sum(len(case.backfired_in_top) for case in self.cases))

    @property
    def evidence_backfired_share(self) -> float:
        return self._share(sum(len(case.evidence_backfired_in_top) for case in self.cases))

    @property
    def usual_backfired_share(self) -> float:
        return self._share(sum(len(case.usual_backfired_in_top) for case in self.cases))

    @property
    def random_backfired_share(self) -> float:
        return BACKFIRE_TOP / self.tools if self.tools else 0.0

    def as_data(self) -> dict[str, Any]:
        """JSON-ready figures, overall and for each lesson."""
        return {
            "scoring_version": scoring_spec()["version"],
            "lessons": len(self.cases),
            "tools": self.tools,
            "top": TOP,
            "backfire_top": BACKFIRE_TOP,
            "overall": {
                "recall": self.recall,
                "recall_pooled": self.recall_pooled,
                "backfired": self.backfired,
                "backfired_share": self.backfired_share,
                "baselines": {
                    "random": {"recall": self.random_recall, "backfired_share": self.random_backfired_share},
                    "evidence_alone": {"recall": self.evidence_recall, "backfired_share": self.evidence_backfired_share},
                    "usual_practice": {"recall": self.usual_recall, "backfired_share": self.usual_backfired_share},
                    "best_fixed_list_in_hindsight": {"recall": self.hindsight_recall},
                },
            },
            "cases": [
                {
                    "lesson": c.lesson, "title": c.title, "place": c.place, "recall": c.recall,
                    "positives": c.positives, "found": c.found, "top": c.top, "backfired": c.backfired,
                    "backfired_in_top": c.backfired_in_top, "evidence_recall": c.evidence_recall,
                    "usual_recall": c.usual_recall,
                    "random_recall": c.random_recall, "nearest": c.nearest,
                    "misses": [{"tool": m.tool, "outcome": m.outcome, "where": m.where} for m in c.misses],
                    "earlier": c.earlier,
                }
                for c in self.cases
            ],
        }


def _evidence_order(data: dict[str, Any]) -> list[str]:
    """Every tool ranked by the evidence part alone (ties by id): the baseline of evidence without judgement."""
    spec = data["spec"]["evidence"]
    neutral = spec["effect"][spec["neutral"]]

    def fraction(tool: dict[str, Any]) -> float:
        return float(neutral + (spec["effect"][tool["effect"]] - neutral) * spec["certainty_pull"][tool["certainty"]])

    return [tool["id"] for tool in sorted(data["tools"], key=lambda t: (-fraction(t), t["id"]))]


def _usual_order(data: dict[str, Any], evidence: list[str]) -> list[str]:
    """Every tool ranked by the number of past cases in ``data`` where it helped, was mixed or was missed (ties in
    evidence order): the baseline of doing what is usually done, whatever the situation."""
    counts = {tool_id: 0 for tool_id in evidence}
    for case in data["cases"]:
        for tool_id, outcome in case["outcomes"].items():
            if outcome in POSITIVE:
                counts[tool_id] += 1
    return sorted(evidence, key=lambda tool_id: (-counts[tool_id], evidence.index(tool_id)))


def evaluate_lesson(catalog: Catalog, lesson: Lesson) -> CaseResult:
    """Run the engine on one lesson's decision point, with that lesson left out of the case base."""
    data = engine_data(catalog, leave_out=lesson.id)
    result = rank(data, profile_data(lesson.decision_point.profile))
    outcomes = decision_outcomes(catalog, lesson)
    earlier = [tool.id for u in lesson.tools_used
               if u.before_decision_point and (tool := catalog.tool(u.tool)) is not None and tool.id not in outcomes]
    positives = [tool for tool, outcome in outcomes.items() if outcome in POSITIVE]
    backfired = [tool for tool, outcome in outcomes.items() if outcome == "backfired"]
    order = [item["tool"]["id"] for item in result["ranked"]]
    top = order[:TOP]
    evidence = _evidence_order(data)
    usual = _usual_order(data, evidence)
    blocked = {item["tool"]["id"]: item["blocked_by"] for item in result["blocked"]}
    misses = []
    for tool in positives:
        if tool in top:
            continue
        if tool in blocked:
            where = "blocked: needs " + ", ".join(blocked[tool])
        elif tool in result["excluded"]:
            where = "excluded by the profile"
        else:
            where = f"ranked {order.index(tool) + 1}"
        misses.append(Miss(tool, outcomes[tool], where))
    tools = len(data["tools"])
    return CaseResult(
        lesson=lesson.id,
        title=lesson.title,
        place=f"{lesson.country} {lesson.period}",
        positives=positives,
        backfired=backfired,
        top=top,
        found=[t for t in positives if t in top],
        backfired_in_top=[t for t in backfired if t in order[:BACKFIRE_TOP]],
        evidence_found=[t for t in positives if t in evidence[:TOP]],
        evidence_backfired_in_top=[t for t in backfired if t in evidence[:BACKFIRE_TOP]],
        usual_found=[t for t in positives if t in usual[:TOP]],
        usual_backfired_in_top=[t for t in backfired if t in usual[:BACKFIRE_TOP]],
        random_recall=min(TOP, tools) / tools if tools else 0.0,
        random_backfired=min(BACKFIRE_TOP, tools) / tools if tools else 0.0,
        misses=misses,
        nearest=[n.case["id"] for n in result["near"]],
        blocked=[{"tool": item["tool"]["id"], "blocked_by": list(item["blocked_by"]),
                  "alternatives": list(item["alternatives"])} for item in result["blocked"]],
        outcomes=outcomes,
        earlier=earlier,
    )


def evaluate(catalog: Catalog) -> Evaluation:
    """The backtest over every lesson, in id order (leave one out)."""
    return Evaluation([evaluate_lesson(catalog, lesson) for lesson in catalog.lessons.values()], len(catalog.tools))


def evaluation_markdown(evaluation: Evaluation, catalog: Catalog) -> str:
    """The backtest page: the figures over all lessons, lesson by lesson, and where the engine fails."""
    data = evaluation.as_data()
    places = {lesson.id: f"{lesson.country} {lesson.period}" for lesson in catalog.lessons.values()}
    for case in data["cases"]:
        case["nearest_places"] = [places[i] for i in case["nearest"]]
    environment = template_environment("apkb.recommend", autoescape=False)
    return environment.get_template("evaluation.md.j2").render(
        e=data,
        o=data["overall"],
        backfired_found=sum(len(case.backfired_in_top) for case in evaluation.cases),
        titles={tool_id: tool.title for tool_id, tool in catalog.tools.items()},
        outcome_labels={term.id: term.label for term in vocabularies().outcomes.terms},
    )
