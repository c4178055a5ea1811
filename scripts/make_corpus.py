"""Write a synthetic knowledge base of N tools and N/4 lessons, for benchmarks (scripts/bench.py).

Usage: python scripts/make_corpus.py N OUT [--seed 1] [--force]

The corpus is valid (``apkb --root OUT validate`` passes) and builds as a site (``mkdocs build -f
OUT/mkdocs.yml``): every front matter field is filled with terms from the vocabularies, every tool cites 2 to 6
studies and lists its risks and success factors, bodies run to about 600 words in the standard sections, and
entries link each other with ``[text](tool:id)``, ``[text](lesson:id)`` and ``[text](rf:RF07)`` as well as
through ``related``, ``combines_with`` and the lessons' ``tools_used``. The same N and seed always give the
same bytes.

The text is made up. Every citation is synthetic, marked ``verified: false`` and has no doi or url; nothing
here may be copied into the real knowledge base.
"""

from __future__ import annotations

import argparse
import datetime
import random
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from apkb.content.vocabulary import vocabularies

REPO = Path(__file__).resolve().parent.parent
V = vocabularies()

STAGES = list(V.stages.ids)
CATEGORIES = list(V.categories.ids)
STRATEGIES = list(V.strategies.ids)
ACTORS = list(V.actors.ids)
LEVERAGE = list(V.leverage.ids)
TIMES = list(V.time_to_effect.ids)
COSTS = list(V.cost.ids)
EFFECTS = list(V.effects.ids)
DESIGNS = list(V.study_designs.ids)
MEASURES = list(V.measures.ids)
DIRECTIONS = list(V.directions.ids)
OUTCOMES = list(V.outcomes.ids)
REGIONS = list(V.regions.ids)
RESULTS = list(V.results.ids)
RISK_FACTORS = list(V.risk_factors.ids)
SITUATIONS = list(V.situations.ids)
PERPETRATORS = list(V.perpetrator_types.ids)
NEEDS = list(V.needs.ids)
CHANNELS = list(V.channels.ids)
CHANNEL_LEVELS = list(V.channel_levels.ids)
STARTS = list(V.start.ids)
SETTING = {"security_council": list(V.council.ids), "host_consent": list(V.consent.ids), "access": list(V.access.ids),
           "communications": list(V.communications.ids)}
TOOL_SECTIONS = list(V.body_sections.tool)
LESSON_SECTIONS = list(V.body_sections.lesson)

# --- words ------------------------------------------------------------------------------------------------

FUNCTION_WORDS = (
    "the of and to in a for that is on with as by it be are was this from or at an which their not have they "
    "has can more when its but were been other most also than into only if who after before where while so "
    "between through them these those both each over under during such any some all may should would will"
).split()

DOMAIN_WORDS = (
    "atrocity atrocities prevention mitigation response violence mass killing genocide civilians civilian "
    "protection sanctions embargo embargoes arms asset freeze freezes visa ban bans envoy envoys mediation "
    "mediator dialogue diplomacy diplomatic embassy embassies ministry ministries government governments "
    "regime regimes leaders leadership elite elites militia militias army armed forces police security "
    "council resolution resolutions regional organisation organisations union african european league "
    "monitoring monitors observers observer mission missions peacekeeping peacekeepers deployment deter "
    "deterrence dissuade degrade transition election elections electoral ballot campaign candidates "
    "incitement hate speech radio media journalists independent broadcast messaging rumours rumour "
    "community communities local leaders religious traditional women youth displaced displacement refugees "
    "refugee camps border borders neighbours humanitarian aid donors donor funding programme programmes "
    "evaluation evidence study studies finding findings effect effects certainty observational experiment "
    "survey data dataset cases case comparison cross-national subnational district districts province "
    "provinces village villages accountability justice courts court tribunal prosecution prosecutions "
    "impunity documentation evidence preservation witnesses witness testimony commission inquiry inquiries "
    "truth reconciliation reparations reform reforms sector institutions institution rule law laws "
    "constitution constitutional rights human abuses repression crackdown protest protests opposition party "
    "parties coalition power-sharing agreement agreement ceasefire negotiations talks settlement peace "
    "process warning warnings early signals indicators risk risks factor factors trigger triggers "
    "escalation escalating crisis crises conflict conflicts war wars insurgency insurgents rebels rebel "
    "groups group targeted sectoral trade exports export licences dual-use surveillance technology revenue "
    "revenues commodities oil minerals gold timber banks financial finance treasury listing listings "
    "designation designations delisting compliance evasion smuggling networks patronage corruption costs "
    "cost leverage pressure incentives conditionality loans lending reputational standing legitimacy "
    "statements statement public private condemnation naming shaming signal signalling credible threat "
    "threats follow-through commitment coordination partners allies capitals multilateral unilateral "
    "practitioners staff officials training capacity budget months weeks years days timeline horizon "
    "backfire harm harms unintended consequences mitigate mitigating safeguards exemptions vulnerable "
    "minority minorities ethnic identity polarisation grievances discrimination exclusion land resources"
).split()

