"""Accessibility in headless Chromium, from file:// with the network off: axe-core finds no serious or critical
violation on each kind of page, in light and in dark mode, and the recommender works with the keyboard alone,
with the focus always visible.

axe-core is a pinned copy in tests/assets/axe-core/ (see its README), injected into the page under test: nothing
is installed or fetched."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, address

Page = Any
"""A Playwright page (playwright is imported only when a browser is available)."""

AXE = REPO / "tests" / "assets" / "axe-core" / "axe.min.js"

PAGES = {
    "home": "index.html",
    "tool": "toolkit/targeted-sanctions.html",
    "lesson": "lessons/kenya-2008.html",
    "recommender": "recommend.html",
    "catalogue": "catalogue.html",
    "evidence-gaps": "evidence-gaps.html",
    "training-module": "training/reading-atrocity-risk.html",
}

# Material's palette: light is the "default" scheme, dark is "slate"; the site follows the reader's system setting.
SCHEMES = {"light": "default", "dark": "slate"}

BLOCKING = {"serious", "critical"}

# Violations entirely inside Material's own markup, which our templates, CSS and JS cannot change. Each is allowed
# for its rule on exactly that element (axe's target selector), nowhere else; the rule still runs everywhere.
MATERIAL_MARKUP: dict[tuple[str, str], str] = {
    ("aria-dialog-name", ".md-search"): (
        "Material's partials/search.html gives the search overlay role=\"dialog\" and no accessible name (the "
        "search field inside it is labelled). Only a copy of that template (theme.custom_dir) could name it."
    ),
}


def _settle(page: Page) -> None:
    """Wait until no CSS transition runs: Material fades colours when the palette changes, and axe measures the
    colours on screen."""
    page.wait_for_function(
        "() => document.getAnimations().every(a => !(a instanceof CSSTransition) || a.playState !== 'running')"
    )


def open_in(page: Page, site: Path, name: str, scheme: str) -> None:
    """Open a page as a reader whose system is set to light or dark mode, and wait for it to be ready."""
    page.emulate_media(color_scheme=scheme)
    page.goto((site / name).as_uri())
    page.wait_for_function("s => document.body.dataset.mdColorScheme === s", arg=SCHEMES[scheme])
    if name == "recommend.html":
        page.wait_for_selector("#apkb-results li.apkb-result")
    _settle(page)


def axe_violations(page: Page, site: Path) -> list[dict[str, Any]]:
    # The site's Content-Security-Policy refuses inline scripts, so axe is loaded as a file of the (test's) site.
    copy = site / "axe.min.js"
    if not copy.exists():
        shutil.copyfile(AXE, copy)
    page.add_script_tag(url=copy.as_uri())
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                targets: v.nodes.map(n => ({target: n.target.join(' '), impact: n.impact,
                                            summary: n.failureSummary}))}));
        }"""
    )


