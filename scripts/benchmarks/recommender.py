"""The recommender steps: one profile against the whole catalogue, in Python and in headless Chromium.

``recommender_steps`` times ``engine_data`` (best of 3) and ``recommend`` in Python, then the site's
``recommender.js`` over the same data in Chromium (``APKB_CHROMIUM``, default /usr/bin/chromium), which
--quick, or a missing Chromium, marks skipped.
"""

from __future__ import annotations

import gc
import json
import os
import time
from pathlib import Path
from typing import Any

import make_corpus  # scripts/make_corpus.py (bench.py puts scripts/ on sys.path)

from apkb.content.profile import Profile
from apkb.recommend.recommendation import recommend
from apkb.recommend.spec import engine_data, profile_data

from .steps import Skipped, Value, percentile, step

CHROMIUM = Path(os.environ.get("APKB_CHROMIUM", "/usr/bin/chromium"))

PROFILE = {
    "title": "Benchmark profile: mitigation before an election",
    "stage": "mitigation",
    "situations": ["election"],
    "risk_factors": {"RF04": 2, "RF07": 2, "RF08": 3, "RF09": 2},
    "constraints": {
        "leverage": "medium",
        "time_horizon": "weeks",
        "budget": "medium",
        "actors_available": ["embassy", "foreign-ministry", "regional-organisation"],
        "exclude": [make_corpus.tool_id(1)],
    },
}
"""The README's example profile; it excludes the first synthetic tool so that the exclusion path runs too."""


def recommender_steps(results: dict[str, Value], catalog: Any, runs: int, timeout: float, browser: bool) -> None:
    profile = Profile.model_validate(PROFILE)
    box: dict[str, Any] = {}

    def python() -> dict[str, Value]:
        builds = []
        for _ in range(3):
            began = time.perf_counter()
            data = engine_data(catalog)
            builds.append(time.perf_counter() - began)
        built = min(builds)
        box["data"] = data
        recommend(catalog, profile, data)
        gc.collect()  # start from a clean heap; collections during the loop are part of the cost
        times = []
        for _ in range(runs):
            began = time.perf_counter()
            recommend(catalog, profile, data)
            times.append(time.perf_counter() - began)
        return {"engine_data": built, "rec_py_p50": percentile(times, 0.5), "rec_py_p95": percentile(times, 0.95)}

    step(results, f"recommender in Python, {runs} runs", ["engine_data", "rec_py_p50", "rec_py_p95"], timeout, python)
    if not browser:
        results["rec_js_p50"] = results["rec_js_p95"] = Skipped("--quick")
        return
    if not CHROMIUM.exists():
        results["rec_js_p50"] = results["rec_js_p95"] = Skipped(f"{CHROMIUM} is missing")
        return

    def chromium() -> dict[str, Value]:
        from importlib.resources import files

        from playwright.sync_api import sync_playwright

        data = box.get("data") or engine_data(catalog)
        engine = files("apkb.site").joinpath("static/recommender.js").read_text(encoding="utf-8")
        with sync_playwright() as playwright:
            browser_ = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            try:
                page = browser_.new_page()
                page.set_content("<!doctype html><html><head><title>bench</title></head><body></body></html>")
                page.add_script_tag(content=engine)
                page.add_script_tag(content="window.APKB_DATA = " + json.dumps(data, separators=(",", ":")) + ";")
                times = page.evaluate(
                    """([profile, runs]) => {
                        const engine = window.APKBRecommender, data = window.APKB_DATA;
                        const normal = engine.normaliseProfile(data, profile);
                        engine.recommend(data, normal);
                        const times = [];
                        for (let i = 0; i < runs; i++) {
                            const began = performance.now();
                            engine.recommend(data, normal);
                            times.push(performance.now() - began);
                        }
                        return times;
                    }""",
                    [profile_data(profile), runs],
                )
            finally:
                browser_.close()
        seconds = [t / 1000 for t in times]
        return {"rec_js_p50": percentile(seconds, 0.5), "rec_js_p95": percentile(seconds, 0.95)}

    step(results, f"recommender in Chromium, {runs} runs", ["rec_js_p50", "rec_js_p95"], timeout, chromium)
