"""``apkb bundle``: the offline site in one dated zip."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from apkb.content.freshness import today
from apkb.content.problems import display_path
from apkb.site.bundle import BundleError, built_site, git_commit, write_bundle


@click.command(name="bundle")
@click.option(
    "--site", "site", type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Zip this already-built site instead of building it afresh.",
)
@click.option("--config", type=click.Path(dir_okay=False, path_type=Path), help="mkdocs.yml (default: in the root).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Where to write the zip (default: dist/).")
@click.option("--name", default="atrocity-prevention-kb", show_default=True, help="The start of the zip's name.")
@click.option("--force", is_flag=True, help="Replace a zip of the same name and date.")
@click.pass_context
def bundle_command(
    context: click.Context, site: Path | None, config: Path | None, out: Path | None, name: str, force: bool
) -> None:
    """Write dist/<name>-<date>.zip: the whole site, working from file:// with no network, and a README that
    says how to open it and that its content is dated."""
    root: Path = context.obj
    try:
        if site is not None:
            target = write_bundle(site, out or root / "dist", name, today(), git_commit(root), force)
        else:
            with built_site(config or root / "mkdocs.yml") as fresh:
                target = write_bundle(fresh, out or root / "dist", name, today(), git_commit(root), force)
    except BundleError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    size = target.stat().st_size
    click.echo(f"Wrote {display_path(target)} ({size / 1_000_000:.1f} MB). Unzip it and open index.html.", err=True)
