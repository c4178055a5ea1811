"""The built site in headless Chromium, as readers open it: from a web server ("http", the session's site served
on 127.0.0.1) and from its folder ("file", as from a USB stick on an offline laptop). Every test runs both ways
through the ``site`` fixture, on pages from ``tracked_page``/``tracked_browser``: at the end of each test, a
request for anything outside the site, or an uncaught script error, fails it.

A failing test leaves a full-page screenshot in test-artifacts/screenshots/ (or $APKB_ARTIFACTS) and names the
file in its report. Without Chromium or Playwright these tests skip, except in CI, where they fail."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from apkb.content.catalog import Catalog
from apkb.content.profile import load_profile
from apkb.content.vocabulary import vocabularies
from apkb.recommend.fragment import profile_fragment
from conftest import (
    REPO,
    SCENARIOS,
    SiteUnderTest,
    TrackedBrowser,
    by_title,
    catalogue_rows,
    cli_top,
    expect,
    heading,
    search,
    settle,
    shown_tools,
)

Page = Any
"""A Playwright page (playwright is imported only when a browser is available)."""

PHONE = {"width": 375, "height": 800}


def site_name() -> str:
    return str(yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))["site_name"])


def primary_nav_link(page: Page, name: str) -> Any:
    """The link called ``name`` in the sidebar's site navigation."""
    return page.locator("nav.md-nav--primary").get_by_role("link", name=name, exact=True)


def test_the_home_page_renders(tracked_page: Page, site: SiteUnderTest) -> None:
    tracked_page.goto(site.url("index.html"))
    assert site_name() in tracked_page.title()
    assert heading(tracked_page) == site_name()
    assert tracked_page.locator("nav.md-nav--primary").is_visible(), "the sidebar shows the site's sections"
    assert primary_nav_link(tracked_page, "Toolkit").is_visible()
    assert tracked_page.locator(".md-content a[href='toolkit/index.html']").first.is_visible(), "Where to start"


def test_search_finds_targeted_sanctions_and_opens_its_page(
    tracked_page: Page, site: SiteUnderTest, catalog: Catalog
) -> None:
    tracked_page.goto(site.url("index.html"))
    search(tracked_page, "sanctions")
    expect(tracked_page.locator(".md-search-result__meta")).to_have_text(re.compile(r"^\d+ matching documents$"))
    result = tracked_page.locator("li.md-search-result__item > a[href*='toolkit/targeted-sanctions.html']").first
    result.click()
    tracked_page.wait_for_url(lambda url: site.path_of(url) == "toolkit/targeted-sanctions.html")
    assert heading(tracked_page) == catalog.tools["targeted-sanctions"].title
    # Material highlights the word once its search index is loaded: in its own time.
    expect(tracked_page.locator(".md-content mark").first, "the searched word is highlighted").to_have_text(
        re.compile("sanctions", re.IGNORECASE)
    )


def test_the_navigation_reaches_every_category_and_the_lessons(tracked_page: Page, site: SiteUnderTest) -> None:
    """From the home page, each page is reached by clicking the sidebar of the page before it."""
    tracked_page.goto(site.url("index.html"))
    categories = vocabularies().categories.terms
    stops = [(term.label, f"toolkit/{term.id}.html", f"{term.label} tools") for term in categories]
    stops.append(("Lessons", "lessons/index.html", "Lessons"))
    assert len(stops) == 4
    for link, path, title in stops:
        primary_nav_link(tracked_page, link).click()
        tracked_page.wait_for_url(lambda url, path=path: site.path_of(url) == path)
        assert heading(tracked_page) == title, path


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_the_recommender_gives_the_same_top_five_as_the_cli(
    tracked_page: Page, site: SiteUnderTest, scenario_id: str
) -> None:
    """The link Python writes for a scenario's profile, opened with top=5, lists what ``apkb recommend`` lists."""
    scenario = REPO / "docs" / "training" / "scenarios" / f"{scenario_id}.yml"
    tracked_page.goto(site.url("recommend.html#" + profile_fragment(load_profile(scenario)) + "&top=5"))
    tracked_page.wait_for_selector("#apkb-results li.apkb-result")
    assert tracked_page.eval_on_selector("#c-top", "select => select.value") == "5"
    assert shown_tools(tracked_page) == cli_top(scenario)


def test_the_catalogue_filters_show_exactly_the_matching_rows(
    tracked_page: Page, site: SiteUnderTest, catalog: Catalog
) -> None:
    """Reached from the toolkit's index, the catalogue filtered on a category and a stage shows those tools only."""
    tracked_page.goto(site.url("toolkit/index.html"))
    tracked_page.locator(".md-content a[href='../catalogue.html']").first.click()
    tracked_page.wait_for_url(lambda url: site.path_of(url) == "catalogue.html")
    expected = by_title([t for t in catalog.tools.values() if t.category == "diplomatic" and "prevention" in t.stages])
    assert 0 < len(expected) < len(catalog.tools), "a combination that tells matching tools from the rest"
    tracked_page.select_option("#cat-category", "diplomatic")
    tracked_page.select_option("#cat-stage", "prevention")
    assert catalogue_rows(tracked_page) == expected
    assert tracked_page.inner_text("#apkb-catalogue-count") == f"Showing {len(expected)} of {len(catalog.tools)} tools"


def test_the_palette_toggle_switches_to_dark_mode_and_back(tracked_page: Page, site: SiteUnderTest) -> None:
    tracked_page.goto(site.url("index.html"))
    toggle = tracked_page.locator("[data-md-component=palette] label:visible")

    def scheme() -> str:
        return tracked_page.evaluate("document.body.getAttribute('data-md-color-scheme')")

    assert scheme() == "default"
    toggle.click()
    tracked_page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
    assert scheme() == "slate"
    toggle.click()
    tracked_page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'default'")
    assert scheme() == "default"


# --- a phone: 375 CSS pixels wide, no sideways scrolling --------------------------------------------------------

PHONE_VIEWS = {
    "home": "index.html",
    "tool": "toolkit/targeted-sanctions.html",
    "lesson": "lessons/kenya-2008.html",
    # Every tool ranked, with all the risk factors set: the longest the results get.
    "recommender": "recommend.html#stage=response&rf=33232323332332&top=all",
    "catalogue": "catalogue.html",
    "evidence-gaps": "evidence-gaps.html",
    "search-results": "index.html",
}


@pytest.mark.parametrize("view", PHONE_VIEWS)
def test_a_phone_needs_no_sideways_scrolling(tracked_browser: TrackedBrowser, site: SiteUnderTest, view: str) -> None:
    phone = tracked_browser.new_page(viewport=PHONE)
    phone.goto(site.url(PHONE_VIEWS[view]))
    if view == "recommender":
        phone.wait_for_selector("#apkb-results li.apkb-result")
    elif view == "search-results":
        search(phone, "sanctions")
    settle(phone)  # a layout is measured once it has stopped moving
    assert phone.evaluate("window.innerWidth") == PHONE["width"]
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{PHONE_VIEWS[view]} is {width}px wide on a {PHONE['width']}px screen"
