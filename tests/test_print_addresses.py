"""Links inside the site print as the page's path from the site's root, never as '../' paths."""

from __future__ import annotations

from apkb.site.print_addresses import mark_print_addresses, site_path


def test_a_relative_link_resolves_from_the_page_that_holds_it() -> None:
    assert site_path("../toolkit/mediation.html#sources", "training/kenya.html") == "toolkit/mediation.html"
    assert site_path("mediation.html", "toolkit/arms-embargoes.html") == "toolkit/mediation.html"
    assert site_path("lessons/index.html", "index.html") == "lessons/index.html"


def test_other_sites_anchors_assets_and_escapes_are_left_alone() -> None:
    for href in ("https://doi.org/10.1/x", "//cdn.example/x.html", "mailto:a@b.org", "#sources", "../assets/a.css",
                 "javascript:alert(1)", "../../outside.html"):
        assert site_path(href, "training/kenya.html") is None, href


def test_only_links_in_the_article_are_marked() -> None:
    html = ('<nav><a href="toolkit/x.html">X</a></nav><article class="md-content__inner">'
            '<a href="../toolkit/mediation.html">Mediation</a> <a href="https://example.org">out</a></article>')
    marked = mark_print_addresses(html, "training/kenya.html")
    assert '<a href="../toolkit/mediation.html" data-print-href="toolkit/mediation.html">' in marked
    assert '<nav><a href="toolkit/x.html">X</a></nav>' in marked and 'href="https://example.org">' in marked
