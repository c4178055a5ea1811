"""The Python engine and the browser engine implement one scoring specification: same ranking, same scores."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import Any

import pytest
import yaml

from apkb.content.catalog import Catalog
from apkb.content.profile import Profile
from apkb.content.scenarios import load_scenarios
from apkb.content.validate import validate
from apkb.recommend.fragment import profile_fragment
from apkb.recommend.recommendation import recommend
from apkb.recommend.spec import engine_data, profile_data
from conftest import FIXTURE_SITE, FIXTURES, REPO

VECTORS = FIXTURES / "recommender" / "vectors.yml"
RUNNER = REPO / "tests" / "js" / "run_engine.js"
NODE = shutil.which("node") or shutil.which("nodejs")

if NODE is None and os.environ.get("CI"):
    pytest.fail("node is required in CI for the parity tests (.ci/run installs nodejs)", pytrace=False)
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed; the browser engine cannot be run")


def vectors() -> list[tuple[str, Profile]]:
    items = yaml.safe_load(VECTORS.read_text(encoding="utf-8"))
    profiles = [(item.pop("name"), Profile.model_validate(item)) for item in items]
    scenarios, problems = load_scenarios(REPO / "docs")
    assert not problems
    return profiles + [(f"scenario:{s.id}", s.profile) for s in scenarios]


def run_node(data: dict[str, Any], profiles: list[dict[str, Any]], fragments: list[str] = ()) -> dict[str, Any]:
    payload = json.dumps({"data": data, "profiles": profiles, "fragments": list(fragments)})
    done = subprocess.run([NODE, str(RUNNER)], input=payload, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module", params=["real", "fixture"])
def catalog(request: pytest.FixtureRequest) -> Catalog:
    report = validate(REPO if request.param == "real" else FIXTURE_SITE)
    assert report.ok
    return report.catalog


def test_there_are_at_least_twenty_shared_vectors() -> None:
    assert len(yaml.safe_load(VECTORS.read_text(encoding="utf-8"))) >= 20


def test_both_engines_rank_every_vector_identically(catalog: Catalog) -> None:
    data = engine_data(catalog)
    cases = vectors()
    browser = run_node(data, [profile_data(profile) for _, profile in cases])["results"]
    for (name, profile), js in zip(cases, browser, strict=True):
        python = recommend(catalog, profile, data)
        assert [s.id for s in python.ranked] == [r["id"] for r in js["ranked"]], name
        assert [t["id"] for t in python.excluded] == js["excluded"], name
        assert [n.case["id"] for n in python.near] == [n["id"] for n in js["near"]], name
        for near, other in zip(python.near, js["near"], strict=True):
            assert near.similarity == pytest.approx(other["similarity"], abs=1e-12), (name, near.case["id"])
        for scored, other in zip(python.ranked, js["ranked"], strict=True):
            assert scored.total == pytest.approx(other["total"], abs=1e-9), (name, scored.id)
            for part, points in scored.parts.items():
                assert points == pytest.approx(other["parts"][part], abs=1e-9), (name, scored.id, part)
            assert (scored.rank, scored.shown_rank, scored.tier, scored.tied) == (
                other["rank"], other["shown_rank"], other["tier"], other["tied"]
            ), (name, scored.id)
            assert (scored.reasons, scored.shortfalls, scored.cautions) == (
                other["reasons"], other["shortfalls"], other["cautions"]
            ), (name, scored.id)
        assert [(b.id, b.blocked_by, b.reasons, [t["id"] for t in b.alternatives]) for b in python.blocked] == [
            (b["id"], b["blocked_by"], b["reasons"], b["alternatives"]) for b in js["blocked"]
        ], name


def test_both_engines_write_and_read_the_same_link(catalog: Catalog) -> None:
    data = engine_data(catalog)
    cases = vectors()
    fragments = [profile_fragment(profile) for _, profile in cases]
    out = run_node(data, [profile_data(profile) for _, profile in cases], fragments)
    assert [r["fragment"] for r in out["results"]] == fragments
    known = set(catalog.tools)
    for (name, profile), parsed in zip(cases, out["parsed"], strict=True):
        expected = profile_data(profile)
        expected["constraints"]["exclude"] = [t for t in expected["constraints"]["exclude"] if t in known]
        assert parsed == expected, name
