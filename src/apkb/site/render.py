"""Render the catalog into site pages: plain Markdown strings from jinja2 templates, with no MkDocs inside.

Every string from front matter is escaped twice over: for HTML (autoescape) and for Markdown (so that a
title or finding cannot form a link, an image or an attribute list). Entry bodies are Markdown written by
maintainers and pass through as they are.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache, partial
from importlib.resources import files
from itertools import zip_longest
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup, escape

from apkb.content import freshness, urls
from apkb.content.catalog import Catalog
from apkb.content.crosslinks import Resolver, rewrite_links
from apkb.content.scenarios import Scenario
from apkb.content.templating import template_environment
from apkb.content.training_modules import TrainingModule
from apkb.content.ushmm_counts import load_counts
from apkb.content.vocabulary import vocabularies
from apkb.recommend.evaluate import TOP, evaluate, evaluate_lesson
from apkb.recommend.fragment import profile_fragment
from apkb.recommend.recommendation import recommend
from apkb.recommend.spec import engine_data, scoring_spec
from apkb.recommend.ewp import load_mapping
from apkb.search import spelling
from apkb.search.related import related_entries
from apkb.site import csp
from apkb.site.exports import generator
from apkb.site.page import Page

STYLESHEET = "assets/apkb.css"
REDIRECT_SCRIPT = "assets/apkb/redirect.js"
TABLES_SCRIPT = "assets/apkb/tables.js"
"""Loaded on every page: turns plain tables into cards on a phone (see static/tables.js)."""
SUGGEST_SCRIPT = "assets/apkb/search-suggest.js"
"""Loaded on every page: "Did you mean ...?" for the search box, with its word list fetched on first use."""
SEARCH_WORDS = "assets/apkb/search-words.js"

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]|])")
_WHITESPACE = re.compile(r"\s+")


def inline(text: object) -> Markup:
    """Front matter text made safe to place in Markdown: one line, HTML-escaped, Markdown-escaped."""
    flat = _WHITESPACE.sub(" ", str(text)).strip()
    return Markup(_MARKDOWN_SPECIALS.sub(r"\\\1", str(escape(flat))))


def meta_string(text: object) -> Markup:
    """A value for the page's YAML meta block: HTML-escaped, because themes print meta values unescaped
    (into <meta content="..."> and page headers), then quoted as JSON, which is valid YAML."""
    flat = _WHITESPACE.sub(" ", str(text)).strip()
    return Markup(json.dumps(str(escape(flat)), ensure_ascii=False))


@cache
def _environment() -> Environment:
    environment = template_environment("apkb.site", autoescape=True)
    environment.filters["md"] = inline
    environment.filters["meta"] = meta_string
    environment.filters["html_path"] = urls.html_path
    environment.filters["zip_longest"] = lambda first, second: list(zip_longest(first, second))
    environment.filters["lower_first"] = lambda text: text[:1].lower() + text[1:]
    environment.globals.update(
        V=vocabularies(),
        tool_page=urls.tool_page,
        lesson_page=urls.lesson_page,
        category_page=urls.category_page,
        risk_factor_anchor=urls.risk_factor_anchor,
        toolkit_index=urls.TOOLKIT_INDEX,
        lessons_index=urls.LESSONS_INDEX,
        methodology=urls.METHODOLOGY,
        recommend_page=urls.RECOMMEND,
        scenario_page=urls.scenario_page,
        module_page=urls.module_page,
        scoring=scoring_spec(),
    )
    return environment


def render_template(template: str, path: str, **context: object) -> Page:
    """Render one of the package's templates as the page at ``path``, with ``link()`` relative to it."""
    link: Callable[[str], str] = partial(urls.relative, path)
    content = _environment().get_template(template).render(here=path, link=link, **context).lstrip()
    return Page(path, content)


def backtest_figures(catalog: Catalog) -> dict[str, Any] | None:
    """The backtest's headline figures for the methodology page, with the three lessons it does worst on."""
    if not catalog.lessons:
        return None
    evaluation = evaluate(catalog)
    worst = [{"lesson": c.lesson, "place": c.place, "recall": c.recall} for c in evaluation.worst(3)]
    return {"data": evaluation.as_data(), "worst": worst}


SCENARIO_TOP = 5
"""How many tools a scenario page shows."""


