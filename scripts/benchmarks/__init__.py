"""The parts of scripts/bench.py, one job each.

steps (bounded steps, child processes, the log) is shared by all of them; site (the builds and mkdocs serve),
search (whoosh and tantivy), recommender (Python and Chromium), hostile (refusing hostile input) and profiling
(--profile) measure; units and table show the results. scripts/bench.py parses the command line and runs them.
"""
