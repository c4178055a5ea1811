"""``apkb schema``: the JSON Schemas of entries and risk profiles, for editors and other tools.

The schemas come from :mod:`apkb.site.exports`, the same generator that publishes them in the site's
``api/schema/``, so they always match what ``apkb validate`` and ``apkb recommend`` accept.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from apkb.content.problems import display_path
from apkb.content.schema import SCHEMAS, schema_file_name, schema_text


@click.command(name="schema")
@click.argument("name", required=False, type=click.Choice(list(SCHEMAS)))
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the schemas into this folder (created if needed) as <name>.schema.json.",
)
@click.option("--force", is_flag=True, help="Overwrite schema files that already exist in --out.")
def schema_command(name: str | None, out: Path | None, force: bool) -> None:
    """Print the JSON Schema NAME (tool, lesson or profile), or write the schemas into a folder.

    \b
    apkb schema tool                      print the tool schema
    apkb schema --out .vscode/schemas     write every schema there
    apkb schema lesson --out schemas      write only the lesson schema
    """
    if out is None:
        if name is None:
            raise click.UsageError(
                f"name the schema to print ({', '.join(SCHEMAS)}), or give --out DIR to write them all"
            )
        click.echo(schema_text(name), nl=False)
        return
    names = [name] if name else list(SCHEMAS)
    targets = {n: out / schema_file_name(n) for n in names}
    existing = [display_path(path) for path in targets.values() if path.exists()]
    if existing and not force:
        click.echo(f"error: {', '.join(existing)} already exist(s); use --force to overwrite", err=True)
        sys.exit(1)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for schema_name, path in targets.items():
            path.write_text(schema_text(schema_name), encoding="utf-8")
    except OSError as error:
        click.echo(f"error: cannot write into {display_path(out)}: {error.strerror or error}", err=True)
        sys.exit(1)
    for path in targets.values():
        click.echo(f"Wrote {display_path(path)}.", err=True)
