"""Shared fixtures: the repository, the small fixture knowledge base, and a CLI runner."""

from __future__ import annotations

import os
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
