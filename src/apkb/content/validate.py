"""Validation of a whole knowledge base: every file, every cross-reference, and the shape of each body."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from apkb.content.catalog import Catalog
from apkb.content.crosslinks import Resolver, check_links
from apkb.content.front_matter import field_name
from apkb.content.load import Entry, entry_files, load_paths
from apkb.content.markdown_code import mask_code
from apkb.content.model import Tool
from apkb.content.problems import Problem, display_path
from apkb.content.scenarios import Scenario, load_scenarios
from apkb.content.training_modules import (
    TrainingModule,
    load_modules,
    reference_problems,
)
from apkb.content.unsafe_markup import unsafe_markup
from apkb.content.ushmm_counts import counts_problems, load_counts
from apkb.content.ushmm_mapping import load_mapping, mapping_problems
from apkb.content.vocabulary import vocabularies

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")


@dataclass
class Report:
    """The outcome of validating a knowledge base."""

    catalog: Catalog
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    modules: list[TrainingModule] = field(default_factory=list)
    scenarios: list[Scenario] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    """What a maintainer should fix but that does not fail validation (links to unofficial copies)."""

    @property
    def ok(self) -> bool:
        return not self.problems


def validate(root: Path, extra_paths: Iterable[Path] = (), docs_dir: Path | None = None) -> Report:
    """Load and check every entry under ``root`` (plus any ``extra_paths``), the training modules and scenarios
    in the docs folder (``root``/docs unless given), and every cross-link, and report all problems."""
    paths = entry_files(root)
    known = {p.resolve() for p in paths}
    paths += [p for p in extra_paths if p.resolve() not in known]
    loaded = load_paths(paths, root)
    catalog, problems = Catalog.build(loaded.entries, loaded.failed_ids)
    problems = loaded.problems + problems
    docs = docs_dir if docs_dir is not None else root / "docs"
    scenarios, scenario_problems = load_scenarios(docs)
    modules = load_modules(docs)
    problems += scenario_problems + modules.problems
    for module in modules.modules:
        problems += reference_problems(module, catalog, {s.id for s in scenarios}, loaded.failed_ids)
    resolver = Resolver(catalog, modules.ids, loaded.failed_ids)
    for entry in catalog.entries():
        shown = display_path(entry.path) if entry.path else entry.id
        problems += body_problems(entry) + markup_problems(entry)
        problems += check_links(entry.body, shown, resolver, entry.body_line)
    problems += docs_page_problems(docs, resolver)
    ushmm = load_mapping(root)
    problems += ushmm.problems + mapping_problems(ushmm, catalog)
    review_counts = load_counts(root)
    mapped = {tool.ushmm: tool.entry for tool in ushmm.value.tools} if ushmm.value else {}
    problems += review_counts.problems + counts_problems(review_counts, mapped)
    problems.sort(key=Problem.sort_key)
    warnings = sorted((w for entry in catalog.entries() for w in copy_link_warnings(entry)), key=Problem.sort_key)
    return Report(catalog, problems, loaded.files, modules.modules, scenarios, warnings)


def _strings(value: object, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every string in a front matter value, with its field path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))


COPY_HOSTS = (
    "docslib.org", "studylib.net", "studylib.es", "pdfslide.us", "pdfslide.net", "fdocuments.us", "fdocuments.net",
    "fdocuments.in", "fdocuments.mx", "fdokumen.com", "documents.pub", "dokumen.pub", "dokumen.tips", "readkong.com",
    "doczz.net", "vdocuments.net", "vdocuments.site", "vdocuments.us", "vdocuments.mx", "yumpu.com", "scribd.com",
    "issuu.com", "lawsdocbox.com", "kipdf.com", "x-mol.com", "vdoc.pub", "vdocument.in", "ebin.pub", "paperzz.com",
    "docplayer.net", "cupdf.com", "pdfcoffee.com", "studfiles.net", "slideshare.net", "concepedia.online",
)
"""Sites that host unofficial copies of documents, and that many government networks block."""


def copy_link_warnings(entry: Entry) -> list[Problem]:
    """A warning for each source link to an unofficial copy: give the DOI or the publisher's page where one exists."""
    shown = display_path(entry.path) if entry.path else entry.id
    warnings = []
    for path, text in _strings(entry.model_dump(mode="json", exclude_defaults=True)):
        if path[-1:] != ("url",):
            continue
        host = (urlsplit(text).hostname or "").removeprefix("www.")
        copy = next((h for h in COPY_HOSTS if host == h or host.endswith("." + h)), None)
        if copy:
            warnings.append(Problem(shown, f"links to {copy}, an unofficial copy that many government networks block; "
                                    "give the DOI or the publisher's page where one exists", entry.line_of(*path),
                                    field_name(path)))
    return warnings


def markup_problems(entry: Entry) -> list[Problem]:
    """Unsafe markup (scripts, event handlers, javascript: or data: links, frames...) in a body or any front
    matter string. Templates escape front matter anyway; refusing it here keeps it out of the repository."""
    shown = display_path(entry.path) if entry.path else entry.id
    problems = [
        Problem(shown, finding.message, entry.body_line + finding.line - 1, "body")
        for finding in unsafe_markup(entry.body)
    ]
    for path, text in _strings(entry.model_dump(exclude_defaults=True)):
        for finding in unsafe_markup(text):
            problems.append(Problem(shown, finding.message, entry.line_of(*path), field_name(path)))
    return problems


def docs_page_problems(docs: Path, resolver: Resolver) -> list[Problem]:
    """Unknown cross-link ids and unsafe markup in every Markdown page of the docs folder (training modules
    and the rest), each page read once."""
    problems: list[Problem] = []
    for page in sorted(docs.rglob("*.md")) if docs.is_dir() else []:
        text, shown = page.read_text(encoding="utf-8"), display_path(page)
        problems += check_links(text, shown, resolver)
        problems += [Problem(shown, finding.message, finding.line, "body") for finding in unsafe_markup(text)]
    return problems


def headings(body: str) -> Iterator[tuple[int, int, str]]:
    """The (offset line, level, text) of each Markdown ATX heading outside fenced code."""
    for offset, line in enumerate(mask_code(body, spans=False).split("\n")):
        match = _HEADING.match(line)
        if match:
            yield offset, len(match.group(1)), match.group(2)


def body_problems(entry: Entry) -> list[Problem]:
    """Check that a body has the standard sections, in order, and no level-1 heading of its own."""
    sections = vocabularies().body_sections
    required = sections.tool if isinstance(entry, Tool) else sections.lesson
    shown = display_path(entry.path) if entry.path else entry.id
    problems: list[Problem] = []
    found: list[tuple[int, str]] = []
    for offset, level, text in headings(entry.body):
        line = entry.body_line + offset
        if level == 1:
            message = f"found '# {text}'; the title comes from the front matter, so start at '##'"
            problems.append(Problem(shown, message, line, "body"))
        elif level == 2:
            found.append((line, text))
    texts = [text for _, text in found]
    for heading in required:
        if heading not in texts:
            problems.append(
                Problem(shown, f"the body has no '## {heading}' section; expected, in order: "
                        + "; ".join(required), entry.body_line, "body")
            )
    present = [(line, text) for line, text in found if text in required]
    expected_order = [h for h in required if h in texts]
    for (line, text), expected in zip(present, expected_order, strict=False):
        if text != expected:
            problems.append(
                Problem(shown, f"found '## {text}' where '## {expected}' should come; "
                        f"the sections go in this order: {'; '.join(required)}", line, "body")
            )
            break
    return problems
