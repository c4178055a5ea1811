"""The browser tests' own checks (``tracking`` in tests/conftest.py) can fail: a refusal that no test provoked is a
problem, a refusal a test provokes must come, and once it has come it is forgiven."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import SiteUnderTest, TrackedBrowser, settle

HANDLER = re.compile("inline event handler")

INSERT_HANDLER = """() => {
    const probe = document.createElement('div');
    probe.innerHTML = '<b onmouseover="void 0">probe</b>';
    document.body.append(probe);
    probe.firstChild.dispatchEvent(new MouseEvent('mouseover'));
}"""
"""Markup with an inline handler, and the event that would run it: the page's policy refuses it."""


def tracker(browser: Any, real_site: Path, *expected: re.Pattern[str]) -> Iterator[tuple[TrackedBrowser, Any]]:
    tracked = TrackedBrowser(browser, SiteUnderTest("file", real_site, real_site.as_uri() + "/"), list(expected))
    try:
        page = tracked.new_page()
        page.goto((real_site / "catalogue.html").as_uri())
        yield tracked, page
    finally:
        tracked.close()


@pytest.fixture
def unprovoked(browser: Any, real_site: Path) -> Iterator[tuple[TrackedBrowser, Any]]:
    """The catalogue, tracked by a test that expects no refusal."""
    yield from tracker(browser, real_site)


@pytest.fixture
def provoking(browser: Any, real_site: Path) -> Iterator[tuple[TrackedBrowser, Any]]:
    """The catalogue, tracked by a test that says it provokes the refusal of an inline handler."""
    yield from tracker(browser, real_site, HANDLER)


def test_a_clean_page_has_no_problems(unprovoked: tuple[TrackedBrowser, Any]) -> None:
    tracked, _ = unprovoked
    assert tracked.finish() == []


def test_a_refusal_no_test_provoked_is_a_problem(unprovoked: tuple[TrackedBrowser, Any]) -> None:
    tracked, page = unprovoked
    page.evaluate(INSERT_HANDLER)
    assert tracked.wait_for_refusal(HANDLER), "the browser reported the refusal"
    problems = tracked.finish()
    assert len(problems) == 1 and problems[0].startswith("refusal: ") and HANDLER.search(problems[0]), problems


def test_a_provoked_refusal_is_forgiven_once_it_has_come(provoking: tuple[TrackedBrowser, Any]) -> None:
    tracked, page = provoking
    page.evaluate(INSERT_HANDLER)
    assert tracked.finish() == []
    assert any(HANDLER.search(refusal) for refusal in tracked.refusals)


def test_a_provoked_refusal_that_never_comes_is_a_problem(provoking: tuple[TrackedBrowser, Any]) -> None:
    tracked, _ = provoking
    assert tracked.finish(wait_ms=1_000) == [
        "expected a refusal matching 'inline event handler', and the browser reported none"
    ]


GROW = """() => {
    const box = document.createElement('div');
    box.id = 'grower';
    box.style.cssText = 'position:absolute;top:0;left:0;width:10px;height:10px;transition:transform 600ms linear';
    document.body.append(box);
    box.getBoundingClientRect();
    box.style.transform = 'scale(80)';
    return document.getAnimations().length;
}"""
"""A box that grows far past the screen's edge over 0.6 s, as Material's search overlay does on a phone."""


def test_settle_waits_for_a_growing_box_to_stop(unprovoked: tuple[TrackedBrowser, Any]) -> None:
    _, page = unprovoked
    assert page.evaluate(GROW) >= 1, "the transition is running"
    settle(page)
    assert page.evaluate("document.getAnimations().filter(a => a.playState === 'running').length") == 0
    assert page.evaluate("getComputedStyle(document.getElementById('grower')).transform") != "none"
