"""Every file the core adds to the site, composed from the modules that make them. The MkDocs plugin (or any
other static-site tool) only has to write these files."""

from __future__ import annotations

from pathlib import Path

from apkb.content.catalog import Catalog
from apkb.content.scenarios import Scenario
from apkb.content.training_modules import TrainingModule
from apkb.site.catalogue_page import catalogue_files
from apkb.site.exports import export_files
from apkb.site.gap_map import gap_map_files, stylesheet
from apkb.site.page import Page
from apkb.site.render import (
    contributing_page,
    freshness_pages,
    redirect_pages,
    render_pages,
    static_assets,
)


def site_files(
    catalog: Catalog,
    scenarios: list[Scenario] | None = None,
    modules: list[TrainingModule] | None = None,
    root: Path | None = None,
) -> list[Page]:
    """The generated pages, the assets they use, and the open-data exports."""
    return [
        *render_pages(catalog, scenarios, modules, root),
        *redirect_pages(catalog),
        *freshness_pages(catalog, root),
        *contributing_page(root),
        *static_assets(catalog, extra_css=stylesheet(catalog)),
        *catalogue_files(catalog),
        *gap_map_files(catalog),
        *export_files(catalog),
    ]
