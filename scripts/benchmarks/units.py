"""How a measured number is shown: seconds, milliseconds, megabytes, kilobytes, ratios, counts and text.

The results table and the hostile-input table both format their cells with these.
"""

from __future__ import annotations

from typing import Any


def seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def millis(value: float) -> str:
    ms = value * 1000
    return f"{ms:.2f} ms" if ms < 10 else f"{ms:.1f} ms" if ms < 100 else f"{ms:,.0f} ms"


def megabytes(value: float) -> str:
    return f"{value / 1e6:,.2f} MB" if value < 1e8 else f"{value / 1e6:,.0f} MB"


def kilobytes(value: float) -> str:
    return f"{value / 1e3:,.1f} kB"


def ratio(value: float) -> str:
    return f"{value:.2f}×"


def count(value: float) -> str:
    return f"{int(value):,}"


def text(value: Any) -> str:
    return str(value)
