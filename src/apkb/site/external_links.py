"""Mark every link that leaves the site ``rel="noopener noreferrer"``.

``noopener`` stops the page that opens from reaching back into ours; ``noreferrer`` keeps the address of
the page a reader came from (which can say what they were reading) out of the other site's logs.
"""

from __future__ import annotations

import re

REL = ("noopener", "noreferrer")
ANCHOR = re.compile(r"<a\b[^>]*>", re.IGNORECASE)
"""An opening <a> tag (also used by apkb.site.print_addresses)."""
HREF = re.compile(r"""\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_REL = re.compile(r"""\srel\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_EXTERNAL = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)


def attribute_value(match: re.Match[str]) -> str:
    """The value of an attribute matched by HREF or _REL, whichever way it was quoted."""
    return next(group for group in match.groups() if group is not None)


def _with_rel(tag: str) -> str:
    href = HREF.search(tag)
    if href is None or not _EXTERNAL.match(attribute_value(href)):
        return tag
    rel = _REL.search(tag)
    if rel is None:
        end = -2 if tag.endswith("/>") else -1
        return f'{tag[:end]} rel="{" ".join(REL)}"{tag[end:]}'
    tokens = attribute_value(rel).split()
    tokens += [token for token in REL if token not in tokens]
    return tag[: rel.start()] + f' rel="{" ".join(tokens)}"' + tag[rel.end():]


def mark_external_links(html: str) -> str:
    """``html`` with each ``<a href>`` to another site given ``rel="noopener noreferrer"``, keeping any rel."""
    return ANCHOR.sub(lambda match: _with_rel(match.group(0)), html)
