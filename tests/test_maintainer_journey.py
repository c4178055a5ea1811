"""A new maintainer, start to finish, on a temporary copy of the repository: scaffold an entry, fill in its
required fields, validate, format and build; and a broken cross-link is caught with its file and line."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import REPO, build, run_cli

COPIED = ("toolkit", "lessons", "docs", "mkdocs.yml", "CONTRIBUTING.md")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    copy.mkdir()
    for name in COPIED:
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, copy / name)
    return copy


FILLED = {
    "summary": "Forensic analysis of phones and servers that helps investigators preserve digital evidence of atrocities.",
    "stages": ["response"],
    "strategies": ["dissuade"],
    "risk_factors": {"RF11": "Preserved phone data can expose the planning of attacks on a group."},
    "actors": ["justice-ministry"],
    "leverage_needed": "low",
    "time_to_effect": "months",
    "cost": "medium",
    "start": "at-once",
    "notes": {"start": "Phones are wiped and servers shut down, so the evidence must be copied at once."},
    "checks": [{"date": datetime.date.today(), "by": "a-new-maintainer", "what": "Sources looked up in their publishers' records."}],
}
EVIDENCE = {
    "effect": "unknown",
    "certainty": "very-low",
    "rationale": "No study has measured whether it prevents atrocities; the rating says so.",
    "success_factors": {"contextual": ["Courts accept digital evidence."], "design": ["Chain of custody from the start."]},
    "risks": [{"risk": "Evidence handling exposes sources.", "mitigation": "Encrypt and limit access.",
               "risk_factors": [], "stages": []}],
    "studies": [{"authors": "Example, A.", "year": 2020, "title": "A placeholder study", "venue": "Nowhere",
                 "doi": None, "url": None, "design": "case-study", "measures": "related",
                 "finding": "Not checked, so marked unverified.", "direction": "mixed", "verified": False}],
}


def fill(path: Path) -> None:
    """Fill in the scaffold's required fields, as the maintainer would, keeping the body as scaffolded."""
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    data = yaml.safe_load(front)
    data.update(FILLED)
    data["evidence"] = EVIDENCE
    path.write_text("---\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True) + "---\n" + body, encoding="utf-8")


def test_a_new_maintainer_scaffolds_fills_validates_formats_and_builds(repo: Path) -> None:
    root = ("--root", str(repo))
    created = run_cli(*root, "new", "tool", "--category", "programme", "Digital forensics support")
    assert created.exit_code == 0, created.output
    entry = repo / "toolkit" / "programme" / "digital-forensics-support.md"
    assert entry.is_file()

    unfilled = run_cli(*root, "validate")
    assert unfilled.exit_code == 1
    for field in ("summary", "stages", "leverage_needed", "start", "evidence.effect"):
        assert "digital-forensics-support.md:" in unfilled.stdout and f": {field}: " in unfilled.stdout, field

    fill(entry)
    assert run_cli(*root, "fmt", "--check").exit_code == 1, "a hand-edited file is not yet in canonical form"
    assert run_cli(*root, "fmt").exit_code == 0
    assert run_cli(*root, "fmt", "--check").exit_code == 0
    checked = run_cli(*root, "validate")
    assert checked.exit_code == 0, checked.stdout

    built = build(repo / "mkdocs.yml", repo / "site")
    assert built.returncode == 0, built.stderr
    page = (repo / "site" / "toolkit" / "digital-forensics-support.html").read_text(encoding="utf-8")
    assert "Digital forensics support" in page and "Unknown effectiveness" in page


def test_a_broken_tool_link_fails_validate_and_the_build_with_file_and_line(repo: Path) -> None:
    entry = repo / "toolkit" / "diplomatic" / "mediation.md"
    lines = entry.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, start=1) if line.startswith("## When it works")) + 1
    lines.insert(number - 1, "See also [envoys](tool:special-envoy).\n")
    entry.write_text("".join(lines), encoding="utf-8")
    expected = f"toolkit/diplomatic/mediation.md:{number}: link: (tool:special-envoy) is not the id of any tool"
    result = run_cli("--root", str(repo), "validate")
    assert result.exit_code == 1 and expected in result.stdout, result.stdout
    assert "did you mean special-envoys" in result.stdout
    built = build(repo / "mkdocs.yml", repo / "site")
    assert built.returncode != 0 and expected in built.stderr
