"""The URL hash is untrusted input: anyone can send a link. The recommender and the catalogue read it strictly
(known keys, known values, a length cap, decoding errors caught) and never write it into the page as markup.

Two parts: the browser engine's fragment reader (static/recommender.js, under node) against what a Python
Profile allows, for hostile fragments; then both pages in headless Chromium (from the local server and from
file://, network off) opened with hostile hashes: no dialog, no script error, no injected element, the form at
its defaults for the bad keys and at the given value for the good ones."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from apkb.content.catalog import Catalog
from apkb.content.profile import Profile
from apkb.content.vocabulary import vocabularies
from apkb.recommend.fragment import profile_fragment
from apkb.recommend.spec import engine_data, profile_data
from conftest import REPO, SiteUnderTest, address

Page = Any
"""A Playwright page (playwright is imported only when a browser is available)."""

RUNNER = REPO / "tests" / "js" / "run_engine.js"
NODE = shutil.which("node") or shutil.which("nodejs")

IMG = "<img src=x onerror=alert(1)>"
IMG_ENCODED = "%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E"
SCRIPT = "<script>alert(1)</script>"
SCRIPT_ENCODED = "%3Cscript%3Ealert(1)%3C%2Fscript%3E"
BAD_PERCENT = "%E0%A4%A"
"""A truncated UTF-8 sequence: decodeURIComponent throws on it."""
LONG = 100_000
ZEROS = "0" * 14


# --- the browser engine's fragment reader, under node, against Python's Profile ---------------------------


def parse_in_node(data: dict[str, Any], fragments: list[str]) -> list[dict[str, Any]]:
    if NODE is None:
        pytest.skip("node is not installed; the browser engine cannot be run")
    payload = json.dumps({"data": data, "profiles": [], "fragments": fragments})
    done = subprocess.run([NODE, str(RUNNER)], input=payload, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    parsed: list[dict[str, Any]] = json.loads(done.stdout)["parsed"]
    return parsed


def expected(stage: str = "prevention", **given: Any) -> dict[str, Any]:
    """The profile (as the engines read it) a fragment should give, built through Python's own Profile."""
    return profile_data(Profile.model_validate({"stage": stage, **given}))


