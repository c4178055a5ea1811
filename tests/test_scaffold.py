"""apkb new: a new entry with every field present, failing validation field by field until filled in."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from apkb.content.front_matter import read_front_matter
from apkb.content.model import Lesson, Study, Tool
from apkb.content.validate import validate
from apkb.content.vocabulary import vocabularies
from apkb.maintain.fmt import child_model, format_file, render_front_matter, split_entry
from apkb.maintain.scaffold import placeholder, slugify
from conftest import REPO, run_cli

TOOL_FIELDS = {
    "summary", "stages", "strategies", "risk_factors", "actors", "leverage_needed", "time_to_effect", "cost",
    "evidence.effect", "evidence.certainty", "evidence.rationale", "evidence.success_factors.contextual",
    "evidence.success_factors.design", "evidence.risks[0].risk", "evidence.risks[0].mitigation",
    "evidence.studies[0].authors", "evidence.studies[0].year", "evidence.studies[0].title",
    "evidence.studies[0].venue", "evidence.studies[0].design", "evidence.studies[0].measures",
    "evidence.studies[0].finding", "evidence.studies[0].direction", "evidence.studies[0].verified",
}
LESSON_FIELDS = {
    "summary", "country", "iso3", "period.start", "stage", "tools_used[0].tool", "tools_used[0].outcome",
    "tools_used[0].note", "outcome", "lessons", "sources[0].authors", "sources[0].year", "sources[0].title",
    "sources[0].venue", "sources[0].verified",
}


@pytest.fixture
def knowledge_base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the repository's entries; the search index is kept inside it."""
    for folder in ("toolkit", "lessons"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    monkeypatch.delenv("APKB_CACHE_DIR", raising=False)
    return tmp_path


def _new(root: Path, *args: str) -> Any:
    return run_cli("--root", str(root), "new", *args)


def _required_leaves(model: type[BaseModel], prefix: str = "") -> set[str]:
    """The fields a maintainer must fill in, from the model: required values, and lists that need an item."""
    names: set[str] = set()
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        nested = child_model(model, name)
        is_list = str(info.annotation).startswith("list[")
        needs_items = info.is_required() or any(getattr(m, "min_length", 0) for m in info.metadata)
        if nested is not None and is_list and needs_items:
            names |= _required_leaves(nested, f"{path}[0].")
        elif nested is not None and not is_list and info.is_required():
            names |= _required_leaves(nested, f"{path}.")
        elif info.is_required() and (not is_list or any(getattr(m, "min_length", 0) for m in info.metadata)):
            names.add(path)
    return names


def test_slugs_are_ascii_lowercase_hyphenated_and_short() -> None:
    assert slugify("Targeted sanctions") == "targeted-sanctions"
    assert slugify("Côte d'Ivoire 2010–11: the post-election crisis") == "cote-divoire-2010-11-the-post-election-crisis"
    assert slugify("  Straße & Ærø — ÉLECTIONS!  ") == "strasse-aero-elections"
    long = slugify("word " * 40)
    assert len(long) <= 80 and long.endswith("word") and "--" not in long
    assert slugify("Мир") == ""


def test_a_new_tool_has_every_field_and_fails_validation_naming_each(knowledge_base: Path) -> None:
    result = _new(knowledge_base, "tool", "--category", "financial", "Remittance monitoring")
    assert result.exit_code == 0, result.stderr
    path = knowledge_base / "toolkit" / "financial" / "remittance-monitoring.md"
    assert f"Created {path}" in result.stdout
    assert "apkb fmt" in result.stdout and "apkb validate" in result.stdout and "make serve" in result.stdout

    metadata = read_front_matter(path).metadata
    assert metadata["id"] == "remittance-monitoring" and metadata["title"] == "Remittance monitoring"
    assert metadata["category"] == "financial" and metadata["drafted"] == datetime.date.today()
    assert list(metadata) == list(placeholder(Tool))  # every field of the model, none more
    assert set(metadata["evidence"]["studies"][0]) == set(Study.model_fields)

    report = validate(knowledge_base)
    named = {problem.field for problem in report.problems if problem.path.endswith(path.name)}
    assert TOOL_FIELDS <= named, TOOL_FIELDS - named
    assert _required_leaves(Tool) - {"id", "title", "category", "drafted"} <= named
    assert not {p for p in report.problems if not p.path.endswith(path.name)}, "other entries stay valid"

    body = split_entry(path.read_bytes(), str(path)).body.decode()
    headings = [line[3:] for line in body.splitlines() if line.startswith("## ")]
    assert headings == list(vocabularies().body_sections.tool)
    assert body.count("<!--") == len(headings)
    assert not format_file(path, knowledge_base, write=False).changed, "the new file is already formatted"


def test_once_filled_in_the_new_tool_validates(knowledge_base: Path) -> None:
    assert _new(knowledge_base, "tool", "--category", "financial", "Remittance monitoring").exit_code == 0
    path = knowledge_base / "toolkit" / "financial" / "remittance-monitoring.md"
    body = split_entry(path.read_bytes(), str(path)).body
    donor = read_front_matter(REPO / "toolkit" / "financial" / "visa-bans.md").metadata
    filled = {**donor, "id": "remittance-monitoring", "title": "Remittance monitoring", "aliases": []}
    text = "---\n" + "".join(f"{line}\n" for line in render_front_matter(filled, Tool)) + "---\n"
    path.write_bytes(text.encode() + body)
    report = validate(knowledge_base)
    assert report.ok, [str(p) for p in report.problems]


def test_a_new_lesson_names_each_missing_field(knowledge_base: Path) -> None:
    result = _new(knowledge_base, "lesson", "Côte d'Ivoire 2020–21: the third-term crisis")
    assert result.exit_code == 0, result.stderr
    path = knowledge_base / "lessons" / "cote-divoire-2020-21-the-third-term-crisis.md"
    metadata = read_front_matter(path).metadata
    assert metadata["title"] == "Côte d'Ivoire 2020–21: the third-term crisis"
    assert list(metadata) == list(placeholder(Lesson))
    named = {p.field for p in validate(knowledge_base).problems if p.path.endswith(path.name)}
    assert LESSON_FIELDS <= named, LESSON_FIELDS - named
    assert _required_leaves(Lesson) - {"id", "title", "drafted"} <= named
    assert "cote-divoire-2011" in result.stderr, "a lesson on the same country is similar"


def test_new_refuses_to_overwrite_a_file(knowledge_base: Path) -> None:
    path = knowledge_base / "toolkit" / "financial" / "targeted-sanctions.md"
    before = path.read_bytes()
    result = _new(knowledge_base, "tool", "--category", "financial", "Targeted sanctions")
    assert result.exit_code == 1
    assert "targeted-sanctions.md already exists" in result.stderr and "never overwrites" in result.stderr
    assert path.read_bytes() == before


def test_new_refuses_an_id_used_by_another_entry_or_as_a_former_id(knowledge_base: Path) -> None:
    taken = _new(knowledge_base, "tool", "--category", "diplomatic", "Kenya", "--id", "kenya-2008")
    assert taken.exit_code == 1 and "already used by lessons/kenya-2008.md" in taken.stderr.replace(
        str(knowledge_base) + "/", "")
    assert not (knowledge_base / "toolkit" / "diplomatic" / "kenya-2008.md").exists()

    visa = knowledge_base / "toolkit" / "financial" / "visa-bans.md"
    text = visa.read_text(encoding="utf-8")
    visa.write_text(text.replace("\ncategory: financial\n", "\naliases: [travel-bans]\ncategory: financial\n", 1),
                    encoding="utf-8")
    assert read_front_matter(visa).metadata["aliases"] == ["travel-bans"]
    alias = _new(knowledge_base, "tool", "--category", "financial", "Travel bans")
    assert alias.exit_code == 1 and "as a former id" in alias.stderr
    assert not (knowledge_base / "toolkit" / "financial" / "travel-bans.md").exists()


@pytest.mark.parametrize("bad", ["Not A Slug", "x", "index", "financial", "two--hyphens"])
def test_new_refuses_a_malformed_or_reserved_id(knowledge_base: Path, bad: str) -> None:
    result = _new(knowledge_base, "tool", "--category", "financial", "Some tool", "--id", bad)
    assert result.exit_code == 1 and "error:" in result.stderr
    assert not list(knowledge_base.glob(f"toolkit/financial/{bad}.md"))


def test_new_warns_about_similar_entries_but_creates_the_file(knowledge_base: Path) -> None:
    result = _new(
        knowledge_base, "tool", "--category", "financial", "Targeted sanctions", "--id", "targeted-sanctions-2"
    )
    assert result.exit_code == 0
    assert "warning:" in result.stderr and "targeted-sanctions: Targeted sanctions and asset freezes" in result.stderr
    assert (knowledge_base / "toolkit" / "financial" / "targeted-sanctions-2.md").exists()
    warned = [line for line in result.stderr.splitlines() if line.startswith("  - ")]
    assert 1 <= len(warned) <= 3

    other = _new(knowledge_base, "tool", "--category", "financial", "Targeted financial sanctions")
    assert other.exit_code == 0 and "  - targeted-sanctions:" in other.stderr

    unrelated = _new(knowledge_base, "tool", "--category", "programme", "Football tournaments for youth")
    assert unrelated.exit_code == 0 and "warning" not in unrelated.stderr


def test_new_needs_a_knowledge_base(tmp_path: Path) -> None:
    result = _new(tmp_path, "lesson", "Somewhere 2030")
    assert result.exit_code == 1 and "no knowledge base" in result.stderr
    assert not (tmp_path / "lessons").exists()


def test_new_tool_needs_a_valid_category(knowledge_base: Path) -> None:
    assert _new(knowledge_base, "tool", "A tool").exit_code == 2
    assert _new(knowledge_base, "tool", "--category", "military", "A tool").exit_code == 2
