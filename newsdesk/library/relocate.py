"""Moving a library folder: a verified copy, a switch, then the removal of the old folder.

The copy runs on a worker thread (no Qt here); the original is never touched
until the copy has been verified, so a failure at any point leaves the library
where it was, whole. The Preferences dialog (ui/preferences.py) drives it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from newsdesk.library import database as db
from newsdesk.library.library import DB_NAME, Library

# SQLite's own side files: the backup API copies what they hold, so they are not copied as files.
DB_SIDE_FILES = (DB_NAME + "-wal", DB_NAME + "-shm", DB_NAME + "-journal")
CHUNK = 1 << 20


class MoveError(Exception):
    """The library could not be moved; the message says why and that nothing was lost."""


@dataclass(frozen=True, slots=True)
class MoveProgress:
    """How far a move has got, in bytes, and the file it is on."""

    done: int
    total: int
    name: str


@dataclass
class CopiedLibrary:
    """A verified copy of a library, ready to switch to.

    It holds the original's write lock until release(): nothing can be written
    to the original between the copy and the switch, so nothing is left behind.
    """

    source: Path
    target: Path
    files: list[str]
    bytes: int
    fingerprint: tuple
    _lock: sqlite3.Connection | None = field(default=None, repr=False)

    def release(self) -> None:
        if self._lock is not None:
            with contextlib.suppress(sqlite3.Error):
                self._lock.rollback()
            self._lock.close()
            self._lock = None


def target_for(source: Path, chosen: Path) -> Path:
    """Where the library goes when the user picks this folder.

    An empty (or new) folder becomes the library; a folder with things in it
    gets the library as a subfolder with the current folder's name.
    """
    chosen = Path(chosen).expanduser()
    if not chosen.exists() or (chosen.is_dir() and not any(chosen.iterdir())):
        return chosen
    return chosen / Path(source).name


def _check_places(source: Path, target: Path) -> None:
    if not (source / DB_NAME).is_file():
        raise MoveError(f"There is no library at {source}.")
    src, dst = source.resolve(), target.resolve()
    if src == dst:
        raise MoveError("The library is already in that folder.")
    if dst.is_relative_to(src):
        raise MoveError("A library cannot be moved into a folder inside itself.")
    if src.is_relative_to(dst):
        raise MoveError("Choose a folder that is not one of the library's own parent folders.")
    if target.exists() and not target.is_dir():
        raise MoveError(f"{target} is a file, not a folder.")
    if target.is_dir() and any(target.iterdir()):
        raise MoveError(f"{target} already holds files; choose an empty folder.")


def _library_files(source: Path) -> list[str]:
    """Every file in the library folder except the database, as POSIX paths relative to it."""
    files = []
    for folder, dirs, names in os.walk(source):
        dirs.sort()
        for name in sorted(names):
            rel = (Path(folder) / name).relative_to(source).as_posix()
            if rel != DB_NAME and rel not in DB_SIDE_FILES:
                files.append(rel)
    return files


def _fingerprint(con: sqlite3.Connection) -> tuple:
    """Row counts of every ordinary table, and the newest update time where there is one.

    Two databases with the same fingerprint hold the same records as far as a
    move can tell; a changed fingerprint means someone wrote in between.
    """
    tables = [
        r[0]
        for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name"
        )
    ]
    out = []
    for table in tables:
        count = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        columns = {r[1] for r in con.execute(f'PRAGMA table_info("{table}")')}
        newest = (
            con.execute(f'SELECT max(updated_at) FROM "{table}"').fetchone()[0]
            if "updated_at" in columns
            else None
        )
        out.append((table, count, newest))
    return tuple(out)


def _hash_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _copy_verified(src: Path, dst: Path, advance: Callable[[int], None]) -> None:
    """Copy one file durably, then read the copy back and compare its size and SHA-256."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    h = hashlib.sha256()
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        while chunk := fin.read(CHUNK):
            h.update(chunk)
            fout.write(chunk)
            advance(len(chunk))
        fout.flush()
        os.fsync(fout.fileno())
    shutil.copystat(src, dst)
    if dst.stat().st_size != src.stat().st_size or _hash_file(dst) != h.hexdigest():
        raise MoveError(f"The copy of {src.name} does not match the original.")


def _why(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror or exc}{where}"
    return str(exc)


def _throttled(progress: Callable[[MoveProgress], None] | None) -> Callable[[MoveProgress], None]:
    """Pass progress on only when it moved by a thousandth: a library can hold 100,000 files."""
    last = [-1]

    def report(p: MoveProgress) -> None:
        step = 1000 * p.done // p.total if p.total else 1000
        if progress is not None and (step != last[0] or p.done == p.total):
            last[0] = step
            progress(p)

    return report


