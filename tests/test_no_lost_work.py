"""No lost work: the search index is never left broken, whatever happens to a rebuild (killed, racing another
search, damaged files), and the commands that write files (``apkb fmt``, ``apkb bundle``) never leave a file
half-written nor overwrite one without being asked."""

from __future__ import annotations

import datetime
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from whoosh import index

from apkb.cli import bundle as cli_bundle
from apkb.content.validate import validate
from apkb.search.index import POINTER, build_index, current_index
from conftest import FIXTURE_SITE, run_cli

# --- helpers: the real ``apkb`` command, and one that pauses in the middle of writing an index -----------------

_SCRIPT = Path(sys.executable).with_name("apkb")
APKB = [str(_SCRIPT)] if _SCRIPT.is_file() else [sys.executable, "-c", "from apkb.cli.main import main; main()"]
"""The installed console script, as a user runs it (or the same entry point through this Python)."""

PAUSING_APKB = r"""
import os, sys, time
from pathlib import Path
from whoosh import index
from apkb.cli.main import main

marker, go = Path(sys.argv[1]), Path(sys.argv[2])
write_toc = index.TOC.write

def paused(self, storage, indexname):
    # Generation 0 is the empty index that create_in writes; later ones are commits. Pause a commit with its new
    # segment on disk and the table of contents that would make it part of the index not yet written.
    if self.generation > 0:
        ready = marker.with_name(marker.name + ".tmp")
        ready.write_text(str(storage.folder), encoding="utf-8")
        os.replace(ready, marker)
        while not go.exists():
            time.sleep(0.05)
    return write_toc(self, storage, indexname)

index.TOC.write = paused
main(sys.argv[3:], prog_name="apkb")
"""
"""``apkb <args>`` whose first index commit writes the folder's path to a marker file, then waits for a go file."""

WAIT = 60.0
"""Seconds to wait at most for a paused process to reach its pause or to finish once let go (never asserted)."""


def apkb(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*APKB, *map(str, args)], capture_output=True, text=True, timeout=WAIT * 2, check=False)


class Paused:
    """An ``apkb`` process that stops in the middle of writing an index until ``resume`` lets it go on."""

    def __init__(self, tmp_path: Path, *args: str | Path) -> None:
        self.marker, self.go = tmp_path / "paused-at", tmp_path / "go"
        self.process = subprocess.Popen(
            [sys.executable, "-c", PAUSING_APKB, str(self.marker), str(self.go), *map(str, args)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )

    def wait_for_pause(self) -> Path:
        """Wait until the process has paused; returns the index folder it is writing."""
        deadline = time.monotonic() + WAIT
        while not self.marker.exists():
            if self.process.poll() is not None:
                pytest.fail(f"apkb ended before it paused: {self.process.communicate()}")
            if time.monotonic() > deadline:
                pytest.fail(f"apkb did not reach its pause within {WAIT} s")
            time.sleep(0.05)
        return Path(self.marker.read_text(encoding="utf-8"))

    def resume(self) -> tuple[int, str, str]:
        self.go.touch()
        stdout, stderr = self.process.communicate(timeout=WAIT)
        return self.process.returncode, stdout, stderr

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.communicate(timeout=WAIT)
        assert self.process.returncode == -signal.SIGKILL

    def stop(self) -> None:
        """Kill the process if it still runs (a failed test must not leave it paused forever)."""
        if self.process.poll() is None:
            self.process.kill()
        if self.process.stdout is not None and not self.process.stdout.closed:
            self.process.communicate(timeout=WAIT)


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE_SITE, tmp_path / "kb")
    return tmp_path / "kb"


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def add_zanzibar(kb: Path) -> None:
    """Change an entry, so that the index no longer matches the files."""
    entry = kb / "toolkit" / "diplomatic" / "example-envoy.md"
    entry.write_text(entry.read_text(encoding="utf-8").replace("## What it is\n", "## What it is\n\nZanzibar.\n", 1),
                     encoding="utf-8")


