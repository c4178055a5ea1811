"""Where Markdown shows text as code, so that checks and link rewriting can leave it alone.

Found the way the site's renderer, Python-Markdown (as MkDocs configures it, with fenced code), finds it:
fenced blocks with its own pattern, and code spans on one line of ordinary text. Anything it might read
otherwise counts as text, so a check errs towards looking, never towards missing: a backtick span that
crosses lines, sits on a line of raw HTML (``<div>`...`</div>`` is HTML, not code) or starts with an escaped
backtick is not code here.
"""

from __future__ import annotations

import re

from markdown.extensions.fenced_code import FencedBlockPreprocessor

_FENCED_BLOCK = FencedBlockPreprocessor.FENCED_BLOCK_RE
_CODE_SPAN = re.compile(r"(?<![\\`])(`+)(?!`)([^\n]+?)(?<!`)\1(?!`)")
_RAW_HTML_LINE = re.compile(r"^ {0,3}<")
_LINE_END = re.compile(r"\r\n|\r|\n")
_TEXT_LINE = re.compile(r"[^\n]*")


def code_regions(text: str, spans: bool = True) -> list[tuple[int, int]]:
    """The (start, end) offsets in ``text`` of its fenced code blocks and (unless not ``spans``) code spans."""
    normal = re.sub(r"\r(?=\n)", " ", text).replace("\r", "\n")  # line ends as the renderer sees them, same offsets
    regions = [match.span() for match in _FENCED_BLOCK.finditer(normal)]
    if not spans:
        return regions
    outside = _blank(normal, regions)
    for line in _TEXT_LINE.finditer(outside):
        if not _RAW_HTML_LINE.match(line.group()):
            regions += [(line.start() + m.start(), line.start() + m.end()) for m in _CODE_SPAN.finditer(line.group())]
    return sorted(regions)


def _blank(text: str, regions: list[tuple[int, int]]) -> str:
    """``text`` with every character of the regions but its line ends turned to a space."""
    pieces, last = [], 0
    for start, end in regions:
        pieces += [text[last:start], re.sub(r"[^\r\n]", " ", text[start:end])]
        last = end
    return "".join(pieces) + text[last:]


def mask_code(text: str, spans: bool = True) -> str:
    """``text`` with its code (only its fenced blocks, if not ``spans``) blanked out; every other character,
    and every offset and line, stays."""
    return _blank(text, code_regions(text, spans))


def line_at(text: str, offset: int, first_line: int = 1) -> int:
    """The line of ``offset`` in ``text``, counting ``\\r\\n``, ``\\r`` and ``\\n`` as line ends."""
    return first_line + len(_LINE_END.findall(text, 0, offset))
