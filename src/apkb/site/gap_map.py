"""The evidence-gap map: SVG views of the evidence behind each tool, and the page that shows them.

The two views are drawn here, at build time, as inline SVG: no script and no library. They are built with
ElementTree, so every text from content is XML-escaped, and their colours come from classes in apkb.css, so
they follow Material's light and dark schemes.
"""

from __future__ import annotations

import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup

from apkb.content import urls
from apkb.content.catalog import Catalog
from apkb.content.model import Tool
from apkb.content.vocabulary import Term, vocabularies
from apkb.site.page import Page
from apkb.site.render import render_template

PAGE = "evidence-gaps.md"
"""The docs-relative path of the page (published as evidence-gaps.html)."""

SVG_NS = "http://www.w3.org/2000/svg"
GAP_FROM = "low"
"""Certainty from which a tool counts as a research gap: this term and every term below it."""
SOLID_FROM = "moderate"
"""The lowest certainty that counts as solid evidence for a risk factor."""

SHORT_LABELS: Mapping[str, str] = {
    "RF01": "Conflict, instability",
    "RF02": "Past violations",
    "RF03": "Weak State",
    "RF04": "Motives",
    "RF05": "Capacity",
    "RF06": "No mitigating factors",
    "RF07": "Enabling, preparation",
    "RF08": "Triggers",
    "RF09": "Intergroup tensions",
    "RF10": "Intent to destroy",
    "RF11": "Widespread attack",
    "RF12": "Plan or policy",
    "RF13": "Threats to protected",
    "RF14": "Threats to operations",
}
"""Column labels for the risk factors; the full names are in each column's tooltip."""

CHAR_WIDTH = 0.5
"""Average width of a character, in ems, used to fit labels (titles in Arial average 0.46)."""


MIN_SCALE = 0.9
"""The smallest a view may shrink to on a narrow screen before its box scrolls sideways instead."""


@dataclass(frozen=True)
class Grid:
    """Sizes of the tools × risk factors view, in SVG user units."""

    font: int = 12
    legend: int = 30
    header: int = 118
    label: int = 340
    cell: int = 32
    row: int = 22
    group: int = 28
    right: int = 104


@dataclass(frozen=True)
class Matrix:
    """Sizes of the effect × certainty view, in SVG user units."""

    font: int = 11
    head: int = 150
    column: int = 190
    empty: int = 120
    per_part: int = 9
    max_parts: int = 2
    header: int = 34
    pad: int = 8
    line: int = 14
    gap: int = 5
    max_lines: int = 3
    min_row: int = 36


def letter(term: Term) -> str:
    """The letter that marks a certainty for readers who cannot tell the colours apart: H, M, L, VL."""
    return "".join(word[0] for word in term.label.split()).upper()


def fit(text: str, chars: int) -> str:
    """The text cut at a word boundary to at most ``chars`` characters, ending in an ellipsis if cut."""
    return textwrap.shorten(text, width=chars, placeholder="…")


def wrap(text: str, chars: int, max_lines: int) -> list[str]:
    """The text wrapped to lines of at most ``chars`` characters; the last of ``max_lines`` ends in … if cut."""
    return textwrap.wrap(text, width=chars, max_lines=max_lines, placeholder="…") or [""]


def chars_in(width: float, font: int) -> int:
    """How many characters of an average width fit in ``width`` at ``font`` size."""
    return max(4, int(width / (font * CHAR_WIDTH)))


def tool_href(tool: Tool) -> str:
    """The link from this page to a tool's published page."""
    return urls.html_path(urls.relative(PAGE, urls.tool_page(tool.id)))


def grouped_tools(catalog: Catalog) -> list[tuple[Term, list[Tool]]]:
    """The tools by category (in vocabulary order), each group by title; empty categories left out."""
    groups = [(category, catalog.tools_in(category.id)) for category in vocabularies().categories.terms]
    return [(category, tools) for category, tools in groups if tools]