SYLLABLES = (
    "ka ri ma no va le su ta mi ro de la ne to ba si ga lu po fe ki da mo ru ve na zi ha bo te lo ni wa ya "
    "che sha tro ven dar kel mir sol tan bel gor lin pra dor vel nak"
).split()


def zipf_weights(count: int, exponent: float = 1.05) -> list[float]:
    """Cumulative weights of a Zipf distribution over ``count`` ranks, for ``random.choices``."""
    total = 0.0
    cumulative = []
    for rank in range(1, count + 1):
        total += 1.0 / rank**exponent
        cumulative.append(total)
    return cumulative


class Words:
    """Made-up prose: function words, a domain lexicon and a long tail of invented words, Zipf-distributed,
    so that the search index sees a realistic mix of very common and rare terms."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        tail: list[str] = []
        seen = set(DOMAIN_WORDS) | set(FUNCTION_WORDS)
        while len(tail) < 6000:
            word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
            if word not in seen:
                seen.add(word)
                tail.append(word)
        self.domain = DOMAIN_WORDS[:]
        rng.shuffle(self.domain)
        self.domain_weights = zipf_weights(len(self.domain), 0.75)
        self.tail = tail
        self.tail_weights = zipf_weights(len(tail), 1.1)

    def name(self) -> str:
        """An invented proper name (a place, a person, a party)."""
        return "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(2, 3))).capitalize()

    def words(self, count: int, names: Sequence[str] = ()) -> list[str]:
        rng = self.rng
        out = []
        for _ in range(count):
            roll = rng.random()
            if roll < 0.38:
                out.append(rng.choice(FUNCTION_WORDS))
            elif roll < 0.88:
                out.append(rng.choices(self.domain, cum_weights=self.domain_weights)[0])
            elif roll < 0.94 and names:
                out.append(rng.choice(names))
            else:
                out.append(rng.choices(self.tail, cum_weights=self.tail_weights)[0])
        return out

    def sentence(self, names: Sequence[str] = (), low: int = 9, high: int = 22) -> str:
        words = self.words(self.rng.randint(low, high), names)
        words[0] = words[0][:1].upper() + words[0][1:]
        if len(words) > 8 and self.rng.random() < 0.3:
            words[len(words) // 2] += ","
        return " ".join(words) + "."

    def text(self, max_chars: int, names: Sequence[str] = ()) -> str:
        """One sentence of at most ``max_chars`` characters."""
        while True:
            sentence = self.sentence(names, 8, 30)
            if len(sentence) <= max_chars:
                return sentence

    def title(self, names: Sequence[str] = ()) -> str:
        words = self.rng.sample(self.domain, self.rng.randint(2, 5))
        if names and self.rng.random() < 0.3:
            words.append("in " + self.rng.choice(names))
        return " ".join(words).capitalize()


# --- entries ---------------------------------------------------------------------------------------------


def tool_id(number: int) -> str:
    return f"synthetic-tool-{number:04d}"


def lesson_id(number: int) -> str:
    return f"synthetic-lesson-{number:04d}"


def subset(rng: random.Random, items: Sequence[str], low: int, high: int) -> list[str]:
    """Between ``low`` and ``high`` distinct items, in the vocabulary's order."""
    chosen = set(rng.sample(list(items), rng.randint(low, min(high, len(items)))))
    return [item for item in items if item in chosen]


