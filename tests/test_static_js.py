"""Our JavaScript and templates never write strings into the page as markup and never need 'unsafe-inline' or
'unsafe-eval': every page is served with ``Content-Security-Policy: script-src 'self'``, and the URL hash and the
content are untrusted input. A scan of the source, so a regression fails here with the file and the line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import REPO

STATIC = REPO / "src" / "apkb" / "site" / "static"
TEMPLATES = REPO / "src" / "apkb"
"""Each room keeps its templates in its own templates/ folder."""

SINKS = {
    "innerHTML": re.compile(r"\binnerHTML\b"),
    "outerHTML": re.compile(r"\bouterHTML\b"),
    "insertAdjacentHTML": re.compile(r"\binsertAdjacentHTML\b"),
    "document.write": re.compile(r"\bdocument\s*\.\s*write(?:ln)?\b"),
    "eval(": re.compile(r"(?<![\w$])eval\s*\("),
    "new Function": re.compile(r"\bnew\s+Function\b"),
    "setTimeout/setInterval with a string": re.compile(r"\bset(?:Timeout|Interval)\s*\(\s*[\"'`]"),
    "an on* handler property (use addEventListener)": re.compile(r"\.on[a-z]+\s*=(?!=)"),
    "a javascript: URL": re.compile(r"[\"'`]\s*javascript:", re.IGNORECASE),
}
"""What our JavaScript must not contain: HTML sinks, string evaluation, handler properties, javascript: URLs."""

INLINE_HANDLER = re.compile(r"<[a-z][^>]*?\s(?P<handler>on[a-z]+)\s*=", re.IGNORECASE)
"""An inline event handler attribute in a tag of a template, such as ``<a onclick=...>``."""

JAVASCRIPT_URL = re.compile(r"\b(?:href|src|action|formaction)\s*=\s*[\"']?\s*javascript:", re.IGNORECASE)

ALLOWED: dict[tuple[str, str], str] = {}
"""Exceptions, each as (file relative to the repository, the exact line stripped) -> why it is safe. Empty:
add one only with a compelling reason, and say it here."""


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _scan(text: str, name: str, patterns: dict[str, re.Pattern[str]]) -> list[str]:
    """Each match, as "file:line: what: the line"."""
    lines = text.splitlines()
    found = []
    for what, pattern in patterns.items():
        for match in pattern.finditer(text):
            number = _line(text, match.start(match.lastgroup or 0))
            source = lines[number - 1].strip()
            if (name, source) not in ALLOWED:
                found.append(f"{name}:{number}: {what}: {source}")
    return found


def _findings(path: Path, patterns: dict[str, re.Pattern[str]]) -> list[str]:
    return _scan(path.read_text(encoding="utf-8"), path.relative_to(REPO).as_posix(), patterns)


def _scripts() -> list[Path]:
    return sorted(STATIC.glob("*.js"))


def _templates() -> list[Path]:
    return sorted(path for path in TEMPLATES.glob("*/templates/*") if path.is_file())


def test_there_is_something_to_scan() -> None:
    assert {p.name for p in _scripts()} >= {"catalogue.js", "recommender.js", "recommender-ui.js"}
    assert {p.name for p in _templates()} >= {"catalogue.md.j2", "recommend.md.j2", "_macros.j2"}


@pytest.mark.parametrize("path", _scripts(), ids=lambda p: p.name)
def test_our_javascript_writes_no_markup_and_evaluates_no_strings(path: Path) -> None:
    assert _findings(path, SINKS) == []


@pytest.mark.parametrize("path", _templates(), ids=lambda p: p.name)
def test_our_templates_have_no_inline_event_handlers_or_markup_sinks(path: Path) -> None:
    patterns = {"an inline event handler": INLINE_HANDLER, "a javascript: URL": JAVASCRIPT_URL}
    if path.suffix != ".css":
        patterns |= {what: pattern for what, pattern in SINKS.items() if "javascript:" not in what}
    assert _findings(path, patterns) == []


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ('results.innerHTML = "";', True),
        ("node.insertAdjacentHTML('beforeend', s)", True),
        ("document.write(x)", True),
        ("eval(code)", True),
        ("window.eval(code)", True),
        ("evaluate(code)", False),
        ("var f = new Function('return 1')", True),
        ("setTimeout('update()', 0)", True),
        ("setTimeout(update, 0)", False),
        ("button.onclick = go;", True),
        ("if (button.onclick == null) {}", False),
        ("el.setAttribute('href', 'javascript:void(0)')", True),
        ("form.addEventListener('change', update);", False),
        ("node.textContent = text;", False),
    ],
)
def test_the_javascript_scan_catches_what_it_should(source: str, flagged: bool) -> None:
    assert bool(_scan(source, "probe.js", SINKS)) is flagged


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ('<a href="#" onclick="go()">', True),
        ("<img src=x\n   onerror=alert(1)>", True),
        ('<button type="button" ONCLICK = "x">', True),
        ('<a href="javascript:alert(1)">', True),
        ('<option value="one">one=two</option>', False),
        ('<p>Say something, one = two</p>', False),
        ('<form id="apkb-recommender" autocomplete="off">', False),
    ],
)
def test_the_template_scan_catches_what_it_should(source: str, flagged: bool) -> None:
    found = _scan(source, "probe.j2", {"handler": INLINE_HANDLER, "javascript: URL": JAVASCRIPT_URL})
    assert bool(found) is flagged
