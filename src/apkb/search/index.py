"""The search index: built from the entries with whoosh, cached, and kept fresh as entries change.

The index lives in a cache folder. Each build goes into a new folder named for a fingerprint of the entry
files; a small pointer file then switches to it with an atomic rename, so a reader never sees a half-built
index and a failed build leaves the previous one in use.

Several processes may use one cache at once. A build holds a lock file of its own while it runs, so that the
half-built folders of builds that died (killed, power cut) can be told from those of builds still running;
renaming a finished build into place, switching the pointer and removing what is no longer used happen under
a short lock shared by the whole cache, so that no build removes a folder another has just switched to.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh import index
from whoosh.analysis import StandardAnalyzer, StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.util.filelock import FileLock

from apkb import __version__
from apkb.content.layout import entry_files
from apkb.content.urls import html_path, lesson_page, tool_page
from apkb.search.query import QueryError, Results, check_query, search_index

if TYPE_CHECKING:  # the model is needed only to (re)build the index, never to search it
    from apkb.content.catalog import Catalog
    from apkb.content.load import Entry

INDEX_FORMAT = 3
"""Bump when the schema changes, so that old cached indexes are rebuilt."""

POINTER = "CURRENT"
SWITCH_LOCK = ".switch.lock"
"""Held (briefly) while a build renames its folder into place, switches the pointer and removes old folders."""
_MARKDOWN_NOISE = re.compile(r"\]\([^)]*\)|[#*_`>\[\]|]|\{[^}]*\}")


class SearchIndexError(Exception):
    """The cached index can neither be used nor built afresh; the message says where and why."""


def schema() -> Schema:
    """Fields of the index: an entry's name (the words of its id, which maintainers keep short and plain) weighs
    most, then titles, then summaries, then bodies; English stemming. So "mediation" finds the mediation tool before
    a lesson whose long title and body mention mediation many times."""
    stemmed = StemmingAnalyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        name=TEXT(analyzer=stemmed, field_boost=6.0),
        path=ID,
        kind=ID(stored=True),
        title=TEXT(stored=True, analyzer=stemmed, field_boost=4.0),
        summary=TEXT(stored=True, analyzer=stemmed, field_boost=2.0),
        body=TEXT(stored=True, analyzer=stemmed),
        aliases=TEXT(analyzer=stemmed, field_boost=2.0),
        country=TEXT(stored=True, analyzer=stemmed, field_boost=2.0),
        category=ID(stored=True),
        stages=KEYWORD(stored=True, commas=True),
        risk_factors=KEYWORD(stored=True, commas=True),
        strategies=KEYWORD(stored=True, commas=True),
        effect=ID(stored=True),
        certainty=ID(stored=True),
        url=STORED,
        spelling=TEXT(analyzer=StandardAnalyzer(), spelling=True),
    )


def plain(markdown: str) -> str:
    """Body text without Markdown punctuation, for indexing and snippets."""
    return _MARKDOWN_NOISE.sub(" ", markdown)


def document(entry: Entry, url: str) -> dict[str, Any]:
    """The indexed fields of one entry."""
    fields: dict[str, Any] = {
        "id": entry.id,
        "kind": entry.kind,
        "name": entry.id.replace("-", " "),
        "title": entry.title,
        "summary": entry.summary,
        "body": plain(entry.body),
        "aliases": " ".join(alias.replace("-", " ") for alias in entry.aliases),
        "url": url,
    }
    if entry.kind == "tool":
        fields.update(
            category=entry.category,
            stages=",".join(entry.stages),
            risk_factors=",".join(entry.risk_factors),
            strategies=",".join(entry.strategies),
            effect=entry.evidence.effect,
            certainty=entry.evidence.certainty,
        )
    else:
        fields.update(country=entry.country, stages=entry.stage, risk_factors=",".join(entry.risk_factors))
    fields["spelling"] = " ".join((fields["title"], fields["summary"], fields["body"], fields.get("country", "")))
    return fields


def _document_of(entry: Entry, root: Path) -> dict[str, Any]:
    """An entry's fields, with its file's path relative to ``root`` so that a refresh can replace it."""
    url = html_path(tool_page(entry.id) if entry.kind == "tool" else lesson_page(entry.id))
    fields = document(entry, url)
    if entry.path is not None:
        fields["path"] = entry.path.resolve().relative_to(root.resolve()).as_posix()
    return fields


def _fill(ix: index.Index, catalog: Catalog, root: Path) -> None:
    writer = ix.writer()
    for entry in catalog.entries():
        writer.add_document(**_document_of(entry, root))
    writer.commit()


# --- the cached index on disk ----------------------------------------------------------------------------


MANIFEST = "manifest.json"
"""Beside each index: the hash of every entry file it holds, so that a refresh re-indexes only what changed."""


def file_hashes(root: Path) -> dict[str, str]:
    """The sha256 of every entry file, by its path relative to ``root``."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in entry_files(root)
    }


