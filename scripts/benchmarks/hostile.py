"""Hostile input: how fast, and in how little memory, the loader refuses what it must.

``hostile_input`` writes a 10 MB entry, a "billion laughs" alias bomb and 200,000 nested lists, times
(best of five) ``read_front_matter`` refusing each, traces the peak Python memory meanwhile, and returns a
Markdown table.
"""

from __future__ import annotations

import time
from pathlib import Path

from .units import kilobytes, millis


def _alias_bomb(levels: int = 10) -> str:
    """A "billion laughs" front matter: each level lists the one before ten times, 10**levels strings if expanded."""
    lines = ['lol0: &a0 "lol"'] + [f"lol{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, levels)]
    return "---\nid: bomb\n" + "\n".join(lines) + "\n---\n## What it is\n"


def hostile_input(work: Path, runs: int = 5) -> str:
    """Time (best of ``runs``) and trace the peak Python memory of refusing each hostile file, as a Markdown table."""
    import tracemalloc

    from apkb.content.front_matter import read_front_matter
    from apkb.content.problems import ContentError

    cases = {
        "a 10 MB entry": lambda path: path.write_bytes(b"---\nid: huge\n---\n" + b"A" * (10 * 1024 * 1024)),
        "a billion-laughs alias bomb (10 levels)": lambda path: path.write_text(_alias_bomb(), encoding="utf-8"),
        "200,000 nested lists": lambda path: path.write_text(
            "---\nid: deep\nx: " + "[" * 200_000 + "]" * 200_000 + "\n---\n", encoding="utf-8"),
    }
    rows = ["| Input | Refused with | Best time | Peak memory traced |", "| --- | --- | ---: | ---: |"]
    for name, write in cases.items():
        path = work / "hostile.md"
        write(path)
        times, message, peak = [], "", 0
        for _ in range(runs):
            tracemalloc.start()
            began = time.perf_counter()
            try:
                read_front_matter(path)
                message = "(accepted!)"
            except ContentError as error:
                message = error.problems[0].message
            times.append(time.perf_counter() - began)
            peak = max(peak, tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
        shown = message if len(message) <= 70 else message[:67] + "..."
        rows.append(f"| {name} ({path.stat().st_size:,} bytes) | {shown} | {millis(min(times))} | {kilobytes(peak)} |")
    return "\n".join(rows)
