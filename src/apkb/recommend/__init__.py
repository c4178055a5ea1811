"""The recommender: from a risk profile to ranked tools with the score in parts, reasons, evidence and cautions
(``engine``, weighted by ``scoring.yml``); a starting profile from the Early Warning Project's data (``ewp``, with
``ewp_mapping.yml``); and the briefing note (``briefing``). The browser runs the same specification in
``site/static/recommender.js``.

May import: ``content``.
"""
