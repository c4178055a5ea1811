"""Atrocity Prevention Knowledge Base: tools, lessons and the evidence behind them, checked, searched, recommended
and built into a site.

The package is laid out in rooms that follow the flow of data, and imports run one way, towards ``content``:

- ``content``: the model, its vocabularies, reading and loading files, the Catalog, validation;
- ``search``, ``recommend``: the full-text index and queries; risk profiles to ranked tools;
- ``maintain``: the maintainers' tools (fmt, new, check-studies);
- ``site``: rendering the Catalog into pages and files, the atomic build, the bundle, and the MkDocs adapter;
- ``cli``: the ``apkb`` command, which may use every room.

``tests/test_architecture.py`` holds the rule and fails on an import that breaks it.
"""

__version__ = "0.1.0"
