"""Find markup in contributed text that could run script, load from another host, or change the page.

Entries reach readers whose browsing may interest others, so the rule is an allowlist: a handful of
harmless HTML elements and attributes, and links that are http(s), mailto, in-page or site-relative, or
our cross-links (``tool:``, ``lesson:``, ``module:``, ``rf:``). Everything else is refused with its line.
Code spans and fenced code blocks are left alone, found as the renderer finds them (see markdown_code):
Markdown shows them as text.

Schemes are judged as a browser would read them: after decoding character references and dropping the
whitespace and control characters that browsers ignore inside a URL.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

from apkb.content.markdown_code import mask_code

ALLOWED_ELEMENTS = frozenset(
    "a abbr b blockquote br caption cite code dd del details dfn div dl dt em figcaption figure h2 h3 h4 h5 h6 "
    "hr i ins kbd li mark ol p pre q s samp small span strong sub summary sup table tbody td tfoot th thead "
    "tr u ul var".split()
)
"""Elements that can only format text. Images, media, frames, forms, styles and scripts are not here."""

ALLOWED_ATTRIBUTES = frozenset("class id title lang dir open href colspan rowspan markdown".split())
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto", "tool", "lesson", "module", "rf"})
_WHY = {
    "script": "it would run code in the reader's browser",
    "iframe": "it would embed another page, and load it from another host",
    "frame": "it would embed another page",
    "object": "it would embed a plug-in or another page",
    "embed": "it would embed a plug-in or another page",
    "img": "write images in Markdown, ![description](file), with a file of this site",
    "style": "it would restyle the whole site",
    "link": "it would load a file into the page",
    "meta": "it would change how the page behaves",
    "base": "it would redirect every link on the page",
    "form": "it would send what readers type elsewhere",
    "svg": "SVG can carry scripts",
    "math": "MathML can hide markup that the browser re-reads",
}

_TAG = re.compile(r"<(/?)([A-Za-z][^\s/>]*)([^>]*)>", re.DOTALL)
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^<>\s]*)>")
_INLINE_LINK = re.compile(r"(!?)\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*(<[^>\n]*>|(?:[^\s()]+|\([^\s)]*\))+)")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*(<[^>\n]*>|\S+)", re.MULTILINE)
_ATTRIBUTE_LIST = re.compile(r"\{:?[ ]*([^}\n ][^}\n]*)[ ]*\}")
"""Python-Markdown's attribute lists, ``{: #id .class key=value}``, which can set any attribute."""
_ATTRIBUTE = re.compile(r"([^\s=#.{}]+)=(\"[^\"]*\"|'[^']*'|[^\s}]+)")
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_TOKEN = re.compile(r"\bon[a-z]+=|\b(?:javascript|vbscript|data):")
"""What a lenient-look finding is about, to drop it when the strict parser already said the same."""
_EVENT_HANDLER = re.compile(r"(?:^|[\s\"'/])(on[a-z]+)\s*=", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    """One unsafe construct: the line it starts on (counting from 1 in the text) and what is wrong."""

    line: int
    message: str


def scheme_of(url: str) -> str | None:
    """The scheme a browser would see in ``url`` (lower case), or None for a relative or in-page address."""
    cleaned = _IGNORED_IN_URLS.sub("", html.unescape(url)).lower()
    match = _SCHEME.match(cleaned)
    return match.group(1) if match else None


def _url_finding(url: str, what: str) -> str | None:
    scheme = scheme_of(url)
    if scheme is None or scheme in ALLOWED_SCHEMES:
        return None
    shown = url if len(url) <= 40 else url[:37] + "..."
    return (
        f"{what} {shown!r} uses the {scheme}: scheme; links may only be http(s), mailto, site-relative, "
        "or cross-links (tool:, lesson:, module:, rf:)"
    )


def _handler_message(name: str, where: str) -> str:
    return f"the inline event handler {name}= {where} is not allowed: it runs code"


def _attribute_problems(name: str, value: str | None, where: str) -> Iterator[str]:
    """What is wrong with one attribute, given in HTML or in a Markdown attribute list."""
    if name.startswith("on"):
        yield _handler_message(name, where)
    elif name not in ALLOWED_ATTRIBUTES:
        yield f"the attribute {name}= {where} is not allowed; allowed: " + ", ".join(sorted(ALLOWED_ATTRIBUTES))
    elif name == "href" and value is not None:
        problem = _url_finding(value, f"the link {where}")
        if problem:
            yield problem


def _blank(match: re.Match[str]) -> str:
    """The matched text with everything but line breaks turned to spaces, so offsets and lines still hold."""
    return re.sub(r"[^\n]", " ", match.group(0))


class _TagScanner(HTMLParser):
    """Reports every start tag with its parsed attributes, as Python's HTML parser (close to a browser's) reads them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[int, str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((self.getpos()[0], tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def _html_findings(text: str) -> Iterator[Finding]:
    scanner = _TagScanner()
    scanner.feed(text)
    scanner.close()
    for line, tag, attrs in scanner.tags:
        if tag not in ALLOWED_ELEMENTS:
            why = _WHY.get(tag, "only elements that format text are allowed")
            yield Finding(line, f"the HTML element <{tag}> is not allowed: {why}")
            continue
        for name, value in attrs:
            for message in _attribute_problems(name, value, f"on <{tag}>"):
                yield Finding(line, message)


def _raw_tag_findings(text: str) -> Iterator[Finding]:
    """A second, cruder look at every ``<...>`` run, for what a lenient browser might read differently."""
    for match in _TAG.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        inside = _IGNORED_IN_URLS.sub(" ", html.unescape(match.group(3)))
        tag = match.group(2).lower()
        for handler in _EVENT_HANDLER.finditer(inside):
            yield Finding(line, _handler_message(handler.group(1).lower(), f"on <{tag}>"))
        squeezed = _IGNORED_IN_URLS.sub("", html.unescape(match.group(3))).lower()
        for scheme in ("javascript:", "vbscript:", "data:"):
            if scheme in squeezed:
                yield Finding(line, f"the tag <{tag}> holds a {scheme} address, which can run code")


def _link_findings(text: str) -> Iterator[Finding]:
    for match in _AUTOLINK.finditer(text):
        problem = _url_finding(match.group(1), "the link")
        if problem:
            yield Finding(text.count("\n", 0, match.start()) + 1, problem)
    for match in _INLINE_LINK.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        url = match.group(2).strip("<>")
        problem = _url_finding(url, "the image" if match.group(1) else "the link")
        if problem:
            yield Finding(line, problem)
        elif match.group(1) and scheme_of(url) is not None:
            yield Finding(line, f"the image {url!r} would be loaded from another host by every reader's browser; "
                          "images must be files of this site")
    for match in _REFERENCE.finditer(text):
        problem = _url_finding(match.group(1).strip("<>"), "the link definition")
        if problem:
            yield Finding(text.count("\n", 0, match.start()) + 1, problem)


def _attribute_list_findings(text: str) -> Iterator[Finding]:
    for block in _ATTRIBUTE_LIST.finditer(text):
        line = text.count("\n", 0, block.start()) + 1
        for match in _ATTRIBUTE.finditer(block.group(1)):
            for message in _attribute_problems(match.group(1).lower(), match.group(2).strip("\"'"), "in an attribute list"):
                yield Finding(line, message)


def unsafe_markup(markdown: str) -> list[Finding]:
    """Every unsafe construct in a Markdown text, at most one message per line and kind, in line order."""
    text = mask_code(markdown)
    found: dict[tuple[int, str], Finding] = {}
    without_autolinks = _AUTOLINK.sub(_blank, text)
    for finding in (*_html_findings(without_autolinks), *_link_findings(text), *_attribute_list_findings(text)):
        found.setdefault((finding.line, finding.message), finding)
    for finding in _raw_tag_findings(without_autolinks):
        token = _TOKEN.search(finding.message)
        on_line = [f.message for f in found.values() if f.line == finding.line]
        if not (token and any(token.group(0) in message for message in on_line)):
            found.setdefault((finding.line, finding.message), finding)
    return sorted(found.values(), key=lambda f: f.line)