def copy_library(
    source: Path,
    target: Path,
    progress: Callable[[MoveProgress], None] | None = None,
) -> CopiedLibrary:
    """Copy a library folder to target and verify every file; the original is not modified.

    The database is copied with SQLite's backup API under a write lock (so the
    copy is consistent and nothing is written to the original afterwards),
    then checked. Other files are copied into a hidden staging folder beside
    the target and compared byte for byte; the staging folder becomes the
    target by one rename at the end. On failure the staging folder is removed
    and MoveError says why.
    """
    source, target = Path(source), Path(target)
    _check_places(source, target)
    report = _throttled(progress)
    files = _library_files(source)
    db_bytes = sum(
        (source / n).stat().st_size for n in (DB_NAME, *DB_SIDE_FILES) if (source / n).exists()
    )
    total = db_bytes + sum((source / rel).stat().st_size for rel in files)
    parent = target.parent
    probe = next((p for p in (parent, *parent.parents) if p.exists()), None)
    if probe is not None and probe.is_dir():
        free = shutil.disk_usage(probe).free
        if free < total * 1.05 + 10 * CHUNK:
            raise MoveError(
                f"There is not enough free space in {probe}: the library needs "
                f"{total / 1e6:.1f} MB and {free / 1e6:.1f} MB are free."
            )
    staging = parent / f".{target.name}.moving-{uuid.uuid4().hex[:8]}"
    lock: sqlite3.Connection | None = None
    done = 0
    try:
        try:
            staging.mkdir(parents=True)
        except OSError as exc:
            raise MoveError(f"Cannot create a folder at {target}: {_why(exc)}.") from exc
        lock = sqlite3.connect(
            source / DB_NAME, timeout=db.BUSY_TIMEOUT_MS / 1000, isolation_level=None,
            check_same_thread=False,
        )  # fmt: skip
        try:
            lock.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise MoveError(f"The library is busy ({exc}); try again in a moment.") from exc
        fingerprint = _fingerprint(lock)
        report(MoveProgress(0, total, DB_NAME))
        # The copy is read through a second connection: SQLite will not back up from a
        # connection holding a write transaction, and in WAL mode a reader sees every
        # committed change while the lock keeps new ones out.
        reader = sqlite3.connect(source / DB_NAME, timeout=db.BUSY_TIMEOUT_MS / 1000)
        copy = sqlite3.connect(staging / DB_NAME)
        try:
            reader.backup(copy)
            if copy.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise MoveError("The copied database failed SQLite's integrity check.")
            if _fingerprint(copy) != fingerprint:
                raise MoveError("The copied database does not hold the same records.")
        finally:
            copy.close()
            reader.close()
        done = db_bytes
        report(MoveProgress(done, total, DB_NAME))

        for rel in files:

            def advance(n: int, rel: str = rel) -> None:
                nonlocal done
                done += n
                report(MoveProgress(done, total, rel))

            _copy_verified(source / rel, staging / rel, advance)
        # fsync the staging folder itself so the renamed folder survives a power cut.
        with contextlib.suppress(OSError):
            fd = os.open(staging, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        if target.is_dir():
            target.rmdir()  # empty, checked above; the rename needs the name free
        os.replace(staging, target)
    except BaseException as exc:
        if lock is not None:
            with contextlib.suppress(sqlite3.Error):
                lock.rollback()
            lock.close()
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, MoveError):
            raise MoveError(f"The library was not moved: {exc} It is still at {source}.") from exc
        if isinstance(exc, OSError | sqlite3.Error):
            raise MoveError(
                f"The library was not moved: {_why(exc)}. It is still at {source}, unchanged."
            ) from exc
        raise
    report(MoveProgress(total, total, ""))
    return CopiedLibrary(source, target, files, total, fingerprint, lock)


def switch_library(library: Library, copied: CopiedLibrary) -> None:
    """Point the open Library at its verified copy; every window holding it follows.

    Done on the GUI thread, between two pieces of work: nothing else is using
    the library's engine at that moment.
    """
    try:
        library.switch_to(copied.target)
    except Exception as exc:
        copied.release()
        # One sentence for people: the driver's message names exception classes.
        raise MoveError(
            f"The copy at {copied.target} cannot be opened as a library; "
            f"the library stays at {copied.source}."
        ) from exc


def remove_old_library(copied: CopiedLibrary) -> list[Path]:
    """Delete the original's files that were copied; returns what was left there.

    The database goes last and only when it still holds exactly what was
    copied; anything that appeared in the folder after the copy is left alone.
    """
    source = copied.source
    try:
        for rel in copied.files:
            with contextlib.suppress(FileNotFoundError, OSError):
                (source / rel).unlink()
        con = sqlite3.connect(f"{(source / DB_NAME).absolute().as_uri()}?mode=ro", uri=True)
        try:
            unchanged = _fingerprint(con) == copied.fingerprint
        except sqlite3.Error:
            unchanged = False
        finally:
            con.close()
        copied.release()
        if unchanged:
            for name in (DB_NAME, *DB_SIDE_FILES):
                with contextlib.suppress(FileNotFoundError, OSError):
                    (source / name).unlink()
    finally:
        copied.release()
    for folder, _dirs, _names in os.walk(source, topdown=False):
        with contextlib.suppress(OSError):
            Path(folder).rmdir()  # only succeeds when empty
    if not source.exists():
        return []
    return sorted(p for p in source.rglob("*") if p.is_file())
