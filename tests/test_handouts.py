"""Training modules print as handouts: headless Chromium turns a module page into a PDF of a sensible length, and in
print media the site's chrome is hidden and every external link writes out its address.

Like the other browser tests, these skip where Chromium or Playwright is missing, and fail instead in CI."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from apkb.content.training_modules import load_modules
from conftest import REPO

Page = Any
"""A Playwright page (playwright is imported only when a browser is available)."""

_PDF_PAGE = re.compile(rb"/Type\s*/Page(?![s\w])")
"""A page object in a PDF, not the /Pages tree above it. Chromium writes page objects uncompressed."""


def module_ids() -> list[str]:
    modules = load_modules(REPO / "docs")
    assert not modules.problems, modules.problems
    return sorted(modules.ids)


@pytest.fixture
def page(browser: Any) -> Iterator[Page]:
    """A page with the network off, as on an embassy laptop printing from the offline site."""
    context = browser.new_context(offline=True)
    yield context.new_page()
    context.close()


def module_url(site: Path, module_id: str) -> str:
    return (site / "training" / f"{module_id}.html").as_uri()


def test_there_are_modules_to_print() -> None:
    assert module_ids(), "docs/training/ holds no training module"


def test_a_module_prints_to_a_pdf_of_a_sensible_length(page: Page, real_site: Path, tmp_path: Path) -> None:
    module_id = module_ids()[0]
    page.goto(module_url(real_site, module_id))
    pdf = tmp_path / f"{module_id}.pdf"
    page.pdf(path=str(pdf), format="A4")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = len(_PDF_PAGE.findall(data))
    assert 2 <= pages <= 30, f"{module_id} printed on {pages} page(s)"


def test_in_print_the_chrome_is_hidden_and_links_show_where_they_go(page: Page, real_site: Path) -> None:
    checked = None
    for module_id in module_ids():
        page.goto(module_url(real_site, module_id))
        page.emulate_media(media="print")
        external = page.eval_on_selector_all(
            ".md-content a[href^='http']", "links => links.map(a => a.getAttribute('href'))"
        )
        if external:
            checked = module_id
            break
    assert checked, "no training module links to an outside source, so external links cannot be checked"

    displays = page.evaluate(
        """() => Object.fromEntries(['.md-header', '.md-sidebar--primary', '.md-sidebar--secondary', '.md-tabs',
            '.md-footer', '.md-top'].map(s => [s, document.querySelector(s)]).filter(([, e]) => e !== null)
            .map(([s, e]) => [s, getComputedStyle(e).display]))"""
    )
    assert {".md-header", ".md-sidebar--primary"} <= displays.keys(), displays
    assert set(displays.values()) == {"none"}, f"visible in print: {displays}"

    def after(selector: str) -> str:
        return page.eval_on_selector(selector, "a => getComputedStyle(a, '::after').content")

    url = external[0]
    assert url in after(f".md-content a[href='{url}']"), "an external link prints its address"

    internal = page.eval_on_selector(
        ".md-content a[href^='../'][href$='.html']", "a => a.getAttribute('href')"
    )
    printed = after(f".md-content a[href='{internal}']")
    assert internal.removeprefix("../") in printed and "../" not in printed, "an internal link prints its site path"

    anchors = page.eval_on_selector_all(
        ".md-content a[href^='#']", "links => links.map(a => getComputedStyle(a, '::after').content)"
    )
    assert all(content in ("none", "normal", "") for content in anchors), "in-page anchors print no address"

    page.emulate_media(media="screen")
    assert page.eval_on_selector(".md-header", "e => getComputedStyle(e).display") != "none"
    assert after(f".md-content a[href='{url}']") in ("none", "normal"), "on screen, links print nothing extra"
