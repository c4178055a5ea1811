"""Property-based tests: for any input, the loader, the risk-profile parser, the search query parser and the
cross-link resolver give a valid result or our own clear error (naming the file), never an unhandled exception.

The examples are fixed (the "ci" hypothesis profile in conftest.py derandomizes them) and bounded in number;
HYPOTHESIS_PROFILE=dev runs many more, with a random seed.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from whoosh import index
from whoosh.searching import Searcher

from apkb.content.catalog import Catalog
from apkb.content.crosslinks import (
    SCHEMES,
    Resolver,
    check_links,
    find_links,
    rewrite_links,
)
from apkb.content.front_matter import FrontMatterDocument, read_front_matter
from apkb.content.load import load_entry, load_paths
from apkb.content.problems import ContentError, Problem, display_path
from apkb.content.profile import Profile, load_profile
from apkb.content.validate import validate
from apkb.content.vocabulary import vocabularies
from apkb.search.index import build_index, current_index
from apkb.search.query import QueryError, Results, check_query, run_query
from conftest import FIXTURE_SITE, REPO, run_cli

_V = vocabularies()
STAGES = list(_V.stages.ids)
RISK_FACTORS = list(_V.risk_factors.ids)
SANCTIONS = Path("toolkit/financial/example-sanctions.md")
CRISIS = Path("lessons/example-crisis.md")

EXPENSIVE = settings(max_examples=max(1, settings.default.max_examples // 4))
"""For properties that go through files and the search index: a quarter of the profile's examples."""
VERY_EXPENSIVE = settings(max_examples=max(1, settings.default.max_examples // 20))
"""For the command line, which re-hashes every entry file and opens the index on each run."""


# --- shared strategies -----------------------------------------------------------------------------------------

YAML_SNIPPETS = [
    "[", "]", "{", "}", ",", ":", ": ", "- ", "? ", "#", "&a ", "*a", "!!int x", "!!float x", "!!str", "!!binary '@'",
    "!!python/object:os.system x", "!!timestamp 2020-02-30", "!!timestamp x", "!!bool x", "!!int", "2020-13-45",
    "2021-02-29", "<<: 1", "<<: *a", "~",
    "null", "yes", "no", "on", "1", "-1", "0x1F", "1e400", ".nan", "'", '"', '"\\u', "|", ">-", "\t", "  ", "%YAML 1.1",
    "---", "...", "\n", "\r", "\r\n", "\x00", "\x07", "\x1b", "\x85", "\u2028", "\ufeff", "\ud7ff", "é", "😀",
    "id", "title", "category", "country", "stage", "risk_factors", "RF01", "evidence", "studies", "period",
    "content", "handler",
]
"""Pieces of YAML, good and bad, that random front matter and profiles are assembled from."""

yaml_ish = st.lists(st.sampled_from(YAML_SNIPPETS) | st.text(max_size=4), max_size=30).map("".join)
"""Text that looks like YAML often enough to reach the parser's and constructors' corners."""

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12), st.dates(),
    st.sampled_from([*STAGES, *RISK_FACTORS, "example-envoy", "financial", "high", "days"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8) | st.integers(), inner, max_size=4),
    max_leaves=12,
)
"""Any value YAML can hold: what a writer might put in a field by mistake."""


def yaml_value(value: Any) -> str:
    """A value as YAML on (usually) one line."""
    dumped = yaml.safe_dump(value, default_flow_style=True, width=10**9, allow_unicode=True)
    return dumped.removesuffix("\n...\n").strip()


def line_bound(data: bytes) -> int:
    """The last line a problem in this file could name: every kind of line break counts."""
    return len(data.decode("utf-8", errors="replace").splitlines()) + 1


def assert_names_the_file(problems: list[Problem], path: Path, data: bytes) -> None:
    """Each problem names ``path``, says what is wrong, and points at a line of the file (if at any)."""
    assert problems
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.path == display_path(path) and problem.path.endswith(path.name)
        assert isinstance(problem.message, str) and problem.message.strip()
        assert problem.line is None or 1 <= problem.line <= line_bound(data), (problem, data)