HOSTILE_FRAGMENTS: list[tuple[str, str, dict[str, Any]]] = [
    ("markup-as-stage", f"stage={IMG_ENCODED}&leverage=low", expected(constraints={"leverage": "low"})),
    ("raw-markup-as-stage", f"stage={IMG}&budget=high", expected(constraints={"budget": "high"})),
    ("script-in-unknown-key", f"stage=response&rf.RF01={SCRIPT_ENCODED}", expected("response")),
    ("bad-percent-key", BAD_PERCENT, expected()),
    ("bad-percent-values", f"stage={BAD_PERCENT}&time={BAD_PERCENT}&budget=medium",
     expected(constraints={"budget": "medium"})),
    ("bad-percent-in-list", f"stage=mitigation&actors=embassy,{BAD_PERCENT}", expected("mitigation")),
    ("prototype-keys", "__proto__=x&constructor=y&hasOwnProperty=z&toString=1&stage=mitigation",
     expected("mitigation")),
    ("prototype-values", "stage=__proto__&leverage=constructor&sit=__proto__&actors=toString&exclude=constructor",
     expected()),
    ("duplicate-key-is-ignored", "stage=response&stage=mitigation&leverage=high",
     expected(constraints={"leverage": "high"})),
    ("duplicate-rf-is-ignored", f"stage=response&rf=30000000000000&rf={ZEROS}", expected("response")),
    ("level-nine", "stage=response&rf=90000000000000", expected("response")),
    ("level-minus-one", "stage=response&rf=-1000000000000", expected("response")),
    ("level-with-letters", "stage=response&rf=2abc", expected("response")),
    ("level-digits-then-letters", "stage=response&rf=2000000000000abc", expected("response")),
    ("too-few-levels", "stage=response&rf=0123", expected("response")),
    ("too-many-levels", "stage=response&rf=012301230123012", expected("response")),
    ("levels-with-space", "stage=response&rf=%200000000000000", expected("response")),
    ("good-levels", "stage=response&rf=01230000000003",
     expected("response", risk_factors={"RF02": 1, "RF03": 2, "RF04": 3, "RF14": 3})),
    ("case-matters", "Stage=response&STAGE=response&stage=Response", expected()),
    ("encoded-key", "st%61ge=response", expected()),
    ("lists-keep-only-known-items-once",
     f"sit=election,{IMG_ENCODED},election&actors=embassy,{SCRIPT_ENCODED},embassy&exclude=mediation,x,mediation",
     expected(situations=["election"], constraints={"actors_available": ["embassy"], "exclude": ["mediation"]})),
    ("a-list-of-nothing-known-is-absent", f"actors={IMG_ENCODED}&exclude=nonsense", expected()),
    ("an-empty-actors-list-says-none", "actors=", expected(constraints={"actors_available": []})),
    ("no-equals-sign", "stage&leverage&response", expected()),
    ("javascript-url", "stage=javascript:alert(1)&leverage=javascript%3Aalert(1)", expected()),
    ("long-fragment", "stage=response&leverage=low&x=" + "a" * LONG, expected()),
    ("long-list", "stage=response&sit=" + ",".join(["election"] * (LONG // 9)), expected()),
    ("top-is-not-a-profile-key", "top=all&stage=mitigation", expected("mitigation")),
    ("setting-markup-and-good-values", f"council={IMG_ENCODED}&consent=refused&access=__proto__&comms=blackout",
     expected(setting={"host_consent": "refused", "communications": "blackout"})),
    ("unknown-channel-key", f"ch-money=high&ch-aid={SCRIPT_ENCODED}&ch-trade=none&ch-=low&ch-__proto__=high",
     expected(constraints={"channels": {"trade": "none"}})),
    ("perpetrators-and-objectives-lists", f"perp=communal-groups,{IMG_ENCODED},communal-groups&obj=protect,toString",
     expected(perpetrator_types=["communal-groups"], objectives=["protect"])),
    ("duplicate-setting-key", "council=open&council=blocked&access=denied", expected(setting={"access": "denied"})),
]


@pytest.fixture(scope="module")
def data(catalog: Catalog) -> dict[str, Any]:
    return engine_data(catalog)


def test_the_browser_engine_reads_each_hostile_fragment_as_python_says(data: dict[str, Any]) -> None:
    fragments = [fragment for _, fragment, _ in HOSTILE_FRAGMENTS]
    for with_hash in (False, True):
        parsed = parse_in_node(data, [("#" if with_hash else "") + f for f in fragments])
        for (name, _, wanted), got in zip(HOSTILE_FRAGMENTS, parsed, strict=True):
            assert got == wanted, name


def test_whatever_it_reads_is_a_valid_profile_that_python_writes_back_the_same(data: dict[str, Any]) -> None:
    """Python's Profile accepts every profile the browser reads from any fragment, and the link Python writes for
    it reads back to the same profile: the two engines agree on what a hostile fragment means."""
    fragments = [fragment for _, fragment, _ in HOSTILE_FRAGMENTS]
    parsed = parse_in_node(data, fragments)
    profiles = [Profile.model_validate(p) for p in parsed]
    again = parse_in_node(data, [profile_fragment(profile) for profile in profiles])
    assert again == [profile_data(profile) for profile in profiles]


def test_the_length_cap_never_drops_a_link_python_writes(data: dict[str, Any], catalog: Catalog) -> None:
    """The longest profile there is: every factor, situation and actor, every tool excluded."""
    v = vocabularies()
    profile = Profile.model_validate({
        "stage": max(v.stages.ids, key=len),
        "risk_factors": dict.fromkeys(v.risk_factors.ids, 3),
        "situations": list(v.situations.ids),
        "perpetrator_types": list(v.perpetrator_types.ids),
        "setting": {
            "security_council": max(v.council.ids, key=len), "host_consent": max(v.consent.ids, key=len),
            "access": max(v.access.ids, key=len), "communications": max(v.communications.ids, key=len),
        },
        "objectives": list(v.strategies.ids),
        "constraints": {
            "leverage": max(v.leverage.ids, key=len), "time_horizon": max(v.time_to_effect.ids, key=len),
            "budget": max(v.cost.ids, key=len), "actors_available": list(v.actors.ids), "exclude": list(catalog.tools),
            "channels": dict.fromkeys(v.channels.ids, max(v.channel_levels.ids, key=len)),
        },
    })
    fragment = profile_fragment(profile) + "&top=all"
    assert parse_in_node(data, [fragment]) == [profile_data(profile)]
    padded = fragment + "&x=" + "a" * 2000
    assert parse_in_node(data, [padded]) == [expected()], "a fragment longer than any link is not read"


# --- in the browser ----------------------------------------------------------------------------------------


@dataclass
class Watched:
    """A page, with every dialog (alert, confirm, prompt) it opened and every uncaught script error."""

    page: Page
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, url: str) -> None:
        self.page.goto(url)
        self.page.wait_for_load_state("load")

    def assert_nothing_ran(self) -> None:
        """No dialog, no script error, and nothing from the hash in the DOM as markup."""
        assert self.dialogs == [], f"a dialog opened: {self.dialogs}"
        assert self.errors == [], f"a script failed: {self.errors}"
        found = self.page.evaluate(
            """() => {
            const handlers = [];
            for (const el of document.querySelectorAll('*')) {
              for (const a of el.attributes) if (/^on/i.test(a.name)) handlers.push(el.tagName + ' ' + a.name);
            }
            const html = document.documentElement.outerHTML;
            return {
              images: document.querySelectorAll('img[src="x"]').length,
              scripts: Array.from(document.scripts).filter(s => s.textContent.includes('alert(')).map(s => s.outerHTML),
              handlers: handlers,
              markup: ['<img src=x', '<script>alert', 'onerror=', 'alert(1)'].filter(m => html.includes(m)),
            };
        }"""
        )
        assert found == {"images": 0, "scripts": [], "handlers": [], "markup": []}

    def address_is_clean(self) -> None:
        """The page rewrote the address to what it shows: nothing hostile stays in the link to share."""
        fragment = address(self.page).partition("#")[2]
        for bad in ("%3C", "<", "alert", "script", "__proto__", "%E0", "aaaa"):
            assert bad not in fragment, (bad, fragment[:200])


@pytest.fixture
def watched(tracked_page: Page) -> Iterator[Watched]:
    """A page on the site in both modes; tracked_page also fails the test on a request outside the site."""
    page = Watched(tracked_page)

    def dialog(d: Any) -> None:
        page.dialogs.append(f"{d.type}: {d.message}")
        d.dismiss()

    tracked_page.on("dialog", dialog)
    tracked_page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page


@pytest.mark.provokes_refusal("inline event handler")
def test_the_checks_can_fail(watched: Watched, site: SiteUnderTest) -> None:
    """Each check trips on what it looks for: a dialog, an img[src=x], an on* attribute, the payload in the DOM.

    The markup is put in by the test and never runs. The page's Content-Security-Policy refuses the handler:
    some Chromium versions report that when the markup is inserted, others only when the event fires, so the test
    fires it, and says that it provokes the refusal (tracked_page then requires it, whenever it is reported)."""
    watched.open(site.url("catalogue.html"))
    watched.assert_nothing_ran()
    watched.page.evaluate("alert(1)")
    with pytest.raises(AssertionError, match="a dialog opened"):
        watched.assert_nothing_ran()
    watched.dialogs.clear()
    for markup in ['<img src="x" alt="">', '<b onmouseover="void 0">probe</b>', "<b>alert(1)</b>"]:
        watched.page.evaluate(
            """html => {
                document.getElementById('apkb-catalogue-count').insertAdjacentHTML('afterend', html);
                document.getElementById('apkb-catalogue-count').nextElementSibling.dispatchEvent(new MouseEvent('mouseover'));
            }""",
            markup,
        )
        with pytest.raises(AssertionError):
            watched.assert_nothing_ran()
        watched.page.evaluate("() => document.getElementById('apkb-catalogue-count').nextElementSibling.remove()")
        watched.assert_nothing_ran()


# --- the recommender --------------------------------------------------------------------------------------

DEFAULT_FORM: dict[str, Any] = {
    "stage": "prevention", "rf": ZEROS, "situations": [], "leverage": "", "time": "", "budget": "",
    "actors": [], "exclude": [], "top": "10",
}


def recommender_form(page: Page) -> dict[str, Any]:
    return page.evaluate(
        """() => {
        const form = document.getElementById('apkb-recommender');
        const ticked = name => Array.from(form.elements[name]).filter(b => b.checked).map(b => b.value).sort();
        let rf = '';
        for (let i = 1; i <= 14; i++) rf += form.elements['RF' + String(i).padStart(2, '0')].value;
        return {stage: ticked('stage')[0], rf: rf, situations: ticked('situations'),
                leverage: form.elements.leverage.value, time: form.elements.time.value,
                budget: form.elements.budget.value, actors: ticked('actors'), exclude: ticked('exclude'),
                top: form.elements.top.value};
    }"""
    )


RECOMMENDER_HASHES: list[tuple[str, str, dict[str, Any]]] = [
    ("markup-stage", f"stage={IMG_ENCODED}&leverage=low", {"leverage": "low"}),
    ("raw-markup-stage", f"stage={IMG}&budget=high", {"budget": "high"}),
    ("script-in-unknown-key", f"stage=response&rf.RF01={SCRIPT_ENCODED}", {"stage": "response"}),
    ("script-as-level", f"rf={SCRIPT_ENCODED}&stage=mitigation", {"stage": "mitigation"}),
    ("bad-percent", f"#{BAD_PERCENT}", {}),
    ("bad-percent-value", f"stage={BAD_PERCENT}&time=weeks", {"time": "weeks"}),
    ("long", "stage=response&leverage=low&x=" + "a" * LONG, {}),
    ("prototype", "__proto__=x&constructor=y&stage=response", {"stage": "response"}),
    ("duplicates", "stage=response&stage=mitigation&leverage=high&leverage=low&budget=low", {"budget": "low"}),
    ("bad-levels", "rf=90000000000000&stage=response", {"stage": "response"}),
    ("negative-level", "rf=-1000000000000&stage=response", {"stage": "response"}),
    ("level-with-letters", "rf=2abc&stage=response", {"stage": "response"}),
    ("good-levels", "rf=00000000003000&stage=response", {"stage": "response", "rf": "00000000003000"}),
    ("lists", f"actors={IMG_ENCODED},embassy&exclude=mediation,{SCRIPT_ENCODED}&sit=election,election",
     {"actors": ["embassy"], "exclude": ["mediation"], "situations": ["election"]}),
    ("markup-top", f"top={IMG_ENCODED}&stage=response", {"stage": "response"}),
    ("good-top", "top=all&stage=response", {"stage": "response", "top": "all"}),
    ("javascript-url", "stage=javascript:alert(1)&top=javascript:alert(1)", {}),
]


@pytest.mark.parametrize(
    ("fragment", "given"), [c[1:] for c in RECOMMENDER_HASHES], ids=[c[0] for c in RECOMMENDER_HASHES]
)
def test_the_recommender_reads_a_hostile_hash_strictly_and_injects_nothing(
    watched: Watched, site: SiteUnderTest, fragment: str, given: dict[str, Any]
) -> None:
    watched.open(site.url("recommend.html#" + fragment.lstrip("#")))
    watched.page.wait_for_selector("#apkb-results li.apkb-result")
    assert recommender_form(watched.page) == {**DEFAULT_FORM, **given}, "defaults for the bad keys only"
    watched.assert_nothing_ran()
    watched.address_is_clean()
    share = watched.page.input_value("#apkb-link").split("#", 1)[1]
    assert share.startswith("stage=") and "%3C" not in share and "alert" not in share


def test_the_recommender_follows_a_hostile_hash_change_without_injecting_anything(
    watched: Watched, site: SiteUnderTest
) -> None:
    watched.open(site.url("recommend.html#stage=response&leverage=high"))
    watched.page.wait_for_selector("#apkb-results li.apkb-result")
    watched.page.evaluate("h => { location.hash = h; }", f"#stage={IMG_ENCODED}&leverage=medium&top={SCRIPT_ENCODED}")
    watched.page.wait_for_function("document.getElementById('c-leverage').value === 'medium'")
    assert recommender_form(watched.page) == {**DEFAULT_FORM, "leverage": "medium"}
    watched.assert_nothing_ran()
    watched.address_is_clean()


# --- the catalogue ----------------------------------------------------------------------------------------

CATALOGUE_FILTERS = ["category", "stage", "rf", "strategy", "effect", "certainty", "certainty-min", "q"]
DEFAULT_CATALOGUE: dict[str, Any] = {**dict.fromkeys(CATALOGUE_FILTERS, ""), "sort": {"title": "ascending"}}


def catalogue_state(page: Page) -> dict[str, Any]:
    return page.evaluate(
        """names => {
        const form = document.getElementById('apkb-catalogue-filters');
        const state = Object.fromEntries(names.map(name => [name, form.elements[name].value]));
        state.sort = Object.fromEntries(Array.from(document.querySelectorAll('#apkb-catalogue thead th[aria-sort]'))
          .map(th => [th.dataset.sortKey, th.getAttribute('aria-sort')]));
        return state;
    }""",
        CATALOGUE_FILTERS,
    )


CATALOGUE_HASHES: list[tuple[str, str, dict[str, Any]]] = [
    ("markup-query", f"q={IMG_ENCODED}", {"q": IMG}),
    ("script-query-and-a-good-filter", f"stage=response&q={SCRIPT_ENCODED}", {"stage": "response", "q": SCRIPT}),
    ("raw-markup-query", f"q={IMG}", {"q": IMG}),
    ("markup-filter", f"category={IMG_ENCODED}&stage=prevention", {"stage": "prevention"}),
    ("script-in-unknown-key", f"rf.RF01={SCRIPT_ENCODED}&rf=RF08", {"rf": "RF08"}),
    ("bad-percent", f"#{BAD_PERCENT}", {}),
    ("bad-percent-value", f"q={BAD_PERCENT}&effect=unknown", {"effect": "unknown"}),
    ("long", "stage=response&q=" + "a" * LONG, {}),
    ("long-query", "stage=response&q=" + "a" * 201, {"stage": "response"}),
    ("prototype", "__proto__=x&constructor=y&hasOwnProperty=z&stage=response", {"stage": "response"}),
    ("prototype-sort", "sort=constructor-asc&certainty=__proto__", {}),
    ("proto-sort", "sort=__proto__-desc", {}),
    ("bad-direction", "sort=cost-sideways", {}),
    ("duplicates", "stage=response&stage=prevention&q=a&q=b&sort=cost-desc&sort=effect-asc&certainty-min=low",
     {"certainty-min": "low"}),
    ("good-sort", "sort=cost-desc&q=visa+bans", {"sort": {"cost": "descending"}, "q": "visa bans"}),
]


@pytest.mark.parametrize(
    ("fragment", "given"), [c[1:] for c in CATALOGUE_HASHES], ids=[c[0] for c in CATALOGUE_HASHES]
)
def test_the_catalogue_reads_a_hostile_hash_strictly_and_injects_nothing(
    watched: Watched, site: SiteUnderTest, fragment: str, given: dict[str, Any]
) -> None:
    watched.open(site.url("catalogue.html#" + fragment.lstrip("#")))
    watched.page.wait_for_selector("#apkb-catalogue-filters:not([hidden])")
    assert catalogue_state(watched.page) == {**DEFAULT_CATALOGUE, **given}, "defaults for the bad keys only"
    watched.assert_nothing_ran()
    query = given.get("q", "")
    assert watched.page.get_attribute("#cat-q", "value") is None, "the text is the box's value, not markup"
    if "<" in query:
        assert watched.page.inner_text("#apkb-catalogue-count").startswith("Showing 0 of")
        # The text is kept in the address (re-encoded by the page) so the link restores the search box.
        shown = address(watched.page)
        assert "%3C" in shown and "<" not in shown.partition("#")[2]
    else:
        watched.address_is_clean()


def test_typed_markup_stays_text_in_the_box_and_in_the_link(watched: Watched, site: SiteUnderTest) -> None:
    watched.open(site.url("catalogue.html"))
    watched.page.fill("#cat-q", IMG)
    watched.page.wait_for_function("location.hash.includes('q=')")
    shared = address(watched.page)
    watched.assert_nothing_ran()
    other = Watched(watched.page.context.new_page())
    other.page.on("dialog", lambda d: (other.dialogs.append(d.message), d.dismiss()))
    other.page.on("pageerror", lambda error: other.errors.append(str(error)))
    other.open(shared)
    assert other.page.input_value("#cat-q") == IMG
    other.assert_nothing_ran()


def test_the_catalogue_follows_a_hostile_hash_change_without_injecting_anything(
    watched: Watched, site: SiteUnderTest
) -> None:
    watched.open(site.url("catalogue.html#stage=response"))
    watched.page.evaluate("h => { location.hash = h; }", f"#q={SCRIPT_ENCODED}&category={IMG_ENCODED}&effect=unknown")
    watched.page.wait_for_function("document.getElementById('cat-effect').value === 'unknown'")
    assert catalogue_state(watched.page) == {**DEFAULT_CATALOGUE, "effect": "unknown", "q": SCRIPT}
    watched.assert_nothing_ran()