def hits(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return [hit["id"] for hit in json.loads(result.stdout)["hits"]]


def search_json(kb: Path, cache: Path, query: str) -> list[str]:
    return hits(apkb("--root", kb, "search", query, "--format", "json", "--cache-dir", cache))


def leftovers(cache: Path) -> list[str]:
    """What builds left in the cache: index folders not in use, half-built folders and their lock files,
    temporary pointer files."""
    current = current_index(cache).folder
    return sorted(
        path.name for path in cache.iterdir()
        if path.name.startswith(("index-", ".index-", f".{POINTER}.")) and path != current
    )


# --- the search index -------------------------------------------------------------------------------------


def test_a_rebuild_killed_halfway_leaves_a_working_index_and_the_next_build_cleans_up(
    kb: Path, cache: Path, tmp_path: Path
) -> None:
    assert apkb("--root", kb, "index", "--cache-dir", cache).returncode == 0
    before = current_index(cache).folder
    assert before is not None
    add_zanzibar(kb)
    rebuild = Paused(tmp_path, "--root", kb, "index", "--cache-dir", cache)
    try:
        half = rebuild.wait_for_pause()
        assert half.parent == cache and half.name.endswith(".building"), half
        # (i) while the rebuild is paused, a search answers, and with the changed entry
        assert search_json(kb, cache, "zanzibar") == ["example-envoy"]
        # (ii) the rebuild is killed in the middle of writing its index
        rebuild.kill()
    finally:
        rebuild.stop()
    assert half.is_dir(), "the kill left a half-written folder behind"
    # (iii) the pointer still names the old, complete index, and searches still answer
    state = current_index(cache)
    assert state.folder == before and index.exists_in(str(before))
    assert search_json(kb, cache, "zanzibar") == ["example-envoy"]
    assert "example-envoy" in search_json(kb, cache, "envoy")
    # a later build succeeds and removes what the killed one left
    later = apkb("--root", kb, "index", "--cache-dir", cache)
    assert later.returncode == 0, later.stderr
    assert not half.exists()
    assert leftovers(cache) == []
    assert current_index(cache).folder not in (None, before)
    assert search_json(kb, cache, "zanzibar") == ["example-envoy"]


def test_a_search_answers_while_another_search_is_updating_the_index_and_does_not_spoil_it(
    kb: Path, cache: Path, tmp_path: Path
) -> None:
    assert apkb("--root", kb, "index", "--cache-dir", cache).returncode == 0
    folder = current_index(cache).folder
    add_zanzibar(kb)
    updating = Paused(tmp_path, "--root", kb, "search", "zanzibar", "--format", "json", "--cache-dir", cache)
    try:
        assert updating.wait_for_pause() == folder, "the first search updates the index in place"
        meanwhile = apkb("--root", kb, "search", "envoy", "--cache-dir", cache)
        assert meanwhile.returncode == 0, meanwhile.stderr
        assert "Example envoy" in meanwhile.stdout
        assert "another apkb is updating it" in meanwhile.stderr
        code, stdout, stderr = updating.resume()
    finally:
        updating.stop()
    assert code == 0, stderr
    assert [hit["id"] for hit in json.loads(stdout)["hits"]] == ["example-envoy"]
    assert current_index(cache).folder == folder
    assert search_json(kb, cache, "zanzibar") == ["example-envoy"]
    assert leftovers(cache) == []


def test_a_search_during_the_first_build_builds_its_own_and_leaves_the_running_build_alone(
    kb: Path, cache: Path, tmp_path: Path
) -> None:
    build = Paused(tmp_path, "--root", kb, "index", "--cache-dir", cache)
    try:
        half = build.wait_for_pause()
        assert current_index(cache).folder is None, "nothing is built yet"
        assert "example-envoy" in search_json(kb, cache, "envoy")
        assert half.is_dir(), "the search's own build must not remove the folder of a build still running"
        code, _, stderr = build.resume()
    finally:
        build.stop()
    assert code == 0, stderr
    current = current_index(cache).folder
    assert current is not None and f".{current.name}.building" == half.name, "the build that ended last is in use"
    assert leftovers(cache) == []
    assert "example-envoy" in search_json(kb, cache, "envoy")


def test_a_search_whose_index_a_rebuild_replaces_under_it_still_answers(
    kb: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = validate(kb).catalog
    first = build_index(catalog, kb, cache)
    searcher = index.FileIndex.searcher
    replaced: list[Path] = []

    def rebuild_finishes_first(self: index.FileIndex, **kwargs: object) -> object:
        # another process's rebuild ends just as this search opens the index it found, and removes its folder
        if not replaced:
            replaced.append(build_index(catalog, kb, cache))
        return searcher(self, **kwargs)

    monkeypatch.setattr(index.FileIndex, "searcher", rebuild_finishes_first)
    result = run_cli("--root", str(kb), "search", "envoy", "--format", "json", "--cache-dir", str(cache))
    assert replaced and not first.exists()
    assert result.exit_code == 0, result.stderr
    assert "example-envoy" in [hit["id"] for hit in json.loads(result.stdout)["hits"]]


def _delete_folder(cache: Path, folder: Path) -> None:
    shutil.rmtree(folder)


def _garbage_pointer(cache: Path, folder: Path) -> None:
    (cache / POINTER).write_bytes(b"\x00\xff../../not a folder\n")


def _empty_pointer(cache: Path, folder: Path) -> None:
    (cache / POINTER).write_bytes(b"")


def _truncated_segments(cache: Path, folder: Path) -> None:
    for segment in folder.glob("*.seg"):
        segment.write_bytes(b"")


@pytest.mark.parametrize(
    ("damage", "told"),
    [
        (_delete_folder, "out of date and has been built"),
        (_garbage_pointer, "out of date and has been built"),
        (_empty_pointer, "out of date and has been built"),
        (_truncated_segments, "could not be read and has been rebuilt"),
    ],
    ids=["folder-deleted", "garbage-pointer", "empty-pointer", "truncated-segments"],
)
def test_a_damaged_index_is_rebuilt_and_the_search_answers(
    kb: Path, cache: Path, damage: Callable[[Path, Path], None], told: str
) -> None:
    folder = build_index(validate(kb).catalog, kb, cache)
    damage(cache, folder)
    # a real process: whoosh leaves a file open when it fails on a damaged segment, harmless once apkb exits
    result = apkb("--root", kb, "search", "envoy", "--cache-dir", cache)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Example envoy" in result.stdout
    assert told in result.stderr
    rebuilt = current_index(cache).folder
    assert rebuilt is not None and rebuilt != folder and index.exists_in(str(rebuilt))
    assert leftovers(cache) == []
    again = apkb("--root", kb, "search", "envoy", "--cache-dir", cache)
    assert again.returncode == 0 and not again.stderr, "the rebuilt index is in use, and fresh"


def test_a_cache_that_cannot_be_repaired_gives_a_clear_error_not_a_traceback(kb: Path, cache: Path) -> None:
    build_index(validate(kb).catalog, kb, cache)
    (cache / POINTER).unlink()
    (cache / POINTER).mkdir()  # no index can be switched to
    searched = run_cli("--root", str(kb), "search", "envoy", "--cache-dir", str(cache))
    assert searched.exit_code == 1
    assert searched.stderr.startswith(f"error: the search index in {cache} cannot be used or rebuilt")
    assert "delete it and search again" in searched.stderr
    indexed = run_cli("--root", str(kb), "index", "--cache-dir", str(cache))
    assert indexed.exit_code == 1 and indexed.stderr.startswith(f"error: cannot build the search index in {cache}")
    assert not list(cache.glob(f".{POINTER}.*")), "no temporary pointer file is left behind"
    assert not list(cache.glob(".index-*")), "no half-built folder or lock file is left behind"
    assert len(list(cache.glob("index-*"))) == 1, "the failed builds' folders are removed, the first one kept"


# --- apkb fmt ---------------------------------------------------------------------------------------------

UNFORMATTED = b"---\ntitle: Example\nid: example\n---\n## What it is\n\nText.\n"


def _entry(tmp_path: Path, data: bytes = UNFORMATTED) -> Path:
    path = tmp_path / "toolkit" / "financial" / "example.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_when_the_final_rename_fails_the_file_is_untouched_and_no_temporary_file_is_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _entry(tmp_path)
    path.chmod(0o640)
    before = sorted(path.parent.iterdir())

    def fail(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", fail)
        result = run_cli("--root", str(tmp_path), "fmt")
    assert result.exit_code == 1
    assert "example.md: cannot be written: No space left on device" in result.stderr
    assert path.read_bytes() == UNFORMATTED
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(path.parent.iterdir()) == before, "no temporary file is left beside the entry"


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755])
def test_fmt_keeps_the_permissions_of_the_file_it_replaces(tmp_path: Path, mode: int) -> None:
    path = _entry(tmp_path)
    path.chmod(mode)
    inode = path.stat().st_ino
    result = run_cli("--root", str(tmp_path), "fmt")
    assert result.exit_code == 0, result.stderr
    assert path.read_bytes().startswith(b"---\nid: example\ntitle: Example\n---\n"), "the file was reformatted"
    assert path.stat().st_ino != inode, "written through a new file renamed over the old one, not in place"
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert sorted(p.name for p in path.parent.iterdir()) == ["example.md"]


def test_fmt_formats_a_linked_entry_through_its_link_and_keeps_the_link(tmp_path: Path) -> None:
    shared = tmp_path / "shared" / "example.md"
    shared.parent.mkdir()
    shared.write_bytes(UNFORMATTED)
    link = tmp_path / "toolkit" / "financial" / "example.md"
    link.parent.mkdir(parents=True)
    link.symlink_to(shared)
    result = run_cli("--root", str(tmp_path), "fmt")
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and link.resolve() == shared.resolve(), "the link is still a link to the same file"
    assert shared.read_bytes().startswith(b"---\nid: example\ntitle: Example\n---\n")
    assert sorted(p.name for p in shared.parent.iterdir()) == ["example.md"]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # a file with Windows line ends throughout: the new front matter keeps them too
        (b"---\r\ntitle: Example\r\nid: example\r\n---\r\nBody\r\n  \r\n\r\n",
         b"---\r\nid: example\r\ntitle: Example\r\n---\r\nBody\r\n  \r\n\r\n"),
        # no body at all, and no newline after the closing line
        (b"---\ntitle: Example\nid: example\n---", b"---\nid: example\ntitle: Example\n---"),
        # a body that ends in blank lines full of spaces and tabs
        (b"---\ntitle: Example\nid: example\n---\nText.\n\n \t \n\t",
         b"---\nid: example\ntitle: Example\n---\nText.\n\n \t \n\t"),
    ],
    ids=["crlf-file", "no-body-no-final-newline", "trailing-whitespace-lines"],
)
def test_fmt_rewrites_only_the_front_matter(tmp_path: Path, before: bytes, after: bytes) -> None:
    path = _entry(tmp_path, before)
    result = run_cli("--root", str(tmp_path), "fmt")
    assert result.exit_code == 0, result.stderr
    assert "reformatted" in result.stdout
    assert path.read_bytes() == after


