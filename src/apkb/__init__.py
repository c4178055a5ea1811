"""Atrocity Prevention Knowledge Base: the content model, validation, recommender, search and rendering."""

__version__ = "0.1.0"