# --- 1. the loader ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the fixture knowledge base, whose entry files the properties overwrite."""
    copy = tmp_path_factory.mktemp("properties") / "kb"
    shutil.copytree(FIXTURE_SITE, copy)
    return copy


def assert_document(document: FrontMatterDocument, path: Path, data: bytes) -> None:
    """A document read from ``data``: a mapping with text keys, a body from the file, lines within the file."""
    assert document.path == path
    assert isinstance(document.metadata, dict) and all(isinstance(key, str) for key in document.metadata)
    assert document.body in data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n"), "with Unix line ends"
    assert 1 <= document.body_line <= line_bound(data)
    assert all(1 <= line <= line_bound(data) for line in document.lines.values())


def read_or_problems(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    try:
        document = read_front_matter(path)
    except ContentError as error:
        assert_names_the_file(error.problems, path, data)
        assert str(error)
    else:
        assert_document(document, path, data)


BUGS_IN_FRONT_MATTER = [
    # (the file, what the problem says): each of these raised something other than ContentError before.
    pytest.param(b"---\n? [a]\n: 1\n---\n", "found a list as a key", id="unhashable key: ConstructorError"),
    pytest.param(b"---\na: !!python/object:os.system x\n---\n", "YAML error: could not determine a constructor",
                 id="unsafe tag: ConstructorError"),
    pytest.param(b"---\ndrafted: 2020-13-45\n---\n", "'2020-13-45' is not a valid timestamp (month must",
                 id="impossible date: ValueError"),
    pytest.param(b"---\na: !!int x\n---\n", "'x' is not a valid int", id="!!int x: ValueError"),
    pytest.param(b"---\na: !!float x\n---\n", "'x' is not a valid float", id="!!float x: ValueError"),
    pytest.param(b"---\na: !!int ''\n---\n", "'' is not a valid int (string index", id="!!int '': IndexError"),
    pytest.param(b"---\na: !!bool x\n---\n", "'x' is not a valid bool", id="!!bool x: KeyError"),
    pytest.param(b"---\na: !!timestamp 2020-02-30[\n---\n", "'2020-02-30[' is not a valid timestamp",
                 id="!!timestamp 2020-02-30[: AttributeError"),
    pytest.param(b"---\n<<: 1\n---\n", "found the key '<<', which YAML reads as merge",
                 id="merge key: ConstructorError"),
    pytest.param(b"---\n1: a\n---\n", "found the key '1', which YAML reads as int; a field name must be text",
                 id="number as key: TypeError"),
    pytest.param(b"---\n~: a\n---\n", "found the key '~', which YAML reads as null", id="null as key: TypeError"),
    pytest.param(b"---\na: b\x07\n---\n", "the invisible character U+0007", id="BEL: ReaderError"),
    pytest.param(b"---\na: " + b"[" * 990 + b"]" * 990 + b"\n---\n", "nested more than 50 levels deep",
                 id="deep nesting: RecursionError"),
]


@pytest.mark.parametrize(("data", "message"), BUGS_IN_FRONT_MATTER)
def test_front_matter_bugs_found_by_hypothesis_are_clear_errors(kb: Path, data: bytes, message: str) -> None:
    path = kb / "bug.md"
    path.write_bytes(data)
    with pytest.raises(ContentError) as raised:
        read_front_matter(path)
    assert_names_the_file(raised.value.problems, path, data)
    assert [problem.line for problem in raised.value.problems] == [2]
    assert message in raised.value.problems[0].message


def test_fields_named_content_or_handler_are_read_like_any_other(kb: Path) -> None:
    """Found by hypothesis: python-frontmatter passed the fields as keyword arguments, so a field named
    'content' or 'handler' raised TypeError; they are unknown fields like any other now."""
    path = kb / "toolkit" / "financial" / "clash.md"
    path.write_text("---\ncontent: x\nhandler: y\n---\nbody\n", encoding="utf-8")
    document = read_front_matter(path)
    assert document.metadata == {"content": "x", "handler": "y"} and document.body == "body"
    entry, problems = load_entry(path, kb)
    assert entry is None
    unknown = {problem.field for problem in problems if problem.message.startswith("unknown field")}
    assert unknown == {"content", "handler"}
    path.unlink()


def test_old_mac_line_ends_before_windows_ones_do_not_shift_the_lines(kb: Path) -> None:
    r"""Found by hypothesis: "\r\r\n" became "\r\n" and python-frontmatter shortened it again, so the front matter
    was not found in the file and a problem named line 7 of a 4-line file. Each "\r" now ends a line."""
    path = kb / "mac.md"
    path.write_bytes(b"---\r\r\na: 1\r\r\na: 2\r\n---\r\n")
    with pytest.raises(ContentError) as raised:
        read_front_matter(path)
    assert [(problem.line, problem.field) for problem in raised.value.problems] == [(5, "a")]


def test_the_front_matter_bugs_are_clear_errors_in_profiles_too(kb: Path) -> None:
    path = kb / "bug.yml"
    for data, message in (case.values for case in BUGS_IN_FRONT_MATTER):
        content = data.removeprefix(b"---\n").removesuffix(b"---\n")
        path.write_bytes(content)
        with pytest.raises(ContentError) as raised:
            load_profile(path)
        assert_names_the_file(raised.value.problems, path, content)
        assert message in raised.value.problems[0].message and raised.value.problems[0].line == 1


@given(data=st.binary(max_size=300))
@example(data=b"---\n---\n")
@example(data=b"\xef\xbb\xbf---\nid: x\n---\n")
@example(data=b"---\xff\n")
def test_any_bytes_read_as_front_matter_or_a_clear_error(kb: Path, data: bytes) -> None:
    read_or_problems(kb / "bytes.md", data)


@given(text=st.text(max_size=300))
def test_any_text_reads_as_front_matter_or_a_clear_error(kb: Path, text: str) -> None:
    read_or_problems(kb / "text.md", text.encode("utf-8", errors="surrogatepass"))


@given(front=yaml_ish, body=st.text(max_size=40), opening=st.sampled_from(["---\n", "---\r\n", "--- \n"]),
       closing=st.sampled_from(["\n---\n", "\n---", "\n--- \n", "\n----\n", "\n...\n", "\r\n---\r\n", ""]))
@example(front="? [a]\n: 1", body="", opening="---\n", closing="\n---\n")
@example(front="[\r\r\n", body="", opening="---\n", closing="\n---\n")
def test_any_yaml_between_the_fences_reads_or_is_a_clear_error(
    kb: Path, front: str, body: str, opening: str, closing: str
) -> None:
    read_or_problems(kb / "yaml.md", (opening + front + closing + body).encode("utf-8", errors="surrogatepass"))


@st.composite
def mutated_entry(draw: st.DrawFn, name: Path) -> bytes:
    """A valid fixture entry with a few random mutations: a field given a random value or YAML, lines deleted
    or doubled, tabs, a fence removed, a byte-order mark; and sometimes a few random bytes inserted."""
    lines = (FIXTURE_SITE / name).read_text(encoding="utf-8").splitlines(keepends=True)
    fields = [i for i, line in enumerate(lines) if re.match(r"^\s*(- )?\w+:", line)]
    prefix = b""
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        mutation = draw(st.sampled_from(["value", "yaml", "delete", "double", "tab", "fence", "bom"]))
        if mutation in {"value", "yaml"} and fields:
            at = draw(st.sampled_from(fields))
            key = lines[at].split(":", 1)[0]
            new = yaml_value(draw(values)) if mutation == "value" else draw(yaml_ish)
            lines[at] = f"{key}: {new}\n"
        elif mutation in {"delete", "double", "tab"}:
            at = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            lines[at:at + 1] = {"delete": [], "double": [lines[at]] * 2, "tab": ["\t" + lines[at]]}[mutation]
        elif mutation == "fence" and "---\n" in lines:
            del lines[draw(st.sampled_from([i for i, line in enumerate(lines) if line == "---\n"]))]
        elif mutation == "bom":
            prefix = b"\xef\xbb\xbf"
    data = bytearray(prefix + "".join(lines).encode("utf-8", errors="surrogatepass"))
    if draw(st.booleans()):
        at = draw(st.integers(min_value=0, max_value=len(data)))
        data[at:at] = draw(st.binary(min_size=1, max_size=4))
    return bytes(data)


def assert_loaded_or_problems(path: Path, root: Path, data: bytes) -> None:
    entry, problems = load_entry(path, root)
    if entry is None:
        assert_names_the_file(problems, path, data)
        assert all(problem.field is None or problem.field for problem in problems)
    else:
        assert problems == []
        assert entry.path == path and entry.kind in {"tool", "lesson"}
        assert entry.id and entry.title and entry.drafted
        assert all(1 <= line <= line_bound(data) for line in entry._lines.values())


@EXPENSIVE
@given(data=mutated_entry(SANCTIONS))
@example(data=(FIXTURE_SITE / SANCTIONS).read_bytes())
@example(data=(FIXTURE_SITE / SANCTIONS).read_bytes().replace(b"2026-11-01", b"2026-11-31"))
@example(data=(FIXTURE_SITE / SANCTIONS).read_bytes().replace(b"id: example-sanctions", b"1: example-sanctions"))
def test_a_mutated_tool_loads_or_each_problem_names_the_file(kb: Path, data: bytes) -> None:
    path = kb / SANCTIONS
    path.write_bytes(data)
    assert_loaded_or_problems(path, kb, data)


@EXPENSIVE
@given(data=mutated_entry(CRISIS))
@example(data=(FIXTURE_SITE / CRISIS).read_bytes())
def test_loading_several_files_collects_the_problems_of_each(kb: Path, data: bytes) -> None:
    broken, other = kb / CRISIS, kb / SANCTIONS
    broken.write_bytes(data)
    shutil.copyfile(FIXTURE_SITE / SANCTIONS, other)
    result = load_paths([broken, other], kb)
    assert result.files == 2
    assert "example-sanctions" in [entry.id for entry in result.entries], "one bad file does not stop the others"
    if result.problems:
        assert result.failed_ids == {"example-crisis"}
        assert_names_the_file(result.problems, broken, data)
    else:
        assert len(result.entries) == 2 and result.failed_ids == set()


# --- 2. the risk-profile parser --------------------------------------------------------------------------------


def assert_profile_or_problems(path: Path, data: bytes) -> Profile | list[Problem]:
    """The profile in ``data``, checked to be within the framework; or the problems, each naming the file."""
    path.write_bytes(data)
    try:
        profile = load_profile(path)
    except ContentError as error:
        assert_names_the_file(error.problems, path, data)
        return error.problems
    assert profile.stage in STAGES
    assert set(profile.risk_factors) <= set(RISK_FACTORS)
    assert list(profile.levels()) == RISK_FACTORS
    assert all(0 <= level <= 3 and type(level) is int for level in profile.levels().values())
    return profile


@given(data=st.binary(max_size=200) | st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")))
@example(data=b"")
@example(data=b"# only a comment\n")
@example(data=b"[1, 2]")
def test_any_bytes_are_a_profile_or_a_clear_error(kb: Path, data: bytes) -> None:
    assert_profile_or_problems(kb / "any.yml", data)


@given(text=yaml_ish)
def test_any_yaml_is_a_profile_or_a_clear_error(kb: Path, text: str) -> None:
    assert_profile_or_problems(kb / "yaml.yml", ("stage: response\n" + text).encode("utf-8", "surrogatepass"))


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly a well-formed value, sometimes any value at all."""
    return st.one_of(strategy, strategy, strategy, values)


valid_profiles = st.fixed_dictionaries(
    {"stage": st.sampled_from(STAGES)},
    optional={
        "title": st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=20),
        "risk_factors": st.dictionaries(st.sampled_from(RISK_FACTORS), st.integers(min_value=0, max_value=3)),
        "situations": st.lists(st.sampled_from(list(_V.situations.ids)), unique=True, max_size=3),
        "constraints": st.fixed_dictionaries(
            {},
            optional={
                "leverage": st.sampled_from(list(_V.leverage.ids)),
                "time_horizon": st.sampled_from(list(_V.time_to_effect.ids)),
                "budget": st.sampled_from(list(_V.cost.ids)),
                "actors_available": st.lists(st.sampled_from(list(_V.actors.ids)), unique=True, max_size=3),
                "exclude": st.lists(st.sampled_from(["example-envoy", "mediation"]), unique=True),
            },
        ),
        "context": st.fixed_dictionaries({}, optional={"targets": st.lists(st.just("Farmers")),
                                                       "legitimacy_sensitive": st.booleans()}),
    },
)

near_valid_profiles = st.fixed_dictionaries(
    {},
    optional={
        "stage": maybe(st.sampled_from(STAGES)),
        "risk_factors": maybe(st.dictionaries(st.sampled_from(RISK_FACTORS) | st.text(max_size=5) | st.integers(),
                                               maybe(st.integers(-1, 4)))),
        "situations": maybe(st.lists(maybe(st.sampled_from(list(_V.situations.ids))), max_size=3)),
        "constraints": maybe(st.dictionaries(st.sampled_from(["leverage", "time_horizon", "budget",
                                                              "actors_available", "exclude", "other"]), values)),
        "context": maybe(st.dictionaries(st.sampled_from(["targets", "triggers", "legitimacy_sensitive"]), values)),
        "unknown": values,
    },
)


def dump(profile: dict[str, Any], as_json: bool) -> bytes:
    if as_json:
        text = json.dumps(profile, default=str, ensure_ascii=False)
    else:
        text = yaml.safe_dump(profile, allow_unicode=True)
    return text.encode("utf-8", "surrogatepass")


@EXPENSIVE
@given(profile=valid_profiles, as_json=st.booleans())
def test_a_valid_profile_always_loads_with_its_levels(kb: Path, profile: dict[str, Any], as_json: bool) -> None:
    loaded = assert_profile_or_problems(kb / ("valid.json" if as_json else "valid.yml"), dump(profile, as_json))
    assert isinstance(loaded, Profile), loaded
    assert loaded.stage == profile["stage"]
    assert loaded.risk_factors == profile.get("risk_factors", {})
    assert list(loaded.risk_factors) == [f for f in RISK_FACTORS if f in loaded.risk_factors], "in framework order"


@EXPENSIVE
@given(profile=near_valid_profiles, as_json=st.booleans())
@example(profile={"stage": "response", "risk_factors": {1: 2}}, as_json=False)
@example(profile={"stage": "prevention", "risk_factors": {"RF01": True}}, as_json=False)
def test_a_near_valid_profile_loads_or_each_problem_names_its_field(
    kb: Path, profile: dict[str, Any], as_json: bool
) -> None:
    loaded = assert_profile_or_problems(kb / ("near.json" if as_json else "near.yml"), dump(profile, as_json))
    if isinstance(loaded, list):
        # A wrong field is named by its place in the profile, under a top-level field we wrote (or 'stage').
        for problem in loaded:
            if problem.field is not None:
                assert re.split(r"[.\[]", problem.field)[0] in {*profile, "stage"}, problem


@pytest.mark.parametrize(
    "scenario", sorted((REPO / "docs" / "training" / "scenarios").glob("*.yml")), ids=lambda path: path.stem
)
def test_every_training_scenario_is_a_valid_profile(scenario: Path) -> None:
    profile = load_profile(scenario)
    assert profile.stage in STAGES and all(0 <= level <= 3 for level in profile.levels().values())


# --- 3. the search query parser ----------------------------------------------------------------------------------


QUERY_PIECES = [
    "sanctions", "envoy", "example", "crisis", "Exampleland", "fixture", "sanctons", "AND", "OR", "NOT", "ANDNOT",
    "ANDMAYBE", "and", '"', "'", "(", ")", "title:", "summary:", "body:", "country:", "aliases:", "category:", "id:",
    "url:", "Title:", "*", "?", "~", "~2", "^2", "^", "[", "]", "{", "}", "TO", "-", "+", "\\", ":", "/", "*:*",
    "title:(", "title:*", "<", ">", "=", "!", "&", "|", "%", "\x00", "\x07", "\t", "\n", "\r", "\u2028", "é", "ß",
    "İ", "😀", "日本", "\ufeff", "ﬁ", "１",
]

queries = st.one_of(
    st.text(max_size=30),
    st.lists(st.sampled_from(QUERY_PIECES) | st.text(max_size=3),
             max_size=10).flatmap(lambda pieces: st.sampled_from([" ", "", "  "]).map(lambda sep: sep.join(pieces))),
)


@given(text=queries)
@example(text="()")
@example(text="( )")
@example(text="(())")
def test_check_query_accepts_a_query_or_says_what_is_wrong(text: str) -> None:
    try:
        check_query(text)
    except QueryError as error:
        assert str(error).strip()


@pytest.mark.parametrize("text", ["()", "( )", " (( )) ", "()()"])
def test_a_query_of_only_parentheses_is_a_query_error(text: str) -> None:
    """Found by hypothesis: check_query('()') raised IndexError."""
    with pytest.raises(QueryError, match="no words"):
        check_query(text)


@pytest.mark.parametrize("text", ["title:url:0", "body:title:url:y", "summary:(url:0)"])
def test_a_field_named_inside_another_fields_value_is_checked_too(text: str) -> None:
    """Found by hypothesis: check_query passed 'title:url:0' (the value 'url:0' hid the field 'url'), and whoosh
    then failed with a bare Exception: 'STORED field has no format'."""
    with pytest.raises(QueryError, match="names the field 'url', which cannot be searched"):
        check_query(text)


@pytest.fixture(scope="module")
def fixture_catalog() -> Catalog:
    report = validate(FIXTURE_SITE)
    assert report.ok, report.problems
    return report.catalog


@pytest.fixture(scope="module")
def search_cache(tmp_path_factory: pytest.TempPathFactory, fixture_catalog: Catalog) -> Path:
    """An index of the fixture knowledge base, built once for this module."""
    cache = tmp_path_factory.mktemp("search-cache")
    build_index(fixture_catalog, FIXTURE_SITE, cache)
    return cache


@pytest.fixture(scope="module")
def searcher(search_cache: Path) -> Iterator[Searcher]:
    state = current_index(search_cache)
    assert state.folder is not None
    with index.open_dir(str(state.folder)).searcher() as opened:
        yield opened


def assert_results(results: Results, text: str, catalog: Catalog, limit: int) -> None:
    assert results.query == text
    assert len(results.hits) <= min(limit, results.total)
    ids = {entry.id for entry in catalog.entries()}
    for hit in results.hits:
        assert hit.id in ids and hit.kind in {"tool", "lesson"} and hit.url.endswith(".html")
        assert isinstance(hit.snippet, str)
    assert all(0 < count <= results.total for counts in results.facets.values() for count in counts.values())
    assert results.suggestion is None or isinstance(results.suggestion, str)


@EXPENSIVE
@given(text=queries, limit=st.integers(min_value=1, max_value=5),
       kind=st.sampled_from([None, "tool", "lesson"]), stage=st.sampled_from([None, *STAGES]))
@example(text="sanctions", limit=3, kind=None, stage=None)
@example(text='title:"example sanctions" OR country:Exampleland', limit=3, kind=None, stage=None)
@example(text="()", limit=3, kind=None, stage=None)
@example(text="title:url:0", limit=1, kind=None, stage=None)
def test_any_query_gives_results_or_a_query_error(
    searcher: Searcher, fixture_catalog: Catalog, text: str, limit: int, kind: str | None, stage: str | None
) -> None:
    try:
        results = run_query(searcher, text, {"kind": kind, "stages": stage}, limit)
    except QueryError as error:
        assert str(error).strip()
        with pytest.raises(QueryError):  # the search refuses exactly the queries check_query refuses
            check_query(text)
        return
    check_query(text)
    assert_results(results, text, fixture_catalog, limit)
    if kind is not None:
        assert all(hit.kind == kind for hit in results.hits)


def test_a_plain_word_finds_its_entry(searcher: Searcher, fixture_catalog: Catalog) -> None:
    results = run_query(searcher, "sanctions", None, 5)
    assert results.hits[0].id == "example-sanctions"


@VERY_EXPENSIVE
@given(text=queries, output=st.sampled_from(["text", "json"]))
@example(text="()", output="text")
@example(text="-x", output="text")
@example(text="sanctions", output="json")
def test_apkb_search_exits_0_with_results_or_2_with_an_error(search_cache: Path, text: str, output: str) -> None:
    result = run_cli("--root", str(FIXTURE_SITE), "search", "--format", output, "--cache-dir", str(search_cache),
                     "--", text)
    assert result.exit_code in {0, 2}, result.output
    assert "Traceback" not in result.stdout + result.stderr
    if result.exit_code == 2:
        assert result.stderr.startswith("error: "), result.stderr
    elif output == "json":
        assert json.loads(result.stdout)["query"] == text
    else:
        assert "match" in result.stdout


# --- 4. the tool: link resolver ----------------------------------------------------------------------------------

MODULES = ["example-module"]
KNOWN = {
    "tool": {
        "example-sanctions": "toolkit/example-sanctions.md",
        "old-example-sanctions": "toolkit/example-sanctions.md",
        "example-envoy": "toolkit/example-envoy.md",
    },
    "lesson": {"example-crisis": "lessons/example-crisis.md"},
    "module": {"example-module": "training/example-module.md"},
    "rf": {factor: f"methodology.md#{factor.lower()}" for factor in RISK_FACTORS},
}
"""Every id a fixture link may use, with the page it must resolve to."""


@pytest.fixture(scope="module")
def resolver(fixture_catalog: Catalog) -> Resolver:
    return Resolver(fixture_catalog, MODULES)


ids = st.sampled_from(sorted({i for known in KNOWN.values() for i in known})) | st.text(max_size=10)
links = st.builds(
    lambda label, scheme, target, fragment, close: f"[{label}]({scheme}:{target}{fragment}{close}",
    st.text(max_size=5), st.sampled_from([*SCHEMES, "tools", "TOOL", "http"]), ids,
    st.sampled_from(["", "#", "#at-a-glance", "#a b", "#x)"]), st.sampled_from([")", ")", "", " )"]),
)
MARKDOWN_PIECES = ["`", "``", "```", "~~~", "    ```", "\n", "\r\n", "\r", "\u2028", "\x0c", " ", "](", ")", "[", "#",
                   "tool:", "rf:RF07", "\t", "é", "😀"]
markdown = st.lists(links | st.sampled_from(MARKDOWN_PIECES) | st.text(max_size=6), max_size=25).map("".join)


def markdown_lines(text: str) -> int:
    """The number of lines in Markdown text, as CommonMark and editors count them: only \\n, \\r\\n and \\r end one."""
    return text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1


@given(text=markdown, first_line=st.integers(min_value=1, max_value=1000))
@example(text="```\n[a](tool:nowhere)\n```\n[b](tool:nowhere)", first_line=1)
@example(text="[a](tool:x)\u2028[b](rf:RF99)", first_line=5)
@example(text="\x0c\n[a](tool:x)\r[b](rf:RF99)\r\n", first_line=1)
def test_link_problems_name_the_file_and_a_line_of_the_text(
    resolver: Resolver, text: str, first_line: int
) -> None:
    problems = check_links(text, "docs/page.md", resolver, first_line)
    last = first_line + markdown_lines(text) - 1
    for problem in problems:
        assert problem.path == "docs/page.md" and problem.field == "link"
        assert first_line <= problem.line <= last, (problem, text)
        assert "is not the id of any" in problem.message
    found = list(find_links(text, first_line))
    for link in found:
        assert text[link.start:link.end] == link.written
        assert link.line == first_line + markdown_lines(text[:link.start]) - 1
    assert len(problems) <= len(found)


def test_a_form_feed_or_line_separator_does_not_shift_the_lines_of_links(resolver: Resolver) -> None:
    """Found by hypothesis: lines were split with str.splitlines, which also breaks at form feeds, U+2028 and
    U+001E, so validate named a later line than the link's (line 3 for a link on line 2)."""
    text = "a\x0cb\u2028c\x1e\n[x](tool:nowhere)\r\n"
    assert [link.line for link in find_links(text, first_line=10)] == [11]
    assert [problem.line for problem in check_links(text, "docs/page.md", resolver, first_line=10)] == [11]


@given(text=markdown)
def test_rewriting_links_changes_nothing_outside_them(resolver: Resolver, text: str) -> None:
    marker = "\ue000"  # a private-use character, to mark where links were rewritten
    assume(marker not in text)
    assert rewrite_links(text, "training/example-module.md", lambda link: None) == text
    found = list(find_links(text))
    rewritten = rewrite_links(text, "index.md", lambda link: f"{marker}{found.index(link)}{marker}.md")
    outside, last = [], 0
    for link in found:
        outside.append(text[last:link.start])
        last = link.end
    outside.append(text[last:])
    assert re.split(f"{marker}\\d+{marker}\\.md", rewritten) == outside
    # With the real resolver, nothing raises and unknown links stay as they were written.
    real = rewrite_links(text, "training/example-module.md", resolver.page)
    for link in found:
        if resolver.page(link) is None:
            assert f"({link.written}" in real


@given(
    before=st.text(alphabet=st.characters(exclude_characters="`~"), max_size=40),
    after=st.text(max_size=40),
    scheme=st.sampled_from(list(KNOWN)),
    choice=st.integers(min_value=0),
    fragment=st.sampled_from(["", "#at-a-glance", "#sources"]),
    label=st.text(alphabet=st.characters(categories=["L", "N", "P", "S", "Zs"], exclude_characters="`~"), max_size=10),
    lower=st.booleans(),
)
@example(before="a\r", after="", scheme="tool", choice=1, fragment="#sources", label="", lower=False)
def test_a_link_to_a_known_id_or_alias_always_resolves_to_its_page(
    resolver: Resolver, before: str, after: str, scheme: str, choice: int, fragment: str, label: str, lower: bool
) -> None:
    known = sorted(KNOWN[scheme])
    target = known[choice % len(known)]
    if scheme == "rf" and lower:
        target = target.lower()
    link_text = f"[{label}]({scheme}:{target}{fragment})"
    text = f"{before}\n{link_text}\n{after}"
    line = markdown_lines(f"{before}\n")
    found = [link for link in find_links(text) if link.line == line and link.target == target]
    assert len(found) == 1, (text, list(find_links(text)))
    expected = KNOWN[scheme][target.upper() if scheme == "rf" else target]
    expected += fragment if scheme != "rf" else ""
    assert resolver.page(found[0]) == expected
    assert not [problem for problem in check_links(text, "docs/page.md", resolver) if problem.line == line]
    relative = expected.replace("training/", "") if expected.startswith("training/") else "../" + expected
    assert f"]({relative})" in rewrite_links(text, "training/example-module.md", resolver.page)

