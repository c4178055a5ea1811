"""The words of the knowledge base, most frequent first: what a search for a misspelt word is compared with, so
that "sanctons" can be answered "Did you mean sanctions?" (the site's search box and ``apkb search``)."""

from __future__ import annotations

import re
from collections import Counter

from apkb.content.catalog import Catalog

_WORD = re.compile(r"[^\W\d_][^\W\d_'’-]{3,}")
MIN_COUNT = 2
"""A word must occur this often to be suggested: a word written once is as likely a typo as the query."""


def words(catalog: Catalog) -> list[str]:
    """Every word of four letters or more in the entries' titles, summaries and bodies that occurs at least
    MIN_COUNT times, lower-cased, most frequent first (ties alphabetically)."""
    counts: Counter[str] = Counter()
    for entry in catalog.entries():
        for text in (entry.title, entry.summary, entry.body):
            counts.update(word.lower() for word in _WORD.findall(text))
    kept = [(word, n) for word, n in counts.items() if n >= MIN_COUNT]
    return [word for word, _ in sorted(kept, key=lambda item: (-item[1], item[0]))]


def distance(a: str, b: str) -> int:
    """The edit distance between two words, counting a swap of neighbouring letters as one edit."""
    rows = [list(range(len(b) + 1))]
    for i, x in enumerate(a, 1):
        row = [i]
        for j, y in enumerate(b, 1):
            row.append(min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (x != y)))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def allowed_edits(word: str) -> int:
    """How far a suggestion may be from the word typed: one edit for short words, two from eight letters."""
    return 1 if len(word) < 8 else 2


def suggestion(query: str, known: list[str]) -> str | None:
    """The query with each word the knowledge base does not contain replaced by its nearest known word (the most
    frequent among the nearest), or None when every word is known or none has a near neighbour."""
    vocabulary = set(known)
    changed, out = False, []
    for word in query.split():
        lower = word.lower()
        if len(lower) < 4 or lower in vocabulary:
            out.append(word)
            continue
        limit = allowed_edits(lower)
        best = min((w for w in known if abs(len(w) - len(lower)) <= limit),
                   key=lambda w: distance(lower, w), default=None)
        if best is not None and distance(lower, best) <= limit:
            out.append(best)
            changed = True
        else:
            out.append(word)
    return " ".join(out) if changed else None
