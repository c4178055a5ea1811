"""The recommender: transparent scores from one data file, stated tie-breaks, reasons, cautions and errors."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from apkb.content.catalog import Catalog
from apkb.content.problems import ContentError
from apkb.content.profile import Profile, load_profile
from apkb.content.validate import validate
from apkb.recommend import engine
from apkb.recommend.engine import PARTS, engine_data, explain, recommend
from conftest import FIXTURE_SITE, REPO, run_cli

SCENARIOS = sorted((REPO / "docs" / "training" / "scenarios").glob("*.yml"))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return validate(REPO).catalog


def profile(**fields: object) -> Profile:
    return Profile.model_validate({"stage": "mitigation", **fields})


def test_the_total_is_the_sum_of_the_parts_and_each_part_within_its_weight(catalog: Catalog) -> None:
    weights = engine.scoring_spec()["weights"]
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
        factor = tool.risk_factors[0]
        raised = recommend(catalog, profile(risk_factors={**base, factor: 3}))
        assert raised.find(tool.id).parts["risk_fit"] >= before.find(tool.id).parts["risk_fit"], tool.id


def test_a_tool_off_the_profiles_stage_loses_stage_points(catalog: Catalog) -> None:
    result = recommend(catalog, profile(stage="response", situations=["election", "peace-process", "displacement"]))
    for scored in result.ranked:
        if "response" in scored.tool["stages"]:
            assert scored.parts["stage_fit"] == engine.scoring_spec()["weights"]["stage_fit"]
        else:
            assert scored.parts["stage_fit"] < engine.scoring_spec()["weights"]["stage_fit"]
            assert any("not a response-stage tool" in reason for reason in scored.reasons)


def test_every_weight_comes_from_the_scoring_file(catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = json.loads(json.dumps(engine.scoring_spec()))
    spec["weights"] = {"risk_fit": 0, "stage_fit": 0, "evidence": 100, "feasibility": 0}
    monkeypatch.setattr(engine, "scoring_spec", lambda: spec)
    result = recommend(catalog, profile(risk_factors={"RF01": 3}))
    effects = engine.scoring_spec()["evidence"]["effect"]
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
    assert "made for an election or referendum, which this profile does not list" in without.reasons


def test_excluded_tools_are_left_out_and_explained(catalog: Catalog) -> None:
    result = recommend(catalog, profile(constraints={"exclude": ["mediation"]}))
    assert result.find("mediation") is None
    assert [t["id"] for t in result.excluded] == ["mediation"]
    assert "constraints.exclude lists it" in explain(result, "mediation", catalog)[0]


def test_explain_says_where_a_tool_ranks_and_what_holds_it_back(catalog: Catalog) -> None:
    result = recommend(catalog, profile(risk_factors={"RF08": 3}, constraints={"leverage": "low"}))
    last = result.ranked[-1]
    text = "\n".join(explain(result, last.id, catalog))
    assert f"ranks {len(result.ranked)} of {len(result.ranked)}" in text
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
    assert f"### 1. {data['results'][0]['title']}" in briefing


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
