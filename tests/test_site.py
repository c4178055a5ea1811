"""The built site: a page for every entry, strict link checking, and nothing loaded from other hosts."""

from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

from apkb.content.load import entry_files
from apkb.content.validate import validate
from conftest import FIXTURE_SITE, REPO, build

def test_the_plugin_builds_the_fixture_site(tmp_path: Path) -> None:
    result = build(FIXTURE_SITE / "mkdocs.yml", tmp_path)
    assert result.returncode == 0, result.stderr
    envoy = (tmp_path / "toolkit" / "example-envoy.html").read_text(encoding="utf-8")
    assert "The evidence" in envoy and "Likely beneficial" in envoy
    assert 'href="../lessons/example-crisis.html"' in envoy
    assert 'href="../methodology.html#rf08"' in envoy


def test_a_broken_entry_fails_the_build_naming_the_file(tmp_path: Path) -> None:
    copy = tmp_path / "kb"
    subprocess.run(["cp", "-r", str(FIXTURE_SITE), str(copy)], check=True)
    entry = copy / "toolkit" / "diplomatic" / "example-envoy.md"
    entry.write_text(entry.read_text(encoding="utf-8").replace("cost: low", "cost: cheap"), encoding="utf-8")
    result = build(copy / "mkdocs.yml", tmp_path / "out")
    assert result.returncode != 0
    assert "example-envoy.md:17: cost: found 'cheap'; expected one of: low, medium, high" in result.stderr
    assert "not the id of any tool" not in result.stderr, "entries that refer to it are not blamed too"


def test_the_real_site_has_a_page_for_every_entry(real_site: Path) -> None:
    report = validate(REPO)
    assert report.ok, report.problems
    for path in entry_files(REPO):
        folder = "toolkit" if "toolkit" in path.parts else "lessons"
        assert (real_site / folder / f"{path.stem}.html").is_file(), path
    for page in ("index.html", "methodology.html", "toolkit/index.html", "lessons/index.html",
                 "toolkit/diplomatic.html", "toolkit/financial.html", "toolkit/programme.html"):
        assert (real_site / page).is_file(), page


def test_no_page_shows_an_unrendered_admonition_or_fold(real_site: Path) -> None:
    """A "!!! note" or "??? warning" block whose extension is missing reaches readers as raw text."""
    raw = re.compile(r"<p>(\?\?\?|!!!)\+? ")
    shown = [page.relative_to(real_site).as_posix() for page in real_site.rglob("*.html")
             if raw.search(page.read_text(encoding="utf-8"))]
    assert shown == []
    assert "<details" in (real_site / "training" / "scenarios" / "post-coup-crackdown.html").read_text(encoding="utf-8")


def test_search_works_offline(real_site: Path) -> None:
    assert (real_site / "search" / "search_index.js").read_text(encoding="utf-8").startswith("var __index =")
    home = (real_site / "index.html").read_text(encoding="utf-8")
    assert 'src="assets/vendor/iframe-worker/shim.js"' in home


class _LoadedResources(HTMLParser):
    """Collects every URL that a browser would fetch to display a page (not plain links)."""

    LOADING = {"script": "src", "img": "src", "iframe": "src", "source": "src", "audio": "src", "video": "src",
               "embed": "src", "object": "data", "image": "href", "use": "href", "track": "src"}
    NOT_LOADED_LINKS = {"canonical", "alternate", "author", "license", "help", "next", "prev", "search"}

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link" and not set((values.get("rel") or "").split()) <= self.NOT_LOADED_LINKS:
            self.urls.append(values.get("href") or "")
        elif tag in self.LOADING:
            self.urls.append(values.get(self.LOADING[tag]) or values.get("xlink:href") or "")
        if values.get("style"):
            self.urls += re.findall(r"url\(\s*['\"]?([^'\")]+)", values["style"] or "")


EXTERNAL = re.compile(r"^(?:https?:)?//", re.IGNORECASE)
CSS_OR_JS_LOAD = re.compile(r"""(?:@import\s*(?:url\()?|url\(|\bsrc\s*=\s*|\bhref\s*=\s*)\s*['"]?(https?://[^'")\s]+)""")


def test_no_page_loads_anything_from_another_host(real_site: Path) -> None:
    external: list[str] = []
    for path in real_site.rglob("*"):
        if path.suffix == ".html":
            parser = _LoadedResources()
            parser.feed(path.read_text(encoding="utf-8"))
            external += [f"{path.relative_to(real_site)}: {url}" for url in parser.urls if EXTERNAL.match(url)]
        elif path.suffix in {".css", ".js"}:
            text = path.read_text(encoding="utf-8", errors="replace")
            external += [f"{path.relative_to(real_site)}: {url}" for url in CSS_OR_JS_LOAD.findall(text)]
    assert not external, "\n".join(external)


def test_external_citation_links_are_still_allowed(real_site: Path) -> None:
    pages = [p.read_text(encoding="utf-8") for p in (real_site / "toolkit").glob("*.html")]
    assert any('href="https://doi.org/' in page for page in pages)


def test_the_search_index_leaves_out_pages_and_sections_that_repeat_others(real_site: Path) -> None:
    import json

    index = json.loads((real_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    pages = {doc["location"].split("#")[0] for doc in index["docs"]}
    assert "toolkit/targeted-sanctions.html" in pages
    assert not pages & {"recommend.html", "catalogue.html", "evidence-gaps.html", "review-due.html"}
    assert not any(page.startswith("training/scenarios/") for page in pages)
    assert not any(doc["title"] in {"Related entries", "Related tools"} for doc in index["docs"])
