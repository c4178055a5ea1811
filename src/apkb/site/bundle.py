"""The offline bundle: the built site in one dated zip, for embassy laptops with no network.

The zip holds a folder named like the zip, with the site and a short README. Entries are written in sorted
order with the bundle's date as their timestamp, so the same site and date give the same bytes.
"""

from __future__ import annotations

import datetime
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from apkb import __version__
from apkb.site.build import SiteBuildError, run_mkdocs

README = """\
{title}
{underline}

This is an offline copy of the Atrocity Prevention Knowledge Base, made on {date}{commit}.

To open it:
  1. Unzip this file (on Windows: right-click, "Extract All").
  2. Open the folder {folder} and double-click index.html.
     It opens in your web browser and needs no internet connection:
     search, the catalogue and the "Recommend tools" page all work offline.

The content is dated: evidence and ratings change. Check the knowledge base's
website, or ask whoever gave you this copy, for a newer version before you rely
on it for a decision.

Made with apkb {version}.
"""


class BundleError(Exception):
    """The bundle cannot be made; the message says why."""


def bundle_name(name: str, date: datetime.date) -> str:
    return f"{name}-{date.isoformat()}"


def git_commit(root: Path) -> str | None:
    """The short commit the site was built from, if ``root`` is a git checkout."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


@contextmanager
def built_site(config: Path) -> Iterator[Path]:
    """Build the site with MkDocs (as a separate process: the core never imports MkDocs) into a temporary
    folder, strictly, and yield it."""
    with tempfile.TemporaryDirectory(prefix="apkb-bundle-") as folder:
        site = Path(folder) / "site"
        try:
            run_mkdocs(config, site)
        except SiteBuildError as error:
            raise BundleError(f"the site did not build, so no bundle was made:\n{error}") from None
        yield site


def write_bundle(
    site: Path, out_dir: Path, name: str, date: datetime.date, commit: str | None = None, force: bool = False
) -> Path:
    """Zip ``site`` into ``out_dir``/<name>-<date>.zip with a README; refuse to overwrite unless ``force``. The zip
    is written beside the target and renamed over it, so a failure leaves any earlier zip as it was."""
    if not (site / "index.html").is_file():
        raise BundleError(f"{site} holds no index.html; build the site first")
    folder = bundle_name(name, date)
    target = out_dir / f"{folder}.zip"
    if target.exists() and not force:
        raise BundleError(f"{target} already exists; use --force to replace it")
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = (date.year, date.month, date.day, 0, 0, 0)
    readme = README.format(
        title=f"Atrocity Prevention Knowledge Base: offline copy of {date.isoformat()}",
        underline="=" * len(f"Atrocity Prevention Knowledge Base: offline copy of {date.isoformat()}"),
        date=date.isoformat(), commit=f" from version {commit}" if commit else "", folder=folder, version=__version__,
    )
    partial = target.with_name(f".{target.name}.partial")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            archive.writestr(zipfile.ZipInfo(f"{folder}/README.txt", stamp), readme)
            for path in sorted(p for p in site.rglob("*") if p.is_file()):
                info = zipfile.ZipInfo(f"{folder}/{path.relative_to(site).as_posix()}", stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, path.read_bytes())
        partial.replace(target)
    except OSError as error:
        raise BundleError(f"could not write {target}: {error}; an earlier zip of that name is unchanged") from error
    finally:
        partial.unlink(missing_ok=True)
    return target
