"""The ``apkb`` command: the click group, and the table of its commands, each imported only when it runs, so that
``apkb search`` starts fast."""

from __future__ import annotations

import importlib
from pathlib import Path

import click

LAZY_COMMANDS = {
    "validate": "apkb.cli.validate:validate_command",
    "list": "apkb.cli.entries:list_command",
    "show": "apkb.cli.entries:show_command",
    "recommend": "apkb.cli.recommend:recommend_command",
    "evaluate": "apkb.cli.evaluate:evaluate_command",
    "profile": "apkb.cli.profile:profile_group",
    "build": "apkb.cli.build:build_command",
    "bundle": "apkb.cli.bundle:bundle_command",
    "index": "apkb.cli.search:index_command",
    "search": "apkb.cli.search:search_command",
    "new": "apkb.cli.new:new_group",
    "fmt": "apkb.cli.fmt:fmt_command",
    "schema": "apkb.cli.schema:schema_command",
    "check-studies": "apkb.cli.check_studies:check_studies_command",
    "evidence": "apkb.cli.evidence:evidence_group",
}
"""Every command, by name: the module and the attribute that define it."""


class LazyGroup(click.Group):
    """A click group that imports a sub-command's module only when that command runs (or help lists it)."""

    def list_commands(self, context: click.Context) -> list[str]:
        return sorted([*super().list_commands(context), *LAZY_COMMANDS])

    def get_command(self, context: click.Context, name: str) -> click.Command | None:
        if name in LAZY_COMMANDS:
            module, attribute = LAZY_COMMANDS[name].split(":")
            command: click.Command = getattr(importlib.import_module(module), attribute)
            return command
        return super().get_command(context, name)


def find_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` that holds a knowledge base (toolkit/ or lessons/)."""
    for folder in (start, *start.parents):
        if (folder / "toolkit").is_dir() or (folder / "lessons").is_dir():
            return folder
    return start


@click.group(cls=LazyGroup)
@click.version_option(package_name="apkb")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    help="The knowledge base folder (holding toolkit/ and lessons/). Default: found from the current folder.",
)
@click.pass_context
def main(context: click.Context, root: Path | None) -> None:
    """Atrocity Prevention Knowledge Base: check and explore tools and lessons."""
    context.obj = root if root is not None else find_root(Path.cwd())


if __name__ == "__main__":  # pragma: no cover
    main()
