"""The jinja2 environment every template of the package is rendered with: strict about undefined names,
with tidy whitespace. Site pages escape HTML; plain-text outputs such as briefings do not."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined


def template_environment(package: str, autoescape: bool) -> Environment:
    """A fresh environment over the ``templates`` folder of ``package``, such as ``apkb.site``: each room keeps the
    templates of what it writes."""
    return Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