# --- apkb bundle ------------------------------------------------------------------------------------------

DATE = datetime.date(2026, 11, 26)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tiny built site, and a fixed date so that two bundles in one test have one name."""
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "index.html").write_text("<p>first</p>", encoding="utf-8")
    monkeypatch.setattr(cli_bundle, "today", lambda: DATE)
    return folder


def _bundle(site: Path, out: Path, *extra: str) -> Result:
    return run_cli("--root", str(site.parent), "bundle", "--site", str(site), "--out", str(out), "--name", "kb",
                   *extra)


def _index_html(zip_path: Path) -> str:
    with zipfile.ZipFile(zip_path) as archive:
        return archive.read("kb-2026-11-26/index.html").decode()


def test_bundle_refuses_to_replace_a_zip_without_force(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    first = _bundle(site, out)
    assert first.exit_code == 0, first.stderr
    target = out / "kb-2026-11-26.zip"
    before = target.read_bytes()
    (site / "index.html").write_text("<p>second</p>", encoding="utf-8")
    refused = _bundle(site, out)
    assert refused.exit_code == 1
    assert f"error: {target} already exists; use --force to replace it" in refused.stderr
    assert target.read_bytes() == before
    forced = _bundle(site, out, "--force")
    assert forced.exit_code == 0, forced.stderr
    assert _index_html(target) == "<p>second</p>"
    assert sorted(p.name for p in out.iterdir()) == ["kb-2026-11-26.zip"]


def test_a_bundle_that_fails_halfway_keeps_the_old_zip_and_leaves_no_partial_file(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "dist"
    assert _bundle(site, out).exit_code == 0
    target = out / "kb-2026-11-26.zip"
    before = target.read_bytes()
    (site / "page.html").write_text("<p>page</p>", encoding="utf-8")
    read_bytes = Path.read_bytes

    def unreadable(path: Path) -> bytes:
        if path.name == "page.html":
            raise OSError(5, "Input/output error")
        return read_bytes(path)

    with monkeypatch.context() as patch:
        patch.setattr(Path, "read_bytes", unreadable)
        failed = _bundle(site, out, "--force")
    assert failed.exit_code == 1
    assert failed.stderr.startswith(f"error: could not write {target}: [Errno 5] Input/output error;")
    assert target.read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["kb-2026-11-26.zip"]


# --- builds are atomic: a failed build leaves the previous site exactly as it was -------------------------------


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder``: its bytes and its modification time, to show nothing was touched."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


def test_a_failed_build_leaves_the_previous_site_untouched(kb: Path) -> None:
    built = apkb("--root", kb, "build")
    assert built.returncode == 0, built.stderr
    site = kb / "site"
    before = snapshot(site)
    assert "toolkit/example-envoy.html" in before
    entry = kb / "toolkit" / "diplomatic" / "example-envoy.md"
    entry.write_text(entry.read_text(encoding="utf-8").replace("stages: [", "stages: [crisis, ", 1), encoding="utf-8")

    failed = apkb("--root", kb, "build")

    assert failed.returncode == 1
    assert "error: the site did not build; " in failed.stderr and "site is left as it was" in failed.stderr
    assert "example-envoy.md" in failed.stderr and "crisis" in failed.stderr
    assert snapshot(site) == before
    assert sorted(p.name for p in kb.iterdir() if p.name.startswith(".site")) == [], "no half-built folder is left"


def test_a_good_build_replaces_the_site_and_leaves_nothing_beside_it(kb: Path) -> None:
    assert apkb("--root", kb, "build").returncode == 0
    stale = kb / "site" / "stale.html"
    stale.write_text("left from an older build", encoding="utf-8")
    entry = kb / "toolkit" / "diplomatic" / "example-envoy.md"
    entry.write_text(entry.read_text(encoding="utf-8").replace("\ntitle: ", "\ntitle: Renamed ", 1), encoding="utf-8")

    assert apkb("--root", kb, "build").returncode == 0

    assert not stale.exists(), "the new site replaced the old one, rather than being written over it"
    assert "Renamed" in (kb / "site" / "toolkit" / "example-envoy.html").read_text(encoding="utf-8")
    assert [p.name for p in kb.iterdir() if p.name.startswith(".site")] == []
