"""The recommender: transparent scores from one data file, stated tie-breaks, reasons, cautions and errors; and the
rules of version 2: gates with what routes around them, urgency, leverage by channel, perpetrators, objectives,
the case base, and tiers."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from apkb.content.catalog import Catalog
from apkb.content.problems import ContentError
from apkb.content.profile import Profile, load_profile
from apkb.content.validate import validate
from apkb.recommend import spec as engine_spec
from apkb.recommend.recommendation import Recommendation, recommend
from apkb.recommend.spec import PARTS, engine_data, scoring_spec
from apkb.recommend.words import explain
from conftest import FIXTURE_SITE, REPO, run_cli

SCENARIOS = sorted((REPO / "docs" / "training" / "scenarios").glob("*.yml"))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return validate(REPO).catalog


def profile(**fields: object) -> Profile:
    return Profile.model_validate({"stage": "mitigation", **fields})


def test_the_total_is_the_sum_of_the_parts_and_each_part_within_its_weight(catalog: Catalog) -> None:
    weights = scoring_spec()["weights"]
    result = recommend(catalog, profile(risk_factors={"RF08": 3, "RF09": 2}, constraints={"leverage": "low"}))
    for scored in result.ranked:
        assert scored.total == pytest.approx(sum(scored.parts.values()))
        assert all(0 <= scored.parts[part] <= weights[part] for part in PARTS), scored.id


def test_a_profile_with_no_risk_factor_gives_no_risk_fit(catalog: Catalog) -> None:
    assert all(s.parts["risk_fit"] == 0 for s in recommend(catalog, profile()).ranked)


def test_raising_a_factor_a_tool_addresses_never_lowers_its_risk_fit(catalog: Catalog) -> None:
    base = {"RF01": 1, "RF08": 2, "RF11": 1}
    before = recommend(catalog, profile(risk_factors=base))
    for tool in catalog.tools.values():
        factor = next(iter(tool.risk_factors))
        raised = recommend(catalog, profile(risk_factors={**base, factor: 3}))
        assert raised.find(tool.id).parts["risk_fit"] >= before.find(tool.id).parts["risk_fit"], tool.id


def test_a_tool_off_the_profiles_stage_loses_stage_points(catalog: Catalog) -> None:
    every_situation = sorted({situation for tool in catalog.tools.values() for situation in tool.situations})
    result = recommend(catalog, profile(stage="response", situations=every_situation))
    for scored in result.ranked:
        if "response" in scored.tool["stages"]:
            assert scored.parts["stage_fit"] == scoring_spec()["weights"]["stage_fit"]
        else:
            assert scored.parts["stage_fit"] < scoring_spec()["weights"]["stage_fit"]
            assert any("not a response-stage tool" in reason for reason in scored.reasons)


def test_every_weight_comes_from_the_scoring_file(catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = json.loads(json.dumps(scoring_spec()))
    spec["weights"] = {**dict.fromkeys(PARTS, 0), "evidence": 100}
    monkeypatch.setattr(engine_spec, "scoring_spec", lambda: spec)
    result = recommend(catalog, profile(risk_factors={"RF01": 3}))
    effects = spec["evidence"]["effect"]
    best = max(effects[t.evidence.effect] for t in catalog.tools.values())
    assert effects[catalog.tools[result.ranked[0].id].evidence.effect] == best
    assert all(s.parts["risk_fit"] == 0 for s in result.ranked)


def test_shortfalls_under_constraints_are_named_and_cost_points(catalog: Catalog) -> None:
    free = recommend(catalog, profile(risk_factors={"RF04": 2}))
    tight = recommend(catalog, profile(risk_factors={"RF04": 2}, constraints={
        "leverage": "low", "time_horizon": "days", "budget": "low", "actors_available": ["civil-society"],
    }))
    needs_high = next(t for t in catalog.tools.values() if t.leverage_needed == "high")
    scored = tight.find(needs_high.id)
    assert scored.parts["feasibility"] < free.find(needs_high.id).parts["feasibility"]
    assert any(s.startswith("needs high leverage; you have low") for s in scored.shortfalls)
    no_actor = next(s for s in tight.ranked if "civil-society" not in s.tool["actors"])
    assert any("none of the actors who wield it is available" in s for s in no_actor.shortfalls)


def test_a_tool_made_for_a_situation_the_profile_lacks_ranks_lower(catalog: Catalog) -> None:
    factors = {"RF08": 3, "RF09": 2}
    without = recommend(catalog, profile(risk_factors=factors)).find("election-violence-prevention")
    with_election = recommend(catalog, profile(risk_factors=factors, situations=["election"])).find(
        "election-violence-prevention"
    )
    assert with_election.rank < without.rank
    assert without.parts["stage_fit"] == pytest.approx(with_election.parts["stage_fit"] * 0.3)
    assert any(r.startswith("made for an election or referendum") and r.endswith(", which this profile does not list")
               for r in without.reasons)


def test_excluded_tools_are_left_out_and_explained(catalog: Catalog) -> None:
    result = recommend(catalog, profile(constraints={"exclude": ["mediation"]}))
    assert result.find("mediation") is None
    assert [t["id"] for t in result.excluded] == ["mediation"]
    assert "constraints.exclude lists it" in explain(result, "mediation", catalog)[0]


def test_explain_says_where_a_tool_ranks_and_what_holds_it_back(catalog: Catalog) -> None:
    result = recommend(catalog, profile(risk_factors={"RF08": 3}, constraints={"leverage": "low"}))
    last = result.ranked[-1]
    text = "\n".join(explain(result, last.id, catalog))
    assert f"ranks {last.shown_rank}" in text and f"of {len(result.ranked)}, a weak fit" in text
    assert "the biggest gap to the top tool is" in text


def test_the_order_does_not_depend_on_the_order_of_files() -> None:
    report = validate(REPO)
    tools, lessons = list(report.catalog.tools.values()), list(report.catalog.lessons.values())
    chosen = profile(risk_factors={"RF01": 2, "RF08": 3}, constraints={"time_horizon": "weeks"})
    expected = [s.id for s in recommend(report.catalog, chosen).ranked]
    for seed in range(3):
        random.Random(seed).shuffle(tools)
        assert [s.id for s in recommend(Catalog(tools, lessons), chosen).ranked] == expected


def test_ties_are_broken_by_evidence_then_risk_fit_then_id() -> None:
    catalog = validate(FIXTURE_SITE).catalog
    data = engine_data(catalog)
    twin = dict(data["tools"][0], id="aaa-twin")
    data["tools"] = [data["tools"][0], twin]
    data["cases"] = []  # past cases name the first tool only, which would tell the twins apart
    ranked = recommend(catalog, profile(), data).ranked
    assert ranked[0].total == ranked[1].total
    assert [s.id for s in ranked] == sorted([data["tools"][0]["id"], "aaa-twin"])


def test_cautions_are_the_risks_that_match_the_stage_and_a_strong_factor(catalog: Catalog) -> None:
    tool = next(t for t in catalog.tools.values() if any(r.risk_factors and not r.stages for r in t.evidence.risks))
    risk = next(r for r in tool.evidence.risks if r.risk_factors and not r.stages)
    weak = recommend(catalog, profile(risk_factors={f: 1 for f in risk.risk_factors})).find(tool.id)
    strong = recommend(catalog, profile(risk_factors={f: 3 for f in risk.risk_factors})).find(tool.id)
    assert risk.risk not in [c["risk"] for c in weak.cautions]
    assert risk.risk in [c["risk"] for c in strong.cautions]


def test_lessons_and_combinations_travel_with_each_result(catalog: Catalog) -> None:
    scored = recommend(catalog, profile()).find("mediation")
    assert {lesson["id"] for lesson in scored.tool["lessons"]} >= {"kenya-2008"}
    assert scored.tool["combines_with"], "mediation lists tools it works well with"


# --- profiles: bad input names the file, the line and the field ----------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("stage: crisis\n", ":1: stage: found 'crisis'; expected one of: prevention, mitigation, response"),
        ("stage: response\nrisk_factors:\n  RF01: 4\n", ":3: risk_factors.RF01: found 4; expected: less than or equal to 3"),
        ("stage: response\nrisk_factors:\n  RF15: 1\n", ":3: risk_factors.RF15"),
        ("stage: response\nconstraints:\n  leverage: huge\n", ":3: constraints.leverage: found 'huge'"),
        ("stage: response\nconstraints:\n  budjet: low\n", ":3: constraints.budjet: unknown field; expected one of:"),
        ("risk_factors: {}\n", ":1: stage: is required but missing"),
        ("stage: [response\n", "YAML syntax error"),
    ],
)
def test_a_bad_profile_is_reported_with_line_and_field(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "profile.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        load_profile(path)
    assert any(expected in str(problem) for problem in raised.value.problems), raised.value


def test_a_json_profile_is_read_too(tmp_path: Path) -> None:
    path = tmp_path / "profile.json"
    path.write_text(json.dumps({"stage": "response", "risk_factors": {"RF11": 3}}), encoding="utf-8")
    assert load_profile(path).level("RF11") == 3


# --- the command line ----------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.stem)
def test_recommend_works_on_every_scenario_in_all_three_formats(scenario: Path, in_repo: Path) -> None:
    table = run_cli("recommend", str(scenario), "--top", "5")
    assert table.exit_code == 0, table.output
    data = json.loads(run_cli("recommend", str(scenario), "--format", "json", "--top", "5").stdout)
    assert len(data["results"]) == 5
    assert all(f"{r['total']:.1f}" in table.stdout for r in data["results"])
    briefing = run_cli("recommend", str(scenario), "--format", "markdown", "--top", "5").stdout
    for heading in ("## The situation", "## Recommended tools", "## Cautions", "## Suggested combinations", "## Sources"):
        assert heading in briefing
    first = data["results"][0]
    assert f"### 1{'=' if first['tied'] else ''}. {first['title']}" in briefing
    assert "starting point for judgement, not a substitute for it" in briefing


def test_the_json_output_matches_the_engine(in_repo: Path, catalog: Catalog) -> None:
    scenario = SCENARIOS[0]
    data = json.loads(run_cli("recommend", str(scenario), "--format", "json", "--top", "40").stdout)
    expected = recommend(catalog, load_profile(scenario))
    assert [r["id"] for r in data["results"]] == [s.id for s in expected.top(40)]
    assert data["results"][0]["total"] == expected.ranked[0].total


def test_recommend_explain_and_its_errors(in_repo: Path) -> None:
    scenario = str(SCENARIOS[0])
    explained = run_cli("recommend", scenario, "--explain", "arms-embargoes")
    assert explained.exit_code == 0 and "ranks " in explained.stdout and "risk_fit" in explained.stdout
    unknown = run_cli("recommend", scenario, "--explain", "arms-embargo")
    assert unknown.exit_code == 1 and "Did you mean: arms-embargoes" in unknown.stderr


def test_recommend_rejects_a_bad_profile_with_exit_code_1(tmp_path: Path, in_repo: Path) -> None:
    path = tmp_path / "bad.yml"
    path.write_text("stage: mitigation\nrisk_factors:\n  RF08: high\n", encoding="utf-8")
    result = run_cli("recommend", str(path))
    assert result.exit_code == 1
    assert "bad.yml:3: risk_factors.RF08: found 'high'" in result.stderr


# --- version 2: what decides real choices ---------------------------------------------------------------

ATROCITIES = {"RF01": 3, "RF02": 3, "RF05": 3, "RF10": 2, "RF11": 3, "RF12": 2, "RF13": 2, "RF14": 2}
"""A response-stage profile with every atrocity-crime factor (RF10-RF14) at level 2 or above."""


def crisis(constraints: dict[str, object] | None = None, **fields: object) -> Profile:
    return profile(stage="response", risk_factors=ATROCITIES, constraints={"time_horizon": "weeks", **(constraints or {})},
                   **fields)


def top_ids(result: Recommendation, count: int = 10) -> list[str]:
    return [s.id for s in result.top(count)]


def test_a_blocked_council_blocks_council_action_and_names_what_routes_around_it(catalog: Catalog) -> None:
    result = recommend(catalog, crisis(setting={"security_council": "blocked"}))
    assert result.find("security-council-action") is None
    blocked = result.find_blocked("security-council-action")
    assert blocked is not None and blocked.blocked_by == ["council"]
    assert blocked.reasons == ["needs a Security Council decision, and a permanent member would veto one"]
    around = [t["id"] for t in blocked.alternatives]
    assert around and all("council" in catalog.tools[t].routes_around for t in around)
    routing = [s.id for s in result.ranked if "council" in s.tool["routes_around"]]
    assert around == routing[: len(around)], "the alternatives are the best-ranked tools that route around it"
    assert {"human-rights-council-action", "regional-organisations"} <= set(routing)
    open_council = recommend(catalog, crisis(setting={"security_council": "open"}))
    assert open_council.find("security-council-action") is not None


def test_a_divided_council_holds_council_action_back_and_says_why(catalog: Catalog) -> None:
    open_council = recommend(catalog, crisis(setting={"security_council": "open"})).find("security-council-action")
    divided = recommend(catalog, crisis(setting={"security_council": "divided"})).find("security-council-action")
    assert divided.parts["feasibility"] < open_council.parts["feasibility"]
    assert "needs a Security Council decision, and the Council is divided" in divided.shortfalls


def test_a_peace_operation_needs_a_mandate_from_the_council_or_the_host(catalog: Catalog) -> None:
    """A regional or coalition force can deploy at the host's invitation when the Council is blocked (RAMSI in 2003);
    only when both ways are shut is it blocked, and when neither is fully open it is held back."""
    def peace_operations(council: str, consent: str) -> tuple[object, object]:
        result = recommend(catalog, crisis(setting={"security_council": council, "host_consent": consent}))
        return result.find("peace-operations"), result.find_blocked("peace-operations")

    invited, _ = peace_operations("blocked", "given")
    open_both, _ = peace_operations("open", "given")
    assert invited is not None and invited.parts["feasibility"] == open_both.parts["feasibility"]
    assert not any("mandate" in s for s in invited.shortfalls)
    council_only, _ = peace_operations("open", "refused")
    assert council_only is not None and council_only.parts["feasibility"] == open_both.parts["feasibility"]
    for council, consent in (("blocked", "conditional"), ("divided", "refused"), ("divided", "conditional")):
        held, _ = peace_operations(council, consent)
        assert held is not None and held.parts["feasibility"] < open_both.parts["feasibility"], (council, consent)
        assert any(s.startswith("needs a mandate, from the Security Council or at the host") for s in held.shortfalls)
    ranked, blocked = peace_operations("blocked", "refused")
    assert ranked is None and blocked is not None and blocked.blocked_by == ["mandate"]
    assert blocked.reasons[0].startswith("needs a mandate, and neither way is open")
    around = [t["id"] for t in blocked.alternatives]
    assert around and all({"council", "host-consent"} & set(catalog.tools[t].routes_around) for t in around)


def test_denied_access_blocks_the_tools_that_need_people_on_the_ground(catalog: Catalog) -> None:
    result = recommend(catalog, crisis(setting={"access": "denied"}))
    presence = {t.id for t in catalog.tools.values() if "presence" in t.needs}
    assert {"unarmed-civilian-protection", "human-rights-monitoring", "diplomatic-presence"} <= presence
    assert {b.id for b in result.blocked} == presence
    assert not presence & set(top_ids(result, len(result.ranked)))
    around = {t["id"] for b in result.blocked for t in b.alternatives}
    assert "documentation-and-evidence-preservation" in around or "commissions-of-inquiry" in around


def test_with_atrocity_crimes_under_way_documentation_or_an_inquiry_is_in_the_top_ten(catalog: Catalog) -> None:
    for setting in ({}, {"security_council": "blocked"}, {"access": "denied", "communications": "blackout"}):
        top = top_ids(recommend(catalog, crisis(setting=setting)))
        assert {"documentation-and-evidence-preservation", "commissions-of-inquiry"} & set(top), (setting, top)


def test_tools_that_must_start_at_once_are_not_held_back_by_a_short_horizon(catalog: Catalog) -> None:
    days = recommend(catalog, crisis(constraints={"time_horizon": "days"}))
    urgent = days.find("documentation-and-evidence-preservation")
    assert catalog.tools[urgent.id].start == "at-once" and catalog.tools[urgent.id].time_to_effect == "years"
    assert not any("to have effect; your horizon is" in s for s in urgent.shortfalls)
    assert any(r.startswith("must start at once, though it takes years") for r in urgent.reasons)
    slow = next(s for s in days.ranked if catalog.tools[s.id].start == "when-ready"
                and catalog.tools[s.id].time_to_effect == "years")
    assert "takes years to have effect; your horizon is days" in slow.shortfalls


def test_with_no_aid_leverage_aid_conditionality_is_blocked_and_not_in_the_top_ten(catalog: Catalog) -> None:
    result = recommend(catalog, profile(risk_factors={"RF02": 2, "RF04": 2}, constraints={"channels": {"aid": "none"}}))
    assert "aid-conditionality" not in top_ids(result)
    blocked = result.find_blocked("aid-conditionality")
    assert blocked is not None and blocked.reasons == ["runs through aid, and you hold no leverage there"]
    high = recommend(catalog, profile(risk_factors={"RF02": 2, "RF04": 2}, constraints={"channels": {"aid": "high"}}))
    low = recommend(catalog, profile(risk_factors={"RF02": 2, "RF04": 2}, constraints={"channels": {"aid": "low"}}))
    assert high.find("aid-conditionality").parts["channels"] > low.find("aid-conditionality").parts["channels"]
    assert "runs through aid, where you hold high leverage" in high.find("aid-conditionality").reasons


def test_channels_give_the_leverage_when_no_overall_leverage_is_set(catalog: Catalog) -> None:
    held = recommend(catalog, profile(constraints={"channels": {"finance": "high", "aid": "none"}}))
    needs_high = next(t.id for t in catalog.tools.values() if t.leverage_needed == "high" and "aid" not in t.channels)
    assert held.find(needs_high).parts["feasibility"] == recommend(catalog, profile(constraints={"leverage": "high"})).find(needs_high).parts["feasibility"]


def test_perpetrators_fit_the_tools_made_for_them(catalog: Catalog) -> None:
    communal = recommend(catalog, profile(risk_factors={"RF09": 3}, perpetrator_types=["communal-groups"]))
    dialogue = communal.find("community-dialogue")
    sanctions = communal.find("targeted-sanctions")
    assert dialogue.parts["perpetrators"] == scoring_spec()["weights"]["perpetrators"]
    assert sanctions.parts["perpetrators"] == 0
    assert "not made for communal or vigilante groups, among the perpetrators here" in sanctions.shortfalls


def test_unknown_never_counts_against_a_tool(catalog: Catalog) -> None:
    weights = scoring_spec()["weights"]
    result = recommend(catalog, profile(risk_factors={"RF04": 2}))
    for scored in result.ranked:
        assert scored.parts["perpetrators"] == weights["perpetrators"] and scored.parts["channels"] == weights["channels"]
    assert result.blocked == []


def test_chosen_objectives_favour_the_tools_that_serve_them(catalog: Catalog) -> None:
    chosen = recommend(catalog, crisis(objectives=["accountability"]))
    serving = {t.id for t in catalog.tools.values() if "accountability" in t.strategies}
    assert serving >= {"documentation-and-evidence-preservation", "commissions-of-inquiry", "transitional-justice"}
    for scored in chosen.ranked:
        assert (scored.parts["objectives"] > 0) == (scored.id in serving), scored.id
    assert any(r.startswith("serves your objectives: pursue accountability") for r in chosen.find("commissions-of-inquiry").reasons)
    default = recommend(catalog, crisis()).find("commissions-of-inquiry")
    assert any(r.startswith("serves the usual aims at the response stage") for r in default.reasons)


def test_close_scores_share_a_rank_and_tiers_follow_the_distance_from_the_best(catalog: Catalog) -> None:
    rules = scoring_spec()["tiers"]
    result = recommend(catalog, crisis())
    best = result.ranked[0].total
    for before, after in zip(result.ranked, result.ranked[1:]):
        assert after.shown_rank in (before.shown_rank, after.rank)
        if after.shown_rank == before.shown_rank:
            assert before.tied and after.tied
            head = next(s for s in result.ranked if s.rank == after.shown_rank)
            assert head.total - after.total < rules["resolution"]
    for scored in result.ranked:
        gap = best - scored.total
        expected = "strong" if gap <= rules["strong"] else "considering" if gap <= rules["considering"] else "weak"
        assert scored.tier == expected


def test_the_case_base_names_the_past_cases_where_a_tool_was_used(catalog: Catalog) -> None:
    lesson = catalog.lessons["myanmar-2017"]
    result = recommend(catalog, lesson.decision_point.profile)
    assert result.near and result.near[0].case["id"] == "myanmar-2017", "a case is nearest to itself"
    inquiry = result.find("commissions-of-inquiry")
    assert "in past cases like this one: Myanmar 2017–2021 (the closest): helped" in inquiry.reasons[-1] or any(
        "Myanmar 2017–2021 (the closest): helped" in r for r in inquiry.reasons
    )
    left_out = engine_data(catalog, leave_out="myanmar-2017")
    assert "myanmar-2017" not in [c["id"] for c in left_out["cases"]]
    alone = recommend(catalog, lesson.decision_point.profile, left_out)
    assert "myanmar-2017" not in [n.case["id"] for n in alone.near]


def test_what_backfired_in_the_nearest_cases_counts_against_a_tool(catalog: Catalog) -> None:
    data = engine_data(catalog)
    case = next(c for c in data["cases"] if "backfired" in c["outcomes"].values())
    tool_id = next(t for t, outcome in case["outcomes"].items() if outcome == "backfired")
    data["cases"] = [case]
    result = recommend(catalog, catalog.lessons[case["id"]].decision_point.profile, data)
    assert result.find(tool_id).parts["precedent"] < scoring_spec()["weights"]["precedent"] / 2


# --- the backtest ----------------------------------------------------------------------------------------


def test_the_backtest_leaves_each_lesson_out_and_reports_baselines(catalog: Catalog) -> None:
    from apkb.recommend.evaluate import TOP, evaluate

    evaluation = evaluate(catalog)
    assert [case.lesson for case in evaluation.cases] == sorted(catalog.lessons)
    for case in evaluation.cases:
        assert case.lesson not in case.nearest, "a lesson is never its own precedent"
        assert len(case.top) == TOP and set(case.found) <= set(case.top) and set(case.found) <= set(case.positives)
        assert case.random_recall == pytest.approx(TOP / len(catalog.tools))
    assert 0 <= evaluation.recall <= 1 and evaluation.random_recall == pytest.approx(TOP / len(catalog.tools))
    assert evaluation.recall > 2 * evaluation.random_recall, "the engine does better than twice a random pick"
    assert evaluation.recall > evaluation.evidence_recall, "and better than ranking by evidence alone"


def test_usual_practice_ranks_tools_by_how_many_other_cases_they_counted_in(catalog: Catalog) -> None:
    """The usual-practice baseline counts, for each tool, the other cases where it helped, was mixed or was missed;
    a use with no clear effect, or one that backfired, does not count; ties keep the evidence order."""
    from apkb.recommend.evaluate import _evidence_order, _usual_order

    data = engine_data(catalog)
    evidence = _evidence_order(data)
    first, second, third = evidence[-1], evidence[-2], evidence[-3]
    data["cases"] = [
        {"id": "a", "outcomes": {first: "helped", second: "missed", third: "no-clear-effect"}},
        {"id": "b", "outcomes": {first: "mixed", third: "backfired"}},
    ]
    usual = _usual_order(data, evidence)
    assert usual[:2] == [first, second], "two cases beat one, and one beats none, whatever the evidence"
    assert usual[2:] == [t for t in evidence if t not in (first, second)], "the rest stay in evidence order"


def test_a_use_before_the_decision_point_is_history_not_a_choice(catalog: Catalog) -> None:
    """A use marked before_decision_point stays on the lesson, but neither the case base nor the backtest counts
    it: at the decision point it was no longer a choice."""
    from apkb.recommend.evaluate import evaluate_lesson
    from apkb.recommend.spec import case_facts

    lesson = catalog.lessons["rwanda-1994"]
    use = next(u for u in lesson.tools_used if u.outcome == "missed" and not u.before_decision_point)
    tool_id = catalog.tool(use.tool).id
    assert tool_id in case_facts(catalog, lesson)["outcomes"]
    assert tool_id in evaluate_lesson(catalog, lesson).positives
    earlier = lesson.model_copy(update={"tools_used": [
        u.model_copy(update={"before_decision_point": True}) if u is use else u for u in lesson.tools_used]})
    assert tool_id not in case_facts(catalog, earlier)["outcomes"], "the case base leaves it out"
    result = evaluate_lesson(catalog, earlier)
    assert tool_id not in result.positives and tool_id not in result.outcomes
    assert result.earlier.count(tool_id) == 1, "the backtest names it as not scored"


def test_the_best_fixed_list_in_hindsight_is_a_ceiling_for_lists_that_ignore_the_situation(catalog: Catalog) -> None:
    from apkb.recommend.evaluate import TOP, evaluate

    evaluation = evaluate(catalog)
    ceiling = evaluation.hindsight_recall
    assert ceiling >= evaluation.usual_recall and ceiling >= evaluation.evidence_recall
    assert ceiling >= evaluation.random_recall
    # No other fixed list of TOP tools does better: swapping any chosen tool for any other never helps.
    positives = [set(c.positives) for c in evaluation.cases if c.positives]
    def mean_recall(chosen: set[str]) -> float:
        return sum(len(chosen & p) / len(p) for p in positives) / len(positives)
    gains = {t: sum(1 / len(p) for p in positives if t in p) for t in catalog.tools}
    best = set(sorted(gains, key=lambda t: (-gains[t], t))[:TOP])
    assert mean_recall(best) == pytest.approx(ceiling)
    for inside in best:
        for outside in set(catalog.tools) - best:
            assert mean_recall(best - {inside} | {outside}) <= ceiling + 1e-12


def test_the_backtest_page_is_what_apkb_evaluate_writes(catalog: Catalog) -> None:
    """docs/recommender-evaluation.md is generated: after a change to a lesson, a tool or the scoring, rerun
    `apkb evaluate --write docs/recommender-evaluation.md`."""
    from apkb.recommend.evaluate import evaluate, evaluation_markdown

    page = REPO / "docs" / "recommender-evaluation.md"
    assert page.read_text(encoding="utf-8") == evaluation_markdown(evaluate(catalog), catalog), (
        "docs/recommender-evaluation.md is out of date: run apkb evaluate --write docs/recommender-evaluation.md"
    )


def test_evaluate_prints_a_table_json_and_refuses_to_overwrite_another_file(in_repo: Path, tmp_path: Path) -> None:
    table = run_cli("evaluate")
    assert table.exit_code == 0 and "Recall@10:" in table.stdout and "Random top 10:" in table.stdout
    data = json.loads(run_cli("evaluate", "--format", "json").stdout)
    assert data["lessons"] == len(list((REPO / "lessons").glob("*.md"))) and {"random", "evidence_alone", "usual_practice"} <= set(data["overall"]["baselines"])
    notes = tmp_path / "notes.md"
    notes.write_text("my own notes\n", encoding="utf-8")
    refused = run_cli("evaluate", "--write", str(notes))
    assert refused.exit_code == 1 and "use --force" in refused.stderr
    assert notes.read_text(encoding="utf-8") == "my own notes\n"
    written = run_cli("evaluate", "--write", str(tmp_path / "page.md"))
    assert written.exit_code == 0 and "# How well the recommender does on past cases" in (tmp_path / "page.md").read_text(encoding="utf-8")
