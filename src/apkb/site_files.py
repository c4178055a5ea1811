"""Every file the core adds to the site, composed from the modules that make them. The MkDocs plugin (or any
other static-site tool) only has to write these files."""

from __future__ import annotations

from pathlib import Path

from apkb.catalog import Catalog
from apkb.catalogue import catalogue_files
from apkb.exports import export_files
from apkb.gap_map import gap_map_files, stylesheet
from apkb.modules import TrainingModule
from apkb.page import Page
from apkb.render import (
    contributing_page,
    freshness_pages,
    redirect_pages,
    render_pages,
    static_assets,
)
from apkb.scenarios import Scenario


def site_files(
    catalog: Catalog,
    scenarios: list[Scenario] | None = None,
    modules: list[TrainingModule] | None = None,
    root: Path | None = None,
) -> list[Page]:
    """The generated pages, the assets they use, and the open-data exports."""
    return [
        *render_pages(catalog, scenarios, modules),
        *redirect_pages(catalog),
        *freshness_pages(catalog, root),
        *contributing_page(root),
        *static_assets(catalog, extra_css=stylesheet(catalog)),
        *catalogue_files(catalog),
        *gap_map_files(catalog),
        *export_files(catalog),
    ]
