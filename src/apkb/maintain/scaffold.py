"""``apkb new``: start a tool or a lesson from a template, with every field present and nothing filled in.

The front matter is generated from the model, so it always has every field, in the order ``apkb fmt``
writes: the id, the title, the category and today's date are filled in; every other value is left null
(or an empty list), so that ``apkb validate`` names each field until a maintainer fills it in. A list the
model requires (studies, risks, a lesson's sources and tools used) holds one empty item showing its fields.
The body is rendered from ``templates/new_<kind>.md.j2``: the standard sections, with a prompt under each.
"""

from __future__ import annotations

import datetime
import difflib
import re
import typing
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from whoosh.analysis import StemmingAnalyzer

from apkb.content.catalog import RESERVED_IDS, Catalog
from apkb.content.front_matter import read_front_matter
from apkb.content.load import LESSONS_DIR, TOOLKIT_DIR, entry_files
from apkb.content.model import KINDS, Lesson, Tool
from apkb.content.problems import ContentError, display_path
from apkb.content.templating import template_environment
from apkb.content.terms import SLUG_PATTERN
from apkb.content.urls import html_path, lesson_page, tool_page
from apkb.content.validate import validate
from apkb.content.vocabulary import vocabularies
from apkb.maintain.fmt import child_model, field_order, render_front_matter
from apkb.search.index import SearchIndexError, default_cache_dir, search_cache
from apkb.search.query import QueryError

MAX_ID_LENGTH = 80
SIMILAR_LIMIT = 3
MIN_COVERAGE = 0.5
"""A search hit is similar when its title and summary hold more than this share of the new title's words."""
MIN_TITLE_RATIO = 0.6
"""Or when difflib finds its title at least this close to the new one."""

_FOLDED_LETTERS = str.maketrans({
    "ß": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d",
    "ł": "l", "Ł": "l", "þ": "th", "Þ": "th", "ð": "d", "Ð": "d", "ı": "i",
})
_APOSTROPHES = re.compile("['’ʼ‘`]")


class ScaffoldError(Exception):
    """A new entry that cannot be created; the message says why and what to do."""


