"""Queries over the search index: checked before whoosh reads them, filtered, faceted, with snippets and a
spelling suggestion. The index itself is built and kept fresh by :mod:`apkb.search.index`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import highlight, index, qparser
from whoosh.fields import Schema
from whoosh.query import And, Query, Term
from whoosh.searching import Searcher

FILTER_FIELDS = ("category", "stages", "risk_factors", "strategies", "effect", "certainty", "kind")
FACET_FIELDS = ("kind", "category", "stages", "effect", "certainty")
SEARCHED_FIELDS = ("name", "title", "summary", "body", "country", "aliases")
MARK_START, MARK_END = "\x02", "\x03"
"""Private markers around matched words in snippets; each output format turns them into its own emphasis."""

_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
_FIELD_PREFIX = re.compile(r"(?<![\w\"])([A-Za-z_]+):(?=(\S*))")  # a lookahead: "title:url:x" names two fields


class QueryError(ValueError):
    """A query that cannot be understood; the message says what is wrong and how to fix it."""


def check_query(text: str) -> None:
    """Refuse queries whoosh would quietly misread, saying what is wrong."""
    stripped = text.strip()
    if not stripped:
        raise QueryError("the query is empty; give one or more words, such as 'visa ban'")
    if stripped.count('"') % 2:
        raise QueryError(f"the query {text!r} has an unclosed quotation mark; close the phrase with '\"'")
    depth = 0
    for character in stripped:
        depth += {"(": 1, ")": -1}.get(character, 0)
        if depth < 0:
            raise QueryError(f"the query {text!r} closes a parenthesis that was never opened")
    if depth:
        raise QueryError(f"the query {text!r} opens a parenthesis that is never closed")
    words = [w for w in re.split(r"[\s()]+", stripped) if w]
    if not words:
        raise QueryError(f"the query {text!r} has no words, only parentheses; put words inside them")
    if words[0] in _OPERATORS - {"NOT"} or words[-1] in _OPERATORS:
        operator = words[0] if words[0] in _OPERATORS else words[-1]
        raise QueryError(
            f"the query {text!r} starts or ends with the operator {operator}; put words on both sides of it"
        )
    for before, after in zip(words, words[1:], strict=False):
        if before in _OPERATORS and after in _OPERATORS - {"NOT"}:
            raise QueryError(f"the query {text!r} has two operators in a row ({before} {after})")
    for match in _FIELD_PREFIX.finditer(stripped):
        name, value = match.groups()
        if name not in SEARCHED_FIELDS:
            raise QueryError(
                f"the query {text!r} names the field {name!r}, which cannot be searched; use one of "
                f"{', '.join(SEARCHED_FIELDS)}, or the filters (--category, --stage, ...)"
            )
        if not value:
            raise QueryError(f"the query {text!r} has nothing after {name}:")


def parse(text: str, ix_schema: Schema) -> Query:
    """The whoosh query for the user's text: every word may match; entries matching more words rank higher."""
    check_query(text)
    parser = qparser.MultifieldParser(list(SEARCHED_FIELDS), ix_schema, group=qparser.OrGroup.factory(0.9))
    parser.remove_plugin_class(qparser.WildcardPlugin)
    return parser.parse(text)


def filter_query(filters: dict[str, str | None]) -> Query | None:
    """All the given filters at once (a field must hold the value)."""
    terms = [Term(name, value) for name, value in filters.items() if value]
    unknown = [name for name in filters if name not in FILTER_FIELDS]
    if unknown:
        raise QueryError(f"unknown filter(s): {', '.join(unknown)}")
    return And(terms) if terms else None


class _Marked(highlight.Formatter):
    """Wraps each matched word in the private markers; formats turn them into bold or **...**."""

    between = " … "

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return MARK_START + highlight.get_text(text, token, replace) + MARK_END


@dataclass
class Hit:
    """One search result."""

    id: str
    kind: str
    title: str
    url: str
    score: float
    snippet: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class Results:
    """Ranked hits, facet counts over every hit, and a spelling suggestion when a word is not in any entry."""

    query: str
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    suggestion: str | None = None


_MULTI_VALUED = ("stages", "risk_factors", "strategies")


def _filter_values(stored: dict[str, Any]) -> dict[str, Any]:
    """A hit's category, stages, risk factors ... with the multi-valued ones as lists."""
    values: dict[str, Any] = {}
    for name in FILTER_FIELDS:
        value = stored.get(name)
        values[name] = ([v for v in value.split(",") if v] if value else []) if name in _MULTI_VALUED else value
    return values


def _facets(searcher: Searcher, matched: set[int]) -> dict[str, dict[str, int]]:
    """Counts by facet over every matched entry, from each facet term's postings (a few terms per facet), so
    that no stored document has to be read."""
    reader = searcher.reader()
    facets: dict[str, dict[str, int]] = {}
    for name in FACET_FIELDS:
        counts = {}
        for term in reader.field_terms(name):
            count = len(matched.intersection(reader.postings(name, term).all_ids()))
            if count:
                counts[term.decode() if isinstance(term, bytes) else term] = count
        facets[name] = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    return facets


def suggest(searcher: Searcher, text: str) -> str | None:
    """The query with each unknown word replaced by the closest word in the knowledge base, if any changed."""
    corrector = searcher.corrector("spelling")
    reader = searcher.reader()
    changed = False
    words = []
    for word in re.findall(r"\w+|\W+", text):
        lower = word.lower()
        if word.strip() and re.match(r"\w", word) and word not in _OPERATORS and (
            reader.doc_frequency("spelling", lower) == 0
        ):
            options = corrector.suggest(lower, limit=1, maxdist=2)
            if options:
                words.append(options[0])
                changed = True
                continue
        words.append(word)
    return "".join(words) if changed else None


def search_index(
    folder: Path, text: str, filters: dict[str, str | None] | None = None, limit: int = 10
) -> Results:
    """Run a query against the index in ``folder``."""
    ix = index.open_dir(str(folder))
    with ix.searcher() as searcher:
        return run_query(searcher, text, filters, limit)


def run_query(
    searcher: Searcher, text: str, filters: dict[str, str | None] | None = None, limit: int = 10
) -> Results:
    """Run a query with an open searcher, which a long-lived caller (a server, the benchmark) may reuse."""
    query = parse(text, searcher.schema)
    results = searcher.search(query, limit=limit, filter=filter_query(filters or {}), terms=True)
    results.fragmenter = highlight.ContextFragmenter(maxchars=160, surround=60)
    results.formatter = _Marked()
    hits = []
    for hit in results:
        snippet = hit.highlights("body", top=2) or hit.highlights("summary") or hit["summary"]
        hits.append(
            Hit(hit["id"], hit["kind"], hit["title"], hit["url"], float(hit.score), " ".join(snippet.split()),
                _filter_values(hit.fields()))
        )
    # The total and the facets count every match, not only those shown; an unscored pass is cheap.
    matched = set(searcher.search(query, limit=None, filter=filter_query(filters or {}), scored=False).docs())
    return Results(text, len(matched), hits, _facets(searcher, matched), suggest(searcher, text))
