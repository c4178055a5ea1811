"""Training scenarios: risk profiles kept as YAML files in the docs, each shown on the site with its
recommendation and a link that opens the recommender pre-filled."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from apkb.content.problems import ContentError, Problem, display_path
from apkb.content.profile import Profile, load_profile

SCENARIOS_DIR = "training/scenarios"
"""Where scenario files live, relative to the docs folder; each page is published beside its file."""


@dataclass(frozen=True)
class Scenario:
    """A named training profile."""

    id: str
    profile: Profile
    source: str
    """The scenario file's path relative to the docs folder, so the page can offer it for download."""


def load_scenarios(docs_dir: Path) -> tuple[list[Scenario], list[Problem]]:
    """Every scenario under ``docs_dir``/training/scenarios, in id order, and the problems of those that fail."""
    folder = docs_dir / SCENARIOS_DIR
    scenarios: list[Scenario] = []
    problems: list[Problem] = []
    if not folder.is_dir():
        return scenarios, problems
    for path in sorted([*folder.glob("*.yml"), *folder.glob("*.yaml"), *folder.glob("*.json")]):
        try:
            profile = load_profile(path)
        except ContentError as error:
            problems.extend(error.problems)
            continue
        if profile.title is None:
            problems.append(Problem(display_path(path), "a training scenario needs a title", 1, "title"))
            continue
        scenarios.append(Scenario(path.stem, profile, f"{SCENARIOS_DIR}/{path.name}"))
    return scenarios, problems
