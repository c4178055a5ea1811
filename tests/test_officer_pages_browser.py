"""The pages an embassy officer reads first, at desktop and phone widths (issue 20): the home page leads to the
main tools, tables fit the screen, a tool page gives its decision facts first, and the footer says when the copy
was built."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import SiteUnderTest, expect, search

Page = Any

WIDTHS = [{"width": 1366, "height": 900}, {"width": 375, "height": 812}]
WIDTH_IDS = ["desktop", "phone"]


@pytest.fixture
def page(tracked_page: Page) -> Page:
    return tracked_page


def test_the_home_page_leads_to_the_recommender_the_catalogue_and_training(page: Page, site: SiteUnderTest) -> None:
    page.goto(site.url("index.html"))
    cards = page.locator(".grid.cards > ul > li")
    hrefs = page.eval_on_selector_all(".grid.cards a", "links => links.map(a => a.getAttribute('href'))")
    assert {"recommend.html", "catalogue.html", "training/index.html", "toolkit/index.html"} <= set(hrefs)
    assert cards.count() % 2 == 0, "two cards a row on a wide screen, and no empty slot"


def test_the_footer_says_when_the_site_was_built(page: Page, site: SiteUnderTest) -> None:
    page.goto(site.url("toolkit/mediation.html"))
    footer = page.text_content(".md-footer-meta") or ""
    assert "Built 20" in footer and "by apkb" in footer


@pytest.mark.parametrize("viewport", WIDTHS, ids=WIDTH_IDS)
@pytest.mark.parametrize("path", ["toolkit/index.html", "toolkit/financial.html", "toolkit/mediation.html",
                                  "lessons/kenya-2008.html", "methodology.html", "review-due.html"])
def test_no_table_is_wider_than_its_column(page: Page, site: SiteUnderTest, viewport: dict[str, int], path: str) -> None:
    page.set_viewport_size(viewport)
    page.goto(site.url(path))
    page.wait_for_load_state("load")
    wide = page.evaluate(
        """() => Array.from(document.querySelectorAll('.md-typeset table')).map(t => {
             const box = t.closest('.md-typeset__scrollwrap') || t.parentElement;
             return [t.querySelector('th') ? t.querySelector('th').textContent.trim() : '', t.scrollWidth, box.clientWidth];
           }).filter(([, width, room]) => width > room + 1)"""
    )
    assert wide == [], f"tables that scroll sideways: {wide}"
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), "the page does not scroll sideways"


def test_on_a_phone_each_row_of_a_table_reads_as_a_card_with_its_headings(page: Page, site: SiteUnderTest) -> None:
    page.set_viewport_size(WIDTHS[1])
    page.goto(site.url("toolkit/mediation.html"))
    page.wait_for_selector("table[data-apkb-cards]", state="attached")
    cell = page.locator("#where-it-was-used ~ .md-typeset__scrollwrap table[data-apkb-cards] td[data-label='Outcome'], "
                        "table[data-apkb-cards] td[data-label='Outcome']").first
    label = cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert "Outcome" in label
    assert cell.evaluate("td => getComputedStyle(td).display") == "block"


@pytest.mark.parametrize("viewport", WIDTHS, ids=WIDTH_IDS)
def test_a_tool_page_gives_its_decision_facts_first(page: Page, site: SiteUnderTest, viewport: dict[str, int]) -> None:
    page.set_viewport_size(viewport)
    page.goto(site.url("toolkit/mediation.html"))
    facts = page.locator("#at-a-glance")
    top = facts.evaluate("h => h.getBoundingClientRect().top + scrollY")
    assert top < 1.5 * viewport["height"], "the facts come within the first screen and a half"
    evidence = page.locator("#evidence-at-a-glance").evaluate("h => h.getBoundingClientRect().top + scrollY")
    assert top < evidence, "the facts come before the evidence"
    toc = page.eval_on_selector_all(".md-sidebar--secondary .md-nav__link", "links => links.map(a => a.textContent.trim())")
    assert sum("at a glance" in entry.lower() for entry in toc) <= 1, toc


def test_related_tools_lists_the_tools_own_choices_and_folds_the_rest(page: Page, site: SiteUnderTest) -> None:
    page.goto(site.url("toolkit/mediation.html"))
    shown = page.eval_on_selector_all(
        "#related-tools + ul > li > a", "links => links.map(a => a.getAttribute('href'))")
    assert 0 < len(shown) <= 12, shown
    folded = page.locator("details.apkb-inbound")
    if folded.count():
        assert not folded.first.evaluate("d => d.open"), "tools that only list this one are folded away"


def test_the_two_certainty_filters_of_the_catalogue_never_contradict_each_other(page: Page, site: SiteUnderTest) -> None:
    page.goto(site.url("catalogue.html#certainty=high&certainty-min=low"))
    page.wait_for_function("document.querySelector(\"select[name='certainty']\").value === 'high'")
    assert page.input_value("select[name='certainty']") == "high" and page.input_value("select[name='certainty-min']") == ""
    page.select_option("select[name='certainty-min']", "moderate")
    assert page.input_value("select[name='certainty']") == "", "choosing one clears the other"
    page.select_option("select[name='certainty']", "low")
    assert page.input_value("select[name='certainty-min']") == ""


def _type_in_search(page: Page, words: str) -> None:
    opener = page.locator("label.md-header__button[for=__search]")
    if opener.is_visible():
        opener.click()
    else:
        page.locator("input.md-search__input").click()
    page.keyboard.type(words)


@pytest.mark.parametrize("viewport", WIDTHS, ids=WIDTH_IDS)
def test_a_misspelt_search_offers_the_word_the_knowledge_base_uses(
    page: Page, site: SiteUnderTest, viewport: dict[str, int]
) -> None:
    page.set_viewport_size(viewport)
    page.goto(site.url("index.html"))
    _type_in_search(page, "sanctons")
    offer = page.locator(".apkb-did-you-mean__choice")
    expect(offer).to_have_text("sanctions")
    offer.click()
    expect(page.locator(".md-search-result__item").first).to_be_attached()
    hrefs = page.eval_on_selector_all("li.md-search-result__item > a", "links => links.map(a => a.href)")
    assert hrefs and "h=sanctions" in hrefs[0], "the results are those of the corrected word"
    expect(page.locator(".apkb-did-you-mean")).to_have_count(0)


def test_a_country_search_leads_with_its_lesson_not_with_bibliographies(page: Page, site: SiteUnderTest) -> None:
    page.goto(site.url("index.html"))
    search(page, "Rwanda")
    titles = page.eval_on_selector_all(
        "li.md-search-result__item > a h1, li.md-search-result__item > a h2",
        "hs => hs.map(h => h.textContent.trim())")
    assert titles and titles[0].startswith("Rwanda"), titles[:5]
    assert not any(t.startswith("Sources") for t in titles), "the Sources lists are not searched"
