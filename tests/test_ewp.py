"""A starting profile from the Early Warning Project's forecasts: `apkb profile from-ewp`, as its user relies on it.

The tests write their own small forecasts files with fictional countries, in the column layout of the 2025
edition and of an earlier one; one test reads the real 2025 file when it is present.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from apkb.cli.main import main
from apkb.cli.profile import profile_group
from apkb.content.catalog import Catalog
from apkb.content.profile import load_profile
from apkb.content.urls import EWP_PAGE
from apkb.content.vocabulary import vocabularies
from apkb.recommend.ewp import (
    CountryNotFound,
    EWPError,
    load_mapping,
    profile_from_ewp,
    profile_yaml,
    read_forecasts,
)
from apkb.site.render import render_pages
from conftest import REPO

SHARED_2025 = Path(__file__).resolve().parents[2] / "shared/data/ewp/final_forecasts_data_3Sep2025.csv"

# Every predictor at a value that gives level 0, so that each row below states only what it sets.
QUIET = {
    "battledeaths.log2": "0", "mk_ongoing_count_log2": "0", "mk_onset_prev_year": "0", "mk_ever": "0",
    "mean_mk_onset_interaction": "0", "widetargeting": "0", "narrowtargeting": "0", "coup.try.5yr": "0",
    "discrimpop": "0", "pol_killing_approved": "0", "repress_civilsoc": "0", "v2mecenefm_binary": "0",
    "freediscussion": "0.9", "even_civilrights": "1", "social_inequality": "0", "religiousfreedom": "4",
    "minorityrule": "0", "partyban.new.0": "0", "partyban.new.1": "0", "un_imr_sqrt": "2", "newcountry": "0",
    "efindex": "0.5", "includesnonstate": "1",
}
COUNTRIES = {
    # An ongoing mass killing, a war and severe repression.
    "Arcadia/Westmark": ("0.12", "1", {
        "mk_ongoing_count_log2": "1", "battledeaths.log2": "10.5", "coup.try.5yr": "1", "discrimpop": "0.05",
        "pol_killing_approved": "1", "repress_civilsoc": "1", "mk_ever": "1", "freediscussion": "0.05",
    }),
    # High risk, nothing under way; battle deaths exactly at the level-2 threshold (250 deaths).
    "Borduria": ("0.05", "2", {"battledeaths.log2": "7.97", "discrimpop": "0.004"}),
    # Low risk, outside the top 30; a large discriminated group; discussion restricted.
    "Syldavia": ("0.01", "40", {"discrimpop": "0.2", "freediscussion": "0.3", "mk_ever": "NA"}),
    # Outside the top 30 but at a 4.5 percent risk.
    "South Borduria": ("0.045", "50", {}),
}


def write_forecasts(path: Path, risk: str, rank: str, extra: dict[str, str], drop: tuple[str, ...] = ()) -> Path:
    """A forecasts CSV like the EWP's: R's unnamed index column, the names, the risk columns, the predictors."""
    predictors = [column for column in QUIET if column not in drop]
    header = ["", "ewp_name", risk, rank, *extra, *predictors]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for number, (name, (risk_value, rank_value, values)) in enumerate(COUNTRIES.items(), start=1):
            row = {**QUIET, **values}
            writer.writerow([str(number), name, risk_value, rank_value, *extra.values(), *(row[c] for c in predictors)])
    return path


@pytest.fixture
def edition_2025(tmp_path: Path) -> Path:
    """The 2025 layout: the rank column's 'from' year differs from the risk column's, and last year's window
    is still in the file."""
    return write_forecasts(
        tmp_path / "final_forecasts_2025.csv", "risk.2025and2026.from2024", "rank.2025and2026.from2025",
        {"risk.2025only.from2024": "0.5", "risk.2024and2025.from2023": "0.9", "rank.2024and2025.from2023": "9"},
    )


@pytest.fixture
def edition_2023(tmp_path: Path) -> Path:
    """An earlier layout, with other column names and without a predictor added later."""
    return write_forecasts(
        tmp_path / "final_forecasts_2023.csv", "risk.2024and2025.from2023", "rank.2024and2025.from2023",
        {"risk.2024only.from2023": "0.5", "riskrank.2024only.from2023": "7"}, drop=("mean_mk_onset_interaction",),
    )


def invoke(*args: str) -> Result:
    return CliRunner().invoke(profile_group, list(args), catch_exceptions=False)


# --- the columns ---------------------------------------------------------------------------------------


def test_finds_the_latest_two_year_window_of_a_2025_edition(edition_2025: Path) -> None:
    forecasts = read_forecasts(edition_2025)
    assert forecasts.risk_column == "risk.2025and2026.from2024"
    assert forecasts.rank_column == "rank.2025and2026.from2025"
    assert str(forecasts.window) == "2025–2026" and forecasts.window.data_year == 2024
    result = profile_from_ewp(edition_2025, "Borduria")
    assert (result.risk, result.rank, result.countries) == (0.05, 2, 4)
    assert result.profile.title == "Borduria: starting profile from the EWP 2025 assessment"


def test_finds_the_columns_of_an_earlier_edition(edition_2023: Path) -> None:
    result = profile_from_ewp(edition_2023, "Borduria")
    assert (result.risk_column, result.rank_column) == ("risk.2024and2025.from2023", "rank.2024and2025.from2023")
    assert str(result.window) == "2024–2025"
    assert result.profile.title == "Borduria: starting profile from the EWP 2024 assessment"


def test_a_predictor_missing_from_an_edition_gives_nothing_and_says_so(edition_2023: Path) -> None:
    rf02 = next(f for f in profile_from_ewp(edition_2023, "Borduria").factors if f.factor == "RF02")
    absent = next(r for r in rf02.readings if r.column == "mean_mk_onset_interaction")
    assert absent.value is None and absent.level == 0 and "not in this file" in absent.rule


def test_a_file_without_a_risk_column_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "forecasts.csv"
    path.write_text('"","ewp_name","risk.2025only.from2024"\n"1","Borduria",0.05\n', encoding="utf-8")
    with pytest.raises(EWPError) as error:
        profile_from_ewp(path, "Borduria")
    message = str(error.value)
    assert "forecasts.csv" in message and "no two-year risk column" in message
    assert "risk.2025and2026.from2024" in message


def test_a_risk_column_without_its_rank_column_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "forecasts.csv"
    path.write_text("ewp_name,risk.2025and2026.from2024,rank.2024and2025.from2023\nBorduria,0.05,2\n", encoding="utf-8")
    with pytest.raises(EWPError, match=r"forecasts\.csv: no rank column for 2025–2026.*rank\.2025and2026\.from2024"):
        read_forecasts(path)


def test_a_file_that_is_not_an_ewp_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("country,score\nBorduria,3\n", encoding="utf-8")
    with pytest.raises(EWPError, match=r"other\.csv: no 'ewp_name' column"):
        read_forecasts(path)


# --- levels and stage ----------------------------------------------------------------------------------


def test_levels_follow_the_mapping_thresholds(edition_2025: Path) -> None:
    arcadia = profile_from_ewp(edition_2025, "Arcadia/Westmark").levels
    assert arcadia["RF01"] == 3  # battle deaths 10.5 on the log2 scale: over 1,000
    assert arcadia["RF02"] == 3 and arcadia["RF11"] == 3 and arcadia["RF05"] == 2  # an ongoing mass killing
    assert arcadia["RF04"] == 2 and arcadia["RF07"] == 3  # political killings approved by top leaders
    assert arcadia["RF06"] == 3  # freedom of discussion 0.05, below 0.1
    assert arcadia["RF08"] == 2  # a coup attempt in the past five years
    assert arcadia["RF09"] == 2  # 5 percent of the people in discriminated groups
    assert arcadia["RF10"] == 0 and arcadia["RF03"] == 0
    borduria = profile_from_ewp(edition_2025, "Borduria").levels
    assert borduria["RF01"] == 2  # exactly 7.97, the level-2 threshold, which is inclusive
    assert borduria["RF09"] == 1  # a discriminated group under 1 percent
    syldavia = profile_from_ewp(edition_2025, "Syldavia").levels
    assert syldavia["RF09"] == 3 and syldavia["RF06"] == 1 and syldavia["RF01"] == 0
    assert syldavia["RF02"] == 0  # mk_ever is NA: no value, no level


def test_each_level_names_the_predictor_and_value_behind_it(edition_2025: Path) -> None:
    factors = {f.factor: f for f in profile_from_ewp(edition_2025, "Arcadia/Westmark").factors}
    (driver,) = factors["RF01"].drivers
    assert (driver.column, driver.value, driver.level) == ("battledeaths.log2", "10.5", 3)
    assert driver.condition == "≥ 9.967"
    assert "coup.try.5yr = 1" in factors["RF01"].explanation()  # a lower level is still shown
    for factor in ("RF12", "RF13", "RF14"):
        assert factors[factor].level == 0 and factors[factor].note
        assert factors[factor].explanation().startswith("not informed by EWP data")


def test_stage_is_response_mitigation_or_prevention(edition_2025: Path) -> None:
    arcadia = profile_from_ewp(edition_2025, "Arcadia/Westmark").stage
    assert arcadia.stage == "response" and "mk_ongoing_count_log2 = 1" in arcadia.reason
    borduria = profile_from_ewp(edition_2025, "Borduria").stage
    assert borduria.stage == "mitigation" and "rank 2 is in the top 30" in borduria.reason
    assert profile_from_ewp(edition_2025, "South Borduria").stage.stage == "mitigation"  # risk 4.5% alone
    syldavia = profile_from_ewp(edition_2025, "Syldavia").stage
    assert syldavia.stage == "prevention" and "outside the top 30" in syldavia.reason


# --- finding a country ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("arcadia/westmark", "Arcadia/Westmark"),
        ("ARCADIA", "Arcadia/Westmark"),
        ("Westmark", "Arcadia/Westmark"),
        ("  south   borduria ", "South Borduria"),
        ("Borduria", "Borduria"),
        ("Syl", "Syldavia"),
        ("Bord", "Borduria"),
    ],
)
def test_finds_a_country_by_name_part_or_prefix_ignoring_case(edition_2025: Path, query: str, found: str) -> None:
    assert profile_from_ewp(edition_2025, query).country == found


def test_an_unknown_country_lists_the_closest_names(edition_2025: Path) -> None:
    with pytest.raises(CountryNotFound) as error:
        profile_from_ewp(edition_2025, "Bordria")
    assert str(error.value) == "no country 'Bordria' in " + str(edition_2025) + "; closest: Borduria, South Borduria"
    assert error.value.closest == ("Borduria", "South Borduria")


def test_a_name_matching_several_countries_lists_them(edition_2025: Path) -> None:
    with pytest.raises(CountryNotFound, match="'duria' matches several countries") as error:
        profile_from_ewp(edition_2025, "duria")
    assert error.value.closest == ("Borduria", "South Borduria")


# --- the profile file ----------------------------------------------------------------------------------


def test_the_yaml_loads_back_as_the_same_profile(edition_2025: Path, tmp_path: Path) -> None:
    result = profile_from_ewp(edition_2025, "Arcadia/Westmark")
    path = tmp_path / "arcadia.yml"
    path.write_text(profile_yaml(result), encoding="utf-8")
    loaded = load_profile(path)
    assert loaded == result.profile
    assert loaded.levels() == result.levels and loaded.stage == "response"
    assert "risk of a new mass killing in Arcadia/Westmark in 2025 or 2026 at 12%" in (loaded.description or "")


def test_the_yaml_says_where_each_level_came_from(edition_2025: Path) -> None:
    text = profile_yaml(profile_from_ewp(edition_2025, "Arcadia/Westmark"))
    assert "# Risk of a new mass killing in 2025–2026: 12% (0.12), rank 1 of 4." in text
    assert "#     battledeaths.log2 = 10.5: ≥ 9.967 → 3 (at least 1,000 battle deaths" in text
    assert "  RF01: 3  # Situations of armed conflict or other forms of instability" in text


# --- the command ---------------------------------------------------------------------------------------


def test_the_command_prints_the_risk_and_writes_the_profile(edition_2025: Path, tmp_path: Path) -> None:
    out = tmp_path / "profile.yml"
    result = invoke("from-ewp", str(edition_2025), "--country", "westmark", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert "Risk of a new mass killing in 2025–2026: 12% (0.12), rank 1 of 4" in result.stderr
    assert "RF01" in result.stderr and "battledeaths.log2 =" in result.stderr  # the table wraps at 80 columns
    assert result.stdout == ""
    assert load_profile(out).stage == "response"


def test_the_command_writes_to_stdout_without_out(edition_2025: Path) -> None:
    result = invoke("from-ewp", str(edition_2025), "--country", "Syldavia")
    assert result.exit_code == 0
    assert "stage: prevention\nrisk_factors:\n  RF01: 0" in result.stdout


def test_the_command_refuses_to_overwrite_without_force(edition_2025: Path, tmp_path: Path) -> None:
    out = tmp_path / "profile.yml"
    out.write_text("keep me\n", encoding="utf-8")
    refused = invoke("from-ewp", str(edition_2025), "--country", "Borduria", "--out", str(out))
    assert refused.exit_code == 1
    assert "already exists; use --force to overwrite it" in refused.stderr
    assert out.read_text(encoding="utf-8") == "keep me\n"
    forced = invoke("from-ewp", str(edition_2025), "--country", "Borduria", "--out", str(out), "--force")
    assert forced.exit_code == 0 and load_profile(out).stage == "mitigation"


def test_the_command_suggests_names_for_an_unknown_country(edition_2025: Path) -> None:
    result = invoke("from-ewp", str(edition_2025), "--country", "Sildavia")
    assert result.exit_code == 1
    assert "error: no country 'Sildavia'" in result.stderr and "closest: Syldavia" in result.stderr
    assert result.stdout == ""


# --- the mapping and its page --------------------------------------------------------------------------


def test_the_shipped_mapping_links_the_required_predictors() -> None:
    mapping = load_mapping()
    links = {(p.column, link.risk_factor) for p in mapping.predictors for link in p.informs}
    for required in [
        ("battledeaths.log2", "RF01"), ("mk_ever", "RF02"), ("mk_ever", "RF09"), ("coup.try.5yr", "RF08"),
        ("discrimpop", "RF09"), ("pol_killing_approved", "RF04"), ("pol_killing_approved", "RF07"),
        ("repress_civilsoc", "RF06"),
    ]:
        assert required in links
    informed = {factor for _, factor in links}
    assert informed | set(mapping.not_informed) == set(vocabularies().risk_factors.ids)
    assert all(link.rationale and link.weakness for p in mapping.predictors for link in p.informs)


def test_a_malformed_mapping_is_refused(tmp_path: Path) -> None:
    shipped = (Path(__file__).resolve().parents[1] / "src/apkb/recommend/ewp_mapping.yml").read_text(encoding="utf-8")
    broken = tmp_path / "mapping.yml"
    broken.write_text(shipped.replace("{level: 2, min: 7.97,", "{level: 2, min: 7.97, max: 9,", 1), encoding="utf-8")
    with pytest.raises(EWPError, match="give exactly one of"):
        load_mapping(broken)


def test_the_mapping_page_renders_every_predictor() -> None:
    mapping = load_mapping().model_dump(exclude_none=True)
    page = next(p.content for p in render_pages(Catalog([], [])) if p.path == EWP_PAGE)
    assert page.lstrip().startswith("---\ntitle: \"From Early Warning Project data to a profile\"")
    for predictor in mapping["predictors"]:
        assert f"`{predictor['column']}`" in page
    assert "| **Battle-related deaths**<br>`battledeaths.log2` | RF01: Situations of armed conflict" in page
    assert "≥ 9.967 → **3**" in page
    assert "**RF12: Signs of a plan or policy to attack any civilian population.**" in page
    assert "ranks in the top 30 or its risk is at least\n4 percent" in page


# --- the real 2025 file --------------------------------------------------------------------------------


@pytest.mark.skipif(not SHARED_2025.is_file(), reason="the EWP's 2025 forecasts file is not in shared/data")
def test_the_2025_assessment_as_published() -> None:
    myanmar = profile_from_ewp(SHARED_2025, "Myanmar")
    assert (myanmar.country, myanmar.rank, myanmar.risk, myanmar.countries) == ("Burma/Myanmar", 1, 0.1041, 168)
    assert profile_from_ewp(SHARED_2025, "Burma").country == "Burma/Myanmar"
    sudan = profile_from_ewp(SHARED_2025, "Sudan")
    assert (sudan.country, sudan.rank, sudan.risk) == ("Sudan", 3, 0.08096)
    assert myanmar.risk_column == "risk.2025and2026.from2024" and myanmar.rank_column == "rank.2025and2026.from2025"
    with pytest.raises(CountryNotFound, match="closest: Sudan, South Sudan"):
        profile_from_ewp(SHARED_2025, "Sudna")


@pytest.mark.skipif(not SHARED_2025.is_file(), reason="the EWP's 2025 forecasts file is not in shared/data")
def test_a_profile_from_the_2025_file_feeds_the_recommender(tmp_path: Path) -> None:
    out = tmp_path / "sudan.yml"
    runner = CliRunner()
    made = runner.invoke(main, ["profile", "from-ewp", str(SHARED_2025), "--country", "Sudan", "--out", str(out)])
    assert made.exit_code == 0, made.output
    ranked = runner.invoke(main, ["--root", str(REPO), "recommend", str(out), "--format", "json", "--top", "5"])
    assert ranked.exit_code == 0, ranked.output
    assert len(json.loads(ranked.stdout)["results"]) == 5
