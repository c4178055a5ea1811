"""The MkDocs plugin: a thin adapter that adds the core's rendered pages to a MkDocs build.

All content logic lives in the core (load, validate, render). This module only hands the results to MkDocs,
so that the core can outlive MkDocs and Material.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as options
from mkdocs.config.config_options import ExtraScriptValue
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from apkb.content.load import LESSONS_DIR, TOOLKIT_DIR
from apkb.content.validate import validate
from apkb.site.csp import PolicyError, with_policy
from apkb.site.external_links import mark_external_links
from apkb.site.files import site_files
from apkb.site.print_addresses import mark_print_addresses
from apkb.site.render import STYLESHEET, SUGGEST_SCRIPT, TABLES_SCRIPT, footer_note, module_markdown


class KnowledgeBaseConfig(base.Config):
    content_dir = options.Type(str, default=".")
    """The folder that holds toolkit/ and lessons/, relative to mkdocs.yml."""
    unsafe_skip_validation = options.Type(bool, default=False)
    """For tests of the site's defences only: build even when validation fails, with the entries that load."""


log = logging.getLogger(f"mkdocs.plugins.{__name__}")


class KnowledgeBasePlugin(BasePlugin[KnowledgeBaseConfig]):
    """Validate the knowledge base and add its generated pages to the site."""

    serving = False
    """True under ``mkdocs serve``, whose inline live-reload script the strict policy would refuse."""

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.serving = command == "serve"
        if self.serving:
            log.info("apkb: the preview's Content-Security-Policy allows inline scripts, for live reload; "
                     "built sites do not")

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.root = (Path(config.config_file_path).parent / self.config.content_dir).resolve()
        if STYLESHEET not in config.extra_css:
            config.extra_css.append(STYLESHEET)
        for script in (TABLES_SCRIPT, SUGGEST_SCRIPT):  # async: on a slow link they must not hold up the page
            if script not in [str(existing) for existing in config.extra_javascript]:
                value = ExtraScriptValue(script)
                value.async_ = True
                config.extra_javascript.append(value)
        if not config.copyright:
            config.copyright = footer_note()
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        report = validate(self.root, docs_dir=Path(config.docs_dir))
        if report.problems and self.config.unsafe_skip_validation:
            log.warning("apkb: building despite %d problem(s): unsafe_skip_validation is on", len(report.problems))
        elif report.problems:
            listing = "\n".join(f"  {problem}" for problem in report.problems)
            raise PluginError(
                f"the knowledge base has {len(report.problems)} problem(s); fix them or run 'apkb validate':\n"
                + listing
            )
        self.report = report
        for page in site_files(report.catalog, report.scenarios, report.modules, self.root):
            if files.get_file_from_path(page.path) is not None:
                raise PluginError(f"docs/{page.path} clashes with a generated page of the same name; rename it")
            files.append(File.generated(config, page.path, content=page.content))
        return files

    def on_page_markdown(self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Resolve cross-links in hand-written pages, and put a training module's header on its page."""
        if page.file.generated_by is not None:
            return markdown
        report = self.report
        return module_markdown(markdown, page.file.src_uri, report.catalog, report.modules, report.scenarios)

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        """Give the page its Content-Security-Policy, mark links that leave the site, and give links within it
        the address a printed page shows."""
        try:
            with_csp = with_policy(output, page.content or "", live_reload=self.serving)
            return mark_print_addresses(mark_external_links(with_csp), page.url)
        except PolicyError as error:
            raise PluginError(f"{page.file.src_uri}: {error}") from None

    def on_post_template(self, output_content: str, /, *, template_name: str, config: MkDocsConfig) -> str:
        """The same for the theme's stand-alone pages, such as 404.html."""
        if not template_name.endswith(".html"):
            return output_content
        return mark_external_links(with_policy(output_content, "", live_reload=self.serving))

    def on_serve(self, server: Any, /, *, config: MkDocsConfig, builder: Any) -> Any:
        for watched in (self.root / TOOLKIT_DIR, self.root / LESSONS_DIR, self.root / "CONTRIBUTING.md"):
            if watched.exists():
                server.watch(str(watched))
        return server
