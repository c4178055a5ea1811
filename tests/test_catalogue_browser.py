"""The catalogue page: the table every reader gets, and its filters and sorting in headless Chromium, from the
local web server and from file:// with the network off (the ``site`` fixture runs each browser test both ways)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from apkb.content.catalog import Catalog
from apkb.content.model import Tool
from apkb.content.vocabulary import vocabularies
from conftest import SiteUnderTest, address, by_title, catalogue_rows

Page = Any
"""A Playwright page (playwright is imported only when a browser is available)."""

FILTERS = ["category", "stage", "rf", "strategy", "effect", "certainty", "certainty-min", "q"]


# --- without a browser: the table the page is built with ---------------------------------------------------


class _Rows(HTMLParser):
    """The tool id of each row of the catalogue table, and the links inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self._current: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "tr" and values.get("data-id"):
            self._current = values["data-id"]
            self.rows[self._current or ""] = []
        elif tag == "a" and self._current:
            self.rows[self._current].append(values.get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self._current = None


def test_the_built_table_lists_every_tool_with_a_working_link(real_site: Path, catalog: Catalog) -> None:
    page = real_site / "catalogue.html"
    parser = _Rows()
    parser.feed(page.read_text(encoding="utf-8"))
    assert list(parser.rows) == by_title(list(catalog.tools.values())), "every tool once, by title, without JS"
    for tool_id, links in parser.rows.items():
        assert links == [f"toolkit/{tool_id}.html"], tool_id
        assert (real_site / links[0]).is_file(), links[0]
    toolkit = (real_site / "toolkit" / "index.html").read_text(encoding="utf-8")
    assert 'href="../catalogue.html"' in toolkit, "the toolkit index links to the catalogue"


# --- in the browser ---------------------------------------------------------------------------------------


@pytest.fixture
def page(tracked_page: Page, site: SiteUnderTest) -> Iterator[Page]:
    """The catalogue in both modes; tracked_page checks that no script failed and nothing left the site."""
    tracked_page.goto(site.url("catalogue.html"))
    yield tracked_page


def controls(page: Page) -> dict[str, str]:
    return page.evaluate(
        """names => Object.fromEntries(names.map(
             name => [name, document.getElementById('apkb-catalogue-filters').elements[name].value]))""",
        FILTERS,
    )


def count(page: Page) -> str:
    return page.inner_text("#apkb-catalogue-count")


def _words_match(tool: Tool, query: str) -> bool:
    text = " ".join([tool.title, tool.summary, *tool.aliases]).lower()
    return all(word in text for word in query.lower().split())


def _certainty_at_least(tool: Tool, minimum: str) -> bool:
    scale = vocabularies().certainty
    return scale.rank(tool.evidence.certainty) <= scale.rank(minimum)


COMBINATIONS: list[tuple[dict[str, str], Callable[[Tool], bool]]] = [
    ({"category": "financial", "stage": "response"},
     lambda t: t.category == "financial" and "response" in t.stages),
    ({"rf": "RF08", "certainty-min": "low", "q": "Election"},
     lambda t: "RF08" in t.risk_factors and _certainty_at_least(t, "low") and _words_match(t, "election")),
    ({"strategy": "protect", "effect": "likely-beneficial", "q": "civilians PROTECT"},
     lambda t: "protect" in t.strategies and t.evidence.effect == "likely-beneficial"
     and _words_match(t, "civilians protect")),
]


@pytest.mark.parametrize(("chosen", "wanted"), COMBINATIONS, ids=["financial-response", "rf08-low-election", "protect"])
def test_filters_show_exactly_the_matching_tools_and_a_link_restores_them(
    page: Page, catalog: Catalog, chosen: dict[str, str], wanted: Callable[[Tool], bool]
) -> None:
    total = len(catalog.tools)
    expected = by_title([tool for tool in catalog.tools.values() if wanted(tool)])
    assert 0 < len(expected) < total, "a combination that tells matching tools from the rest"
    assert catalogue_rows(page) == by_title(list(catalog.tools.values()))
    for name, value in chosen.items():
        if name == "q":
            page.focus("#cat-q")
            page.keyboard.type(value)
        else:
            page.select_option(f"#cat-{name}", value)
    assert catalogue_rows(page) == expected
    assert count(page) == f"Showing {len(expected)} of {total} tools"
    state = controls(page)
    assert state == {name: chosen.get(name, "") for name in FILTERS}
    other = page.context.new_page()
    link = address(page)
    other.goto(link)
    assert "#" in link and controls(other) == state, "the link restores every control"
    assert catalogue_rows(other) == expected and count(other) == count(page)


def _ranks(page: Page, catalog: Catalog, key: str) -> list[int]:
    v = vocabularies()
    rank: dict[str, Callable[[Tool], int]] = {
        "effect": lambda t: v.effects.rank(t.evidence.effect),
        "certainty": lambda t: v.certainty.rank(t.evidence.certainty),
        "cost": lambda t: v.cost.rank(t.cost),
        "time": lambda t: v.time_to_effect.rank(t.time_to_effect),
    }
    return [rank[key](catalog.tools[tool_id]) for tool_id in catalogue_rows(page)]


def _aria_sort(page: Page) -> dict[str, Any]:
    return page.eval_on_selector_all(
        "#apkb-catalogue thead th[aria-sort]", "ths => Object.fromEntries(ths.map(th => [th.dataset.sortKey, th.getAttribute('aria-sort')]))"
    )


@pytest.mark.parametrize("key", ["certainty", "effect", "cost", "time"])
def test_sorting_follows_the_vocabulary_order_both_ways(page: Page, catalog: Catalog, key: str) -> None:
    assert _ranks(page, catalog, key) != sorted(_ranks(page, catalog, key)), "the title order is not already sorted"
    page.click(f"#apkb-catalogue th[data-sort-key={key}] button")
    ranks = _ranks(page, catalog, key)
    assert ranks == sorted(ranks) and len(ranks) == len(catalog.tools)
    assert _aria_sort(page) == {key: "ascending"}
    page.focus(f"#apkb-catalogue th[data-sort-key={key}] button")
    page.keyboard.press("Enter")
    ranks = _ranks(page, catalog, key)
    assert ranks == sorted(ranks, reverse=True)
    assert _aria_sort(page) == {key: "descending"}
    assert address(page).endswith(f"#sort={key}-desc")


def test_a_hashed_link_sets_the_controls_the_order_and_the_rows(
    tracked_page: Page, catalog: Catalog, site: SiteUnderTest
) -> None:
    page = tracked_page  # opened at the link itself: a hash change on an open page is the test below
    page.goto(site.url("catalogue.html#stage=prevention&certainty-min=moderate&sort=certainty-desc"))
    expected = [t for t in catalog.tools.values() if "prevention" in t.stages and _certainty_at_least(t, "moderate")]
    assert sorted(catalogue_rows(page)) == sorted(t.id for t in expected)
    assert controls(page)["stage"] == "prevention" and controls(page)["certainty-min"] == "moderate"
    assert _aria_sort(page) == {"certainty": "descending"}


def test_the_page_follows_a_changed_hash_and_clear_filters_shows_every_tool(page: Page, catalog: Catalog) -> None:
    page.evaluate("location.hash = '#category=programme&effect=unknown'")
    page.wait_for_function("document.getElementById('cat-effect').value === 'unknown'")
    expected = [t for t in catalog.tools.values() if t.category == "programme" and t.evidence.effect == "unknown"]
    assert catalogue_rows(page) == by_title(expected)
    page.click("#cat-clear")
    assert catalogue_rows(page) == by_title(list(catalog.tools.values()))
    assert controls(page) == dict.fromkeys(FILTERS, "")
    assert "#" not in address(page) or address(page).endswith("#")


def test_unknown_values_in_the_hash_are_ignored(tracked_page: Page, site: SiteUnderTest) -> None:
    page = tracked_page
    page.goto(site.url("catalogue.html#category=nonsense&rf=RF99&sort=colour-up&stage=response"))
    assert controls(page) == {**dict.fromkeys(FILTERS, ""), "stage": "response"}
    assert address(page).endswith("#stage=response"), "the address keeps only what the page shows"


def test_every_control_has_a_label_and_the_count_is_announced(page: Page) -> None:
    unlabelled = page.evaluate(
        """() => Array.from(document.querySelectorAll('#apkb-catalogue-filters input, #apkb-catalogue-filters select'))
             .filter(el => el.labels.length === 0 || !el.labels[0].textContent.trim()).map(el => el.name)"""
    )
    assert unlabelled == []
    assert page.is_visible("#apkb-catalogue-filters"), "the script shows the form"
    assert page.get_attribute("#apkb-catalogue-count", "aria-live") == "polite"