def effect_certainty_grid(catalog: Catalog) -> dict[tuple[str, str], list[Tool]]:
    """Every (effect, certainty) pair of the vocabularies, with the tools rated so, by title."""
    v = vocabularies()
    grid: dict[tuple[str, str], list[Tool]] = {(e, c): [] for e in v.effects.ids for c in v.certainty.ids}
    for tool in sorted(catalog.tools.values(), key=lambda t: t.title):
        grid[tool.evidence.effect, tool.evidence.certainty].append(tool)
    return grid


def research_gaps(catalog: Catalog) -> list[tuple[Term, list[Tool]]]:
    """The tools whose certainty is low or very low, grouped by certainty, each group by title."""
    certainty = vocabularies().certainty
    gap_terms = certainty.terms[certainty.rank(GAP_FROM):]
    tools = sorted(catalog.tools.values(), key=lambda t: t.title)
    return [(term, [t for t in tools if t.evidence.certainty == term.id]) for term in gap_terms]


def unsupported_risk_factors(catalog: Catalog) -> list[str]:
    """Ids of the risk factors that no tool with at least moderate certainty addresses."""
    rank = vocabularies().certainty.rank
    solid = [t for t in catalog.tools.values() if rank(t.evidence.certainty) <= rank(SOLID_FROM)]
    covered = {factor for tool in solid for factor in tool.risk_factors}
    return [factor for factor in vocabularies().risk_factors.ids if factor not in covered]


def _add(
    parent: ET.Element, tag: str, attrs: Mapping[str, object] | None = None, text: str | None = None
) -> ET.Element:
    """A child element with the given attributes (as strings) and text; ElementTree escapes both."""
    element = ET.SubElement(parent, tag, {key: str(value) for key, value in (attrs or {}).items()})
    if text is not None:
        element.text = text
    return element


def _svg(width: int, height: int, name: str, title: str, desc: str) -> ET.Element:
    """An SVG root that scales to its box (never below the width :func:`stylesheet` gives it), labelled for assistive technology by its title and description. It is a
    group, not an image: an image's content is hidden from assistive technology, and each tool in it is a link."""
    svg = ET.Element("svg", {
        "xmlns": SVG_NS, "viewBox": f"0 0 {width} {height}", "width": "100%", "role": "group",
        "aria-labelledby": f"{name}-title {name}-desc", "class": f"apkb-gapmap__svg apkb-gapmap__svg--{name}",
        "preserveAspectRatio": "xMinYMin meet",
    })
    _add(svg, "title", {"id": f"{name}-title"}, title)
    _add(svg, "desc", {"id": f"{name}-desc"}, desc)
    return svg


def _serialise(svg: ET.Element) -> Markup:
    ET.indent(svg, space="")
    return Markup(ET.tostring(svg, encoding="unicode"))


def _mark(
    parent: ET.Element, term: Term, box: tuple[float, float, float, float], font: int, tooltip: str | None = None
) -> ET.Element:
    """A square coloured by certainty, with its letter: the cell of a view and the key of its legend."""
    x, y, width, height = box
    group = _add(parent, "g", {"class": f"apkb-gap apkb-gap--{term.id}"})
    if tooltip is not None:
        _add(group, "title", None, tooltip)
    _add(group, "rect", {"x": x, "y": y, "width": width, "height": height, "rx": 3})
    _add(group, "text", {"x": x + width / 2, "y": y + height / 2 + font * 0.36, "text-anchor": "middle",
                         "font-size": font, "font-weight": 700}, letter(term))
    return group


def _legend(svg: ET.Element, x: float, y: float, font: int) -> None:
    _add(svg, "text", {"x": x, "y": y + 15, "font-size": font, "class": "apkb-gapmap__muted"}, "Certainty:")
    x += font * 6
    for term in vocabularies().certainty.terms:
        _mark(svg, term, (x, y + 2, 26, 18), 10)
        _add(svg, "text", {"x": x + 31, "y": y + 15, "font-size": font}, term.label)
        x += 31 + len(term.label) * font * CHAR_WIDTH + 20


