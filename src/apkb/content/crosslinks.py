"""Stable cross-links in Markdown: ``[text](tool:targeted-sanctions)``, ``[text](lesson:kenya-2008)``,
``[text](module:reading-the-framework)`` and ``[text](rf:RF07)``.

Writers link to permanent ids, never to file paths, so links survive renames (an old id resolves through
``aliases``) and moves of the site. At build time each link becomes a relative link to the right page; an
unknown id is a problem naming the file and the line, found by ``apkb validate`` too.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from apkb.content import urls
from apkb.content.catalog import Catalog
from apkb.content.markdown_code import line_at, mask_code
from apkb.content.problems import Problem
from apkb.content.vocabulary import vocabularies

SCHEMES = ("tool", "lesson", "module", "rf")
_LINK = re.compile(r"\]\((?P<scheme>tool|lesson|module|rf):(?P<target>[^)\s#]*)(?P<fragment>#[^)\s]*)?\)")


@dataclass(frozen=True)
class CrossLink:
    """One cross-link found in Markdown: where it is, and what it points to."""

    scheme: str
    target: str
    fragment: str
    line: int
    start: int
    end: int
    """Offsets of the link target, ``scheme:target#fragment``, within the whole text."""

    @property
    def written(self) -> str:
        return f"{self.scheme}:{self.target}{self.fragment}"


def find_links(text: str, first_line: int = 1) -> Iterator[CrossLink]:
    """Every cross-link in ``text`` outside code, with its line (counting from ``first_line``; only ``\r\n``,
    ``\r`` and ``\n`` end a line, as in editors, not the form feeds and U+2028 that str.splitlines counts)."""
    for match in _LINK.finditer(mask_code(text)):
        yield CrossLink(
            match["scheme"], match["target"], match["fragment"] or "", line_at(text, match.start(), first_line),
            match.start() + 2, match.end() - 1,
        )


class Resolver:
    """Turns cross-link ids into docs-relative page paths, knowing every entry, module and risk factor."""

    def __init__(
        self, catalog: Catalog, modules: Iterator[str] | list[str] = (), failed_ids: set[str] = frozenset()
    ) -> None:
        self.catalog = catalog
        self.modules = set(modules)
        self.failed_ids = failed_ids
        """Entries that exist but did not load: links to them are not reported, their own problem is."""
        self.risk_factors = set(vocabularies().risk_factors.ids)

    def page(self, link: CrossLink) -> str | None:
        """The docs-relative Markdown path (with fragment) the link points to, or None if the id is unknown."""
        if link.scheme == "tool":
            tool = self.catalog.tool(link.target)
            return urls.tool_page(tool.id) + link.fragment if tool else None
        if link.scheme == "lesson":
            entry = self.catalog.get(link.target)
            return urls.lesson_page(entry.id) + link.fragment if entry is not None and entry.kind == "lesson" else None
        if link.scheme == "module":
            return urls.module_page(link.target) + link.fragment if link.target in self.modules else None
        factor = link.target.upper()
        return f"{urls.METHODOLOGY}#{urls.risk_factor_anchor(factor)}" if factor in self.risk_factors else None

    def known(self, scheme: str) -> list[str]:
        """The ids a scheme accepts, for suggestions."""
        if scheme == "tool":
            return [*self.catalog.tools, *(a for a, i in self.catalog.aliases.items() if i in self.catalog.tools)]
        if scheme == "lesson":
            return [*self.catalog.lessons, *(a for a, i in self.catalog.aliases.items() if i in self.catalog.lessons)]
        if scheme == "module":
            return sorted(self.modules)
        return sorted(self.risk_factors)

    def problem(self, link: CrossLink, shown_path: str) -> Problem:
        """The problem for a link whose id is unknown, with the closest ids."""
        what = {"tool": "tool", "lesson": "lesson", "module": "training module", "rf": "risk factor"}[link.scheme]
        close = difflib.get_close_matches(link.target, self.known(link.scheme), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        return Problem(shown_path, f"({link.written}) is not the id of any {what}{hint}", link.line, "link")


def check_links(text: str, shown_path: str, resolver: Resolver, first_line: int = 1) -> list[Problem]:
    """A problem for every cross-link in ``text`` whose id is unknown."""
    return [
        resolver.problem(link, shown_path)
        for link in find_links(text, first_line)
        if resolver.page(link) is None and link.target not in resolver.failed_ids
    ]


def rewrite_links(text: str, from_page: str, resolve: Callable[[CrossLink], str | None]) -> str:
    """``text`` with each resolvable cross-link replaced by a link relative to ``from_page``; others are kept."""
    pieces: list[str] = []
    last = 0
    for link in find_links(text):
        target = resolve(link)
        if target is None:
            continue
        page, _, fragment = target.partition("#")
        pieces += [text[last:link.start], urls.relative(from_page, page) + (f"#{fragment}" if fragment else "")]
        last = link.end
    pieces.append(text[last:])
    return "".join(pieces)
