"""Shared fixtures: the repository, the small fixture knowledge base, and a CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from apkb.cli import main

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
FIXTURE_SITE = FIXTURES / "site"
INVALID = FIXTURES / "invalid"


@pytest.fixture
def in_repo() -> Iterator[Path]:
    """Run the test from the repository's root, as a maintainer would."""
    previous = Path.cwd()
    os.chdir(REPO)
    try:
        yield REPO
    finally:
        os.chdir(previous)


def run_cli(*args: str) -> Result:
    """Run ``apkb`` with the given arguments, keeping stdout and stderr apart."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def build(config: Path, site: Path) -> subprocess.CompletedProcess[str]:
    """Build a MkDocs site strictly, as ``make build`` does."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
        capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, check=False,
    )


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own site, built once per test session."""
    site = tmp_path_factory.mktemp("site")
    result = build(REPO / "mkdocs.yml", site)
    assert result.returncode == 0, result.stderr
    return site