def fingerprint(root: Path) -> str:
    """A hash of every entry file and of the index format: it changes when any entry does."""
    digest = hashlib.sha256(f"apkb {__version__} index {INDEX_FORMAT}\n".encode())
    for name, file_hash in sorted(file_hashes(root).items()):
        digest.update(f"{name}\0{file_hash}\n".encode())
    return digest.hexdigest()[:16]


def default_cache_dir(root: Path) -> Path:
    """Where the index is kept: $APKB_CACHE_DIR if set, else .cache/apkb/ inside the knowledge base."""
    configured = os.environ.get("APKB_CACHE_DIR")
    return Path(configured) if configured else root / ".cache" / "apkb"


@dataclass
class IndexState:
    """What is in the cache: the folder in use and the entry files it holds, with their hashes."""

    folder: Path | None
    files: dict[str, str] = field(default_factory=dict)


def current_index(cache: Path) -> IndexState:
    """The index the pointer file names, if it exists and was built by this version of the format."""
    try:
        name = (cache / POINTER).read_text(encoding="utf-8").strip()
        folder = cache / name
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return IndexState(None)
    if manifest.get("format") != [__version__, INDEX_FORMAT] or not index.exists_in(str(folder)):
        return IndexState(None)
    return IndexState(folder, dict(manifest["files"]))


def _write_manifest(folder: Path, files: dict[str, str]) -> None:
    temporary = folder / f".{MANIFEST}.{uuid.uuid4().hex[:8]}"
    temporary.write_text(json.dumps({"format": [__version__, INDEX_FORMAT], "files": files}), encoding="utf-8")
    os.replace(temporary, folder / MANIFEST)


@contextmanager
def _switch_lock(cache: Path) -> Iterator[None]:
    """The cache-wide lock; builds hold it only for renames and removals, readers never take it."""
    lock = FileLock(str(cache / SWITCH_LOCK))
    if not lock.acquire(blocking=True):
        raise OSError(f"cannot lock {cache / SWITCH_LOCK}")
    try:
        yield
    finally:
        lock.release()


def _remove_unused(cache: Path, current: str) -> None:
    """Remove the index folders other than ``current``, what builds that died left (their half-built folders and
    lock files) and stray temporary pointer files. Call with the switch lock held."""
    for old in cache.glob("index-*"):
        if old.name != current:
            shutil.rmtree(old, ignore_errors=True)
    for stem in {path.name.rsplit(".", 1)[0] for path in cache.glob(".index-*.*")}:
        lock = cache / f"{stem}.lock"
        probe = FileLock(str(lock))
        if probe.acquire(blocking=False):  # free: the build that made it is over or died
            shutil.rmtree(cache / f"{stem}.building", ignore_errors=True)
            lock.unlink(missing_ok=True)
            probe.release()
    for stray in cache.glob(f".{POINTER}.*"):
        stray.unlink(missing_ok=True)


def _point_to(cache: Path, name: str) -> None:
    """Switch the pointer file to the folder ``name`` with an atomic rename."""
    temporary = cache / f".{POINTER}.{uuid.uuid4().hex[:8]}"
    try:
        temporary.write_text(name + "\n", encoding="utf-8")
        os.replace(temporary, cache / POINTER)
    finally:
        temporary.unlink(missing_ok=True)


