"""Full-text search with whoosh, behind a small interface of our own: the cached index and how it is kept fresh
(``index``), queries with filters, facets and snippets (``query``), and related entries (``related``).

May import: ``content``.
"""