def render_pages(
    catalog: Catalog,
    scenarios: list[Scenario] | None = None,
    modules: list[TrainingModule] | None = None,
    root: Path | None = None,
) -> list[Page]:
    """Every generated page of the site: entries, indexes, the methodology, the recommender and training. The pages
    link to the backtest page when ``root``'s docs hold it (``apkb evaluate --write``), and each tool that USHMM's
    review covers shows its counts when ``root`` holds the derived file (``apkb evidence ushmm --write-counts``)."""
    backtest = urls.EVALUATION if root is not None and (root / "docs" / urls.EVALUATION).is_file() else None
    related = related_entries(catalog)
    resolver = Resolver(catalog, [module.id for module in modules or []])
    review = load_counts(root).value if root is not None else None
    pages = []
    for tool in catalog.tools.values():
        path = urls.tool_page(tool.id)
        body = rewrite_links(tool.body, path, resolver.page)
        pages.append(
            render_template("tool.md.j2", path, tool=tool, body=body, catalog=catalog, related_ids=related[tool.id],
                            review=review, review_counts=review.for_entry(tool.id) if review else [])
        )
    for lesson in catalog.lessons.values():
        path = urls.lesson_page(lesson.id)
        body = rewrite_links(lesson.body, path, resolver.page)
        pages.append(
            render_template(
                "lesson.md.j2", path, lesson=lesson, body=body, catalog=catalog, related_ids=related[lesson.id],
                decision_fragment=profile_fragment(lesson.decision_point.profile), backtest=backtest,
            )
        )
    pages += [
        render_template("category.md.j2", urls.category_page(category.id), category=category, catalog=catalog)
        for category in vocabularies().categories.terms
    ]
    pages.append(render_template("toolkit.md.j2", urls.TOOLKIT_INDEX, catalog=catalog))
    pages.append(render_template("lessons.md.j2", urls.LESSONS_INDEX, catalog=catalog))
    pages.append(render_template("methodology.md.j2", urls.METHODOLOGY, backtest=backtest,
                                 figures=backtest_figures(catalog) if backtest else None))
    pages.append(render_template("recommend.md.j2", urls.RECOMMEND, catalog=catalog, backtest=backtest))
    risk_factor_names = {factor.id: factor.name for factor in vocabularies().risk_factors.risk_factors}
    pages.append(
        render_template(
            "ewp_mapping.md.j2", urls.EWP_PAGE,
            mapping=load_mapping().model_dump(exclude_none=True), risk_factors=risk_factor_names,
        )
    )
    pages += training_pages(catalog, scenarios or [], modules or [])
    return pages


def training_pages(catalog: Catalog, scenarios: list[Scenario], modules: list[TrainingModule]) -> list[Page]:
    """A page per scenario with its recommendation, and the index of modules and scenarios."""
    if not scenarios and not modules:
        return []
    data = engine_data(catalog)
    items = [(scenario, recommend(catalog, scenario.profile, data)) for scenario in scenarios]
    pages = [
        render_template(
            "scenario.md.j2", urls.scenario_page(scenario.id), scenario=scenario, catalog=catalog,
            recommendation=result, top=result.top(SCENARIO_TOP), fragment=profile_fragment(scenario.profile),
        )
        for scenario, result in items
    ]
    pages.append(render_template("training.md.j2", urls.TRAINING_INDEX, items=items, modules=modules))
    return pages


def module_markdown(
    markdown: str, page_path: str, catalog: Catalog, modules: list[TrainingModule], scenarios: list[Scenario]
) -> str:
    """A hand-written docs page as the site shows it: cross-links resolved, and a training module's page
    opened by a header of its objectives, duration, audience and linked tools, lessons and scenarios."""
    resolver = Resolver(catalog, [module.id for module in modules])
    body = rewrite_links(markdown, page_path, resolver.page)
    module = next((m for m in modules if urls.module_page(m.id) == page_path), None)
    if module is None:
        return body
    by_id = {scenario.id: scenario for scenario in scenarios}
    links = [(by_id[s], profile_fragment(by_id[s].profile)) for s in module.scenarios if s in by_id]
    header = render_template(
        "module_header.md.j2", page_path, module=module, catalog=catalog, scenario_links=links
    ).content
    return header + "\n" + body + module_backtests(module, page_path, catalog)


