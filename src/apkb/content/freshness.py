"""How fresh the entries are: which are due for review, and which changed most recently."""

from __future__ import annotations

import datetime
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from apkb.content.catalog import Catalog
from apkb.content.load import Entry

REVIEW_EVERY_MONTHS = 18


def today() -> datetime.date:
    """The build's date: $SOURCE_DATE_EPOCH when set (for reproducible builds), else the clock's."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC).date()
    return datetime.date.today()


def months_between(earlier: datetime.date, later: datetime.date) -> int:
    """Whole months from ``earlier`` to ``later``."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - 1 if later.day < earlier.day else months


@dataclass(frozen=True)
class Due:
    entry: Entry
    months: int
    """Months since the entry was last checked (or drafted, if it never was)."""


def review_due(catalog: Catalog, on: datetime.date, every: int = REVIEW_EVERY_MONTHS) -> list[Due]:
    """Entries not checked for ``every`` months or more, the longest-neglected first."""
    due = [Due(e, months_between(e.last_checked, on)) for e in catalog.entries()]
    return sorted((d for d in due if d.months >= every), key=lambda d: (-d.months, d.entry.id))


def awaiting_expert_review(catalog: Catalog) -> list[Entry]:
    """Entries no subject expert has reviewed yet, the longest-waiting (earliest drafted) first."""
    waiting = [e for e in catalog.entries() if e.expert_review is None]
    return sorted(waiting, key=lambda e: (e.drafted, e.kind, e.id))


@dataclass(frozen=True)
class Change:
    entry: Entry
    date: datetime.date
    source: str
    """'git' when the date is the file's last commit, 'checked' when it is the entry's last check."""


def last_commits(root: Path) -> dict[Path, datetime.date]:
    """The date of the latest commit touching each file under ``root``, from one pass over git's log; empty if
    ``root`` is not in a git repository or git is missing."""
    try:
        log = subprocess.run(
            ["git", "-C", str(root), "log", "--format=@%cs", "--name-only", "--", "toolkit", "lessons"],
            capture_output=True, text=True, check=True, timeout=60,
        ).stdout
        top = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return {}
    dates: dict[Path, datetime.date] = {}
    current: datetime.date | None = None
    for line in log.splitlines():
        if line.startswith("@"):
            current = datetime.date.fromisoformat(line[1:])
        elif line and current is not None:
            dates.setdefault((Path(top) / line).resolve(), current)
    return dates


def recently_updated(catalog: Catalog, root: Path, limit: int = 20) -> list[Change]:
    """The entries changed most recently: by last commit where git knows the file, else by last check."""
    commits = last_commits(root)
    changes = []
    for entry in catalog.entries():
        committed = commits.get(entry.path.resolve()) if entry.path else None
        if committed is not None and committed >= entry.last_checked:
            changes.append(Change(entry, committed, "git"))
        else:
            changes.append(Change(entry, entry.last_checked, "checked"))
    return sorted(changes, key=lambda c: (c.date, c.entry.id), reverse=True)[:limit]
