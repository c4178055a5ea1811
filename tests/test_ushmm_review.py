"""``apkb evidence ushmm``: USHMM's systematic review read from the user's file, beside the entries, and the derived
counts that tool pages show. The tests write small review files of their own; the real one is used where present."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
import yaml

from apkb.content.catalog import Catalog
from apkb.content.model import Study
from apkb.content.problems import ContentError
from apkb.content.ushmm_counts import COUNTS_FILE, load_counts
from apkb.content.ushmm_mapping import USHMM_TOOLS
from apkb.content.validate import validate
from apkb.maintain.ushmm_review import ReviewStudy, cites, read_review
from apkb.site.render import render_pages
from conftest import REPO, run_cli

SHARED = REPO.parent / "shared/data/ushmm/all_sources_3.csv"

V3 = ["", "effects_type", "Index.Number", "Tool", "overall", "Outcome", "full_citation", "Year"]
V2 = ["X", "Effects.Type", "Index.Number", "Tool", "Overall.Effect", "Outcome", "Full.Citation", "Year"]
"""The version 3 headers, and another edition's spelling of the same columns."""

ROWS = [
    # tool, study, effects type, overall, outcome, citation, year
    ("Mediation_tool", "M.1", "Average", "Decreases mass atrocities or CROs ", "Mass atrocities",
     'Kuperman, Alan. "The Other Lesson of Rwanda: Mediators Sometimes Do More Damage Than Good," *SAIS Review*', "1996"),
    ("Mediation_tool", "M.1", "Average", "No or mixed effects", "Conflict",
     'Kuperman, Alan. "The Other Lesson of Rwanda: Mediators Sometimes Do More Damage Than Good," *SAIS Review*', "1996"),
    ("Mediation_tool", "M.2", "Average", "Increases mass atrocities or CROs", "Adverse consequences",
     'Svensson, Isak. "Bargaining, Bias and Peace Brokers: How Rebels Commit to Peace," *Journal of Peace Research*',
     "2007"),
    ("Mediation_tool", "M.3", "Contextual or design", "NA", "Conflict", "Someone, A. *A factor study*", "2010"),
    ("Naming_and_shaming_tool", "N.1", "Average", "No or mixed effects", "Human rights violations",
     "Hafner-Burton, Emilie. *Sticks and Stones*", "2008"),
]


