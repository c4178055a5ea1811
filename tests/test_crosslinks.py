"""Cross-links by permanent id, and training modules: resolved at build time, checked by apkb validate, and
an unknown id named with its file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from apkb.content.crosslinks import Resolver, find_links, rewrite_links
from apkb.content.training_modules import load_modules
from apkb.content.validate import validate
from conftest import FIXTURE_SITE, build, run_cli


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    copy = tmp_path / "kb"
    shutil.copytree(FIXTURE_SITE, copy)
    return copy


def test_links_are_found_with_their_lines_outside_code() -> None:
    text = "intro\n[a](tool:x) and [b](rf:RF07#top)\n`[c](tool:y)`\n```\n[d](lesson:z)\n```\n[e](module:m)\n"
    found = [(link.written, link.line) for link in find_links(text, first_line=10)]
    assert found == [("tool:x", 11), ("rf:RF07#top", 11), ("module:m", 16)]


def test_links_resolve_to_relative_pages_through_aliases_and_keep_fragments() -> None:
    report = validate(FIXTURE_SITE)
    resolver = Resolver(report.catalog, ["example-module"])
    text = "[s](tool:old-example-sanctions#at-a-glance) [c](lesson:example-crisis) [r](rf:rf08) [m](module:example-module)"
    assert rewrite_links(text, "training/example-module.md", resolver.page) == (
        "[s](../toolkit/example-sanctions.md#at-a-glance) [c](../lessons/example-crisis.md) "
        "[r](../methodology.md#rf08) [m](example-module.md)"
    )


def test_the_fixture_module_validates_and_builds_with_its_header(tmp_path: Path) -> None:
    report = validate(FIXTURE_SITE)
    assert report.ok, report.problems
    assert [module.id for module in report.modules] == ["example-module"]
    result = build(FIXTURE_SITE / "mkdocs.yml", tmp_path)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "training" / "example-module.html").read_text(encoding="utf-8")
    assert 'href="../toolkit/example-envoy.html#at-a-glance"' in page
    assert 'href="../toolkit/example-sanctions.html"' in page and 'href="../methodology.html#rf08"' in page
    assert "1 hour 30 minutes" in page and "Explain when an envoy helps." in page
    index = (tmp_path / "training" / "index.html").read_text(encoding="utf-8")
    assert 'href="example-module.html"' in index and "Political officers" in index


def test_a_module_shows_the_recommender_at_its_lessons_decision_points(kb: Path, tmp_path: Path) -> None:
    """A module that names lessons in `backtests` gets, built from today's engine, each lesson's leave-one-out top 10
    beside what was done there, so that trainers never copy rankings that go stale."""
    module = kb / "docs" / "training" / "example-module.md"
    module.write_text(module.read_text(encoding="utf-8").replace(
        "lessons: [example-crisis]\n", "lessons: [example-crisis]\nbacktests: [example-crisis]\n"), encoding="utf-8")
    assert validate(kb).ok
    result = build(kb / "mkdocs.yml", tmp_path / "site")
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "site" / "training" / "example-module.html").read_text(encoding="utf-8")
    assert "The recommender at these decision points" in page and 'id="backtest-example-crisis"' in page
    section = page.split('id="backtest-example-crisis"')[1]
    for tool in ("example-envoy", "example-sanctions"):
        assert f'href="../toolkit/{tool}.html"' in section, "both fixture tools are ranked, each with what was done"
    assert section.count("not used") + section.count("apkb-outcome") >= 2


@pytest.mark.parametrize(
    ("where", "old", "new", "expected"),
    [
        ("toolkit/diplomatic/example-envoy.md", "## What it is\n", "## What it is\n\nSee [x](tool:example-sanctionz).\n",
         ": link: (tool:example-sanctionz) is not the id of any tool; did you mean example-sanctions"),
        ("docs/training/example-module.md", "[the crisis](lesson:example-crisis)", "[the crisis](lesson:crisis)",
         "example-module.md:17: link: (lesson:crisis) is not the id of any lesson"),
        ("docs/index.md", "\n", "\nSee [m](module:nope) and [r](rf:RF15).\n",
         "docs/index.md:2: link: (module:nope) is not the id of any training module"),
        ("docs/training/example-module.md", "lessons: [example-crisis]", "lessons: [example-crises]",
         "example-module.md:11: lessons[0]: found 'example-crises', which is not the id of any lesson"),
        ("docs/training/example-module.md", "lessons: [example-crisis]", "lessons: [example-crisis]\nbacktests: [crisis]",
         "example-module.md:12: backtests[0]: found 'crisis', which is not the id of any lesson"),
        ("docs/training/example-module.md", "duration: 90", "duration: ninety",
         "example-module.md:7: duration: found 'ninety'"),
    ],
)
def test_a_broken_link_or_module_fails_validate_and_build_naming_file_and_line(
    kb: Path, tmp_path: Path, where: str, old: str, new: str, expected: str
) -> None:
    path = kb / where
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = run_cli("--root", str(kb), "validate")
    assert result.exit_code == 1
    assert expected in result.stdout, result.stdout
    built = build(kb / "mkdocs.yml", tmp_path / "out")
    assert built.returncode != 0 and expected in built.stderr


def test_a_broken_link_in_an_entry_names_the_line_in_the_file(kb: Path) -> None:
    entry = kb / "toolkit" / "diplomatic" / "example-envoy.md"
    lines = entry.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, start=1) if line.startswith("## What it is"))
    lines.insert(number, "\nSee [x](tool:nowhere).\n")
    entry.write_text("".join(lines), encoding="utf-8")
    result = run_cli("--root", str(kb), "validate")
    assert f"toolkit/diplomatic/example-envoy.md:{number + 2}: link: (tool:nowhere)" in result.stdout


def test_a_module_whose_id_is_not_its_file_name_is_refused(kb: Path) -> None:
    module = kb / "docs" / "training" / "example-module.md"
    module.rename(module.with_name("other-name.md"))
    loaded = load_modules(kb / "docs")
    assert loaded.modules == []
    assert "the id must equal the file name 'other-name'" in str(loaded.problems[0])
