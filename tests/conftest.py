"""Shared fixtures: the repository, the small fixture knowledge base, and a CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any
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


# --- real-browser tests: Debian's Chromium driven by Playwright, offline, from file:// ------------------

CHROMIUM = Path(os.environ.get("APKB_CHROMIUM", "/usr/bin/chromium"))


def _browser_missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return None if CHROMIUM.exists() else f"{CHROMIUM} is missing (apt-get install chromium)"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium. Missing, it skips the test, except in CI (where .ci/run installs it): there it fails."""
    missing = _browser_missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run in CI: {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def offline_page(browser: Any) -> Iterator[Any]:
    """A page with the network off. At the end of the test, no script may have failed and every request
    (of any page opened in its context) must have been for a file:// URL, as on an embassy laptop offline."""
    context = browser.new_context(offline=True)
    requests: list[str] = []
    errors: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    context.on("page", lambda opened: opened.on("pageerror", lambda error: errors.append(str(error))))
    page = context.new_page()
    yield page
    assert errors == [], errors
    assert all(url.startswith("file://") for url in requests), requests
    context.close()
