"""Spelling suggestions for search: a misspelt word is answered with the nearest word the knowledge base uses."""

from __future__ import annotations

from apkb.content.validate import validate
from apkb.search.spelling import distance, suggestion, words
from conftest import REPO


def test_edit_distance_counts_a_swap_as_one() -> None:
    assert distance("sanctons", "sanctions") == 1
    assert distance("santcions", "sanctions") == 1
    assert distance("rwanda", "rwanda") == 0
    assert distance("genocide", "genocidal") == 2


def test_the_words_are_the_knowledge_bases_own_once_each() -> None:
    known = words(validate(REPO).catalog)
    assert {"sanctions", "rwanda", "mediation", "genocide"} <= set(known)
    assert len(known) == len(set(known)) and all(word == word.lower() for word in known)


def test_a_misspelt_query_gets_the_nearest_known_words_and_a_good_one_none() -> None:
    known = words(validate(REPO).catalog)
    assert suggestion("sanctons", known) == "sanctions"
    assert suggestion("targetted sanctons", known) == "targeted sanctions"
    assert suggestion("arms embargo", known) is None, "known words need no suggestion"
    assert suggestion("zzzzqqqq", known) is None, "nothing near: no guess"
