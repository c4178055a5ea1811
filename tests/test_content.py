"""The repository's own knowledge base: it validates, and it holds the seed content the site promises."""

from __future__ import annotations

from collections import Counter

from apkb.validate import validate
from conftest import REPO


def test_the_knowledge_base_validates() -> None:
    report = validate(REPO)
    assert report.ok, "\n".join(str(problem) for problem in report.problems)


def test_every_category_has_tools_and_there_are_lessons() -> None:
    catalog = validate(REPO).catalog
    per_category = Counter(tool.category for tool in catalog.tools.values())
    assert all(per_category[category] >= 2 for category in ("diplomatic", "financial", "programme")), per_category
    assert len(catalog.lessons) >= 2


def test_most_cited_sources_are_verified() -> None:
    catalog = validate(REPO).catalog
    sources = [s for t in catalog.tools.values() for s in (*t.evidence.studies, *t.sources)]
    sources += [s for lesson in catalog.lessons.values() for s in lesson.sources]
    verified = sum(source.verified for source in sources)
    assert verified / len(sources) > 0.8, f"{verified} of {len(sources)} sources verified"

