"""The catalog: every entry, cross-linked, with the checks that span more than one file."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from apkb.content.front_matter import field_name
from apkb.content.load import TOOLKIT_DIR, Entry
from apkb.content.model import Lesson, Tool, ToolUse
from apkb.content.problems import Problem, display_path
from apkb.content.vocabulary import vocabularies

RESERVED_IDS = frozenset({"index", *vocabularies().categories.ids})
"""Ids that would collide with generated index pages (toolkit/<category>.html, toolkit/index.html)."""


@dataclass(frozen=True)
class LessonUse:
    """A lesson in which a tool was used, and how it fared there."""

    lesson: Lesson
    use: ToolUse


class Catalog:
    """All tools and lessons, with the links between them resolved in both directions."""

    def __init__(self, tools: Iterable[Tool], lessons: Iterable[Lesson]) -> None:
        self.tools: dict[str, Tool] = {tool.id: tool for tool in sorted(tools, key=lambda t: t.id)}
        self.lessons: dict[str, Lesson] = {
            lesson.id: lesson for lesson in sorted(lessons, key=lambda lesson: lesson.id)
        }
        self.aliases: dict[str, str] = {
            alias: entry.id for entry in self.entries() for alias in entry.aliases
        }
        self._uses: dict[str, list[LessonUse]] = {}
        for lesson in sorted(self.lessons.values(), key=lambda lesson: (lesson.period.start, lesson.id)):
            for use in lesson.tools_used:
                tool = self.tool(use.tool)
                if tool is not None:
                    self._uses.setdefault(tool.id, []).append(LessonUse(lesson, use))
        # Links are declared on either side; both directions are indexed once, so that looking them up costs
        # the same however many tools there are (scanning every tool per lookup made builds quadratic).
        self._links: dict[str, dict[str, set[str]]] = {"related": {}, "combines_with": {}}
        for field, links in self._links.items():
            for tool in self.tools.values():
                for other in {self.aliases.get(i, i) for i in getattr(tool, field)}:
                    if other in self.tools and other != tool.id:
                        links.setdefault(tool.id, set()).add(other)
                        links.setdefault(other, set()).add(tool.id)

    def entries(self) -> Iterator[Entry]:
        """Every tool, then every lesson, each in id order."""
        yield from self.tools.values()
        yield from self.lessons.values()

    def get(self, entry_id: str) -> Entry | None:
        """The entry with this id or former id (alias)."""
        entry_id = self.aliases.get(entry_id, entry_id)
        return self.tools.get(entry_id) or self.lessons.get(entry_id)

    def tool(self, tool_id: str) -> Tool | None:
        """The tool with this id or former id."""
        return self.tools.get(self.aliases.get(tool_id, tool_id))

    def tools_in(self, category: str) -> list[Tool]:
        """The tools of one category, by title."""
        return sorted((t for t in self.tools.values() if t.category == category), key=lambda t: t.title)

    def lessons_using(self, tool_id: str) -> list[LessonUse]:
        """The lessons in which a tool was used (or missed), oldest first."""
        return list(self._uses.get(tool_id, []))

    def related(self, tool: Tool) -> list[Tool]:
        """Tools this one lists as related, and tools that list it, by title."""
        return self._linked(tool, "related")

    def combinations(self, tool: Tool) -> list[Tool]:
        """Tools that work better together with this one, declared on either side, by title."""
        return self._linked(tool, "combines_with")

    def _linked(self, tool: Tool, field: str) -> list[Tool]:
        ids = self._links[field].get(tool.id, set())
        return sorted((self.tools[i] for i in ids), key=lambda t: (t.title, t.id))

    @classmethod
    def build(cls, entries: Iterable[Entry], failed_ids: Iterable[str] = ()) -> tuple[Catalog, list[Problem]]:
        """Cross-check the entries and build the catalog from those whose identity is sound.

        When two entries claim the same id, the earlier one keeps it and the later one is reported.
        ``failed_ids`` names entries that exist but did not load: references to them are left unreported,
        since their own problems are reported already.
        """
        problems: list[Problem] = []
        accepted: list[Entry] = []
        claimed: dict[str, Entry] = {}
        for entry in entries:  # in load order: the knowledge base's own files first, extra paths after
            identity_problems = _identity_problems(entry, claimed)
            problems.extend(identity_problems)
            if identity_problems:
                continue
            accepted.append(entry)
            for name in (entry.id, *entry.aliases):
                claimed[name] = entry
        catalog = cls(
            [e for e in accepted if isinstance(e, Tool)], [e for e in accepted if isinstance(e, Lesson)]
        )
        skipped = set(failed_ids)
        for entry in catalog.entries():
            problems.extend(_reference_problems(catalog, entry, skipped))
        return catalog, problems


def _where(entry: Entry, *field: str | int) -> tuple[str, int | None]:
    return display_path(entry.path) if entry.path else entry.id, entry.line_of(*field)


def _identity_problems(entry: Entry, claimed: dict[str, Entry]) -> list[Problem]:
    problems: list[Problem] = []
    location: tuple[str | int, ...]
    shown, line = _where(entry, "id")
    if entry.path is not None and entry.path.stem != entry.id:
        problems.append(
            Problem(shown, f"found {entry.id!r}; expected the file's name, {entry.path.stem!r}", line, "id")
        )
    if isinstance(entry, Tool) and entry.id in RESERVED_IDS:
        problems.append(Problem(shown, f"{entry.id!r} is reserved for an index page; choose another id", line, "id"))
    if isinstance(entry, Tool) and entry.path is not None:
        folder = entry.path.parent.name
        if entry.path.parent.parent.name == TOOLKIT_DIR and folder != entry.category:
            where = _where(entry, "category")
            problems.append(
                Problem(
                    where[0],
                    f"found {entry.category!r}, but the file is in toolkit/{folder}/; "
                    f"move it to toolkit/{entry.category}/ or change the category",
                    where[1],
                    "category",
                )
            )
    if entry.id in entry.aliases:
        location = ("aliases", entry.aliases.index(entry.id))
        message = f"{entry.id!r} is this entry's own id: its old address would redirect to itself, in a circle"
        problems.append(Problem(shown, message, entry.line_of(*location), field_name(location)))
    for index, name in enumerate((entry.id, *entry.aliases)):
        other = claimed.get(name)
        if other is None:
            continue
        location = ("id",) if index == 0 else ("aliases", index - 1)
        message = f"{name!r} is already used by {_where(other)[0]}; ids and aliases must be unique"
        if entry.id in other.aliases and other.id in entry.aliases:
            message = (
                f"{entry.id!r} and {other.id!r} ({_where(other)[0]}) name each other as former ids, so their "
                "old addresses would redirect in a circle; keep the former id only on the entry that replaced the other"
            )
        problems.append(Problem(shown, message, entry.line_of(*location), field_name(location)))
    return problems


def _reference_problems(catalog: Catalog, entry: Entry, failed_ids: set[str]) -> Iterator[Problem]:
    references: list[tuple[tuple[str | int, ...], str]] = []
    if isinstance(entry, Tool):
        for field in ("related", "combines_with"):
            references += [((field, i), ref) for i, ref in enumerate(getattr(entry, field))]
    else:
        references += [(("tools_used", i, "tool"), use.tool) for i, use in enumerate(entry.tools_used)]
    for location, ref in references:
        target = catalog.tool(ref)
        shown, line = _where(entry, *location)
        name = field_name(location)
        if target is not None:
            if target is entry:
                yield Problem(shown, f"found {ref!r}: a tool cannot list itself", line, name)
            continue
        if ref in failed_ids:
            continue
        close = difflib.get_close_matches(ref, [*catalog.tools, *catalog.aliases], n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        yield Problem(shown, f"found {ref!r}, which is not the id of any tool{hint}", line, name)