def ascii_fold(text: str) -> str:
    """``text`` with accents taken off and other letters spelt in ASCII (Côte → Cote, Straße → Strasse);
    any other character outside ASCII (a dash, a letter of another script) becomes a space."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLDED_LETTERS))
    return "".join(c if c.isascii() else " " for c in decomposed if not unicodedata.combining(c))


def slugify(title: str, max_length: int = MAX_ID_LENGTH) -> str:
    """An id from a title: ASCII, lowercase words joined by hyphens, at most ``max_length`` characters,
    cut at a word boundary. Apostrophes join (Côte d'Ivoire → cote-divoire). May be empty."""
    text = ascii_fold(_APOSTROPHES.sub("", title)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(slug) > max_length:
        cut = slug[: max_length + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else slug[:max_length]
    return slug.strip("-")


# --- what is already there ------------------------------------------------------------------------------


def used_ids(root: Path) -> dict[str, str]:
    """Every id, former id (alias) and file name in the knowledge base, with what uses it, read from the
    files themselves so that entries which do not validate yet still count."""
    used: dict[str, str] = {}
    for path in entry_files(root):
        shown = display_path(path)
        used.setdefault(path.stem, shown)
        try:
            metadata = read_front_matter(path).metadata
        except ContentError:
            continue
        if isinstance(metadata.get("id"), str):
            used.setdefault(metadata["id"], shown)
        aliases = metadata.get("aliases")
        for alias in aliases if isinstance(aliases, list) else []:
            if isinstance(alias, str):
                used.setdefault(alias, f"{shown} (as a former id)")
    return used


@dataclass(frozen=True)
class Similar:
    """An existing entry that looks like the new one."""

    id: str
    title: str
    path: str
    why: str


def _stems(text: str) -> set[str]:
    return {token.text for token in StemmingAnalyzer()(text)}


def similar_entries(root: Path, kind: str, title: str, catalog: Catalog | None = None) -> list[Similar]:
    """Up to three entries of the same kind whose title or summary match ``title`` well.

    Two searches: whoosh over titles and summaries (the same index as ``apkb search``), keeping hits whose
    title and summary hold at least half of the new title's words (stemmed, stop words aside); and difflib
    over titles, which catches near-identical spellings.
    """
    if catalog is None:
        catalog = validate(root).catalog
    entries = {e.id: e for e in catalog.entries() if e.kind == kind}
    found: dict[str, Similar] = {}
    wanted = _stems(title)
    words = sorted({word for word in re.findall(r"\w+", title.lower()) if _stems(word)})
    if words and entries:
        query = " ".join(f"{field}:{word}" for word in words for field in ("title", "summary"))
        try:
            results, _ = search_cache(root, default_cache_dir(root), lambda: catalog, query, {"kind": kind}, limit=20)
        except (QueryError, SearchIndexError, OSError):  # the similar-entries hint is a courtesy: never fail for it
            results = None
        for hit in results.hits if results else []:
            entry = entries.get(hit.id)
            if entry is None:
                continue
            shared = wanted & _stems(f"{entry.title} {entry.summary}")
            if len(shared) / len(wanted) > MIN_COVERAGE:
                common = [word for word in words if _stems(word) & shared]
                found.setdefault(entry.id, _similar(entry, f"its title or summary has {', '.join(common)}"))
    ratios = sorted(
        ((difflib.SequenceMatcher(None, title.lower(), e.title.lower()).ratio(), e) for e in entries.values()),
        key=lambda pair: (-pair[0], pair[1].id),
    )
    for ratio, entry in ratios:
        if ratio >= MIN_TITLE_RATIO:
            found.setdefault(entry.id, _similar(entry, f"a title {ratio:.0%} alike"))
    return list(found.values())[:SIMILAR_LIMIT]


def _similar(entry: Tool | Lesson, why: str) -> Similar:
    return Similar(entry.id, entry.title, display_path(entry.path) if entry.path else entry.id, why)


# --- the new file ---------------------------------------------------------------------------------------


def _is_list(annotation: Any) -> bool:
    return typing.get_origin(annotation) is list


def _is_mapping(annotation: Any) -> bool:
    return typing.get_origin(annotation) is dict or any(typing.get_origin(a) is dict for a in typing.get_args(annotation))


def _required_items(info: Any) -> bool:
    """Whether a list field must have at least one item."""
    return info.is_required() or any(getattr(m, "min_length", 0) for m in info.metadata)


def placeholder(model: type[BaseModel], filled: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every field of ``model``, in canonical order, left empty: null, or [] for a list; an optional switch is
    left out. A nested model is spelt out; a list of models the model requires holds one such item. ``filled``
    gives known values."""
    filled = filled or {}
    values: dict[str, Any] = {}
    for name in field_order(model):
        if name in filled:
            values[name] = filled[name]
            continue
        info = model.model_fields[name]
        nested = child_model(model, name)
        if _is_list(info.annotation):
            values[name] = [placeholder(nested)] if nested is not None and _required_items(info) else []
        elif _is_mapping(info.annotation):
            values[name] = {}
        elif nested is not None:
            values[name] = placeholder(nested)
        elif info.annotation is bool and not info.is_required():
            continue  # a switch that is off unless the author turns it on (ToolUse.before_decision_point)
        else:
            values[name] = None
    return values


DECISION_POINT: dict[str, Any] = {
    "date": None,
    "summary": None,
    "profile": {
        "stage": None,
        "risk_factors": {},
        "situations": [],
        "perpetrator_types": [],
        "setting": {"security_council": None, "host_consent": None, "access": None, "communications": None},
        "constraints": {"time_horizon": None, "channels": {}},
    },
    "notes": {},
}
"""A lesson's decision point as ``apkb new`` writes it: the parts of a profile that describe the moment, and room
for a note on each value that is not obvious. The rest of a profile (objectives, exclusions) is left out."""


@dataclass
class Created:
    """A new entry file, and the entries that look like it."""

    path: Path
    kind: str
    id: str
    similar: list[Similar]

    @property
    def page(self) -> str:
        page = tool_page(self.id) if self.kind == "tool" else lesson_page(self.id)
        return html_path(page)


def entry_path(root: Path, kind: str, entry_id: str, category: str | None) -> Path:
    """Where an entry of this kind and id lives."""
    if kind == "tool":
        return root / TOOLKIT_DIR / str(category) / f"{entry_id}.md"
    return root / LESSONS_DIR / f"{entry_id}.md"


def render_entry(kind: str, metadata: dict[str, Any]) -> str:
    """The text of a new entry: its front matter in canonical form, and the body template."""
    front_matter = "".join(line + "\n" for line in render_front_matter(metadata, KINDS[kind]))
    sections = getattr(vocabularies().body_sections, kind)
    template = template_environment("apkb.maintain", autoescape=False).get_template(f"new_{kind}.md.j2")
    return template.render(front_matter=front_matter, sections=sections, title=metadata["title"])


def check_id(entry_id: str, root: Path, path: Path) -> None:
    """Refuse an id that is malformed, reserved, or already used by another entry or as a former id."""
    if not re.fullmatch(SLUG_PATTERN, entry_id) or not 2 <= len(entry_id) <= MAX_ID_LENGTH:
        raise ScaffoldError(
            f"the id {entry_id!r} is not valid: use 2 to {MAX_ID_LENGTH} lowercase letters and digits in words "
            "joined by single hyphens, such as 'targeted-sanctions'"
        )
    if entry_id in RESERVED_IDS:
        raise ScaffoldError(f"the id {entry_id!r} is reserved for a generated page; choose another with --id")
    if path.exists():
        raise ScaffoldError(
            f"{display_path(path)} already exists; apkb new never overwrites a file. Edit that entry, or choose "
            "another id with --id"
        )
    user = used_ids(root).get(entry_id)
    if user is not None:
        raise ScaffoldError(
            f"the id {entry_id!r} is already used by {user}; ids are permanent and unique. Choose another with --id"
        )


def new_entry(
    root: Path,
    kind: str,
    title: str,
    category: str | None = None,
    entry_id: str | None = None,
    today: datetime.date | None = None,
) -> Created:
    """Create the entry file, refusing to overwrite anything; return it with the entries that look like it."""
    if kind not in KINDS:
        raise ScaffoldError(f"unknown kind {kind!r}; expected one of: {', '.join(KINDS)}")
    title = " ".join(title.split())
    if not title:
        raise ScaffoldError("the title is empty")
    if kind == "tool" and category not in vocabularies().categories.ids:
        raise ScaffoldError(f"a tool needs --category, one of: {', '.join(vocabularies().categories.ids)}")
    if entry_id is None:
        entry_id = slugify(title)
        if len(entry_id) < 2:
            raise ScaffoldError(f"cannot make an id from the title {title!r}; give one with --id")
    path = entry_path(root, kind, entry_id, category)
    check_id(entry_id, root, path)
    filled: dict[str, Any] = {
        "id": entry_id, "title": title, "drafted": today or datetime.date.today(), "checks": [], "expert_review": None,
    }
    if kind == "tool":
        filled["category"] = category
    else:
        filled["decision_point"] = DECISION_POINT
    text = render_entry(kind, placeholder(KINDS[kind], filled))
    similar = similar_entries(root, kind, title)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{display_path(path)} already exists; apkb new never overwrites a file") from None
    return Created(path, kind, entry_id, similar)
