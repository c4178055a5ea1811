"""A profile as the recommender page's URL fragment, so that a recommendation is a link. The browser engine
(``site/static/recommender.js``) writes and reads the same fragment."""

from __future__ import annotations

from urllib.parse import quote

from apkb.content.profile import Profile

SETTING_KEYS = {"security_council": "council", "host_consent": "consent", "access": "access", "communications": "comms"}
"""Each part of the setting, and its key in the fragment."""

CHANNEL_KEY = "ch-"
"""The fragment key of a channel is this prefix and the channel's id, such as ``ch-aid``."""


def profile_fragment(profile: Profile) -> str:
    """The profile as the fragment of the recommender page's address (without '#').

    ``stage=mitigation&rf=01203000000000&sit=election&perp=state-security-forces&council=blocked&obj=protect&
    leverage=low&time=weeks&budget=medium&ch-aid=high&actors=embassy&exclude=x``, where ``rf`` holds the levels
    of RF01..RF14 as 14 digits, and whatever the profile leaves out is left out.
    """
    c = profile.constraints
    params = [("stage", profile.stage), ("rf", "".join(str(level) for level in profile.levels().values()))]
    if profile.situations:
        params.append(("sit", ",".join(profile.situations)))
    if profile.perpetrator_types:
        params.append(("perp", ",".join(profile.perpetrator_types)))
    params += [(key, getattr(profile.setting, part)) for part, key in SETTING_KEYS.items() if getattr(profile.setting, part)]
    if profile.objectives:
        params.append(("obj", ",".join(profile.objectives)))
    params += [(key, value) for key, value in (("leverage", c.leverage), ("time", c.time_horizon), ("budget", c.budget)) if value]
    params += [(CHANNEL_KEY + channel, level) for channel, level in c.channels.items()]
    if c.actors_available is not None:
        params.append(("actors", ",".join(c.actors_available)))
    if c.exclude:
        params.append(("exclude", ",".join(c.exclude)))
    return "&".join(f"{key}={quote(value, safe=',')}" for key, value in params)
