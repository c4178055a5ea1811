"""Shared fixtures: the repository, the small fixture knowledge base, a CLI runner, and the real-browser tests'
fixtures (the built site from a local server and from file://, tracked pages, screenshots of failures)."""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner, Result

from apkb.cli.main import main
from apkb.content.catalog import Catalog
from apkb.content.model import Tool
from apkb.content.validate import validate

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
FIXTURE_SITE = FIXTURES / "site"
INVALID = FIXTURES / "invalid"


@pytest.fixture
def in_repo() -> Iterator[Path]:
    """Run the test from the repository's root, as a maintainer would."""
    previous = Path.cwd()
    os.chdir(REPO)
    try:
        yield REPO
    finally:
        os.chdir(previous)


def run_cli(*args: str) -> Result:
    """Run ``apkb`` with the given arguments, keeping stdout and stderr apart."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


class _StartTags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None], int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs), self.getpos()[0]))


def start_tags(html: str) -> list[tuple[str, dict[str, str | None], int]]:
    """Each start tag of ``html`` as a browser's parser reads it: (tag, attributes, line)."""
    parser = _StartTags()
    parser.feed(html)
    return parser.found


def build(config: Path, site: Path, strict: bool = True) -> subprocess.CompletedProcess[str]:
    """Build a MkDocs site, strictly unless told otherwise, as ``make build`` does."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", *(["--strict"] if strict else []), "-f", str(config), "-d", str(site)],
        capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, check=False,
    )


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own site, built once per test session."""
    site = tmp_path_factory.mktemp("site")
    result = build(REPO / "mkdocs.yml", site)
    assert result.returncode == 0, result.stderr
    return site


# --- real-browser tests: Debian's Chromium driven by Playwright, offline, from file:// or a local server -------

CHROMIUM = Path(os.environ.get("APKB_CHROMIUM", "/usr/bin/chromium"))
Page = Any
"""A Playwright page (playwright is imported only when a browser is available)."""


def _browser_missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return None if CHROMIUM.exists() else f"{CHROMIUM} is missing (apt-get install chromium)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that drives Chromium as ``browser``, so that ``make check`` can leave them out."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium. Missing, it skips the test, except in CI (where .ci/run installs it): there it fails."""
    missing = _browser_missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run in CI: {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def offline_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page with the network off, for a folder of the test's own (``(folder / name).as_uri()``). It is checked
    like tracked_page: at the end of the test no script may have failed, the Content-Security-Policy must have
    refused nothing it was not told to expect, and every request must have been for a file:// URL, as on an
    embassy laptop offline."""
    with tracking(browser, ANY_FOLDER, request) as tracked:
        yield tracked.new_page()


