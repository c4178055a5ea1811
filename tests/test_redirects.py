"""A renamed entry keeps its old address: trainers' links to the old URL still reach the entry."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURE_SITE, build

@pytest.fixture(scope="module")
def renamed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture site after example-envoy is renamed to example-special-envoy, keeping its old id as an alias."""
    kb = tmp_path_factory.mktemp("renamed") / "kb"
    shutil.copytree(FIXTURE_SITE, kb)
    old = kb / "toolkit" / "diplomatic" / "example-envoy.md"
    text = old.read_text(encoding="utf-8").replace("id: example-envoy\n", "id: example-special-envoy\naliases: [example-envoy]\n")
    (kb / "toolkit" / "diplomatic" / "example-special-envoy.md").write_text(text, encoding="utf-8")
    old.unlink()
    site = kb / "site"
    result = build(kb / "mkdocs.yml", site)
    assert result.returncode == 0, result.stderr
    return site


def test_the_old_address_forwards_to_the_new_page(renamed_site: Path) -> None:
    old = renamed_site / "toolkit" / "example-envoy.html"
    html = old.read_text(encoding="utf-8")
    assert '<meta http-equiv="refresh" content="0; url=example-special-envoy.html">' in html
    assert '<a href="example-special-envoy.html">Example envoy</a>' in html
    assert (renamed_site / "toolkit" / "example-special-envoy.html").is_file()


def test_references_by_the_old_id_still_resolve(renamed_site: Path) -> None:
    lesson = (renamed_site / "lessons" / "example-crisis.html").read_text(encoding="utf-8")
    assert 'href="../toolkit/example-special-envoy.html"' in lesson


def test_a_browser_following_the_old_link_lands_on_the_entry_with_its_fragment(
    offline_page: Any, renamed_site: Path
) -> None:
    offline_page.goto((renamed_site / "toolkit" / "example-envoy.html").as_uri() + "#at-a-glance")
    offline_page.wait_for_url("**/example-special-envoy.html#at-a-glance")
    assert offline_page.locator("h1").inner_text() == "Example envoy"
