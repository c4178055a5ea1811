"""Training modules: Markdown pages in docs/training/ whose front matter says who they are for, how long they
take, what they teach, and which tools, lessons and scenarios they use. Validated like entries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import Field, PrivateAttr, ValidationError

from apkb.content.catalog import Catalog
from apkb.content.front_matter import (
    FieldPath,
    field_name,
    nearest_line,
    read_front_matter,
)
from apkb.content.problems import ContentError, Problem, display_path
from apkb.content.pydantic_problems import validation_problems
from apkb.content.terms import ShortText, Slug, Strict, Text, Title, UniqueList

MODULES_DIR = "training"
"""Where modules live, relative to the docs folder."""

RESERVED_MODULE_IDS = frozenset({"index"})
"""training/index.md is the generated list of modules and scenarios."""


class TrainingModule(Strict):
    """A training module for embassy staff, linked to the entries it teaches."""

    id: Slug = Field(description="Permanent: equals the file name and makes the URL.")
    title: Title
    description: ShortText | None = Field(default=None, description="One or two sentences on what it covers.")
    audience: UniqueList(Text, min_length=1) = Field(description="Who the module is for.")
    duration: Annotated[int, Field(ge=5, le=2880)] = Field(description="How long it takes, in minutes.")
    objectives: UniqueList(Text, min_length=1) = Field(description="What participants can do afterwards.")
    prerequisites: UniqueList(Text) = Field(default_factory=list, description="What to know or read first.")
    tools: UniqueList(Slug) = Field(default_factory=list, description="Ids of the tools the module uses.")
    lessons: UniqueList(Slug) = Field(default_factory=list, description="Ids of the lessons the module uses.")
    scenarios: UniqueList(Slug) = Field(
        default_factory=list, description="Ids of training scenarios (docs/training/scenarios/<id>.yml) it runs."
    )
    backtests: UniqueList(Slug) = Field(
        default_factory=list,
        description="Ids of lessons whose decision point the page runs the recommender on, with that lesson left "
        "out of the case base, beside what was done there.",
    )
    last_reviewed: datetime.date | None = None

    _path: Path | None = PrivateAttr(default=None)
    _lines: dict[FieldPath, int] = PrivateAttr(default_factory=dict)

    @property
    def path(self) -> Path | None:
        return self._path

    def line_of(self, *path: str | int) -> int:
        return nearest_line(self._lines, path) or 1

    @property
    def duration_text(self) -> str:
        """The duration as people say it: '45 minutes', '1 hour 30 minutes', '2 hours'."""
        hours, minutes = divmod(self.duration, 60)
        parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
        parts += [f"{minutes} minute{'s' if minutes != 1 else ''}"] if minutes else []
        return " ".join(parts)


@dataclass
class LoadedModules:
    modules: list[TrainingModule]
    problems: list[Problem]

    @property
    def ids(self) -> list[str]:
        return [module.id for module in self.modules]


def module_files(docs_dir: Path) -> list[Path]:
    """The module files: every Markdown file directly in docs/training/ except a hand-written index."""
    folder = docs_dir / MODULES_DIR
    return sorted(p for p in folder.glob("*.md") if p.is_file()) if folder.is_dir() else []


def load_modules(docs_dir: Path) -> LoadedModules:
    """Every training module, with the problems of those that do not load."""
    modules: list[TrainingModule] = []
    problems: list[Problem] = []
    for path in module_files(docs_dir):
        shown = display_path(path)
        try:
            document = read_front_matter(path)
        except ContentError as error:
            problems += error.problems
            continue
        try:
            module = TrainingModule.model_validate(document.metadata)
        except ValidationError as error:
            problems += validation_problems(shown, error, TrainingModule, document.line_of)
            continue
        module._path, module._lines = path, document.lines
        if module.id != path.stem or module.id in RESERVED_MODULE_IDS:
            message = (
                f"found {module.id!r}; the id must equal the file name {path.stem!r}"
                if module.id != path.stem
                else f"{module.id!r} is reserved for the generated list of modules; choose another id"
            )
            problems.append(Problem(shown, message, document.line_of(("id",)), "id"))
            continue
        modules.append(module)
    return LoadedModules(modules, problems)


def reference_problems(
    module: TrainingModule, catalog: Catalog, scenario_ids: set[str], failed_ids: set[str] = frozenset()
) -> list[Problem]:
    """A problem for each tool, lesson or scenario the module names that does not exist (entries that exist
    but failed to load are reported on their own, not here)."""
    shown = display_path(module.path) if module.path else module.id
    problems: list[Problem] = []
    checks = (
        ("tools", lambda i: catalog.tool(i) is not None, "tool"),
        ("lessons", lambda i: (e := catalog.get(i)) is not None and e.kind == "lesson", "lesson"),
        ("backtests", lambda i: (e := catalog.get(i)) is not None and e.kind == "lesson", "lesson"),
        ("scenarios", lambda i: i in scenario_ids, "training scenario"),
    )
    for name, exists, what in checks:
        for index, item in enumerate(getattr(module, name)):
            if not exists(item) and item not in failed_ids:
                problems.append(
                    Problem(shown, f"found {item!r}, which is not the id of any {what}",
                            module.line_of(name, index), field_name((name, index)))
                )
    return problems
