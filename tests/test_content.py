"""The repository's own knowledge base: it validates, covers what it promises, and meets the evidence standard."""

from __future__ import annotations

from collections import Counter

import pytest

from apkb.content.catalog import Catalog
from apkb.content.model import Citation, Tool
from apkb.content.ushmm_mapping import USHMM_TOOLS, load_mapping, mapping_problems
from apkb.content.validate import validate
from apkb.content.vocabulary import vocabularies
from conftest import REPO

# The tools and lessons the knowledge base is required to cover; removing one is a regression.
PROMISED_TOOLS = {
    "diplomatic": [
        "preventive-diplomacy", "special-envoys", "mediation", "public-statements", "naming-and-shaming",
        "commissions-of-inquiry", "accountability-signalling", "diplomatic-presence", "regional-organisations",
        "peace-pledges", "security-council-action", "human-rights-council-action", "peace-operations",
        "prosecutions", "icj-interstate-cases", "diplomatic-sanctions", "amnesties-and-exit-guarantees",
        "intelligence-sharing-and-declassification", "atrocity-determinations",
        "military-options-short-of-intervention",
    ],
    "financial": [
        "targeted-sanctions", "visa-bans", "magnitsky-sanctions", "arms-embargoes", "aid-conditionality",
        "denying-state-revenue", "structural-development-assistance", "accountability-funding",
        "dual-use-export-controls", "security-assistance-conditioning", "law-enforcement-against-perpetrators",
        "forced-labour-import-bans",
    ],
    "programme": [
        "early-warning-and-response", "peace-messaging", "community-dialogue", "election-violence-prevention",
        "security-sector-reform", "documentation-and-evidence-preservation", "civil-society-support",
        "national-prevention-mechanisms", "transitional-justice", "unarmed-civilian-protection", "refugee-protection",
        "humanitarian-access-and-assistance", "evacuation-and-humanitarian-admission",
        "support-to-non-state-armed-groups", "online-platform-engagement", "religious-and-traditional-leaders",
        "civilian-self-protection",
    ],
}
PROMISED_LESSONS = [
    "kenya-2008", "kenya-2013", "nigeria-2015", "gambia-2016", "cote-divoire-2011", "car-2013", "burundi-2015",
    "guinea-2009", "rwanda-1994", "srebrenica-1995", "myanmar-2017", "sinjar-2014", "north-macedonia-2001",
    "sri-lanka-2009", "libya-2011", "east-timor-1999", "kosovo-1999", "sierra-leone-2000", "liberia-2003",
    "solomon-islands-2003", "darfur-2004", "zimbabwe-2008", "kyrgyzstan-2010", "syria-2011", "drc-2012",
    "south-sudan-2013", "china-2018", "ethiopia-2020", "ukraine-2022", "sudan-2023", "guatemala-1982",
    "ghana-2008", "kenya-2010", "guyana-2020", "honduras-2009",
]
NO_CASE_YET = "no documented case exists"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    report = validate(REPO)
    assert report.ok, "\n".join(str(problem) for problem in report.problems)
    return report.catalog


def _citations(catalog: Catalog) -> list[Citation]:
    citations: list[Citation] = [s for t in catalog.tools.values() for s in (*t.evidence.studies, *t.sources)]
    return citations + [s for lesson in catalog.lessons.values() for s in lesson.sources]


def test_the_knowledge_base_validates() -> None:
    report = validate(REPO)
    assert report.ok, "\n".join(str(problem) for problem in report.problems)


def test_there_are_fifty_six_tools_fifteen_per_category_and_thirty_lessons_from_every_stage_and_region(catalog: Catalog) -> None:
    per_category = Counter(tool.category for tool in catalog.tools.values())
    assert len(catalog.tools) >= 56, per_category
    assert all(per_category[category] >= 15 for category in ("diplomatic", "financial", "programme")), per_category
    assert len(catalog.lessons) >= 30
    stages = Counter(lesson.decision_point.profile.stage for lesson in catalog.lessons.values())
    results = Counter(lesson.result for lesson in catalog.lessons.values())
    assert stages["prevention"] >= 2 and stages["mitigation"] >= 4, f"cases at every stage: {stages}"
    assert results["prevented"] + results["halted"] >= 10, f"successes as well as failures: {results}"
    regions = Counter(lesson.region for lesson in catalog.lessons.values())
    assert set(regions) == set(vocabularies().regions.ids), f"a case from every region: {regions}"


def test_each_of_the_twelve_tools_ushmm_reviewed_has_an_entry_of_its_own(catalog: Catalog) -> None:
    loaded = load_mapping(REPO)
    assert loaded.value is not None and loaded.problems == [] and mapping_problems(loaded, catalog) == []
    entries = {tool.ushmm: tool.entry for tool in loaded.value.tools}
    assert sorted(entries) == sorted(USHMM_TOOLS)
    shared = [entry for entry, n in Counter(entries.values()).items() if n > 1]
    assert shared == [], "each reviewed tool has a stand-alone entry, not a paragraph in another's"


@pytest.mark.parametrize("category", sorted(PROMISED_TOOLS))
def test_the_promised_tools_exist_in_their_category(catalog: Catalog, category: str) -> None:
    missing = [tool_id for tool_id in PROMISED_TOOLS[category] if tool_id not in catalog.tools]
    assert not missing
    misfiled = [tool_id for tool_id in PROMISED_TOOLS[category] if catalog.tools[tool_id].category != category]
    assert not misfiled


def test_the_promised_lessons_exist(catalog: Catalog) -> None:
    assert [lesson_id for lesson_id in PROMISED_LESSONS if lesson_id not in catalog.lessons] == []


def test_every_tool_links_a_lesson_or_says_none_is_documented(catalog: Catalog) -> None:
    unlinked = [
        tool.id
        for tool in catalog.tools.values()
        if not catalog.lessons_using(tool.id) and NO_CASE_YET not in tool.body.lower()
    ]
    assert unlinked == []


def test_a_tool_that_says_no_case_exists_really_has_none(catalog: Catalog) -> None:
    stale = [
        tool.id
        for tool in catalog.tools.values()
        if catalog.lessons_using(tool.id) and NO_CASE_YET in tool.body.lower()
    ]
    assert stale == [], "these tools now have a lesson; drop the 'no documented case exists' line"


def test_every_tool_rests_on_at_least_two_sources(catalog: Catalog) -> None:
    thin = [t.id for t in catalog.tools.values() if len(t.evidence.studies) + len(t.sources) < 2]
    assert thin == []


def test_over_eighty_percent_of_studies_are_verified(catalog: Catalog) -> None:
    studies = [study for tool in catalog.tools.values() for study in tool.evidence.studies]
    verified = sum(study.verified for study in studies)
    assert verified / len(studies) > 0.8, f"{verified} of {len(studies)} studies verified"


def test_over_eighty_percent_of_all_citations_are_verified(catalog: Catalog) -> None:
    citations = _citations(catalog)
    verified = sum(citation.verified for citation in citations)
    assert verified / len(citations) > 0.8, f"{verified} of {len(citations)} citations verified"


def test_no_citation_is_listed_twice_in_one_entry(catalog: Catalog) -> None:
    repeated = []
    for entry in catalog.entries():
        citations = [*entry.evidence.studies, *entry.sources] if isinstance(entry, Tool) else entry.sources
        keys = Counter((c.title.casefold(), c.year) for c in citations)
        repeated += [f"{entry.id}: {title} ({year})" for (title, year), n in keys.items() if n > 1]
    assert repeated == []