# --- the built site in both of the ways readers open it: from a web server, and from its folder (file://) ------


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves the files of one folder without logging each request."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the name http.server uses
        pass


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser closing a connection early is not an error worth a traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture(scope="session")
def site_server(real_site: Path) -> Iterator[str]:
    """The session's built site served over HTTP on 127.0.0.1, on a free port; yields its base URL (ending in /)."""
    server = _QuietServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(real_site)))
    thread = threading.Thread(target=server.serve_forever, name="apkb-site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@dataclass(frozen=True)
class SiteUnderTest:
    """The built site as a browser opens it. There is one build (with Material's offline plugin); ``mode`` says
    how it is opened: "http" from site_server, or "file" straight from its folder, as from a USB stick."""

    mode: str
    root: Path
    base: str
    """The URL of the site's folder, ending in /."""

    def url(self, path: str = "") -> str:
        """The URL of a page of the site, e.g. ``url("toolkit/mediation.html#sources")``."""
        return self.base + path.lstrip("/")

    def path_of(self, url: str) -> str:
        """The path inside the site that ``url`` opens, without its query or fragment ("" if not in the site)."""
        bare = url.split("#", 1)[0].split("?", 1)[0]
        return bare[len(self.base):] if bare.startswith(self.base) else ""

    def is_local(self, url: str) -> bool:
        """Whether a request for ``url`` stays on the site: on the local server in http mode; a file:// URL in the
        site's folder in file mode (a root-relative link would point outside it, and break from a USB stick)."""
        if self.mode == "file":
            return url.startswith(self.base)
        parts, base = urlsplit(url), urlsplit(self.base)
        return parts.scheme == base.scheme and parts.netloc == base.netloc


@pytest.fixture(params=["http", "file"])
def site(request: pytest.FixtureRequest, real_site: Path) -> SiteUnderTest:
    """The session's built site, once from the local web server and once from file://."""
    if request.param == "http":
        return SiteUnderTest("http", real_site, request.getfixturevalue("site_server"))
    return SiteUnderTest("file", real_site, real_site.as_uri() + "/")


ANY_FOLDER = SiteUnderTest("file", Path("/"), "file:///")
"""Pages opened from any folder on this machine: only file:// requests are local (offline_page)."""

CSP_REFUSAL = "Content Security Policy"
"""Chromium's console messages for what a page's Content-Security-Policy refused all say this."""

REFUSAL_WAIT_MS = 15_000
"""How long a test that provokes a refusal waits for the browser to report it before it fails."""


@dataclass
class TrackedBrowser:
    """Opens browser contexts for one test on ``site`` and records every request, uncaught script error and
    Content-Security-Policy refusal in them (from the contexts' own events, so a page opened by a script is
    watched from its first moment).

    In file mode a context has the network off. In http mode it must reach the local server, so it stays online,
    but a route aborts every request that is not for the local server (and records it as a violation).

    ``expected`` are patterns of refusals the test provokes on purpose (the ``provokes_refusal`` marker): each
    must be reported before the test ends, whenever the browser chooses to report it, and only those are
    forgiven."""

    browser: Any
    site: SiteUnderTest
    expected: list[re.Pattern[str]] = field(default_factory=list)
    contexts: list[Any] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)

    def new_context(self, **options: Any) -> Any:
        context = self.browser.new_context(offline=self.site.mode == "file", **options)
        self.contexts.append(context)
        context.on("request", self._requested)
        context.on("console", self._console)
        context.on("weberror", self._web_error)
        if self.site.mode == "http":
            context.route("**/*", self._route)
        return context

    def new_page(self, **options: Any) -> Page:
        """A page in a context of its own; ``options`` go to ``browser.new_context`` (e.g. ``viewport``)."""
        return self.new_context(**options).new_page()

    @property
    def pages(self) -> list[Page]:
        """Every page still open in the contexts this test opened."""
        return [page for context in self.contexts for page in context.pages if not page.is_closed()]

    def finish(self, wait_ms: int = REFUSAL_WAIT_MS) -> list[str]:
        """What went wrong, once everything the pages reported has arrived: requests outside the site, script
        errors, refusals nobody expected, and expected refusals that never came (each waited for up to
        ``wait_ms``)."""
        self._settle()
        for pattern in self.expected:
            self.wait_for_refusal(pattern, wait_ms)
        found = [f"request outside the site: {url}" for url in dict.fromkeys(self.outside)]
        found += [f"uncaught script error: {error}" for error in self.errors]
        found += [f"refusal: {refusal}" for refusal in self.refusals if not self._expected(refusal)]
        found += [
            f"expected a refusal matching {pattern.pattern!r}, and the browser reported none"
            for pattern in self.expected if not self._seen(pattern)
        ]
        return found

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        self.contexts.clear()

    def _settle(self) -> None:
        """A round trip to each open page: the browser's reports of what happened before it are delivered first."""
        for page in self.pages:
            try:
                page.evaluate("0")
            except Exception:  # noqa: BLE001 - a page that crashed or is closing has nothing more to report
                pass

    def _seen(self, pattern: re.Pattern[str]) -> bool:
        return any(pattern.search(refusal) for refusal in self.refusals)

    def _expected(self, refusal: str) -> bool:
        return any(pattern.search(refusal) for pattern in self.expected)

    def wait_for_refusal(self, pattern: re.Pattern[str], wait_ms: int = REFUSAL_WAIT_MS) -> bool:
        """Wait until a refusal matching ``pattern`` has been reported (True), or ``wait_ms`` has passed (False)."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        deadline = time.monotonic() + wait_ms / 1000
        while not self._seen(pattern):
            remaining = deadline - time.monotonic()
            context = next((c for c in self.contexts if c.pages), None)
            if context is None or remaining <= 0:
                return False
            try:
                context.wait_for_event("console", predicate=lambda m: CSP_REFUSAL in m.text, timeout=remaining * 1000)
            except PlaywrightTimeout:
                return self._seen(pattern)
        return True

    def _requested(self, request: Any) -> None:
        self.requests.append(request.url)
        if not self.site.is_local(request.url):
            self.outside.append(request.url)

    def _route(self, route: Any) -> None:
        if self.site.is_local(route.request.url):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort("blockedbyclient")

    def _console(self, message: Any) -> None:
        if CSP_REFUSAL in message.text:
            self.refusals.append(f"{_page_url(message.page)}: {message.text}")

    def _web_error(self, error: Any) -> None:
        self.errors.append(f"{_page_url(error.page)}: {error.error}")


def _page_url(page: Any) -> str:
    return page.url if page is not None else "(no page)"


@contextmanager
def tracking(browser: Any, site: SiteUnderTest, request: pytest.FixtureRequest) -> Iterator[TrackedBrowser]:
    """A TrackedBrowser for one test. When the test is over, it fails the test if anything went wrong in its pages
    (see ``TrackedBrowser.finish``), after saving a screenshot of each open page."""
    expected = [re.compile(pattern) for marker in request.node.iter_markers("provokes_refusal") for pattern in marker.args]
    tracked = TrackedBrowser(browser, site, expected)
    try:
        yield tracked
        problems = tracked.finish()
        if problems:
            shots = save_screenshots(tracked.pages, f"{request.node.nodeid} teardown")
            pytest.fail("\n".join([*problems, *(f"screenshot: {shot}" for shot in shots)]), pytrace=False)
    finally:
        tracked.close()


@pytest.fixture
def tracked_browser(browser: Any, site: SiteUnderTest, request: pytest.FixtureRequest) -> Iterator[TrackedBrowser]:
    """Contexts on ``site`` for this test, checked when it ends: see ``tracking``."""
    with tracking(browser, site, request) as tracked:
        yield tracked


@pytest.fixture
def tracked_page(tracked_browser: TrackedBrowser) -> Page:
    """A page on ``site`` (both modes), checked at teardown by tracked_browser: nothing left the site, no script
    failed, and the Content-Security-Policy refused nothing the test did not provoke on purpose."""
    return tracked_browser.new_page()


EXPECT_TIMEOUT_MS = 15_000
"""How long a waiting assertion waits for its condition: long enough for a busy machine, short enough to fail."""


def expect(target: Any, message: str | None = None) -> Any:
    """Playwright's ``expect``: an assertion that waits (up to EXPECT_TIMEOUT_MS) for its condition. Use it for
    whatever a page's own scripts put on the page in their own time (Material's search, its highlighting)."""
    from playwright.sync_api import expect as playwright_expect

    playwright_expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    return playwright_expect(target, message)


STILL = """() => document.getAnimations().every(
    a => a.playState !== 'running' || a.effect === null || a.effect.getComputedTiming().endTime === Infinity)"""
"""True once every animation and transition on the page that can end has ended (endless ones are left alone)."""


def settle(page: Page) -> None:
    """Wait until the page's own animations have ended. Material opens search on a phone with a circle that grows
    to fill the screen; while it grows, the page is briefly wider than the screen. Measure layout after this."""
    page.wait_for_function(STILL)


def search(page: Page, words: str) -> None:
    """Type ``words`` into Material's search box (opening it first on a narrow screen), and wait for the results of
    the whole query. Material searches again at each key, in a worker, so results for the first letters show first;
    the results of the whole query are those whose links highlight its last word (``?h=...``). Returns once the
    page's animations (the opening of the search overlay) have ended."""
    opener = page.locator("label.md-header__button[for=__search]")  # the magnifier shown on narrow screens
    if opener.is_visible():
        opener.click()  # opens the search overlay and focuses its box
    else:
        page.locator("input.md-search__input").click()
    page.wait_for_function("document.activeElement && document.activeElement.matches('input.md-search__input')")
    page.keyboard.type(words)
    page.wait_for_function(
        """word => Array.from(document.querySelectorAll('li.md-search-result__item > a')).some(
             a => (new URL(a.href).searchParams.get('h') || '').toLowerCase().split(' ').includes(word))""",
        arg=words.split()[-1].lower(),
    )
    settle(page)