def blocking(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The serious and critical violations, less the documented ones in Material's markup."""
    found = []
    for violation in violations:
        targets = [
            t for t in violation["targets"]
            if (t["impact"] or violation["impact"]) in BLOCKING and (violation["id"], t["target"]) not in MATERIAL_MARKUP
        ]
        if targets:
            found.append({**violation, "targets": targets})
    return found


def report(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for t in v["targets"]:
            detail = " ".join((t["summary"] or "").split())
            lines.append(f"    {t['target']}: {detail[:300]}")
    return "\n".join(lines)


@pytest.mark.parametrize("scheme", list(SCHEMES))
@pytest.mark.parametrize("kind", list(PAGES))
def test_no_serious_or_critical_axe_violation(offline_page: Page, real_site: Path, kind: str, scheme: str) -> None:
    assert AXE.is_file(), "tests/assets/axe-core/axe.min.js is missing"
    open_in(offline_page, real_site, PAGES[kind], scheme)
    found = blocking(axe_violations(offline_page, real_site))
    assert not found, f"{PAGES[kind]} in {scheme} mode:\n{report(found)}"


def test_axe_sees_a_violation_when_there_is_one(offline_page: Page, real_site: Path) -> None:
    """The check itself works: spoil the page's contrast and axe must say so."""
    open_in(offline_page, real_site, PAGES["tool"], "light")
    offline_page.evaluate("() => { document.querySelector('.md-typeset h1').style.color = '#dddddd'; }")
    ids = {v["id"] for v in blocking(axe_violations(offline_page, real_site))}
    assert "color-contrast" in ids


# --- the keyboard alone -------------------------------------------------------------------------------------

FOCUS_STYLE = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    return {
        visible: outline || style.boxShadow !== 'none',
        inContent: Boolean(el.closest('.md-content')),
        what: el.tagName.toLowerCase() + (el.type ? '[type=' + el.type + ']' : '') + (el.id ? '#' + el.id : '')
              + (el.name ? '[name=' + el.name + ']' : '') + ' "' + (el.textContent || el.value || '').trim().slice(0, 40) + '"',
        kind: el.tagName.toLowerCase() + (el.type && el.tagName === 'INPUT' ? ':' + el.type : ''),
    };
}"""


class Keyboard:
    """Moves through a page with Tab and Shift+Tab only, and checks at every stop in the page's content (not
    Material's header and navigation) that the focused element shows it: a visible outline or box-shadow."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.seen: set[str] = set()

    def _check(self) -> None:
        focus = self.page.evaluate(FOCUS_STYLE)
        if focus["inContent"]:
            assert focus["visible"], f"no visible focus on {focus['what']}"
            self.seen.add(focus["kind"])

    def press(self, key: str) -> None:
        assert key in {"Tab", "Shift+Tab"}
        self.page.keyboard.press(key)
        self._check()

    def tab_to(self, selector: str, limit: int = 150, key: str = "Tab") -> None:
        """Press Tab (or Shift+Tab) until the focus is on the element the selector finds first."""
        for _ in range(limit):
            self.press(key)
            if self.page.evaluate("s => document.activeElement === document.querySelector(s)", selector):
                return
        raise AssertionError(f"{limit} presses of {key} never reached {selector}")

    def focused(self, selector: str) -> bool:
        return self.page.evaluate("s => document.activeElement === document.querySelector(s)", selector)


def checked(page: Page, name: str) -> list[str]:
    return page.eval_on_selector_all(f"input[name={name}]:checked", "boxes => boxes.map(b => b.value)")


def value(page: Page, selector: str) -> str:
    return page.eval_on_selector(selector, "el => el.value")


def open_recommender(page: Page, site: Path) -> Keyboard:
    """The recommender, with its first results shown, and a keyboard that records each focus on the way."""
    page.goto((site / "recommend.html").as_uri())
    page.wait_for_selector("#apkb-results li.apkb-result")
    return Keyboard(page)


def test_the_recommender_is_filled_in_and_a_result_opened_with_the_keyboard_alone(
    offline_page: Page, real_site: Path
) -> None:
    page = offline_page
    keys = open_recommender(page, real_site)

    # Stage: Tab into the group of radio buttons, then arrows choose (Prevention -> Mitigation -> Response).
    keys.tab_to("input[name=stage]")
    assert checked(page, "stage") == ["prevention"]
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert checked(page, "stage") == ["response"]

    # Two risk factors: type into one select, use the arrows in another.
    keys.tab_to("#rf-RF04")
    page.keyboard.type("2")
    assert value(page, "#rf-RF04") == "2"
    keys.tab_to("#rf-RF08")
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    assert value(page, "#rf-RF08") == "3"

    # A constraint: go past it to the budget, come back with Shift+Tab, and type the first letter of "High".
    keys.tab_to("#c-budget")
    keys.tab_to("#c-leverage", key="Shift+Tab")
    assert keys.focused("#c-leverage")
    page.keyboard.type("h")
    assert value(page, "#c-leverage") == "high"

    # An actor: Tab to the box and tick it with Space.
    keys.tab_to("input[name=actors][value=media]")
    page.keyboard.press("Space")
    assert checked(page, "actors") == ["media"]

    assert "stage=response&rf=00020003000000&leverage=high&actors=media" in address(page), address(page)

    # On to the first result's link, and open it with Enter.
    first = "#apkb-results li.apkb-result h4 a"
    href = page.eval_on_selector(first, "a => a.href")
    title = page.inner_text(first)
    keys.tab_to(first)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == href and "/toolkit/" in href
    heading = page.eval_on_selector("article h1", "h => h.firstChild.textContent.trim()")  # less the permalink
    assert heading == title

    # Every kind of control on the way showed its focus.
    assert {"input:radio", "select", "summary", "input:checkbox", "a"} <= keys.seen, keys.seen


def test_the_focus_is_visible_on_every_control_of_the_recommender_and_the_catalogue(
    offline_page: Page, real_site: Path
) -> None:
    page = offline_page
    keys = open_recommender(page, real_site)
    keys.tab_to("#apkb-open")  # every control of the form and of sharing, each checked on the way
    keys.tab_to("#apkb-results li.apkb-result a")
    assert {"input:radio", "input:checkbox", "select", "summary", "button", "a"} <= keys.seen, keys.seen

    page.goto((real_site / "catalogue.html").as_uri())
    keys = Keyboard(page)
    keys.tab_to("#apkb-catalogue tbody tr a")  # the filters, the scrolling table, its sort buttons, the first tool
    assert {"input:search", "select", "button", "div", "a"} <= keys.seen, keys.seen
