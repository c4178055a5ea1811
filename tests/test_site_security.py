"""The built site cannot be turned against its readers: every page carries a Content-Security-Policy that allows
only the site's own scripts and styles, no page has an inline event handler, links that leave the site carry
rel="noopener noreferrer", and markup smuggled into an entry (past validation, in the test-only mode that skips it)
neither runs nor escapes its page."""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from apkb.site.csp import PolicyError, inline_scripts, script_hash, with_policy
from apkb.site.external_links import mark_external_links
from conftest import FIXTURE_SITE, build
from conftest import start_tags as tags

POLICY = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">')


def html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if p.name != "axe.min.js")


def directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part}


def test_every_page_carries_the_policy_before_anything_it_governs(real_site: Path) -> None:
    pages = html_pages(real_site)
    assert len(pages) > 60
    for page in pages:
        html = page.read_text(encoding="utf-8")
        found = POLICY.search(html)
        assert found, f"{page.relative_to(real_site)} has no Content-Security-Policy"
        assert not re.search(r"<(script|link|style)\b", html[: found.start()], re.I), f"{page}: policy comes too late"
        policy = directives(found.group(1))
        assert policy["default-src"] == ["'none'"] and policy["object-src"] == ["'none'"]
        assert policy["style-src"] == ["'self'"] and policy["base-uri"] == ["'none'"]
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"} & {
            source for sources in policy.values() for source in sources
        }, f"{page}: {found.group(1)}"
        allowed = set(policy["script-src"])
        for script in inline_scripts(html):
            assert script_hash(script) in allowed, f"{page}: an inline script is not allowed by the policy"


def test_no_page_has_an_inline_event_handler_or_style_attribute(real_site: Path) -> None:
    found = []
    for page in html_pages(real_site):
        for tag, attrs, line in tags(page.read_text(encoding="utf-8")):
            found += [f"{page.relative_to(real_site)}:{line}: <{tag} {name}=>" for name in attrs
                      if name.startswith("on") or name == "style"]
    assert found == []


def test_links_that_leave_the_site_carry_noopener_noreferrer(real_site: Path) -> None:
    external = 0
    for page in html_pages(real_site):
        for tag, attrs, line in tags(page.read_text(encoding="utf-8")):
            href = attrs.get("href") or ""
            if tag == "a" and re.match(r"(https?:)?//", href):
                external += 1
                rel = set((attrs.get("rel") or "").split())
                assert {"noopener", "noreferrer"} <= rel, f"{page.relative_to(real_site)}:{line}: {href}"
    assert external > 400, "the citations link out to their sources"


def test_every_citation_link_is_http_or_https(real_site: Path) -> None:
    for page in sorted((real_site / "toolkit").glob("*.html")) + sorted((real_site / "lessons").glob("*.html")):
        for tag, attrs, line in tags(page.read_text(encoding="utf-8")):
            href = (attrs.get("href") or "").strip().lower()
            if tag == "a" and ":" in href.split("/")[0]:
                assert href.startswith(("http://", "https://", "mailto:")), f"{page}:{line}: {href}"


# --- an entry that tries to attack its readers, built in the test-only mode that skips validation ---------------