def address(page: Page) -> str:
    """The page's address as its own scripts last set it. ``page.url`` is Playwright's copy, updated when the browser
    reports a navigation; after a script's ``history.replaceState`` that report may still be on its way."""
    return str(page.evaluate("location.href"))


# --- screenshots of failing browser tests -----------------------------------------------------------------------


def artifacts_dir() -> Path:
    """Where screenshots of failures go: $APKB_ARTIFACTS if set, else test-artifacts/screenshots/ in the repository."""
    chosen = os.environ.get("APKB_ARTIFACTS")
    return Path(chosen).resolve() if chosen else REPO / "test-artifacts" / "screenshots"


def save_screenshots(pages: list[Page], name: str) -> list[str]:
    """A full-page screenshot of each page, named after the test; returns the paths (or why one could not be taken)."""
    if not pages:
        return []
    folder = artifacts_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "_", name).strip("_")
    saved = []
    for number, page in enumerate(pages, start=1):
        path = folder / (f"{stem}.png" if number == 1 else f"{stem}-{number}.png")
        try:
            page.screenshot(path=str(path), full_page=True, timeout=15_000)
        except Exception as error:  # noqa: BLE001 - the test's own failure matters more than the screenshot's
            saved.append(f"(no screenshot of {page.url}: {error})")
        else:
            saved.append(str(path))
    return saved


