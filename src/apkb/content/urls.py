"""Where each generated page lives. A page's address depends only on the entry's permanent id, never on its
category or title, so that links from training material keep working when an entry is recategorised."""

from __future__ import annotations

import posixpath
from functools import lru_cache

TOOLKIT_INDEX = "toolkit/index.md"
LESSONS_INDEX = "lessons/index.md"
METHODOLOGY = "methodology.md"
RECOMMEND = "recommend.md"
EVALUATION = "recommender-evaluation.md"
"""The backtest page, which `apkb evaluate --write` writes into the docs."""
TRAINING_INDEX = "training/index.md"
EWP_PAGE = "ewp-profiles.md"
REVIEW_DUE = "review-due.md"
RECENTLY_UPDATED = "recently-updated.md"
CONTRIBUTING = "contributing.md"
RECOMMENDER_SCRIPTS = ("assets/apkb/recommender-data.js", "assets/apkb/recommender.js", "assets/apkb/recommender-ui.js")


def tool_page(tool_id: str) -> str:
    """The docs-relative Markdown path of a tool's page."""
    return f"toolkit/{tool_id}.md"


def lesson_page(lesson_id: str) -> str:
    """The docs-relative Markdown path of a lesson's page."""
    return f"lessons/{lesson_id}.md"


def category_page(category: str) -> str:
    """The docs-relative Markdown path of a category's index page."""
    return f"toolkit/{category}.md"


def module_page(module_id: str) -> str:
    """The docs-relative Markdown path of a training module (a hand-written page in docs/training/)."""
    return f"training/{module_id}.md"


def scenario_page(scenario_id: str) -> str:
    """The docs-relative Markdown path of a training scenario's page, beside its YAML file."""
    return f"training/scenarios/{scenario_id}.md"


def risk_factor_anchor(factor_id: str) -> str:
    """The fragment of a risk factor on the methodology page."""
    return factor_id.lower()


def html_path(markdown_path: str) -> str:
    """The site path a Markdown page is published at (the site is built with use_directory_urls off)."""
    return markdown_path.removesuffix(".md") + ".html"


@lru_cache(maxsize=65536)
def relative(from_page: str, to_page: str) -> str:
    """A link from one docs-relative page to another, as Markdown source should write it."""
    return posixpath.relpath(to_page, posixpath.dirname(from_page) or ".")