ATTACKS = {
    "onerror": "<img src=x onerror=alert(1)>",
    "onerror-quoted": "<img src=\"x\" onerror=\"alert('body-onerror')\">",
    "script": "<script>alert('body-script')</script>",
    "javascript-link": "[the hostile source](javascript:alert(document.domain))",
    "iframe": '<iframe src="https://example.org/"></iframe>',
}
FRONT_MATTER_ATTACK = "<img src=x onerror=alert('front-matter')> [x](javascript:alert('front-matter-link'))"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A copy of the fixture knowledge base with a hostile tool in it, and the site it builds to."""
    root = tmp_path_factory.mktemp("hostile") / "kb"
    shutil.copytree(FIXTURE_SITE, root)
    source = (root / "toolkit" / "diplomatic" / "example-envoy.md").read_text(encoding="utf-8")
    hostile = source.replace("id: example-envoy", "id: hostile-tool").replace(
        "\nsummary: ", f"\nsummary: \"{FRONT_MATTER_ATTACK}\"\nsummary_original: ", 1
    )
    hostile = re.sub(r"\nsummary_original: [^\n]*", "", hostile)
    hostile = hostile.replace("\n      finding: ", f"\n      finding: \"{FRONT_MATTER_ATTACK}\"\n      finding_was: ", 1)
    hostile = re.sub(r"\n      finding_was: [^\n]*", "", hostile)
    hostile = hostile.replace("\n## When it works\n", "\n## When it works\n\n" + "\n\n".join(ATTACKS.values()) + "\n", 1)
    (root / "toolkit" / "diplomatic" / "hostile-tool.md").write_text(hostile, encoding="utf-8")
    return root, root.parent / "site"


def test_validation_stops_the_hostile_entry_from_being_built(hostile_site: tuple[Path, Path], tmp_path: Path) -> None:
    root, _ = hostile_site
    result = build(root / "mkdocs.yml", tmp_path / "site")
    assert result.returncode != 0
    for expected in ("onerror= on <img>", "<script> is not allowed", "javascript: scheme", "<iframe> is not allowed"):
        assert re.search(rf"toolkit/diplomatic/hostile-tool\.md:\d+: body: [^\n]*{re.escape(expected)}", result.stderr)
    assert re.search(r"hostile-tool\.md:\d+: summary: [^\n]*onerror=", result.stderr)
    assert not (tmp_path / "site" / "toolkit" / "hostile-tool.html").exists()


@pytest.fixture(scope="module")
def hostile_page(hostile_site: tuple[Path, Path]) -> Path:
    root, site = hostile_site
    config = root / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("  - apkb", "  - apkb:\n      unsafe_skip_validation: true", 1),
        encoding="utf-8",
    )
    result = build(config, site, strict=False)  # the mode warns, and --strict would stop at the warning
    assert result.returncode == 0, result.stderr
    assert "WARNING" in result.stderr and "unsafe_skip_validation is on" in result.stderr
    return site / "toolkit" / "hostile-tool.html"


def test_the_test_mode_really_lets_the_body_markup_through(hostile_page: Path) -> None:
    html = hostile_page.read_text(encoding="utf-8")
    assert "<img src=x onerror=alert(1)>" in html and "<img src=\"x\" onerror=\"alert('body-onerror')\">" in html
    assert "<script>alert('body-script')</script>" in html and 'href="javascript:alert(document.domain)"' in html


def test_front_matter_strings_reach_the_page_only_as_text(hostile_page: Path) -> None:
    html = hostile_page.read_text(encoding="utf-8")
    assert unescape(html).count("alert('front-matter')") >= 3, "the summary and the finding are shown, as text"
    assert "<img src=x onerror=alert('front-matter')>" not in html
    for tag, attrs, _ in tags(html):
        values = " ".join(f"{name}={value}" for name, value in attrs.items() if not (tag == "meta" and name == "content"))
        assert "front-matter" not in values, f"a front matter string became markup: <{tag} {values}>"


REFUSED = ["script-src-attr", "script-src-elem", "frame-src"]
"""What the policy must refuse on the hostile page: its inline handlers, its inline script and javascript: link, and
its frame from another host."""


@pytest.mark.provokes_refusal("inline event handler", "inline script", "JavaScript URL", "Framing 'https://example.org")
def test_in_the_browser_nothing_injected_runs_and_the_policy_says_so(offline_page: Any, hostile_page: Path) -> None:
    page = offline_page
    page.add_init_script(
        "window.__refused = [];"
        "document.addEventListener('securitypolicyviolation', e => window.__refused.push(e.effectiveDirective));"
    )
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(hostile_page.as_uri())
    page.get_by_role("link", name="the hostile source").click()
    try:
        page.wait_for_function("wanted => wanted.every(d => window.__refused.includes(d))", arg=REFUSED)
    except Exception as error:  # noqa: BLE001 - say what was refused instead of a bare timeout
        raise AssertionError(f"the policy refused only {sorted(set(page.evaluate('window.__refused')))}") from error
    assert dialogs == []
    assert page.locator("img[onerror]").count() == 2, "both handlers are in the page: the policy refused them"
    assert page.evaluate("document.querySelector('iframe[src^=\"https://example.org\"]').contentDocument") is None


# --- the two core pieces the plugin calls -------------------------------------------------------------------------


def test_the_policy_allows_the_frames_inline_scripts_but_never_the_contents() -> None:
    content = "<p>x</p><script>alert(1)</script>"
    page = f'<html><head><meta charset="utf-8"><script>theme()</script></head><body>{content}</body></html>'
    policy = directives(POLICY.search(with_policy(page, content)).group(1))  # type: ignore[union-attr]
    assert script_hash("theme()") in policy["script-src"]
    assert script_hash("alert(1)") not in policy["script-src"]
    with pytest.raises(PolicyError):
        with_policy(page, "<p>content that is not in the page</p>")


def test_only_inline_scripts_a_browser_would_run_are_hashed() -> None:
    html = '<script src="a.js"></script><script id="c" type="application/json">{}</script><script>run()</script>'
    assert inline_scripts(html) == ["run()"]


@pytest.mark.parametrize(
    "anchor, expected",
    [
        ('<a href="https://example.org/">', '<a href="https://example.org/" rel="noopener noreferrer">'),
        ("<a href='//example.org/' rel=nofollow>", "<a href='//example.org/' rel=\"nofollow noopener noreferrer\">"),
        ('<a class="x" href="HTTP://example.org">', '<a class="x" href="HTTP://example.org" rel="noopener noreferrer">'),
        ('<a href="../toolkit/mediation.html">', '<a href="../toolkit/mediation.html">'),
        ('<a href="#top">', '<a href="#top">'),
        ('<abbr title="https://example.org">', '<abbr title="https://example.org">'),
    ],
)
def test_links_that_leave_the_site_are_marked(anchor: str, expected: str) -> None:
    assert mark_external_links(anchor) == expected


def test_only_a_live_reload_preview_relaxes_scripts_and_nothing_else() -> None:
    page = '<html><head><meta charset="utf-8"><script>theme()</script></head><body></body></html>'
    strict = directives(POLICY.search(with_policy(page, "")).group(1))  # type: ignore[union-attr]
    preview = directives(POLICY.search(with_policy(page, "", live_reload=True)).group(1))  # type: ignore[union-attr]
    assert "'unsafe-inline'" not in strict["script-src"]
    assert preview["script-src"] == ["'self'", "'unsafe-inline'"], "no hash beside it, or browsers ignore it"
    assert {k: v for k, v in preview.items() if k != "script-src"} == {k: v for k, v in strict.items() if k != "script-src"}
