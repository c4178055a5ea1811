"""The evidence-gap map: two inline SVG views that show every tool's evidence truthfully, and the research gaps."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from apkb.content.catalog import Catalog
from apkb.content.validate import validate
from apkb.content.vocabulary import vocabularies
from apkb.site.gap_map import gap_map_files, stylesheet
from conftest import REPO

SVG = "{http://www.w3.org/2000/svg}"
SVG_BLOCK = re.compile(r"<svg\b[^>]*\brole=\"group\".*?</svg>", re.DOTALL)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    report = validate(REPO)
    assert report.ok, report.problems
    return report.catalog


def page_of(catalog: Catalog) -> str:
    pages = gap_map_files(catalog)
    assert [page.path for page in pages] == ["evidence-gaps.md"]
    return pages[0].content


def views(content: str) -> dict[str, ET.Element]:
    """The page's SVG views, parsed as XML, by the text of their <title>."""
    parsed = [ET.fromstring(block) for block in SVG_BLOCK.findall(content)]
    return {svg.findtext(f"{SVG}title"): svg for svg in parsed}


def classes(element: ET.Element) -> set[str]:
    return set((element.get("class") or "").split())


def section(content: str, heading: str, until: str) -> str:
    start = content.index(heading)
    return content[start:content.index(until, start)]


def test_both_views_are_labelled_groups_that_scale_to_the_page(catalog: Catalog) -> None:
    found = views(page_of(catalog))
    assert set(found) == {"Tools and the risk factors they address", "Tools by effect and certainty"}
    for svg in found.values():
        title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
        assert title is not None and desc is not None and desc.text
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert svg.get("width") == "100%" and re.fullmatch(r"0 0 \d+ \d+", svg.get("viewBox") or "")
        assert svg.get("style") is None, "the Content-Security-Policy forbids style attributes"
        name = next(c for c in classes(svg) if c.startswith("apkb-gapmap__svg--"))
        rule = re.search(rf"\.{name} \{{ min-width: (\d+)px; \}}", stylesheet(catalog))
        viewbox_width = int((svg.get("viewBox") or "").split()[2])
        assert rule and 0.5 * viewbox_width < int(rule.group(1)) <= viewbox_width, "a phone scrolls the view, not the page"


def test_the_risk_factor_view_fills_exactly_the_pairs_the_catalog_holds(catalog: Catalog) -> None:
    svg = views(page_of(catalog))["Tools and the risk factors they address"]
    cells = [g for g in svg.iter(f"{SVG}g") if "apkb-gap-cell" in classes(g)]
    pairs = Counter((g.get("data-tool"), g.get("data-risk-factor")) for g in cells)
    expected = {(tool.id, factor) for tool in catalog.tools.values() for factor in tool.risk_factors}
    assert set(pairs) == expected and set(pairs.values()) == {1}
    letters = {"high": "H", "moderate": "M", "low": "L", "very-low": "VL"}
    for cell in cells:
        certainty = catalog.tools[cell.get("data-tool") or ""].evidence.certainty
        assert f"apkb-gap--{certainty}" in classes(cell)
        assert cell.findtext(f"{SVG}text") == letters[certainty], "a letter for readers who cannot tell colours apart"


def test_every_row_label_links_to_its_tool_page_with_the_full_title(catalog: Catalog) -> None:
    svg = views(page_of(catalog))["Tools and the risk factors they address"]
    links = {a.get("data-tool"): a for a in svg.iter(f"{SVG}a")}
    assert set(links) == set(catalog.tools)
    for tool_id, link in links.items():
        assert link.get("href") == f"toolkit/{tool_id}.html"
        assert link.findtext(f"{SVG}title") == catalog.tools[tool_id].title