def _column_headers(svg: ET.Element, g: Grid, bottom: float) -> None:
    for index, factor in enumerate(vocabularies().risk_factors.risk_factors):
        cx = g.label + index * g.cell + g.cell / 2
        column = _add(svg, "g", {"class": "apkb-gapmap__column"})
        _add(column, "title", None, f"{factor.id}: {factor.name}")
        _add(column, "text", {"x": cx - 3, "y": bottom - 8, "font-size": g.font - 1,
                              "transform": f"rotate(-45 {cx - 3} {bottom - 8})"},
             f"{factor.id} {SHORT_LABELS.get(factor.id, '')}".strip())


def _tool_row(svg: ET.Element, g: Grid, tool: Tool, top: float, stripe: bool) -> None:
    v = vocabularies()
    width = g.label + len(v.risk_factors.ids) * g.cell
    if stripe:
        _add(svg, "rect", {"x": 0, "y": top, "width": width, "height": g.row, "class": "apkb-gapmap__stripe"})
    link = _add(svg, "a", {"href": tool_href(tool), "data-tool": tool.id})
    _add(link, "title", None, tool.title)
    _add(link, "text", {"x": 12, "y": top + g.row / 2 + g.font * 0.36, "font-size": g.font},
         fit(tool.title, chars_in(g.label - 20, g.font)))
    certainty = v.certainty.term(tool.evidence.certainty)
    for index, factor in enumerate(v.risk_factors.risk_factors):
        x = g.label + index * g.cell
        if factor.id not in tool.risk_factors:
            _add(svg, "circle", {"cx": x + g.cell / 2, "cy": top + g.row / 2, "r": 1.5,
                                 "class": "apkb-gapmap__empty"})
            continue
        tooltip = f"{tool.title}: {factor.id} {factor.name}. Certainty: {certainty.label}"
        cell = _mark(svg, certainty, (x + 2, top + 2, g.cell - 4, g.row - 4), 10, tooltip)
        cell.set("class", f"apkb-gap-cell {cell.get('class')}")
        cell.set("data-tool", tool.id)
        cell.set("data-risk-factor", factor.id)


def _summary_rows(svg: ET.Element, g: Grid, catalog: Catalog, top: float) -> None:
    """Two rows of counts under the grid: tools per risk factor, and those with solid evidence."""
    rank = vocabularies().certainty.rank
    rows = [
        ("Tools that address it", lambda t: True),
        (f"… with {vocabularies().certainty.label_of(SOLID_FROM).lower()} certainty or better",
         lambda t: rank(t.evidence.certainty) <= rank(SOLID_FROM)),
    ]
    _rule(svg, 0, top + 4, g.label + len(vocabularies().risk_factors.ids) * g.cell, top + 4)
    top += 8
    for label, keep in rows:
        baseline = top + g.row / 2 + g.font * 0.36
        _add(svg, "text", {"x": 0, "y": baseline, "font-size": g.font, "class": "apkb-gapmap__muted"}, label)
        for index, factor in enumerate(vocabularies().risk_factors.ids):
            count = sum(1 for t in catalog.tools.values() if factor in t.risk_factors and keep(t))
            kind = "apkb-gapmap__count apkb-gapmap__zero" if count == 0 else "apkb-gapmap__count"
            _add(svg, "text", {"x": g.label + index * g.cell + g.cell / 2, "y": baseline, "font-size": g.font,
                               "text-anchor": "middle", "class": kind}, str(count))
        top += g.row


def _risk_factor_width(g: Grid) -> int:
    return g.label + len(vocabularies().risk_factors.ids) * g.cell + g.right


def stylesheet(catalog: Catalog) -> str:
    """CSS that keeps each view from shrinking below legibility; the box around it scrolls instead. A rule in
    the stylesheet, not a style attribute, because the site's Content-Security-Policy forbids inline styles."""
    widths = {
        "gapmap-rf": _risk_factor_width(Grid()),
        "gapmap-ec": _layout(Matrix(), effect_certainty_grid(catalog)).width,
    }
    return "".join(
        f".apkb-gapmap__svg--{name} {{ min-width: {round(width * MIN_SCALE)}px; }}\n" for name, width in widths.items()
    )


