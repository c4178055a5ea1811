"""The content model and everything that reads and checks it: the pydantic models of tools, lessons, training modules
and risk profiles; the vocabularies they draw their terms from (``vocabularies/*.yml``); reading front matter and
loading files; the Catalog of every entry, cross-linked; validation, unsafe markup, cross-links, freshness; the
JSON Schemas generated from the models; and the small shared pieces the other rooms build on (problems, the URLs
of pages, the templating environment).

May import: only ``content`` (and third-party libraries other than MkDocs). Every other room imports from here.
"""