def test_the_effect_certainty_view_places_every_tool_once_in_its_cell(catalog: Catalog) -> None:
    svg = views(page_of(catalog))["Tools by effect and certainty"]
    cells = [g for g in svg.iter(f"{SVG}g") if "apkb-gapmap__cell" in classes(g)]
    v = vocabularies()
    assert Counter((g.get("data-effect"), g.get("data-certainty")) for g in cells) == Counter(
        {(e, c): 1 for e in v.effects.ids for c in v.certainty.ids}
    )
    placed = Counter(
        (a.get("data-tool"), g.get("data-effect"), g.get("data-certainty")) for g in cells for a in g.iter(f"{SVG}a")
    )
    expected = {(t.id, t.evidence.effect, t.evidence.certainty) for t in catalog.tools.values()}
    assert set(placed) == expected and set(placed.values()) == {1}


def test_research_gaps_list_exactly_the_low_and_very_low_tools(catalog: Catalog) -> None:
    content = page_of(catalog)
    for certainty, heading, until in [("low", "### Low certainty", "### Very low certainty"),
                                      ("very-low", "### Very low certainty", "### Risk factors without")]:
        group = section(content, heading, until)
        listed = re.findall(r"\]\(toolkit/([a-z0-9-]+)\.md\)", group)
        expected = [t for t in catalog.tools.values() if t.evidence.certainty == certainty]
        assert sorted(listed) == sorted(t.id for t in expected)
        for tool in expected:
            row = re.search(rf"\]\(toolkit/{tool.id}\.md\) \|.*\| (\d+) \| (\d+) \|", group)
            assert row and (int(row[1]), int(row[2])) == (tool.evidence.direct_studies, tool.evidence.related_studies)


def test_risk_factors_without_a_moderate_tool_are_named(catalog: Catalog) -> None:
    solid = [t for t in catalog.tools.values() if t.evidence.certainty in {"high", "moderate"}]
    covered = {factor for tool in solid for factor in tool.risk_factors}
    missing = [factor for factor in vocabularies().risk_factors.ids if factor not in covered]
    assert missing, "the real catalog has such factors; otherwise this test checks nothing"
    content = page_of(catalog)
    listed = re.findall(r"^- \[(RF\d\d):", content[content.index("### Risk factors without"):], re.M)
    assert listed == missing


def test_titles_with_special_characters_are_escaped(catalog: Catalog) -> None:
    title = 'Arms & "embargoes" <b>bold</b> *starred* [link](x)'
    tool = catalog.tools["arms-embargoes"].model_copy(update={"title": title})
    content = page_of(Catalog([tool], []))
    found = views(content)  # raises if the title broke the XML
    links = list(found["Tools and the risk factors they address"].iter(f"{SVG}a"))
    assert [a.findtext(f"{SVG}title") for a in links] == [title]
    assert "<b>" not in content and "&lt;b&gt;" in content
    assert "\\*starred\\* \\[link\\](x)" in content, "Markdown tables and lists escape the title too"


def test_the_built_site_shows_the_map_inline(real_site: Path) -> None:
    html = (real_site / "evidence-gaps.html").read_text(encoding="utf-8")
    blocks = SVG_BLOCK.findall(html)
    assert len(blocks) == 2 and all(block.startswith("<svg") for block in blocks)
    for block in blocks:
        for link in ET.fromstring(block).iter(f"{SVG}a"):
            assert (real_site / (link.get("href") or "")).is_file(), link.get("href")
    assert 'href="methodology.html#certainty"' in html


def test_every_certainty_has_a_colour_in_both_schemes() -> None:
    css = (REPO / "src" / "apkb" / "site" / "templates" / "apkb.css").read_text(encoding="utf-8")
    schemes = dict(re.findall(r"(:root|\[data-md-color-scheme=\"slate\"\])\s*\{([^}]*--apkb-gap-high:[^}]*)\}", css))
    assert len(schemes) == 2, "a light and a dark palette"
    for certainty in vocabularies().certainty.ids:
        assert all(f"--apkb-gap-{certainty}:" in block for block in schemes.values())
        assert f".apkb-gap--{certainty} > rect" in css