def risk_factor_svg(catalog: Catalog, g: Grid = Grid()) -> Markup:
    """The tools × risk factors view: a filled, lettered cell where a tool addresses a risk factor."""
    v = vocabularies()
    groups = grouped_tools(catalog)
    rows = sum(len(tools) for _, tools in groups)
    height = g.legend + g.header + len(groups) * g.group + rows * g.row + 2 * g.row + 16
    width = _risk_factor_width(g)
    letters = ", ".join(f"{letter(t)} {t.label.lower()}" for t in v.certainty.terms)
    svg = _svg(
        width, height, "gapmap-rf", "Tools and the risk factors they address",
        f"A grid of {rows} tools, grouped by category, against the {len(v.risk_factors.ids)} risk factors of the "
        f"UN Framework of Analysis. A filled cell marks a risk factor the tool addresses; its colour and letter "
        f"give the certainty of the tool's evidence ({letters}).",
    )
    _legend(svg, 0, 0, g.font)
    top = float(g.legend + g.header)
    _column_headers(svg, g, top)
    for category, tools in groups:
        _add(svg, "text", {"x": 0, "y": top + g.group - 8, "font-size": g.font + 1, "font-weight": 700,
                           "class": "apkb-gapmap__group"}, category.label)
        top += g.group
        for index, tool in enumerate(tools):
            _tool_row(svg, g, tool, top, stripe=index % 2 == 0)
            top += g.row
    _summary_rows(svg, g, catalog, top)
    return _serialise(svg)


