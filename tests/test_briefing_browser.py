"""The recommender as an officer shares and prints it (issue 20): the top tools stay in view while the form is
filled in, a damaged link says what it ignored, the profile travels as a file both the page and the CLI read,
and the printed page is a briefing of at most two A4 pages for a top five."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, SCENARIOS, SiteUnderTest, address, cli_top, expect, run_cli, shown_tools

Page = Any

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def page(tracked_page: Page) -> Page:
    return tracked_page


def pdf_pages(pdf: bytes) -> int:
    """The pages of a PDF that Chromium wrote: one /Type /Page object each (/Pages is the tree above them)."""
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_top_three_stay_in_view_and_follow_each_change_of_the_form(
    page: Page, site: SiteUnderTest, viewport: dict[str, int]
) -> None:
    page.set_viewport_size(viewport)
    page.goto(site.url("recommend.html#stage=mitigation"))
    page.wait_for_selector("#apkb-results li.apkb-result")
    factor = page.locator("#rf-RF11")
    factor.scroll_into_view_if_needed()
    bar = page.locator("#apkb-summary")
    box = bar.bounding_box()
    assert box is not None and box["y"] + box["height"] <= viewport["height"] + 1, "the summary is on screen"
    page.select_option("#rf-RF11", "3")
    page.select_option("#rf-RF12", "3")
    expect(page.locator("#apkb-results li.apkb-result").first).to_be_attached()
    top = page.eval_on_selector_all("#apkb-results li.apkb-result h4 a", "links => links.slice(0, 3).map(a => a.textContent)")
    expect(bar.locator("li")).to_have_count(3)
    for title, item in zip(top, bar.locator("li").all(), strict=True):
        expect(item).to_contain_text(title)
    page.click("#apkb-summary .apkb-summary-bar__all")
    page.wait_for_function("() => { const r = document.getElementById('results').getBoundingClientRect(); return r.top >= -1 && r.top < innerHeight; }")


def test_the_results_restate_the_profile_they_answer(page: Page, site: SiteUnderTest) -> None:
    page.goto(site.url("recommend.html#stage=response&rf=00000000003000&council=blocked&sit=election"))
    page.wait_for_selector("#apkb-results li.apkb-result")
    words = page.text_content("#apkb-results .apkb-profile-words") or ""
    assert "Response stage" in words and "RF11 3" in words and "security council: blocked" in words.lower()
    assert "election" in words.lower()


@pytest.mark.parametrize(
    ("fragment", "named"),
    [
        ("stage=mitigation&rf=3333", "need one digit 0-3 for each of the 14 factors"),
        ("stage=later&rf=00000000000000", "the stage 'later' is not one this page knows"),
        ("stage=response&council=sometimes", "security council 'sometimes' is not one this page knows"),
        ("stage=response&sit=election,partyy", "situations not known, so ignored: partyy"),
        ("stage=response&top=7", "'top=7' is not offered"),
        ("stage=response&color=red", "'color' is not something this page reads"),
    ],
)
def test_a_damaged_link_says_which_values_it_ignored(page: Page, site: SiteUnderTest, fragment: str, named: str) -> None:
    page.goto(site.url("recommend.html#" + fragment))
    page.wait_for_selector("#apkb-results li.apkb-result")
    notice = page.locator("#apkb-link-problems")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(named)


def test_a_whole_link_shows_no_notice(page: Page, site: SiteUnderTest) -> None:
    page.goto(site.url("recommend.html#stage=mitigation&rf=00030000300000&top=5"))
    page.wait_for_selector("#apkb-results li.apkb-result")
    assert page.locator("#apkb-link-problems").is_hidden()


def test_the_link_box_holds_the_whole_profile_and_copy_puts_it_on_the_clipboard(page: Page, site: SiteUnderTest) -> None:
    page.goto(site.url("recommend.html#stage=mitigation"))
    page.wait_for_selector("#apkb-results li.apkb-result")
    page.select_option("#rf-RF08", "3")
    expect(page.locator("#apkb-link")).to_have_value(re.compile(r"#stage=mitigation&rf=00000003000000"))
    assert page.input_value("#apkb-link") == address(page), "the box and the address bar agree"
    page.click("#apkb-copy")
    expect(page.locator("#apkb-share-status")).to_contain_text(re.compile("Link copied|selected"))
    if site.mode == "file":
        expect(page.locator("#apkb-share-offline")).to_be_visible()  # a file:// link works only on this machine
    else:
        assert page.locator("#apkb-share-offline").is_hidden()


def test_a_downloaded_profile_is_read_by_the_cli_and_by_the_page_with_the_same_result(
    page: Page, site: SiteUnderTest, tmp_path: Path
) -> None:
    scenario = REPO / "docs" / "training" / "scenarios" / f"{SCENARIOS[0]}.yml"
    page.goto(site.url(f"training/scenarios/{SCENARIOS[0]}.html"))
    page.click("text=Open this scenario in the recommender")
    page.wait_for_selector("#apkb-results li.apkb-result")
    page.select_option("#c-top", "5")
    on_page = shown_tools(page)
    assert on_page == cli_top(scenario)
    with page.expect_download() as download:
        page.click("#apkb-download")
    saved = tmp_path / "apkb-profile.yml"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "apkb-profile.yml"
    result = run_cli("--root", str(REPO), "recommend", str(saved), "--format", "json", "--top", "5")
    assert result.exit_code == 0, result.output
    assert [item["id"] for item in json.loads(result.stdout)["results"]] == on_page, "the CLI reads the file alike"

    page.goto(site.url("recommend.html"))
    page.wait_for_selector("#apkb-results li.apkb-result")
    page.select_option("#c-top", "5")
    page.set_input_files("#apkb-open", str(saved))
    page.wait_for_function("ids => Array.from(document.querySelectorAll('#apkb-results li.apkb-result')).map(i => i.dataset.toolId).join() === ids.join()", arg=on_page)
    assert page.locator("#apkb-link-problems").is_hidden()


def test_a_file_that_is_not_a_profile_is_refused_with_its_name(page: Page, site: SiteUnderTest, tmp_path: Path) -> None:
    bad = tmp_path / "notes.yml"
    bad.write_text("stage: [unclosed\n", encoding="utf-8")
    page.goto(site.url("recommend.html#stage=response"))
    page.wait_for_selector("#apkb-results li.apkb-result")
    before = shown_tools(page)
    page.set_input_files("#apkb-open", str(bad))
    expect(page.locator("#apkb-link-problems")).to_contain_text("notes.yml is not a profile this page can read")
    assert shown_tools(page) == before, "a bad file changes nothing"


@pytest.mark.parametrize(
    "fragment",
    [
        "stage=mitigation&top=5",
        "stage=response&rf=33233223332223&sit=election&council=blocked&top=5",
        "stage=response&rf=33333333333333&council=blocked&consent=refused&access=denied&top=5",
    ],
    ids=["default", "severe-council-blocked", "everything-blocked"],
)
def test_the_printed_recommendation_is_a_briefing_of_at_most_two_pages(page: Page, site: SiteUnderTest, fragment: str) -> None:
    page.goto(site.url("recommend.html#" + fragment))
    page.wait_for_selector("#apkb-results li.apkb-result")
    page.emulate_media(media="print")
    assert page.locator("#apkb-recommender").is_hidden(), "the form does not print"
    head = page.text_content("#apkb-print-head") or ""
    assert "Briefing from the Atrocity Prevention Knowledge Base" in head and "Profile:" in head and "#stage=" in head
    assert re.search(r"\d{4}-\d{2}-\d{2}", head), "the briefing is dated"
    shown = page.locator("#apkb-results li.apkb-result")
    expect(shown).to_have_count(5)
    for item in shown.all():
        assert "Evidence:" in (item.text_content() or "") and "Page: " in (item.text_content() or "")
    assert pdf_pages(page.pdf(format="A4")) <= 2
