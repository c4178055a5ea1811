"""Related entries: for each entry, the others that discuss most nearly the same things.

This follows whoosh's "more like this": each entry is reduced to its key terms (the words that weigh most in
it, by tf-idf, after the same English stemming as search), and entries are compared on those. Asking whoosh
for more_like() once per entry costs a query over the whole index per entry, which grows with the square of
the knowledge base (300 entries took 9 s); here the key terms go into one inverted index and every entry is
scored against it in a single pass, whose work per entry is bounded.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from functools import cache

from whoosh.analysis import STOP_WORDS
from whoosh.lang.porter import stem

from apkb.content.catalog import Catalog
from apkb.content.load import Entry
from apkb.content.model import Lesson, Tool

KEY_TERMS = 30
"""How many key terms describe an entry (whoosh's more_like default is 5; 30 reads the whole body better)."""

POSTINGS_KEPT = 50
"""For each term, only the entries where it weighs most are candidates. This bounds the work per entry, so
the pass grows linearly with the knowledge base; an entry's closest neighbours are found through the terms
that weigh most in both."""


def _text(entry: Entry) -> str:
    # The title and summary say what an entry is about, so they count three and two times over.
    return " ".join((entry.title,) * 3 + (entry.summary,) * 2 + (entry.body,))


_WORD = re.compile(r"\w+(?:\.?\w+)*")


@cache
def _stem(word: str) -> str:
    return stem(word)


def terms_of(text: str) -> Counter[str]:
    """The stemmed words of ``text`` and their counts: whoosh's StemmingAnalyzer (same tokens, stop words and
    Porter stemmer), done with one regular expression and a stem cache, which is several times faster."""
    return Counter(
        _stem(word) for word in _WORD.findall(text.lower()) if len(word) >= 2 and word not in STOP_WORDS
    )


def key_terms(catalog: Catalog) -> dict[str, dict[str, float]]:
    """Each entry's key terms with unit-length tf-idf weights; terms found in one entry only are left out."""
    counts = {entry.id: terms_of(_text(entry)) for entry in catalog.entries()}
    document_frequency: Counter[str] = Counter()
    for terms in counts.values():
        document_frequency.update(terms.keys())
    total = len(counts)
    keys: dict[str, dict[str, float]] = {}
    for entry_id, terms in counts.items():
        weights = {
            term: (1 + math.log(count)) * math.log(total / document_frequency[term])
            for term, count in terms.items()
            if 1 < document_frequency[term] < total
        }
        top = sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:KEY_TERMS]
        norm = math.sqrt(sum(weight * weight for _, weight in top)) or 1.0
        keys[entry_id] = {term: weight / norm for term, weight in top}
    return keys


def related_entries(catalog: Catalog, limit: int = 5) -> dict[str, list[str]]:
    """For each entry, up to ``limit`` entries most like it, leaving out those its page already links."""
    keys = key_terms(catalog)
    postings: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for entry_id, terms in keys.items():
        for term, weight in terms.items():
            postings[term].append((entry_id, weight))
    for term, entries in postings.items():
        postings[term] = sorted(entries, key=lambda item: (-item[1], item[0]))[:POSTINGS_KEPT]
    related: dict[str, list[str]] = {}
    for entry in catalog.entries():
        scores: defaultdict[str, float] = defaultdict(float)
        for term, weight in keys[entry.id].items():
            for other, other_weight in postings[term]:
                scores[other] += weight * other_weight
        linked = linked_ids(catalog, entry) | {entry.id}
        ranked = sorted((item for item in scores.items() if item[0] not in linked), key=lambda i: (-i[1], i[0]))
        related[entry.id] = [other for other, score in ranked[:limit] if score > 0]
    return related


def linked_ids(catalog: Catalog, entry: Entry) -> set[str]:
    """The ids an entry's page already links explicitly."""
    if isinstance(entry, Tool):
        return (
            {t.id for t in catalog.related(entry)}
            | {t.id for t in catalog.combinations(entry)}
            | {use.lesson.id for use in catalog.lessons_using(entry.id)}
        )
    assert isinstance(entry, Lesson)
    return {use.tool for use in entry.tools_used}
