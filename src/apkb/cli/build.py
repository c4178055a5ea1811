"""``apkb build``: build the site into site/, replacing the old one only if the build succeeds."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from apkb.content.problems import display_path
from apkb.site.build import SiteBuildError, build_site


@click.command(name="build")
@click.option("--config", type=click.Path(dir_okay=False, path_type=Path), help="mkdocs.yml (default: in the root).")
@click.option(
    "--site-dir", type=click.Path(file_okay=False, path_type=Path),
    help="Where the site goes (default: site/ in the root).",
)
@click.pass_context
def build_command(context: click.Context, config: Path | None, site_dir: Path | None) -> None:
    """Build the site strictly. If the build fails, the previous site stays exactly as it was."""
    root: Path = context.obj
    target = site_dir or root / "site"
    try:
        build_site(config or root / "mkdocs.yml", target)
    except (SiteBuildError, OSError) as error:
        click.echo(f"error: the site did not build; {display_path(target)} is left as it was:\n{error}", err=True)
        sys.exit(1)
    click.echo(f"Built the site in {display_path(target)}.", err=True)