def build_index(catalog: Catalog, root: Path, cache: Path) -> Path:
    """Build a fresh index beside the current one, then switch the pointer to it atomically and remove the
    folders no longer used, including those half-built by builds that died; builds still running are left
    alone."""
    cache.mkdir(parents=True, exist_ok=True)
    name = f"index-{uuid.uuid4().hex[:12]}"
    building, lock = cache / f".{name}.building", cache / f".{name}.lock"
    alive = FileLock(str(lock))  # held while this build runs: other builds then leave its folder alone
    held = False
    try:
        with _switch_lock(cache):  # so that no other build sees the folder before its lock is held
            held = alive.acquire(blocking=False)
            if not held:
                raise OSError(f"cannot lock {lock}")
            building.mkdir()
        _fill(index.create_in(str(building), schema()), catalog, root)
        _write_manifest(building, file_hashes(root))
        with _switch_lock(cache):
            building.rename(cache / name)
            try:
                _point_to(cache, name)
            except BaseException:
                shutil.rmtree(cache / name, ignore_errors=True)
                raise
            _remove_unused(cache, name)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    finally:
        if held:
            lock.unlink(missing_ok=True)
            alive.release()
    return cache / name


def update_index(state: IndexState, root: Path, current: dict[str, str]) -> bool:
    """Re-index only the entry files that were added, changed or removed since ``state`` was written.
    whoosh commits atomically: readers see the old index until the new generation is complete. Returns False,
    changing nothing, if another process holds the index's write lock (it is updating the same index)."""
    from apkb.content.load import load_entry

    assert state.folder is not None
    changed = sorted(name for name, file_hash in current.items() if state.files.get(name) != file_hash)
    removed = sorted(name for name in state.files if name not in current)
    try:
        writer = index.open_dir(str(state.folder)).writer()
    except index.LockError:
        return False
    try:
        for name in (*changed, *removed):
            writer.delete_by_term("path", name)
        for name in changed:
            entry, _ = load_entry(root / name, root)
            if entry is not None:
                writer.add_document(**_document_of(entry, root))
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    _write_manifest(state.folder, current)
    return True


def fresh_index(root: Path, cache: Path, load_catalog: Callable[[], Catalog]) -> tuple[Path, str]:
    """The cached index, brought up to date: untouched if no entry changed, updated in place for the entries
    that did, or built afresh (calling ``load_catalog``) when there is none. Returns (folder, what was done):
    "fresh", "updated", "built", or "busy" when another process is updating it (the folder is then searched as
    it is)."""
    state = current_index(cache)
    current = file_hashes(root)
    if state.folder is not None:
        if state.files == current:
            return state.folder, "fresh"
        return state.folder, "updated" if update_index(state, root, current) else "busy"
    return build_index(load_catalog(), root, cache), "built"


def search_cache(
    root: Path, cache: Path, load_catalog: Callable[[], Catalog], text: str,
    filters: dict[str, str | None] | None = None, limit: int = 10,
) -> tuple[Results, str]:
    """Bring the cached index up to date and search it; returns the results and what ``fresh_index`` did, or
    "rebuilt". Another process may replace or update the index meanwhile (removing files this one was about to
    open), and files on disk may be damaged: after a failure it tries once more, then builds a new index.
    Raises QueryError for a malformed query, SearchIndexError if even a new index fails."""
    check_query(text)
    failure: Exception | None = None
    for attempt in range(3):
        try:
            if attempt < 2:
                folder, done = fresh_index(root, cache, load_catalog)
            else:
                folder, done = build_index(load_catalog(), root, cache), "rebuilt"
            return search_index(folder, text, filters, limit), done
        except QueryError:
            raise
        except Exception as error:  # noqa: BLE001 - whoosh fails in many ways on vanished or damaged files
            failure = error
    raise SearchIndexError(
        f"the search index in {cache} cannot be used or rebuilt ({type(failure).__name__}: {failure}); "
        "check that the folder is writable, or delete it and search again"
    ) from failure