def write_review(path: Path, headers: list[str] = V3, rows: list[tuple[str, ...]] = ROWS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for n, (tool, study, kind, overall, outcome, citation, year) in enumerate(rows, start=1):
            writer.writerow([str(n), kind, study, tool, overall, outcome, citation, year])
    return path


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return validate(REPO).catalog


@pytest.mark.parametrize("headers", [V3, V2], ids=["v3", "another-edition"])
def test_the_review_is_read_by_column_pattern_and_counted_per_tool(tmp_path: Path, headers: list[str]) -> None:
    review = read_review(write_review(tmp_path / "all_sources.csv", headers))
    mediation = review.tools["Mediation"]
    assert len(mediation.effect_studies) == 2, "distinct studies with an overall-effect finding; factor rows apart"
    assert mediation.findings == {"fewer": 1, "more": 1, "no_or_mixed": 1}
    assert mediation.on_mass_atrocities == 1 and mediation.adverse_consequences == 1
    assert len(mediation.studies) == 3 and "Naming and shaming" in review.tools


def test_a_missing_or_renamed_column_is_named_with_the_file(tmp_path: Path) -> None:
    renamed = [h if h != "overall" else "verdict" for h in V3]
    path = write_review(tmp_path / "all_sources_3.csv", renamed)
    with pytest.raises(ContentError) as raised:
        read_review(path)
    problem = raised.value.problems[0]
    assert problem.field == "overall" and problem.line == 1 and "all_sources_3.csv" in problem.path
    assert "no column for overall" in problem.message and "verdict" in problem.message, "it lists what the file has"
    result = run_cli("--root", str(REPO), "evidence", "ushmm", str(path))
    assert result.exit_code == 1 and "no column for overall" in result.stderr


def test_a_bad_value_is_named_with_its_line_and_column(tmp_path: Path) -> None:
    rows = [*ROWS[:2], ("Mediation_tool", "M.9", "Average", "Sometimes", "Conflict", "X, Y. *Z study title*", "2001")]
    with pytest.raises(ContentError) as raised:
        read_review(write_review(tmp_path / "a.csv", rows=rows))
    assert (raised.value.problems[0].line, raised.value.problems[0].field) == (4, "overall")
    rows = [("Diplomacy_tool", "D.1", "Average", "No or mixed effects", "Conflict", "X, Y. *Z study*", "2001")]
    with pytest.raises(ContentError, match="Diplomacy_tool"):
        read_review(write_review(tmp_path / "b.csv", rows=rows))


def test_a_study_is_matched_by_doi_title_or_author_and_year() -> None:
    ours = Study(authors="Svensson, I.", year=2007, title="Bargaining, bias and peace brokers: how rebels commit to peace",
                 venue="Journal of Peace Research", design="cross-national-statistical", measures="related",
                 finding="Biased mediators get better deals.", direction="positive", verified=False)
    theirs = ReviewStudy("M.2", ROWS[2][5], 2007)
    assert cites(theirs, ours)
    other = ReviewStudy("M.1", ROWS[0][5], 1996)
    assert not cites(other, ours)
    by_doi = ReviewStudy("X", "Someone Else. *Another title entirely*, DOI: 10.1177/0022343307075121", 2007)
    assert cites(by_doi, ours.model_copy(update={"doi": "10.1177/0022343307075121"}))


def test_evidence_ushmm_prints_the_comparison_and_json_and_writes_counts_only(tmp_path: Path) -> None:
    path = write_review(tmp_path / "all_sources_3.csv")
    table = run_cli("--root", str(REPO), "evidence", "ushmm", str(path), "--gaps")
    assert table.exit_code == 0, table.stderr
    assert "mediation" in table.stdout and "naming-and-shaming" in table.stdout and "Sticks and Stones" in table.stdout
    data = json.loads(run_cli("--root", str(REPO), "evidence", "ushmm", str(path), "--format", "json").stdout)
    mediation = next(item for item in data if item["ushmm"] == "Mediation")
    assert mediation["review"]["studies"] == 2 and mediation["entry"] == "mediation"
    assert any("Kuperman" in cited for cited in mediation["cited"]), "the entry cites Kuperman (1996)"
    assert len(mediation["cited"]) + len(mediation["not_cited"]) == 2, "every study is cited or on the gap list"
    shaming = next(item for item in data if item["ushmm"] == "Naming and shaming")
    assert any("Sticks and Stones" in gap["citation"] for gap in shaming["not_cited"]), "a study not cited is a gap"
    counts = tmp_path / "counts.yml"
    assert run_cli("--root", str(REPO), "evidence", "ushmm", str(path), "--write-counts", str(counts)).exit_code == 0
    written = counts.read_text(encoding="utf-8")
    assert "Kuperman" not in written and "Rwanda" not in written, "numbers only: no citation or title is copied"
    assert yaml.safe_load(written)["attribution"] == "USHMM Tools for Atrocity Prevention, v3, 2025"
    mine = tmp_path / "mine.yml"
    mine.write_text("my notes\n", encoding="utf-8")
    refused = run_cli("--root", str(REPO), "evidence", "ushmm", str(path), "--write-counts", str(mine))
    assert refused.exit_code == 1 and mine.read_text(encoding="utf-8") == "my notes\n", "a user's file is kept"
    assert run_cli("--root", str(REPO), "evidence", "ushmm", str(path), "--write-counts", str(mine), "--force").exit_code == 0


@pytest.mark.skipif(not SHARED.is_file(), reason="USHMM's review data is not in shared/data")
def test_the_real_review_is_compared_for_all_twelve_tools() -> None:
    result = run_cli("--root", str(REPO), "evidence", "ushmm", str(SHARED), "--format", "json")
    data = {item["ushmm"]: item for item in json.loads(result.stdout)}
    assert sorted(data) == sorted(USHMM_TOOLS)
    assert [data[name]["review"]["studies"] for name in ("Mediation", "Peace operations", "Targeted sanctions")] == [56, 92, 19]
    committed = load_counts(REPO).value
    assert committed is not None, f"{COUNTS_FILE} is committed, so that the site shows the counts"
    stale = [(t.entry, t.cited_here, len(data[t.ushmm]["cited"])) for t in committed.tools
             if t.cited_here != len(data[t.ushmm]["cited"]) or t.studies != data[t.ushmm]["review"]["studies"]]
    assert stale == [], f"{COUNTS_FILE} is out of date: run apkb evidence ushmm PATH --write-counts {COUNTS_FILE}"


def test_the_panel_renders_from_the_derived_file_and_is_absent_without_it(tmp_path: Path, catalog: Catalog) -> None:
    with_counts, without = tmp_path / "with", tmp_path / "without"
    (with_counts / "toolkit").mkdir(parents=True)
    without.mkdir()
    shutil.copy(REPO / COUNTS_FILE, with_counts / COUNTS_FILE)
    counts = load_counts(with_counts).value
    assert counts is not None and {tool.entry for tool in counts.tools} <= set(catalog.tools)

    def page(root: Path, tool_id: str) -> str:
        return next(p.content for p in render_pages(catalog, root=root) if p.path == f"toolkit/{tool_id}.md")

    mediation = next(tool for tool in counts.tools if tool.entry == "mediation")
    shown = page(with_counts, "mediation")
    assert "What USHMM's review found" in shown and f"{mediation.studies} studies in" in shown
    assert f"**{mediation.findings.fewer}** point to fewer" in shown
    assert "What USHMM's review found" not in page(with_counts, "special-envoys"), "only mapped tools get it"
    assert "What USHMM's review found" not in page(without, "mediation")


def test_a_counts_file_that_disagrees_with_the_mapping_fails_validation(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    shutil.copytree(REPO / "toolkit", root / "toolkit")
    shutil.copytree(REPO / "lessons", root / "lessons")
    data = yaml.safe_load((REPO / COUNTS_FILE).read_text(encoding="utf-8"))
    data["tools"][0]["entry"] = "mediation"
    (root / COUNTS_FILE).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    problems = [p for p in validate(root).problems if p.path.endswith("ushmm-review-counts.yml")]
    assert len(problems) == 1 and problems[0].field == "tools[0].entry" and problems[0].line is not None
