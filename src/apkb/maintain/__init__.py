"""The maintainers' tools: the canonical front-matter formatter (``fmt``), new entries from templates (``scaffold``,
``apkb new``), the check that every study a change adds is complete (``check_studies``), and the entries set
beside USHMM's systematic review, with the gap list (``ushmm_review``, ``apkb evidence ushmm``).

May import: ``content``, and ``search`` (``apkb new`` warns about similar entries).
"""
