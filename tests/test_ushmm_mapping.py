"""The mapping from USHMM's twelve reviewed tools to entries: validation names the file, line and field of each
mistake, and a knowledge base without a mapping is left alone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from apkb.content.ushmm_mapping import MAPPING_FILE, USHMM_TOOLS, load_mapping
from apkb.content.validate import validate
from conftest import FIXTURE_SITE, run_cli

REVIEW = {
    "authors": "United States Holocaust Memorial Museum",
    "year": 2025,
    "title": "Tools for Atrocity Prevention",
    "venue": "USHMM",
    "url": "https://preventiontools.ushmm.org/",
    "verified": True,
}


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    copy = tmp_path / "kb"
    shutil.copytree(FIXTURE_SITE, copy)
    return copy


def write_mapping(kb: Path, tools: list[dict[str, str]]) -> Path:
    path = kb / MAPPING_FILE
    path.write_text(yaml.safe_dump({"review": REVIEW, "tools": tools}, sort_keys=False), encoding="utf-8")
    return path


def every_tool_to(entry: str) -> list[dict[str, str]]:
    return [{"ushmm": name, "entry": entry, "reason": "The fixture's only sanctions entry."} for name in USHMM_TOOLS]


def mapping_messages(kb: Path) -> list[str]:
    return [str(problem) for problem in validate(kb).problems if problem.path.endswith(MAPPING_FILE)]


def test_a_knowledge_base_without_a_mapping_has_no_mapping_problem(kb: Path) -> None:
    assert not (kb / MAPPING_FILE).exists()
    assert load_mapping(kb).value is None
    assert mapping_messages(kb) == []


def test_a_complete_mapping_to_real_tools_passes(kb: Path) -> None:
    write_mapping(kb, every_tool_to("example-sanctions"))
    assert mapping_messages(kb) == []


def test_an_unknown_entry_is_named_with_its_line_and_field(kb: Path) -> None:
    tools = every_tool_to("example-sanctions")
    tools[3]["entry"] = "no-such-tool"
    path = write_mapping(kb, tools)
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "no-such-tool" in text)
    (message,) = mapping_messages(kb)
    assert message.endswith(
        f"{MAPPING_FILE}:{line}: tools[3].entry: found 'no-such-tool': no entry has that id; "
        "expected the id of a tool entry"
    )


def test_a_lesson_is_not_a_tool(kb: Path) -> None:
    tools = every_tool_to("example-sanctions")
    tools[0]["entry"] = "example-crisis"
    write_mapping(kb, tools)
    (message,) = mapping_messages(kb)
    assert "tools[0].entry: found 'example-crisis': a lesson, not a tool" in message


def test_a_missing_review_tool_is_named(kb: Path) -> None:
    write_mapping(kb, every_tool_to("example-sanctions")[1:])
    (message,) = mapping_messages(kb)
    assert "tools: USHMM's review covers twelve tools; not mapped: Amnesties" in message


def test_a_tool_mapped_twice_is_named(kb: Path) -> None:
    tools = every_tool_to("example-sanctions")
    write_mapping(kb, [*tools, dict(tools[0])])
    (message,) = mapping_messages(kb)
    assert "tools[12].ushmm: 'Amnesties' is mapped twice (also item 0)" in message


def test_a_name_the_review_does_not_use_is_refused_with_the_twelve(kb: Path) -> None:
    tools = every_tool_to("example-sanctions")
    tools[0]["ushmm"] = "Amnesty"
    write_mapping(kb, tools)
    messages = mapping_messages(kb)
    assert len(messages) == 1 and "tools[0].ushmm: found 'Amnesty'; expected one of: Amnesties, " in messages[0]


def test_validate_fails_on_a_bad_mapping_from_the_command_line(kb: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_mapping(kb, every_tool_to("example-sanctions")[:-1])
    monkeypatch.chdir(kb)
    result = run_cli("validate")
    assert result.exit_code == 1
    assert f"{MAPPING_FILE}:" in result.output and "not mapped: Targeted sanctions" in result.output

