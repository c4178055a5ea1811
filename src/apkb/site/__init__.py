"""The site: the Catalog rendered into pages and data files as plain values (``render``, ``files`` and the generated
pages: catalogue, evidence-gap map, open data, redirects), with their templates and scripts; the
Content-Security-Policy and link handling; the all-or-nothing build and the offline bundle. ``mkdocs_plugin`` is a
thin adapter that hands those files to MkDocs, and the only module of the package that imports MkDocs.

May import: ``content``, ``recommend`` (the recommender page and the methodology) and ``search`` (related entries).
"""
