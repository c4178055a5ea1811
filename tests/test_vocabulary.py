"""The vocabularies are the single source of allowed terms; these tests pin what users rely on."""

from __future__ import annotations

from apkb.content.vocabulary import VOCABULARY_NAMES, vocabularies


def test_the_framework_has_fourteen_risk_factors_in_order() -> None:
    framework = vocabularies().risk_factors
    assert framework.ids == tuple(f"RF{n:02d}" for n in range(1, 15))
    assert [f.number for f in framework.risk_factors] == list(range(1, 15))


def test_risk_factors_are_grouped_as_the_framework_groups_them() -> None:
    factors = vocabularies().risk_factors.risk_factors
    assert [f.group for f in factors] == ["common"] * 8 + ["specific"] * 6
    assert [f.crime for f in factors[8:]] == [
        "genocide", "genocide", "crimes-against-humanity", "crimes-against-humanity", "war-crimes", "war-crimes",
    ]
    assert factors[7].name == "Triggering factors"


def test_indicators_are_numbered_under_their_own_factor() -> None:
    for factor in vocabularies().risk_factors.risk_factors:
        for indicator in factor.indicators:
            assert indicator.id.split(".")[0] == str(factor.number), (factor.id, indicator.id)
        ids = [indicator.id for indicator in factor.indicators]
        assert len(ids) == len(set(ids)), factor.id


def test_every_vocabulary_has_unique_term_ids() -> None:
    for name in VOCABULARY_NAMES:
        ids = getattr(vocabularies(), name).ids
        assert len(ids) == len(set(ids)), name


def test_scales_run_in_their_stated_order() -> None:
    v = vocabularies()
    assert v.stages.ids == ("prevention", "mitigation", "response")
    assert v.certainty.ids == ("high", "moderate", "low", "very-low")
    assert v.time_to_effect.rank("days") < v.time_to_effect.rank("years")
    assert v.effects.ids[0] == "beneficial" and v.effects.ids[-1] == "likely-ineffective-or-harmful"
