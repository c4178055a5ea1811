"""The Content-Security-Policy every page carries, as a ``<meta>`` tag: only the site's own scripts and styles.

Scripts run only from the site's own files, plus the theme's few inline scripts, each allowed by the
SHA-256 hash of its exact text. The hashes are taken from the page *without* its content, so nothing
that came from an entry can ever be allowed: an injected ``<script>``, ``onerror=`` or ``javascript:`` link
is refused by the browser even if it got past validation. No request may leave the site.
"""

from __future__ import annotations

import base64
import hashlib
import re

_INLINE_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_DATA_TYPE = re.compile(r"""\btype\s*=\s*["']?(?!(?:text|application)/(?:java|ecma)script|module)[\w/+.-]+""", re.I)
_CHARSET = re.compile(r"<meta\s+charset=[^>]*>", re.IGNORECASE)

POLICY = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",  # the theme's icons are data: SVGs in its stylesheet; images cannot run code
    "font-src": "'self'",
    "connect-src": "'self'",
    "worker-src": "'self'",
    "frame-src": "'self'",
    "manifest-src": "'self'",
    "base-uri": "'none'",
    "form-action": "'none'",
    "object-src": "'none'",
}
"""Each directive. Meta-delivered policies cannot set frame-ancestors or report-uri; a server can add them."""


class PolicyError(ValueError):
    """The policy cannot be placed safely in a page."""


def script_hash(text: str) -> str:
    """The CSP source that allows exactly this inline script."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def inline_scripts(html: str) -> list[str]:
    """The text of each inline script that a browser would run (not those with src, nor JSON data blocks)."""
    return [
        match.group("body")
        for match in _INLINE_SCRIPT.finditer(html)
        if "src=" not in match.group("attrs").lower() and not _DATA_TYPE.search(match.group("attrs"))
    ]


LIVE_RELOAD_SCRIPT_SRC = "'self' 'unsafe-inline'"
"""For ``mkdocs serve`` only, whose live-reload script is inline and differs on every request, so that no hash
can allow it. Browsers ignore 'unsafe-inline' beside a hash, so this source list carries none."""


def policy(script_hashes: list[str] | tuple[str, ...] = (), live_reload: bool = False) -> str:
    """The policy text, allowing the given inline-script hashes besides the site's own files (or, for a
    ``mkdocs serve`` preview with ``live_reload``, any inline script)."""
    directives = dict(POLICY)
    if live_reload:
        directives["script-src"] = LIVE_RELOAD_SCRIPT_SRC
    elif script_hashes:
        directives["script-src"] += " " + " ".join(dict.fromkeys(script_hashes))
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def meta_tag(script_hashes: list[str] | tuple[str, ...] = (), live_reload: bool = False) -> str:
    """The ``<meta http-equiv="Content-Security-Policy">`` tag for a page."""
    return f'<meta http-equiv="Content-Security-Policy" content="{policy(script_hashes, live_reload)}">'


def with_policy(page_html: str, content_html: str, live_reload: bool = False) -> str:
    """``page_html`` with the policy as the first thing after its charset, allowing the inline scripts of the
    page's frame (theme, header, footer) but none of those inside ``content_html``, the rendered entry.
    ``live_reload`` relaxes scripts for a local ``mkdocs serve`` preview; built sites never have it."""
    if content_html and content_html not in page_html:
        raise PolicyError("the page's content is not found in the page, so its scripts cannot be told apart")
    frame = page_html.replace(content_html, "", 1) if content_html else page_html
    tag = meta_tag([script_hash(text) for text in inline_scripts(frame)], live_reload)
    charset = _CHARSET.search(page_html)
    if charset is None:
        raise PolicyError("the page has no <meta charset>, after which the policy must come")
    return page_html[: charset.end()] + tag + page_html[charset.end():]
