"""Rendering turns the catalog into pages without MkDocs, and never lets front matter become markup."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from apkb.content.catalog import Catalog
from apkb.content.model import Tool
from apkb.content.validate import validate
from apkb.site.render import freshness_pages, inline, render_pages
from conftest import FIXTURE_SITE, REPO


def test_every_entry_and_index_gets_a_page() -> None:
    report = validate(FIXTURE_SITE)
    paths = {page.path for page in render_pages(report.catalog)}
    assert {"toolkit/example-envoy.md", "toolkit/example-sanctions.md", "lessons/example-crisis.md"} <= paths
    assert {"toolkit/index.md", "toolkit/diplomatic.md", "toolkit/financial.md", "toolkit/programme.md"} <= paths
    assert {"lessons/index.md", "methodology.md"} <= paths


def test_the_lessons_index_groups_every_lesson_by_region_and_by_how_it_ended() -> None:
    """A reader sees which parts of the world the case base covers, which it lacks, and how the cases ended."""
    from apkb.content.vocabulary import vocabularies

    catalog = validate(REPO).catalog
    page = next(p for p in render_pages(catalog) if p.path == "lessons/index.md").content
    by_region, by_result = page.split("## By how it ended")
    v = vocabularies()
    for lesson in catalog.lessons.values():
        link = f"]({lesson.id}.md)"
        region_heading = f"### {v.regions.label_of(lesson.region)} ("
        assert region_heading in by_region and link in by_region.split(region_heading)[1].split("###")[0], lesson.id
        result_heading = f"**{v.results.label_of(lesson.result)}** ("
        assert link in by_result.split(result_heading)[1].split("**")[0], lesson.id
        date = lesson.decision_point.date
        assert f"{date.day} {date.strftime('%B %Y')}" in by_region, "each row gives the decision point in brief"
    empty = [t.label for t in v.regions.terms if not any(lesson.region == t.id for lesson in catalog.lessons.values())]
    if empty:
        assert all(label in by_region.split("No lesson yet from")[1] for label in empty), "gaps are said, not hidden"


def test_front_matter_text_cannot_become_html_or_markdown_markup() -> None:
    rendered = str(inline('<img src=x onerror=alert(1)> [click](javascript:alert(1)) {: onclick="x" } *a*'))
    assert "<img" not in rendered and "&lt;img" in rendered
    assert "\\[click\\]" in rendered and "\\{: onclick" in rendered and "\\*a\\*" in rendered


def test_titles_with_angle_brackets_are_refused() -> None:
    data = validate(FIXTURE_SITE).catalog.tools["example-envoy"].model_dump()
    data["title"] = "Envoy </title><script>alert(1)</script>"
    with pytest.raises(ValidationError, match="title"):
        Tool.model_validate(data)


def test_hostile_front_matter_is_escaped_on_the_tool_page() -> None:
    data = validate(FIXTURE_SITE).catalog.tools["example-envoy"].model_dump()
    data["summary"] = 'Envoy"><script>alert(1)</script>'
    data["evidence"]["studies"][0]["finding"] = "<img src=x onerror=alert(1)>"
    hostile = Tool.model_validate(data)
    hostile.attach_source(FIXTURE_SITE / "example-envoy.md", "## What it is\n", 1, {})
    page = next(p for p in render_pages(Catalog([hostile], [])) if p.path == "toolkit/example-envoy.md")
    assert "<script>" not in page.content and "<img" not in page.content
    assert 'description: "Envoy&#34;&gt;&lt;script&gt;' in page.content


def test_the_methodology_page_lists_every_risk_factor_by_name() -> None:
    methodology = next(p for p in render_pages(Catalog([], [])) if p.path == "methodology.md").content
    heading = "### RF09: Intergroup tensions or patterns of discrimination against protected groups { #rf09 }"
    assert heading in methodology
    assert "`very-low`: **Very low**" in methodology


def test_each_entry_says_what_was_checked_and_that_expert_review_is_pending() -> None:
    """A reader can tell a checked draft from an expert-reviewed entry, on the page and on the Review due page."""
    catalog = validate(REPO).catalog
    pages = {page.path: page.content for page in [*render_pages(catalog), *freshness_pages(catalog, REPO)]}
    mediation = catalog.tools["mediation"]
    page = pages["toolkit/mediation.md"]
    assert f"Drafted {mediation.drafted.isoformat()}." in page
    if mediation.checks:
        assert f"Last checked {mediation.checks[-1].date.isoformat()} by {mediation.checks[-1].by}" in page
    if mediation.expert_review is None:
        assert "Review by a subject expert: pending." in page
    due = pages["review-due.md"]
    waiting = [e for e in catalog.entries() if e.expert_review is None]
    assert f"{len(waiting)} of {len(list(catalog.entries()))} entries have not yet been reviewed" in due
    assert all(f"/{e.id}.md)" in due for e in waiting), "every entry waiting for an expert is listed, with its link"


def test_the_recommender_form_marks_indicators_not_yet_checked_against_the_framework() -> None:
    """The form shows the Framework's indicators; a reader must see which are our unchecked reading of them."""
    from apkb.content import urls
    from apkb.content.vocabulary import vocabularies

    page = next(p for p in render_pages(validate(REPO).catalog) if p.path == urls.RECOMMEND).content
    for factor in vocabularies().risk_factors.risk_factors:
        for indicator in factor.indicators:
            line = next(li for li in page.splitlines() if li.startswith(f"<li>{indicator.id} "))
            assert ("unchecked" in line) == (not indicator.verified), indicator.id


def test_every_fact_at_a_glance_is_its_own_term_even_after_a_note() -> None:
    """A definition list needs a blank line before each term: without it 'Works on' nests inside 'When to start'."""
    catalog = validate(REPO).catalog
    pages = {page.path: page.content for page in render_pages(catalog)}
    terms = ("Risk factors addressed", "Who can use it", "When to start", "Works on", "Cannot work without",
             "Leverage runs through")
    for tool in catalog.tools.values():
        page = pages[f"toolkit/{tool.id}.md"]
        for term in terms:
            assert f"\n\n{term}\n:   " in page, (tool.id, term)
    from apkb.content.vocabulary import vocabularies

    methodology = pages["methodology.md"]
    for term in vocabularies().effects.terms:
        assert f"\n\n`{term.id}`: **{term.label}**\n:   " in methodology, term.id
