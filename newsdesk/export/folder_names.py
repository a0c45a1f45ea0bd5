"""The names an export gives and reads in its folder: site paths, temporary and scratch files,
the journal, and what older versions left beside a site (for export/writer.py)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from newsdesk.export.file_log import STAGED, FileLog
from newsdesk.export.fileops import unlink
from newsdesk.export.manifest import LEGACY_NAME, STORE_NAME, remove_side_files

JOURNAL_NAME = ".newsdesk-journal"
# The suffix of a file being written; never a name an export page can have,
# because every segment of a page's path is refused when it starts with a dot.
TEMP_SUFFIX = ".tmp-newsdesk"
# An export's scratch files in the folder (export/row_store.py): hidden, with the temporary
# suffix, and removed when the export ends or when the next one finds them after a kill.
ROWS_SCRATCH = ".newsdesk-rows.sqlite" + TEMP_SUFFIX
_SCRATCH = (ROWS_SCRATCH,)
# What earlier versions left beside the site when they were killed: the folder
# being built (`site.tmp-XXXXXXXX`) or the previous site being swapped out
# (`site.old-XXXXXXXX`), with tempfile's eight random characters.
_LEGACY_SUFFIX = re.compile(r"\.(tmp|old)-[a-z0-9_]{8}")
# The files an export writes at the top of a site; with section folders and
# assets/ this is all a legacy temporary folder can hold.
_TOP_FILES = {"index.html", "feed.xml", "sitemap.xml", "news-sitemap.xml", STORE_NAME, LEGACY_NAME}

# A path segment we are willing to create: no separators, no NUL, not "." or
# "..", not hidden (so no page can land on the manifest, the journal, a
# temporary file or a user's dot-folder such as .git).
_BAD_SEGMENT = re.compile(r"[/\\\x00]")


def check_segment(segment: str) -> str:
    """A single path segment of the site (a section folder or a slug), refused when unsafe."""
    if (
        not segment
        or segment in (".", "..")
        or segment.startswith(".")
        or _BAD_SEGMENT.search(segment)
        or len(segment.encode("utf-8")) > 200
    ):
        raise ValueError(f"{segment!r} cannot be used as a folder name in the site")
    return segment


def load_journal(site: Path) -> set[str] | None:
    """The files an interrupted export may have placed, or None when the last export finished."""
    try:
        raw = (site / JOURNAL_NAME).read_bytes()
    except FileNotFoundError:
        return None
    except OSError:
        return set()
    names: set[str] = set()
    for line in raw.decode("utf-8", "replace").splitlines():
        try:
            rel = json.loads(line)
        except ValueError:
            continue  # the last line of a killed export may be cut short
        if isinstance(rel, str) and _is_site_path(rel):
            names.add(rel)
    return names


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _is_site_path(rel: str) -> bool:
    try:
        for part in rel.split("/"):
            check_segment(part)
    except ValueError:
        return False
    return True


def temp_name(path: Path) -> Path:
    """Where the new content of path is written before it replaces path."""
    return path.with_name(f".{path.name}{TEMP_SUFFIX}")


class StagedPaths:
    """The staged files' temporary names (and more), made as they are read: what fsync_all
    flushes (one syncfs of the folder's file system when it can, else file by file)."""

    def __init__(self, log: FileLog, temp_of: Callable[[str], Path], more: tuple[Path, ...]):
        self.log = log
        self.temp_of = temp_of
        self.more = more

    def __len__(self) -> int:
        return self.log.staged_count + len(self.more)

    def __iter__(self) -> Iterator[Path]:
        for rel in self.log.rels(STAGED):
            yield self.temp_of(rel)
        yield from self.more


class TouchedFolders:
    """The folders a commit renamed files into or removed files from, for fsync_all."""

    def __init__(self, log: FileLog, path_of: Callable[[str], Path], removals: list[str]):
        self.log = log
        self.path_of = path_of
        self.removals = removals

    def __len__(self) -> int:
        return self.log.staged_count + len(self.removals)

    def __iter__(self) -> Iterator[Path]:
        last = None
        for rel in [*self.log.rels(STAGED), *self.removals]:
            folder = self.path_of(rel).parent
            if folder != last and folder.is_dir():  # by name: a folder's files come together
                yield folder
            last = folder


def _unreadable_warning(out: Path) -> str:
    return (
        f"The record of the last export in {out} could not be read, so every page was "
        "checked and written again; files the export no longer makes may be left in the folder."
    )


def _looks_like_a_site(folder: Path) -> bool:
    """True when a legacy leftover holds nothing but what an export writes at a site's top."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return False
    return all(e.name in _TOP_FILES or e.is_dir(follow_symlinks=False) for e in entries)


def clear_leftovers(out: Path, owned: Iterable[str] | None) -> None:
    """Remove what a killed export left in out, and older versions' folders beside it.

    The scratch files always (the folder is locked: no other export is using them); with
    owned (the files the record and a killed export's journal name, given after a kill only),
    the temporary file of each, and of the record.
    """
    for name in _SCRATCH:
        remove_side_files(out / name)
        unlink(out / name)
    if owned is not None:
        for rel in [*owned, STORE_NAME, LEGACY_NAME]:
            unlink(temp_name(out.joinpath(*rel.split("/"))))
        remove_side_files(temp_name(out / STORE_NAME))
    try:
        siblings = list(os.scandir(out.parent))
    except OSError:
        return
    for entry in siblings:
        name = entry.name
        if not name.startswith(out.name) or not _LEGACY_SUFFIX.fullmatch(name[len(out.name) :]):
            continue
        if entry.is_dir(follow_symlinks=False) and _looks_like_a_site(Path(entry.path)):
            shutil.rmtree(entry.path, ignore_errors=True)