def module_backtests(module: TrainingModule, page_path: str, catalog: Catalog) -> str:
    """The recommender at the decision point of each lesson the module names in ``backtests``, with that lesson left
    out of the case base, beside what was done there ("" when it names none)."""
    lessons = [catalog.lessons[i] for i in module.backtests if i in catalog.lessons]
    if not lessons:
        return ""
    results = [evaluate_lesson(catalog, lesson) for lesson in lessons]
    return "\n" + render_template(
        "module_backtests.md.j2", page_path, results=results, catalog=catalog, top=TOP
    ).content


def footer_note() -> str:
    """The line every page's footer carries, so that a printed page or an offline copy says how old it is."""
    return (f"Built {freshness.today().isoformat()} by {generator()}. Entries CC BY 4.0; each page says when it was "
            "last checked.")


def freshness_pages(catalog: Catalog, root: Path | None) -> list[Page]:
    """The "Review due" and "Recently updated" pages."""
    on = freshness.today()
    return [
        render_template(
            "review_due.md.j2", urls.REVIEW_DUE, due=freshness.review_due(catalog, on),
            waiting=freshness.awaiting_expert_review(catalog), total=len(list(catalog.entries())),
            every=freshness.REVIEW_EVERY_MONTHS, on=on,
        ),
        render_template(
            "recently_updated.md.j2", urls.RECENTLY_UPDATED,
            changes=freshness.recently_updated(catalog, root or Path()),
        ),
    ]


_DOCS_LINK = re.compile(r"\]\(docs/([^)\s]+)\)")


def contributing_page(root: Path | None) -> list[Page]:
    """The repository's CONTRIBUTING.md as a site page, its links into docs/ made relative to the site."""
    source = (root or Path()) / "CONTRIBUTING.md"
    if not source.is_file():
        return []
    text = source.read_text(encoding="utf-8")
    meta = '---\ntitle: "Contributing"\ndescription: "How to add, review and challenge entries."\n---\n\n'
    return [Page(urls.CONTRIBUTING, meta + _DOCS_LINK.sub(r"](\1)", text))]


def redirect_pages(catalog: Catalog) -> list[Page]:
    """A page at each former id's address that forwards to the entry, so that old links keep working."""
    pages = []
    for entry in catalog.entries():
        page = urls.tool_page if entry.kind == "tool" else urls.lesson_page
        for alias in entry.aliases:
            old, new = urls.html_path(page(alias)), urls.html_path(page(entry.id))
            content = _environment().get_template("redirect.html.j2").render(
                title=entry.title, target=urls.relative(old, new), script=urls.relative(old, REDIRECT_SCRIPT),
                policy_tag=csp.meta_tag(),
            )
            pages.append(Page(old, content))
    return pages


def static_assets(catalog: Catalog, extra_css: str = "") -> list[Page]:
    """Files the rendered pages rely on: the stylesheet (with ``extra_css`` at its end), the recommender's
    scripts and data, and the script of the redirect pages."""
    package = files("apkb.site")
    css = package.joinpath("templates/apkb.css").read_text(encoding="utf-8") + extra_css
    data_path, engine_path, ui_path = urls.RECOMMENDER_SCRIPTS
    data = "window.APKB_DATA = " + json.dumps(engine_data(catalog), ensure_ascii=True, separators=(",", ":")) + ";\n"
    return [
        Page(STYLESHEET, css),
        Page(data_path, data),
        Page(engine_path, package.joinpath("static/recommender.js").read_text(encoding="utf-8")),
        Page(ui_path, package.joinpath("static/recommender-ui.js").read_text(encoding="utf-8")),
        Page(REDIRECT_SCRIPT, package.joinpath("static/redirect.js").read_text(encoding="utf-8")),
        Page(TABLES_SCRIPT, package.joinpath("static/tables.js").read_text(encoding="utf-8")),
        Page(SUGGEST_SCRIPT, package.joinpath("static/search-suggest.js").read_text(encoding="utf-8")),
        Page(SEARCH_WORDS, "window.APKB_SEARCH_WORDS = " + json.dumps(spelling.words(catalog), ensure_ascii=True,
                                                                      separators=(",", ":")) + ";\n"),
    ]
