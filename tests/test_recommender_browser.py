"""The "Recommend tools" page in headless Chromium, as an officer uses it: from the local web server and from
file:// with the network off (the ``site`` fixture runs each test both ways)."""

from __future__ import annotations

from typing import Any

import pytest

from apkb.content.profile import Profile, load_profile
from apkb.recommend.fragment import profile_fragment
from conftest import REPO, SCENARIOS, SiteUnderTest, address, cli_top, shown_tools

Page = Any
"""A Playwright page (playwright is imported only when a browser is available)."""


@pytest.fixture
def page(tracked_page: Page) -> Page:
    """A page on the site in both modes; tracked_page checks that no script failed and nothing left the site."""
    return tracked_page


def form_state(page: Page) -> dict[str, Any]:
    return page.evaluate(
        """() => {
        const form = document.getElementById('apkb-recommender');
        const ticked = name => Array.from(form.elements[name]).filter(b => b.checked).map(b => b.value);
        const levels = {};
        for (let i = 1; i <= 14; i++) { const f = 'RF' + String(i).padStart(2, '0'); levels[f] = Number(form.elements[f].value); }
        return {stage: ticked('stage')[0], risk_factors: levels, situations: ticked('situations'), leverage: form.elements.leverage.value || null,
                time_horizon: form.elements.time.value || null, budget: form.elements.budget.value || null,
                actors: ticked('actors'), exclude: ticked('exclude')};
    }"""
    )


def expected_state(profile: Profile) -> dict[str, Any]:
    c = profile.constraints
    return {
        "stage": profile.stage, "risk_factors": profile.levels(), "situations": sorted(profile.situations),
        "leverage": c.leverage,
        "time_horizon": c.time_horizon, "budget": c.budget, "actors": sorted(c.actors_available or []),
        "exclude": sorted(c.exclude),
    }


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_a_scenarios_link_opens_the_same_top_five_as_the_cli(page: Page, site: SiteUnderTest, scenario_id: str) -> None:
    scenario = REPO / "docs" / "training" / "scenarios" / f"{scenario_id}.yml"
    page.goto(site.url(f"training/scenarios/{scenario_id}.html"))
    page.click("text=Open this scenario in the recommender")
    page.wait_for_selector("#apkb-results li.apkb-result")
    page.select_option("#c-top", "5")
    assert shown_tools(page) == cli_top(scenario)
    state = form_state(page)
    state = {key: sorted(value) if isinstance(value, list) else value for key, value in state.items()}
    assert state == expected_state(load_profile(scenario)), "the link restores the form exactly"


def test_changing_the_form_updates_the_results_and_the_link_restores_it(page: Page, site: SiteUnderTest) -> None:
    page.goto(site.url("recommend.html"))
    page.wait_for_selector("#apkb-results li.apkb-result")
    page.focus("#rf-RF11")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.check("input[name=stage][value=response]")
    page.select_option("#c-leverage", "low")
    page.check("input[name=actors][value=embassy]")
    page.click("summary:has-text('Leave tools out')")
    page.check("input[name=exclude][value=mediation]")
    before = form_state(page)
    assert before["risk_factors"]["RF11"] == 3, "the level changes from the keyboard"
    top = shown_tools(page)
    assert "mediation" not in top
    shared = address(page)
    assert "#" in shared and "rf=0000000000300" in shared
    other = page.context.new_page()
    other.goto(shared)
    other.wait_for_selector("#apkb-results li.apkb-result")
    assert form_state(other) == before
    assert shown_tools(other) == top


def test_the_link_python_writes_is_read_back_by_the_page(page: Page, site: SiteUnderTest) -> None:
    profile = Profile.model_validate({
        "stage": "mitigation", "risk_factors": {"RF04": 2, "RF08": 3}, "situations": ["election"],
        "constraints": {"time_horizon": "weeks", "budget": "low", "actors_available": ["embassy", "media"]},
    })
    page.goto(site.url("recommend.html#" + profile_fragment(profile)))
    page.wait_for_selector("#apkb-results li.apkb-result")
    state = form_state(page)
    state["actors"] = sorted(state["actors"])
    assert state == expected_state(profile)


def test_every_control_has_a_label(page: Page, site: SiteUnderTest) -> None:
    page.goto(site.url("recommend.html"))
    unlabelled = page.evaluate(
        """() => Array.from(document.querySelectorAll('#apkb-recommender input, #apkb-recommender select'))
             .filter(el => el.labels.length === 0).map(el => el.name)"""
    )
    assert unlabelled == []


V2_FORM = """() => {
    const form = document.getElementById('apkb-recommender');
    const ticked = name => Array.from(form.elements[name]).filter(b => b.checked).map(b => b.value);
    const channels = {};
    for (const select of form.querySelectorAll('select[name^="ch-"]')) if (select.value) channels[select.name.slice(3)] = select.value;
    return {perpetrator_types: ticked('perp'), objectives: ticked('obj'), situations: ticked('situations'),
            setting: {security_council: form.elements.council.value || null, host_consent: form.elements.consent.value || null,
                      access: form.elements.access.value || null, communications: form.elements.comms.value || null},
            channels: channels};
}"""


def test_a_version_2_link_restores_every_field_and_blocks_what_the_setting_rules_out(page: Page, site: SiteUnderTest) -> None:
    profile = Profile.model_validate({
        "stage": "response", "risk_factors": {"RF01": 3, "RF11": 3, "RF12": 2},
        "situations": ["armed-conflict", "siege-or-starvation"],
        "perpetrator_types": ["state-security-forces", "foreign-forces"],
        "setting": {"security_council": "blocked", "host_consent": "refused", "access": "denied", "communications": "blackout"},
        "objectives": ["protect", "accountability"],
        "constraints": {"time_horizon": "weeks", "channels": {"aid": "none", "finance": "high"}},
    })
    page.goto(site.url("recommend.html#" + profile_fragment(profile)))
    page.wait_for_selector("#apkb-results li.apkb-blocked-tool")
    assert page.evaluate(V2_FORM) == {
        "perpetrator_types": profile.perpetrator_types, "objectives": profile.objectives, "situations": profile.situations,
        "setting": profile.setting.model_dump(), "channels": profile.constraints.channels,
    }
    assert address(page).partition("#")[2] == profile_fragment(profile) + "&top=10", "the page writes the same link back"
    blocked = page.eval_on_selector_all("#apkb-results li.apkb-blocked-tool", "items => items.map(i => i.dataset.toolId)")
    assert {"security-council-action", "aid-conditionality", "unarmed-civilian-protection"} <= set(blocked)
    assert "security-council-action" not in shown_tools(page)
    assert page.locator("#tier-blocked").is_visible() and page.locator(".apkb-judgement").is_visible()
