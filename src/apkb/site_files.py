"""Every file the core adds to the site, composed from the modules that make them. The MkDocs plugin (or any
other static-site tool) only has to write these files."""

from __future__ import annotations

from apkb.catalog import Catalog
from apkb.page import Page
from apkb.render import render_pages, static_assets
from apkb.scenarios import Scenario


def site_files(catalog: Catalog, scenarios: list[Scenario] | None = None) -> list[Page]:
    """The generated pages, the assets they use, and the open-data exports."""
    return [*render_pages(catalog, scenarios), *static_assets(catalog)]
