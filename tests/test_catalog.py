"""The catalog links entries both ways, so maintainers write each link once."""

from __future__ import annotations

from apkb.content.catalog import Catalog
from apkb.content.validate import validate
from conftest import FIXTURE_SITE


def fixture_catalog() -> Catalog:
    report = validate(FIXTURE_SITE)
    assert report.ok, report.problems
    return report.catalog


def test_lessons_appear_on_the_tools_they_used() -> None:
    catalog = fixture_catalog()
    uses = catalog.lessons_using("example-envoy")
    assert [(u.lesson.id, u.use.outcome) for u in uses] == [("example-crisis", "helped")]


def test_a_former_id_still_resolves() -> None:
    catalog = fixture_catalog()
    tool = catalog.tool("old-example-sanctions")
    assert tool is not None and tool.id == "example-sanctions"
    assert [u.lesson.id for u in catalog.lessons_using("example-sanctions")] == ["example-crisis"]


def test_related_and_combinations_are_symmetric() -> None:
    catalog = fixture_catalog()
    envoy, sanctions = catalog.tools["example-envoy"], catalog.tools["example-sanctions"]
    assert catalog.related(sanctions) == [envoy]
    assert catalog.combinations(envoy) == [sanctions]


def test_study_counts_come_from_the_studies_cited() -> None:
    catalog = fixture_catalog()
    evidence = catalog.tools["example-envoy"].evidence
    assert (evidence.direct_studies, evidence.related_studies) == (1, 0)
