"""The words of the knowledge base, most frequent first: what the site's search box compares a misspelt word with,
so that "sanctons" is answered "Did you mean sanctions?" (static/search-suggest.js does the comparing; ``apkb
search`` has whoosh's own suggestions)."""

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
