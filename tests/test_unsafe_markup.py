"""The markup check that keeps scripts, handlers, foreign loads and dangerous links out of entries."""

from __future__ import annotations

from collections.abc import Callable

import markdown
import pytest
import yaml

from apkb.content.unsafe_markup import scheme_of, unsafe_markup
from conftest import REPO, start_tags

REFUSED = {
    "<script>alert(1)</script>": "<script> is not allowed",
    "<ScRiPt src=//evil.example/x.js></ScRiPt>": "<script> is not allowed",
    "x <img src=x onerror=alert(1)> y": "onerror= on <img>",
    '<span onclick="alert(1)">x</span>': "onclick= on <span>",
    "<span\nonmouseover=alert(1)>x</span>": "onmouseover= on <span>",
    "<a href='javascript:alert(1)'>x</a>": "javascript: scheme",
    "<a href='jav&#x09;ascript:alert(1)'>x</a>": "javascript: scheme",
    "<a href='&#106;avascript:alert(1)'>x</a>": "javascript: scheme",
    "<a/href=javascript:alert(1)>x</a>": "javascript: scheme",
    '<a href="  JAVASCRIPT:alert(1)">x</a>': "javascript: scheme",
    "[x](javascript:alert(1))": "javascript: scheme",
    "[x]( JaVaScRiPt:alert(1))": "javascript: scheme",
    "[x](<javascript:alert(1)>)": "javascript: scheme",
    "[x](vbscript:msgbox)": "vbscript: scheme",
    "[x](data:text/html;base64,PHNjcmlwdD4=)": "data: scheme",
    "![x](data:image/svg+xml,<svg onload=alert(1)>)": "data: scheme",
    "![pixel](https://tracker.example/p.gif)": "would be loaded from another host",
    "[ref]: javascript:alert(1)": "javascript: scheme",
    "<javascript:alert(1)>": "javascript: scheme",
    "<iframe src=https://example.org></iframe>": "<iframe> is not allowed",
    "<object data=x.swf></object>": "<object> is not allowed",
    "<embed src=x.swf>": "<embed> is not allowed",
    "<svg><script>alert(1)</script></svg>": "<svg> is not allowed",
    "<style>body{display:none}</style>": "<style> is not allowed",
    "<base href=https://evil.example/>": "<base> is not allowed",
    "<form action=https://evil.example><input name=p></form>": "<form> is not allowed",
    "<meta http-equiv=refresh content='0;url=https://evil.example'>": "<meta> is not allowed",
    '<p style="position:fixed;inset:0">x</p>': "style= on <p> is not allowed",
    '<IMG SRC="jav\tascript:alert(1);">': "javascript: address",
    '[the source](https://example.org){: onclick="alert(1)"}': "onclick= in an attribute list",
    "A paragraph.\n{: style='display:none' }": "style= in an attribute list",
    "[x](https://example.org){ href=javascript:alert(1) }": "javascript: scheme",
    # What looks like code but which the renderer shows as HTML: each was once missed by the check.
    "~~~~\n<script>alert(1)</script>\n~~~": "<script> is not allowed",  # a fence closes only with its own kind
    "   ```\n<script>alert(1)</script>\n   ```": "<script> is not allowed",  # indented: not a fence
    "A stray ` here.\n\n<script>alert(1)</script>\n\nanother ` there.": "<script> is not allowed",
    "`a\n<script>alert(1)</script>`": "<script> is not allowed",  # a line of raw HTML inside a backtick pair
    "<div>`<img src=x onerror=alert(1)>`</div>": "onerror= on <img>",  # backticks in raw HTML are not code
    "\\`<img src=x onerror=alert(1)>`": "onerror= on <img>",  # an escaped backtick starts no code
}


@pytest.mark.parametrize("markdown, message", REFUSED.items(), ids=list(REFUSED))
def test_unsafe_markup_is_found_however_it_is_spelled(markdown: str, message: str) -> None:
    findings = unsafe_markup(markdown)
    assert any(message in finding.message for finding in findings), findings


ALLOWED = [
    "Plain text, with a < b and c > d.",
    "Code shows markup as text: `<script>alert(1)</script>` and ``<img src=x onerror=alert(1)>``.",
    "```html\n<script>alert(1)</script>\n<iframe src=x></iframe>\n```",
    "~~~\n[x](javascript:alert(1))\n~~~",
    "[a tool](tool:mediation), [a lesson](lesson:kenya-2008#what-happened), [RF07](rf:RF07), [m](module:x)",
    "[a study](https://doi.org/10.1017/S0020818300026990_(x)) and [mail](mailto:editors@example.org)",
    "[the methodology](../methodology.html#how-recommendations-are-scored) and [top](#top)",
    '<details markdown="1"><summary>More</summary>\n\n*Text*\n\n</details>',
    '<abbr title="Responsibility to Protect">R2P</abbr> <a href="https://example.org/">x</a>',
    "![A chart of this site](../assets/chart.png)",
    "## Heading {: #custom-id .wide }",
    "Sets such as {a, b} and {x = y} in prose are not attribute lists that matter.",
]


@pytest.mark.parametrize("markdown", ALLOWED)
def test_ordinary_writing_is_left_alone(markdown: str) -> None:
    assert unsafe_markup(markdown) == []


def site_renderer() -> Callable[[str], str]:
    """Python-Markdown as the site's MkDocs runs it: the extensions of mkdocs.yml, plus MkDocs' fenced code."""
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    extensions = [next(iter(e)) if isinstance(e, dict) else e for e in config["markdown_extensions"]]
    return lambda text: markdown.markdown(text, extensions=[*extensions, "fenced_code"])


@pytest.mark.parametrize("text", [*REFUSED, *ALLOWED])
def test_what_the_check_lets_through_renders_with_no_script_handler_or_script_link(text: str) -> None:
    """The check and the renderer agree on what is code: whatever passes renders harmless."""
    if unsafe_markup(text):
        return
    html = site_renderer()(text)
    for tag, attrs, _ in start_tags(html):
        assert tag not in {"script", "iframe", "object", "embed"}, html
        for name, value in attrs.items():
            assert not name.startswith("on"), html
            assert name not in {"href", "src"} or scheme_of(value or "") not in {"javascript", "data", "vbscript"}, html


@pytest.mark.parametrize(
    "url, scheme",
    [("https://x.org", "https"), ("java\nscript:x", "javascript"), ("&#x6a;avascript:x", "javascript"),
     ("../x.html", None), ("#top", None), ("x.html?a=b:c", None), ("\x01data:x", "data")],
)
def test_schemes_are_read_as_a_browser_reads_them(url: str, scheme: str | None) -> None:
    assert scheme_of(url) == scheme
