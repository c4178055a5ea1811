"""The word list behind the site search's "Did you mean ...?" (the suggestion itself is tested in the browser)."""

from __future__ import annotations

from apkb.content.validate import validate
from apkb.search.spelling import MIN_COUNT, words
from conftest import REPO


def test_the_words_are_the_knowledge_bases_own_once_each_and_none_written_only_once() -> None:
    catalog = validate(REPO).catalog
    known = words(catalog)
    assert {"sanctions", "rwanda", "mediation", "genocide"} <= set(known)
    assert len(known) == len(set(known)) and all(word == word.lower() and len(word) >= 4 for word in known)
    text = " ".join(" ".join((e.title, e.summary, e.body)).lower() for e in catalog.entries())
    assert all(text.count(word) >= MIN_COUNT for word in known[-50:]), "rare words are kept only if repeated"
