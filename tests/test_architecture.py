"""The package's rooms, and the one way imports run between them (see ``src/apkb/__init__.py``): every module lives
in a room, no room imports from one it may not, and only the MkDocs adapter imports MkDocs, so that the core
outlives Material for MkDocs."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import apkb
from conftest import REPO

PACKAGE = REPO / "src" / "apkb"

MAY_IMPORT: dict[str, set[str]] = {
    "content": set(),
    "search": {"content"},
    "recommend": {"content"},
    "maintain": {"content", "search"},
    "site": {"content", "recommend", "search"},
    "cli": {"content", "search", "recommend", "maintain", "site"},
}
"""For each room, the other rooms it may import from. Each room's ``__init__.py`` says the same in words."""

MKDOCS_ADAPTER = "apkb.site.mkdocs_plugin"
FRAMEWORKS = ("mkdocs", "material")
"""Top-level packages only the adapter may import."""


@dataclass(frozen=True)
class Import:
    """One import statement of a module: where it is, and the dotted name it imports from."""

    path: Path
    line: int
    target: str

    def __str__(self) -> str:
        shown = self.path.relative_to(REPO) if self.path.is_relative_to(REPO) else self.path
        return f"{shown}:{self.line} imports {self.target}"


def module_name(path: Path, package: Path = PACKAGE) -> str:
    """The dotted name of a file of ``package`` (the folder of ``apkb``)."""
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, root: Path = PACKAGE) -> list[Import]:
    """Every import in the file, those inside functions (imported lazily) included, with relative ones resolved."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [Import(path, node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # "from apkb import content" names a room as a member, so each name is a target of its own
            names = [f"{base}.{alias.name}" for alias in node.names] if base == "apkb" else [base]
            found += [Import(path, node.lineno, name) for name in names]
    return found


def room_of(dotted: str) -> str | None:
    """The room a module of the package belongs to (None for the package itself and its ``__version__``)."""
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "apkb" and parts[1] in MAY_IMPORT else None


def package_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def direction_violations(files: list[Path], root: Path = PACKAGE) -> list[str]:
    """Each import from a room that the importing module's room may not use, said in words."""
    found = []
    for path in files:
        room = room_of(module_name(path, root))
        for imported in imports_of(path, root):
            target = room_of(imported.target)
            if room is None or target is None or target == room or target in MAY_IMPORT[room]:
                continue
            allowed = ", ".join(sorted({room, *MAY_IMPORT[room]}))
            found.append(f"{imported}: a module in {room}/ may import only from {allowed}")
    return found


def test_every_module_lives_in_a_room() -> None:
    loose = [
        str(path.relative_to(REPO)) for path in package_files()
        if path.parent != PACKAGE or path.name != "__init__.py"
        if room_of(module_name(path)) is None
    ]
    assert loose == [], f"put these in one of the rooms {sorted(MAY_IMPORT)}: {loose}"
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()} == set(MAY_IMPORT)


def test_the_package_root_imports_no_room() -> None:
    assert [i for i in imports_of(PACKAGE / "__init__.py") if i.target.startswith("apkb")] == []


def test_imports_run_one_way_towards_content() -> None:
    violations = direction_violations(package_files())
    assert violations == [], "\n".join(violations)


def test_the_check_names_an_import_that_runs_the_wrong_way(tmp_path: Path) -> None:
    """The check can fail: a content module that imports the site is named, with its line."""
    content = tmp_path / "apkb" / "content"
    content.mkdir(parents=True)
    bad = content / "model.py"
    bad.write_text('"""A model."""\n\nfrom apkb.content.vocabulary import vocabularies\nfrom apkb.site.page import Page\n')
    found = direction_violations([bad], tmp_path / "apkb")
    assert len(found) == 1 and "model.py:4 imports apkb.site.page: a module in content/ may import only from content" in found[0]


def test_only_the_adapter_imports_mkdocs() -> None:
    leaks = [
        str(imported) for path in package_files() if module_name(path) != MKDOCS_ADAPTER
        for imported in imports_of(path) if imported.target.split(".")[0] in FRAMEWORKS
    ]
    assert leaks == [], "\n".join(leaks)


@pytest.mark.parametrize("room", sorted(MAY_IMPORT))
def test_each_room_says_what_it_does_and_what_it_may_import(room: str) -> None:
    doc = ast.get_docstring(ast.parse((PACKAGE / room / "__init__.py").read_text(encoding="utf-8"))) or ""
    assert "May import:" in doc and len(doc.split()) > 20, f"{room}/__init__.py needs a docstring that says both"


def test_no_module_of_the_core_pulls_in_mkdocs_when_imported() -> None:
    """What the static check cannot see: a third-party library that would import MkDocs for us."""
    core = [m.name for m in pkgutil.walk_packages(apkb.__path__, "apkb.") if m.name != MKDOCS_ADAPTER]
    code = (
        "import sys\n"
        f"for name in {core!r}: __import__(name)\n"
        f"leaked = sorted(m for m in sys.modules if m.split('.')[0] in {FRAMEWORKS!r})\n"
        "assert not leaked, leaked\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