def _chunks(tools: list[Tool], parts: int) -> list[list[Tool]]:
    """The tools split, in order, into at most ``parts`` runs of near-equal length."""
    size = max(1, -(-len(tools) // parts))
    return [tools[i:i + size] for i in range(0, len(tools), size)]


def _item_lines(m: Matrix, tool: Tool) -> list[str]:
    return wrap(tool.title, chars_in(m.column - 2 * m.pad - 13, m.font), m.max_lines)


def _head_lines(m: Matrix, effect: Term) -> list[str]:
    return wrap(effect.label, chars_in(m.head - 12, m.font + 1), 3)


def _run_height(m: Matrix, tools: list[Tool]) -> int:
    lines = sum(len(_item_lines(m, tool)) for tool in tools)
    return 2 * m.pad + lines * m.line + max(0, len(tools) - 1) * m.gap


@dataclass(frozen=True)
class _Layout:
    """Where the columns and rows of the effect × certainty view fall."""

    parts: dict[str, int]
    lefts: dict[str, float]
    heights: dict[str, int]
    width: float


def _layout(m: Matrix, grid: dict[tuple[str, str], list[Tool]]) -> _Layout:
    """Columns as wide as their fullest cell needs (in sub-columns of tools), rows as tall as their fullest cell."""
    v = vocabularies()
    fullest = {c: max(len(grid[e, c]) for e in v.effects.ids) for c in v.certainty.ids}
    parts = {c: max(1, min(m.max_parts, -(-fullest[c] // m.per_part))) for c in v.certainty.ids}
    widths = {c: parts[c] * m.column if fullest[c] else m.empty for c in v.certainty.ids}
    lefts = {c: m.head + sum(widths[o] for o in v.certainty.ids[:i]) for i, c in enumerate(v.certainty.ids)}
    heights = {
        e.id: max([
            m.min_row, 2 * m.pad + len(_head_lines(m, e)) * (m.line + 1),
            *(_run_height(m, run) for c in v.certainty.ids for run in _chunks(grid[e.id, c], parts[c])),
        ])
        for e in v.effects.terms
    }
    return _Layout(parts, lefts, heights, m.head + sum(widths.values()))


def _matrix_header(svg: ET.Element, m: Matrix, lefts: dict[str, float]) -> None:
    bold = {"font-size": m.font + 1, "font-weight": 700}
    _add(svg, "text", {"x": 0, "y": m.header - 12, **bold}, "Effect ↓  Certainty →")
    for term in vocabularies().certainty.terms:
        x = lefts[term.id] + m.pad
        _mark(svg, term, (x, m.header - 26, 26, 18), 10)
        _add(svg, "text", {"x": x + 32, "y": m.header - 12, **bold}, term.label)


def _matrix_cell(parent: ET.Element, m: Matrix, tools: list[Tool], certainty: Term, corner: tuple[float, float],
                 parts: int) -> None:
    """The tools of one cell, each a linked, coloured mark and title, in ``parts`` sub-columns."""
    x, y = corner
    if not tools:
        _add(parent, "text", {"x": x + m.pad, "y": y + m.pad + m.font, "font-size": m.font,
                              "class": "apkb-gapmap__muted"}, "–")
    for part, run in enumerate(_chunks(tools, parts)):
        left, top = x + part * m.column + m.pad, y + m.pad
        for tool in run:
            lines = _item_lines(m, tool)
            link = _add(parent, "a", {"href": tool_href(tool), "data-tool": tool.id})
            _add(link, "title", None, tool.title)
            _add(link, "rect", {"x": left, "y": top + 2, "width": 8, "height": 8, "rx": 2,
                                "class": f"apkb-gap-dot apkb-gap--{certainty.id}"})
            text = _add(link, "text", {"x": left + 13, "y": top + m.font - 1, "font-size": m.font})
            for index, line in enumerate(lines):
                _add(text, "tspan", {"x": left + 13, "dy": 0 if index == 0 else m.line}, line)
            top += len(lines) * m.line + m.gap


def _rule(svg: ET.Element, x1: float, y1: float, x2: float, y2: float) -> None:
    _add(svg, "line", {"x1": x1, "y1": y1, "x2": x2, "y2": y2, "class": "apkb-gapmap__rule"})


def effect_certainty_svg(catalog: Catalog, m: Matrix = Matrix()) -> Markup:
    """The effect × certainty view: every tool listed, linked, in the cell of its two ratings."""
    v = vocabularies()
    grid = effect_certainty_grid(catalog)
    layout = _layout(m, grid)
    svg = _svg(
        round(layout.width), m.header + sum(layout.heights.values()) + 1, "gapmap-ec", "Tools by effect and certainty",
        f"A grid with the {len(v.effects.ids)} effect ratings as rows, best first, and the "
        f"{len(v.certainty.ids)} certainty ratings as columns, highest first. Each cell lists the tools rated "
        f"so; {len(catalog.tools)} tools in all.",
    )
    _matrix_header(svg, m, layout.lefts)
    y = float(m.header)
    for effect in v.effects.terms:
        _rule(svg, 0, y, layout.width, y)
        head = _add(svg, "text", {"x": 0, "y": y + m.pad + m.font + 1, "font-size": m.font + 1, "font-weight": 700})
        for index, line in enumerate(_head_lines(m, effect)):
            _add(head, "tspan", {"x": 0, "dy": 0 if index == 0 else m.line + 1}, line)
        for c in v.certainty.terms:
            cell = _add(svg, "g", {"class": "apkb-gapmap__cell", "data-effect": effect.id, "data-certainty": c.id})
            _matrix_cell(cell, m, grid[effect.id, c.id], c, (layout.lefts[c.id], y), layout.parts[c.id])
        y += layout.heights[effect.id]
    _rule(svg, 0, y, layout.width, y)
    for x in layout.lefts.values():
        _rule(svg, x, m.header - 30, x, y)
    return _serialise(svg)


def gap_map_files(catalog: Catalog) -> list[Page]:
    """Every file this feature adds to the site: the evidence-gap map page."""
    return [
        render_template(
            "evidence_gaps.md.j2", PAGE, catalog=catalog,
            risk_factor_map=risk_factor_svg(catalog), effect_certainty_map=effect_certainty_svg(catalog),
            groups=grouped_tools(catalog), grid=effect_certainty_grid(catalog),
            gaps=research_gaps(catalog), unsupported=unsupported_risk_factors(catalog),
            letter=letter, solid_from=SOLID_FROM,
        )
    ]
