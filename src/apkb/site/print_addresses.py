"""Give each link inside the site the address a printed page can show: the page's path from the site's root.

On screen a link inside the site is relative ("../toolkit/mediation.html"), which means nothing on paper. Each such
link gets ``data-print-href="toolkit/mediation.html"``, which the print stylesheet writes after the link's text.
"""

from __future__ import annotations

import posixpath
import re

from apkb.site.external_links import ANCHOR, HREF, attribute_value

_OTHER_SITE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)


def site_path(href: str, page_url: str) -> str | None:
    """The path from the site's root of a relative link to another page, or None for anything else (another
    site, a mail address, an anchor on the same page, an asset)."""
    if not href or href.startswith("#") or _OTHER_SITE.match(href):
        return None
    path = href.split("#", 1)[0].split("?", 1)[0]
    if not path.endswith(".html"):
        return None
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page_url), path))
    return None if resolved.startswith("..") else resolved


_ARTICLE = re.compile(r"<article\b.*?</article>", re.IGNORECASE | re.DOTALL)


def mark_print_addresses(html: str, page_url: str) -> str:
    """``html`` with each link in its <article> (the page's content, the only part that prints) to another page
    of the site given its printable address (see the module)."""
    return _ARTICLE.sub(lambda article: _mark_links(article.group(0), page_url), html)


def _mark_links(html: str, page_url: str) -> str:

    def mark(match: re.Match[str]) -> str:
        tag = match.group(0)
        href = HREF.search(tag)
        if href is None or "data-print-href" in tag:
            return tag
        path = site_path(attribute_value(href), page_url)
        if path is None:
            return tag
        end = -2 if tag.endswith("/>") else -1
        return f'{tag[:end]} data-print-href="{path}"{tag[end:]}'

    return ANCHOR.sub(mark, html)
