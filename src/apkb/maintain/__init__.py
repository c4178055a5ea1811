"""The maintainers' tools: the canonical front-matter formatter (``fmt``), new entries from templates (``scaffold``,
``apkb new``), and the check that every study a change adds is complete (``check_studies``).

May import: ``content``, and ``search`` (``apkb new`` warns about similar entries).
"""