def _is_page(value: object) -> bool:
    return type(value).__name__ == "Page" and type(value).__module__.startswith("playwright")


def _open_pages(item: pytest.Item) -> list[Page]:
    """The browser pages a test was using: those of its page fixtures and its tracked contexts, else any open page."""
    funcargs: dict[str, Any] = getattr(item, "funcargs", {})
    pages: list[Page] = []
    for value in funcargs.values():
        if isinstance(value, TrackedBrowser):
            pages += value.pages
        elif _is_page(value) and not value.is_closed():
            pages += [opened for opened in value.context.pages if not opened.is_closed()]
    if not pages and "browser" in funcargs:
        pages = [page for context in funcargs["browser"].contexts for page in context.pages if not page.is_closed()]
    return list({id(page): page for page in pages}.values())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    """When a browser test fails, save a full-page screenshot of its pages and name the file in the report."""
    report = yield
    if report.when == "call" and report.failed:
        shots = save_screenshots(_open_pages(item), item.nodeid)
        if shots:
            report.sections.append(("screenshot of the failure", "\n".join(shots)))
    return report


# --- helpers shared by the browser tests --------------------------------------------------------------------------

SCENARIOS = ["pre-election-hate-speech", "ethnic-cleansing-conflict-zone", "ngo-media-expulsion"]
"""Training scenarios (docs/training/scenarios/<id>.yml) whose profiles the recommender tests run."""


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The repository's knowledge base, validated."""
    report = validate(REPO)
    assert report.ok, report.problems
    return report.catalog


def by_title(tools: list[Tool]) -> list[str]:
    """Tool ids in the catalogue's default order: by title."""
    return [tool.id for tool in sorted(tools, key=lambda tool: (tool.title.lower(), tool.id))]


def heading(page: Page) -> str:
    """The text of the page's h1, without its permalink."""
    return page.eval_on_selector(
        ".md-content h1",
        """h => Array.from(h.childNodes).filter(n => !(n.classList && n.classList.contains('headerlink')))
                 .map(n => n.textContent).join('').trim()""",
    )


def shown_tools(page: Page) -> list[str]:
    """The ids of the tools the recommender page lists, best first."""
    return page.eval_on_selector_all("#apkb-results li.apkb-result", "items => items.map(i => i.dataset.toolId)")


def catalogue_rows(page: Page) -> list[str]:
    """The ids of the catalogue rows a reader sees, top to bottom."""
    return page.eval_on_selector_all(
        "#apkb-catalogue tbody tr", "rows => rows.filter(r => r.getClientRects().length > 0).map(r => r.dataset.id)"
    )


@functools.cache
def _cli_top(scenario: Path, count: int) -> tuple[str, ...]:
    result = run_cli("--root", str(REPO), "recommend", str(scenario), "--format", "json", "--top", str(count))
    return tuple(item["id"] for item in json.loads(result.stdout)["results"])


def cli_top(scenario: Path, count: int = 5) -> list[str]:
    """The ids ``apkb recommend --format json --top <count>`` gives for a profile file, best first."""
    return list(_cli_top(scenario, count))


# --- hypothesis: a fixed seed and a bounded number of examples in CI; HYPOTHESIS_PROFILE=dev explores more -------

from hypothesis import settings  # noqa: E402 - kept with the block that uses it

settings.register_profile(
    "ci", derandomize=True, max_examples=200, deadline=None, print_blob=True, database=None
)
settings.register_profile("dev", max_examples=2000, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
