"""The offline bundle: one dated zip that works from file:// on a laptop with no network."""

from __future__ import annotations

import datetime
import zipfile
from pathlib import Path
from typing import Any

import pytest

from apkb.site.bundle import BundleError, write_bundle
from conftest import expect, run_cli, search

DATE = datetime.date(2026, 11, 26)


@pytest.fixture(scope="module")
def bundle(real_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_bundle(real_site, tmp_path_factory.mktemp("dist"), "apkb-test", DATE, "abc1234")


@pytest.fixture(scope="module")
def unzipped(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("unzipped")
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(folder)
    return folder / "apkb-test-2026-11-26"


def test_the_zip_is_named_by_date_and_holds_the_site_and_a_dated_readme(bundle: Path, unzipped: Path) -> None:
    assert bundle.name == "apkb-test-2026-11-26.zip"
    readme = (unzipped / "README.txt").read_text(encoding="utf-8")
    assert "made on 2026-11-26 from version abc1234" in readme
    assert "double-click index.html" in readme and "The content is dated" in readme
    for page in ("index.html", "recommend.html", "catalogue.html", "toolkit/targeted-sanctions.html"):
        assert (unzipped / page).is_file(), page


def test_the_same_site_and_date_give_the_same_bytes(real_site: Path, bundle: Path, tmp_path: Path) -> None:
    again = write_bundle(real_site, tmp_path, "apkb-test", DATE, "abc1234")
    assert again.read_bytes() == bundle.read_bytes()


def test_an_existing_zip_is_not_replaced_without_force(real_site: Path, bundle: Path) -> None:
    before = bundle.read_bytes()
    with pytest.raises(BundleError, match="already exists; use --force"):
        write_bundle(real_site, bundle.parent, "apkb-test", DATE)
    assert bundle.read_bytes() == before


def test_the_command_refuses_a_folder_that_is_not_a_built_site(tmp_path: Path) -> None:
    result = run_cli("bundle", "--site", str(tmp_path), "--out", str(tmp_path / "dist"))
    assert result.exit_code == 1 and "holds no index.html" in result.stderr


def test_the_unzipped_bundle_searches_and_recommends_with_the_network_blocked(
    offline_page: Any, unzipped: Path
) -> None:
    page = offline_page
    page.goto((unzipped / "index.html").as_uri())
    search(page, "sanctions")
    expect(page.locator(".md-search-result__item h1", has_text="Targeted sanctions").first).to_be_visible()
    page.goto((unzipped / "recommend.html").as_uri() + "#stage=response&rf=30000000003000&top=5")
    page.wait_for_selector("#apkb-results li.apkb-result")
    assert page.locator("#apkb-results li.apkb-result").count() == 5
