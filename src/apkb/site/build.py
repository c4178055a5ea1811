"""Build the site with MkDocs, all or nothing: a build that fails leaves the previous site exactly as it was.

MkDocs runs as a separate process (the core never imports it), into a new folder beside the target. Only a
build that succeeds replaces the target, by renaming folders, so readers of the site folder (a web server, a
maintainer with the site open) see either the old site or the new one, never a half-written mixture.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


class SiteBuildError(Exception):
    """The site did not build; the message holds what MkDocs said."""


def run_mkdocs(config: Path, destination: Path) -> None:
    """Build the site of ``config`` into ``destination`` strictly, or raise :class:`SiteBuildError`."""
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-f", str(config), "-d", str(destination)],
        capture_output=True, text=True, check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},  # its end-of-life banner would bury the real error
    )
    if done.returncode != 0:
        raise SiteBuildError(done.stderr.strip() or f"mkdocs exited with {done.returncode}")


def build_site(config: Path, site_dir: Path) -> None:
    """Build into a fresh folder beside ``site_dir`` and swap it in; on any failure, ``site_dir`` is untouched."""
    site_dir = site_dir.absolute()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.new-", dir=site_dir.parent))
    try:
        run_mkdocs(config, staging)
        _swap(staging, site_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _swap(new: Path, site_dir: Path) -> None:
    """Put ``new`` at ``site_dir``, moving the old site aside first and back again if the second move fails."""
    if not site_dir.exists():
        new.rename(site_dir)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.old-", dir=site_dir.parent))
    old.rmdir()
    site_dir.rename(old)
    try:
        new.rename(site_dir)
    except OSError:
        old.rename(site_dir)
        raise
    shutil.rmtree(old, ignore_errors=True)
