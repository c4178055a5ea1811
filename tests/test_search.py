"""Full-text search: ranked results with snippets and facets, filters, spelling help, clear errors, a cached
index that refreshes itself, and related entries for every page."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from apkb.content.catalog import Catalog
from apkb.content.validate import validate
from apkb.search.index import build_index, current_index, fresh_index
from apkb.search.query import search_index
from apkb.search.related import linked_ids, related_entries
from apkb.site.render import render_pages
from conftest import FIXTURE_SITE, REPO, run_cli


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("search-cache")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return validate(REPO).catalog


def run_search(cache: Path, *args: str) -> dict[str, object]:
    result = run_cli("--root", str(REPO), "search", *args, "--format", "json", "--cache-dir", str(cache))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_sanctions_in_financial_tools_come_first_with_snippets(cache: Path) -> None:
    data = run_search(cache, "sanctions", "--category", "financial")
    hits = data["hits"]
    assert all(hit["id"].endswith("-sanctions") for hit in hits[:3]), [hit["id"] for hit in hits]
    assert all(hit["fields"]["category"] == "financial" for hit in hits)
    assert all("**sanction" in hit["snippet"].lower() for hit in hits[:3])
    assert data["facets"]["category"] == {"financial": data["total"]}


def test_the_text_output_shows_titles_snippets_and_facets(cache: Path) -> None:
    first = run_search(cache, "sanctions", "--category", "financial")["hits"][0]
    result = run_cli("--root", str(REPO), "search", "sanctions", "--category", "financial", "--cache-dir", str(cache))
    assert result.exit_code == 0
    assert f"1. {first['title']}" in result.stdout and first["url"] in result.stdout
    assert "category: financial" in result.stdout


def test_titles_weigh_more_than_bodies_and_words_are_stemmed(cache: Path) -> None:
    assert run_search(cache, "mediation")["hits"][0]["id"] == "mediation"
    assert run_search(cache, "sanctioned")["total"] == run_search(cache, "sanctions")["total"]


@pytest.mark.parametrize(
    ("option", "value", "field", "check"),
    [
        ("--stage", "response", "stages", lambda values: "response" in values),
        ("--risk-factor", "RF08", "risk_factors", lambda values: "RF08" in values),
        ("--kind", "lesson", "kind", lambda value: value == "lesson"),
        ("--certainty", "low", "certainty", lambda value: value == "low"),
    ],
)
def test_filters_keep_only_matching_entries(cache: Path, option: str, value: str, field: str, check: object) -> None:
    data = run_search(cache, "violence", option, value, "--limit", "100")
    assert data["hits"]
    assert all(check(hit["fields"][field]) for hit in data["hits"])  # type: ignore[operator]


def test_a_typo_gets_a_suggestion(cache: Path) -> None:
    result = run_cli("--root", str(REPO), "search", "sanctons", "--cache-dir", str(cache))
    assert result.exit_code == 0
    assert "No entries match 'sanctons'. Did you mean: sanctions?" in result.stdout
    assert run_search(cache, "electon violance")["suggestion"] == "election violence"
    partly = run_cli("--root", str(REPO), "search", "hate radoi", "--cache-dir", str(cache))
    assert "Did you mean: hate radio?" in partly.stdout, "a typo is caught even when other words match"
    assert run_search(cache, "hate radio")["suggestion"] is None


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('"travel bans', "unclosed quotation mark"),
        ("(visa OR ban", "opens a parenthesis that is never closed"),
        ("visa)", "closes a parenthesis that was never opened"),
        ("visa AND", "starts or ends with the operator AND"),
        ("visa AND OR ban", "two operators in a row"),
        ("colour:red", "names the field 'colour', which cannot be searched"),
        ("   ", "the query is empty"),
    ],
)
def test_a_malformed_query_exits_2_with_a_clear_message(cache: Path, query: str, message: str) -> None:
    result = run_cli("--root", str(REPO), "search", query, "--cache-dir", str(cache))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert "Traceback" not in result.output


def test_the_index_refreshes_itself_when_an_entry_changes(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(FIXTURE_SITE, kb)
    cache = tmp_path / "cache"
    first = run_cli("--root", str(kb), "search", "zanzibar", "--format", "json", "--cache-dir", str(cache))
    assert json.loads(first.stdout)["total"] == 0
    entry = kb / "toolkit" / "diplomatic" / "example-envoy.md"
    entry.write_text(entry.read_text(encoding="utf-8").replace("## What it is\n", "## What it is\n\nZanzibar.\n", 1),
                     encoding="utf-8")
    second = run_cli("--root", str(kb), "search", "zanzibar", "--format", "json", "--cache-dir", str(cache))
    assert [hit["id"] for hit in json.loads(second.stdout)["hits"]] == ["example-envoy"]
    assert len(list(cache.glob("index-*"))) == 1, "the old index is removed after the switch"


def test_a_failed_build_leaves_the_previous_index_in_use(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = validate(FIXTURE_SITE).catalog
    cache = tmp_path / "cache"
    built = build_index(catalog, FIXTURE_SITE, cache)

    def broken(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("apkb.search.index._fill", broken)
    with pytest.raises(OSError):
        build_index(catalog, FIXTURE_SITE, cache)
    assert current_index(cache).folder == built
    assert search_index(built, "envoy").total >= 1
    assert not list(cache.glob(".*.building"))


def test_related_entries_are_capped_and_leave_out_self_and_explicit_links(catalog: Catalog) -> None:
    related = related_entries(catalog)
    assert set(related) == {entry.id for entry in catalog.entries()}
    for entry in catalog.entries():
        ids = related[entry.id]
        assert 0 < len(ids) <= 5 and entry.id not in ids and len(set(ids)) == len(ids), entry.id
        assert not set(ids) & linked_ids(catalog, entry), entry.id


def test_every_tool_page_shows_related_entries(catalog: Catalog) -> None:
    pages = {page.path: page.content for page in render_pages(catalog)}
    for tool in catalog.tools.values():
        assert "## Related entries" in pages[f"toolkit/{tool.id}.md"], tool.id


def test_a_refresh_reindexes_only_what_changed_and_never_loads_the_catalog_when_fresh(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(FIXTURE_SITE, kb)
    cache = tmp_path / "cache"

    def load() -> Catalog:
        return validate(kb).catalog

    def refuse() -> Catalog:
        raise AssertionError("the catalog must not be loaded when the index is up to date or only updated")

    folder, done = fresh_index(kb, cache, load)
    assert done == "built"
    assert fresh_index(kb, cache, refuse) == (folder, "fresh")
    added = kb / "toolkit" / "diplomatic" / "example-quokka.md"
    added.write_text((kb / "toolkit" / "diplomatic" / "example-envoy.md").read_text(encoding="utf-8")
                     .replace("id: example-envoy", "id: example-quokka").replace("Example envoy", "Quokka envoy"),
                     encoding="utf-8")
    assert fresh_index(kb, cache, refuse) == (folder, "updated")
    assert [hit.id for hit in search_index(folder, "quokka").hits] == ["example-quokka"]
    added.unlink()
    assert fresh_index(kb, cache, refuse) == (folder, "updated")
    assert search_index(folder, "quokka").total == 0
    assert search_index(folder, "envoy").total >= 1
