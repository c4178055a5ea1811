"""Every built page is fully rendered: no Markdown or template syntax shows through as text (issue 20: the
scenario pages once showed '??? warning' and ran their lists together, and no test caught it)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

LEFTOVERS = {
    "a '???' fold": re.compile(r"^\s*\?\?\?\+?\s", re.MULTILINE),
    "a '!!!' admonition": re.compile(r"^\s*!!!\s", re.MULTILINE),
    "template syntax": re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}"),
    "an unresolved cross-link": re.compile(r"\]\((?:tool|lesson|module|rf):"),
    "a Markdown link": re.compile(r"\]\((?:\.\./|https?://|[\w-]+\.md)"),
    "a definition-list marker": re.compile(r"^:\s{3}\S", re.MULTILINE),
    "an attribute list": re.compile(r"\{:\s*[.#]"),
}
"""What a page's text must never hold: each is Markdown or Jinja that was not turned into HTML."""


class _Text(HTMLParser):
    """The text a reader sees in a page's article, less code (which may show syntax on purpose)."""

    SKIPPED = {"script", "style", "code", "pre", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "article":
            self.depth += 1
        elif tag in self.SKIPPED:
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self.depth -= 1
        elif tag in self.SKIPPED and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and not self.skip:
            self.parts.append(data)


def article_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "".join(parser.parts)


def test_the_leftover_patterns_catch_what_they_are_for() -> None:
    assert LEFTOVERS["a '???' fold"].search(article_text('<article><p>??? warning "Cautions (4)"</p></article>'))
    assert LEFTOVERS["template syntax"].search(article_text("<article>{{ tool.title }}</article>"))
    assert LEFTOVERS["an unresolved cross-link"].search(article_text("<article>[Mediation](tool:mediation)</article>"))
    assert not any(p.search(article_text("<article><code>{{ x }}</code> plain text: fine.</article>"))
                   for p in LEFTOVERS.values())


def test_no_built_page_shows_unrendered_markdown_or_template_syntax(real_site: Path) -> None:
    pages = sorted(real_site.rglob("*.html"))
    assert len(pages) > 100, "the whole site was built"
    found = []
    for page in pages:
        text = article_text(page.read_text(encoding="utf-8"))
        found += [f"{page.relative_to(real_site)}: {what}" for what, pattern in LEFTOVERS.items() if pattern.search(text)]
    assert found == []