class Corpus:
    """Generates the entries of one synthetic knowledge base."""

    def __init__(self, tools: int, lessons: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.words = Words(self.rng)
        self.tools = tools
        self.lessons = lessons
        self.categories = [CATEGORIES[i % len(CATEGORIES)] for i in range(tools)]
        self.rng.shuffle(self.categories)

    def _citation(self, names: Sequence[str]) -> dict[str, Any]:
        rng, w = self.rng, self.words
        authors = " and ".join(f"{w.name()}, {rng.choice('ABCDEFGHJKLMNPRSTW')}." for _ in range(rng.randint(1, 3)))
        return {
            "authors": authors,
            "year": rng.randint(1990, 2025),
            "title": w.title(names),
            "venue": f"Synthetic Journal of {rng.choice(['Peace', 'Conflict', 'Prevention', 'Security'])} Studies "
            f"{rng.randint(1, 60)}({rng.randint(1, 6)})",
            "verified": False,
        }

    def _study(self, names: Sequence[str]) -> dict[str, Any]:
        rng = self.rng
        study = self._citation(names)
        study.pop("verified")
        study.update(
            design=rng.choice(DESIGNS),
            measures=rng.choice(MEASURES),
            finding=" ".join(self.words.sentence(names) for _ in range(2)),
            direction=rng.choice(DIRECTIONS),
            verified=False,
        )
        return study

    def _links(self, own: str, count: int) -> list[str]:
        """Inline cross-links to other tools, lessons and risk factors."""
        rng, links = self.rng, []
        for _ in range(count):
            roll = rng.random()
            if roll < 0.55:
                other = tool_id(rng.randint(1, self.tools))
                if other != own:
                    links.append(f"[{' '.join(self.words.words(rng.randint(1, 3)))}](tool:{other})")
            elif roll < 0.8 and self.lessons:
                links.append(f"[the case of {self.words.name()}](lesson:{lesson_id(rng.randint(1, self.lessons))})")
            else:
                factor = rng.choice(RISK_FACTORS)
                links.append(f"[risk factor {factor[2:].lstrip('0')}](rf:{factor})")
        return links

    def _paragraph(self, names: Sequence[str], words: int, links: list[str]) -> str:
        sentences: list[str] = []
        count = 0
        while count < words:
            sentence = self.words.sentence(names)
            count += sentence.count(" ") + 1
            if links and self.rng.random() < 0.35:
                sentence = sentence[:-1] + f"; see {links.pop()}."
            sentences.append(sentence)
        return " ".join(sentences)

    def _body(self, own: str, sections: list[str], names: Sequence[str], words: int = 480) -> str:
        rng = self.rng
        links = self._links(own, rng.randint(3, 7))
        per_section = words // len(sections)
        parts = []
        for index, heading in enumerate(sections):
            parts.append(f"## {heading}\n")
            if index == len(sections) - 1 and rng.random() < 0.7:
                half = per_section // 2
                parts.append(self._paragraph(names, half, links) + "\n")
                for _ in range(3):
                    parts.append(f"- **{rng.choice(self.words.domain).capitalize()}.** "
                                 + self._paragraph(names, half // 3, links))
                parts.append("")
            else:
                first = rng.randint(per_section // 3, 2 * per_section // 3)
                parts.append(self._paragraph(names, first, links) + "\n")
                parts.append(self._paragraph(names, per_section - first, links) + "\n")
        if links:  # any links left go at the end of the last section
            parts.append("See also " + ", ".join(links) + ".\n")
        return "\n".join(parts).rstrip() + "\n"

    def _reviewed(self) -> datetime.date:
        return datetime.date(2024, 1, 1) + datetime.timedelta(days=self.rng.randint(0, 1000))

    def tool(self, number: int) -> tuple[str, dict[str, Any], str]:
        """The category, front matter and body of tool ``number`` (from 1)."""
        rng, w = self.rng, self.words
        own = tool_id(number)
        names = [w.name() for _ in range(rng.randint(2, 5))]
        others = [i for i in rng.sample(range(1, self.tools + 1), min(self.tools, 8)) if i != number]
        stages = subset(rng, STAGES, 1, 3)
        meta: dict[str, Any] = {
            "id": own,
            "title": f"{w.title(names)} ({number})",
            "summary": w.text(280, names),
        }
        if rng.random() < 0.05:
            meta["aliases"] = [f"{own}-former"]
        meta.update(
            category=self.categories[(number - 1) % len(self.categories)],
            stages=stages,
            strategies=subset(rng, STRATEGIES, 1, 3),
            risk_factors={f: f"Synthetic reason for {f}." for f in subset(rng, RISK_FACTORS, 1, 6)},
            actors=subset(rng, ACTORS, 1, 6),
        )
        if rng.random() < 0.15:
            meta["situations"] = subset(rng, SITUATIONS, 1, 2)
        meta.update(
            perpetrator_types=subset(rng, PERPETRATORS, 1, 3) if rng.random() < 0.5 else [],
            needs=subset(rng, NEEDS, 1, 2) if rng.random() < 0.3 else [],
            channels=subset(rng, CHANNELS, 1, 2) if rng.random() < 0.4 else [],
            leverage_needed=rng.choice(LEVERAGE),
            time_to_effect=rng.choice(TIMES),
            start=rng.choice(STARTS),
            cost=rng.choice(COSTS),
            evidence={
                "effect": (effect := rng.choice(EFFECTS)),
                "certainty": rng.choice(V.effects.term(effect).certainty),  # a certainty that allows the effect
                "rationale": " ".join(w.sentence(names) for _ in range(3)),
                "success_factors": {
                    "contextual": [w.sentence(names) for _ in range(rng.randint(1, 4))],
                    "design": [w.sentence(names) for _ in range(rng.randint(1, 4))],
                },
                "risks": [self._risk(names) for _ in range(rng.randint(1, 4))],
                "studies": [self._study(names) for _ in range(rng.randint(2, 6))],
            },
        )
        related = [tool_id(i) for i in others[: rng.randint(0, 4)]]
        combines = [tool_id(i) for i in others[4 : 4 + rng.randint(0, 3)]]
        if related:
            meta["related"] = related
        if combines:
            meta["combines_with"] = combines
        if rng.random() < 0.5:
            meta["sources"] = [self._citation(names) for _ in range(rng.randint(1, 2))]
        meta["drafted"] = self._reviewed()
        meta["checks"] = [{"date": meta["drafted"], "by": f"synthetic-checker-{rng.randint(1, 9)}", "what": "Synthetic."}]
        return meta["category"], meta, self._body(own, TOOL_SECTIONS, names)

    def _risk(self, names: Sequence[str]) -> dict[str, Any]:
        rng = self.rng
        risk: dict[str, Any] = {"risk": self.words.sentence(names), "mitigation": self.words.sentence(names)}
        if rng.random() < 0.6:
            risk["risk_factors"] = subset(rng, RISK_FACTORS, 1, 3)
        if rng.random() < 0.5:
            risk["stages"] = subset(rng, STAGES, 1, 2)
        return risk

    def lesson(self, number: int) -> tuple[dict[str, Any], str]:
        """The front matter and body of lesson ``number`` (from 1)."""
        rng, w = self.rng, self.words
        own = lesson_id(number)
        country = w.name()
        names = [country, *(w.name() for _ in range(rng.randint(2, 4)))]
        start = rng.randint(1990, 2024)
        used = rng.sample(range(1, self.tools + 1), min(self.tools, rng.randint(1, 4)))
        meta: dict[str, Any] = {
            "id": own,
            "title": f"{country} {start}: {w.title(names).lower()}",
            "summary": w.text(280, names),
            "country": country,
            "iso3": "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(3)),
            "region": REGIONS[number % len(REGIONS)],  # by number, so the random stream (and old corpora) stay as they were
            "period": {"start": start, "end": start + rng.randint(0, 3)},
            "stage": rng.choice(STAGES),
            "risk_factors": subset(rng, RISK_FACTORS, 1, 8),
            "tools_used": [
                {"tool": tool_id(i), "outcome": rng.choice(OUTCOMES), "note": " ".join(w.sentence(names) for _ in range(2))}
                for i in used
            ],
            "outcome": " ".join(w.sentence(names) for _ in range(2)),
            "result": RESULTS[number % len(RESULTS)],
            "lessons": [w.sentence(names) for _ in range(rng.randint(1, 4))],
            "sources": [self._citation(names) for _ in range(rng.randint(1, 3))],
            "decision_point": {
                "date": datetime.date(start, 6, 1),
                "summary": w.sentence(names),
                "profile": {
                    "stage": rng.choice(STAGES),
                    "risk_factors": {f: rng.randint(1, 3) for f in subset(rng, RISK_FACTORS, 2, 8)},
                    "situations": subset(rng, SITUATIONS, 1, 2),
                    "perpetrator_types": subset(rng, PERPETRATORS, 1, 2),
                    "setting": {key: rng.choice(values) for key, values in SETTING.items() if rng.random() < 0.7},
                    "constraints": {"channels": {c: rng.choice(CHANNEL_LEVELS) for c in subset(rng, CHANNELS, 1, 3)}},
                },
            },
            "drafted": self._reviewed(),
        }
        return meta, self._body(own, LESSON_SECTIONS, names)


# --- files -----------------------------------------------------------------------------------------------


class _Dumper(yaml.CSafeDumper):
    """Short lists of terms inline (``stages: [mitigation, response]``), as maintainers write them; the rest in
    block style. No anchors: front matter may not use them, so a value used twice is written out twice."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    inline = all(isinstance(item, (str, int)) and len(str(item)) <= 40 for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=inline)


_Dumper.add_representer(list, _represent_list)


def entry_text(meta: dict[str, Any], body: str) -> str:
    """An entry file: YAML front matter and the body."""
    front = yaml.dump(meta, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110, default_flow_style=False)
    return f"---\n{front}---\n{body}"


def mkdocs_config() -> dict[str, Any]:
    """The repository's mkdocs.yml (same theme, plugins and extensions), with a nav of the generated pages."""
    config: dict[str, Any] = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    config.update(site_name="Synthetic knowledge base (benchmark)", docs_dir="docs", site_dir="site")
    config["nav"] = [
        {"Home": "index.md"},
        {"Toolkit": [
            "toolkit/index.md",
            {"Catalogue (filter and sort)": "catalogue.md"},
            *({V.categories.label_of(c): f"toolkit/{c}.md"} for c in CATEGORIES),
        ]},
        {"Lessons": "lessons/index.md"},
        {"Recommend tools": "recommend.md"},
        {"Methodology": ["methodology.md", {"From EWP data to a profile": "ewp-profiles.md"}]},
        {"Evidence gaps": "evidence-gaps.md"},
        {"Maintainers": [{"Review due": "review-due.md"}, {"Recently updated": "recently-updated.md"}]},
    ]
    return config


def home_page(tools: int, lessons: int) -> str:
    lines = [
        "---",
        "title: Synthetic knowledge base",
        "---",
        "",
        "# Synthetic knowledge base",
        "",
        f"A made-up knowledge base of {tools} tools and {lessons} lessons, written by `scripts/make_corpus.py` "
        "to measure how the build, search and recommender scale. Nothing here is real.",
        "",
        f"Start with [the first tool](tool:{tool_id(1)})"
        + (f" or [the first lesson](lesson:{lesson_id(1)})" if lessons else "")
        + ", or read about [risk factor 7](rf:RF07).",
        "",
    ]
    return "\n".join(lines)


def write_corpus(out: Path, tools: int, seed: int = 1, lessons: int | None = None) -> tuple[int, int]:
    """Write the corpus into ``out`` (which must be empty or missing). Returns (tools, lessons)."""
    lessons = tools // 4 if lessons is None else lessons
    corpus = Corpus(tools, lessons, seed)
    for category in CATEGORIES:
        (out / "toolkit" / category).mkdir(parents=True, exist_ok=True)
    (out / "lessons").mkdir(parents=True, exist_ok=True)
    for number in range(1, tools + 1):
        category, meta, body = corpus.tool(number)
        (out / "toolkit" / category / f"{meta['id']}.md").write_text(entry_text(meta, body), encoding="utf-8")
    for number in range(1, lessons + 1):
        meta, body = corpus.lesson(number)
        (out / "lessons" / f"{meta['id']}.md").write_text(entry_text(meta, body), encoding="utf-8")
    docs = out / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "index.md").write_text(home_page(tools, lessons), encoding="utf-8")
    vendor = REPO / "docs" / "assets" / "vendor"
    if vendor.is_dir():  # the offline plugin's polyfill, which mkdocs.yml names
        shutil.copytree(vendor, docs / "assets" / "vendor", dirs_exist_ok=True)
    (out / "mkdocs.yml").write_text(
        "# Written by scripts/make_corpus.py: the repository's configuration, with a nav of generated pages.\n"
        + yaml.safe_dump(mkdocs_config(), sort_keys=False, allow_unicode=True, width=110),
        encoding="utf-8",
    )
    return tools, lessons


def extra_tool(out: Path, tools: int, number: int, seed: int = 1) -> Path:
    """Write one more valid tool (``number`` > the corpus's tools) into an existing corpus; returns its path."""
    corpus = Corpus(tools, tools // 4, seed + number)
    category, meta, body = corpus.tool(number)
    meta["id"] = tool_id(number)
    meta["title"] = meta["title"].rsplit(" (", 1)[0] + f" ({number})"
    meta.pop("aliases", None)
    path = out / "toolkit" / category / f"{meta['id']}.md"
    path.write_text(entry_text(meta, body), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="How many tools; lessons are N/4.")
    parser.add_argument("out", type=Path, help="The folder to write (toolkit/, lessons/, docs/, mkdocs.yml).")
    parser.add_argument("--seed", type=int, default=1, help="The same seed gives the same corpus (default 1).")
    parser.add_argument("--force", action="store_true", help="Write into OUT even if it is not empty.")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("N must be at least 1")
    if args.out.exists() and (not args.out.is_dir() or any(args.out.iterdir())) and not args.force:
        print(f"error: {args.out} exists and is not empty; choose another folder or pass --force", file=sys.stderr)
        return 1
    if args.force and args.out.is_dir():
        for folder in ("toolkit", "lessons"):  # no stale entries from a bigger corpus
            shutil.rmtree(args.out / folder, ignore_errors=True)
    tools, lessons = write_corpus(args.out, args.n, args.seed)
    print(f"wrote {tools} tools and {lessons} lessons to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
