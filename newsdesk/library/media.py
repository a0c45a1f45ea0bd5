"""Media files and their records kept in step: staging new pictures, then adopting or discarding them.

New picture files are never written straight into `media/`. An import copies
them into its own batch folder under `staging/` (inside the library, so a
move into `media/` is an atomic rename on the same file system), writes the
records, and only then settles the batch: every staged file whose record
exists moves into `media/`, every other one is deleted. A batch whose process
died (killed, power cut, full disk) is settled the same way the next time the
library is opened. So `media/` never holds a file that no record names, and
no record names a file that is not there (a record is committed before its
file moves, and the move is finished at the latest at the next open).
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

STAGING_DIR = "staging"
LOCK_NAME = ".lock"
# Without flock (Windows) a batch is only taken for abandoned when it is this old.
STALE_SECONDS = 24 * 3600

try:  # POSIX: the import holds an advisory lock on its batch for as long as it runs
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

KnownShas = Callable[[Iterable[str]], set[str]]


def _fsync_dir(directory: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def settle(batch_dir: Path, media_dir: Path, known: KnownShas) -> tuple[int, int]:
    """Move staged files that have a record into media/, delete the rest; (adopted, removed)."""
    files = [
        p
        for p in batch_dir.iterdir()
        if p.is_file() and p.name != LOCK_NAME and not p.name.startswith(".")
    ]
    recorded = known({p.stem for p in files}) if files else set()
    adopted = removed = 0
    for p in files:
        if p.stem in recorded:
            dest = media_dir / p.name
            if dest.exists():
                p.unlink()  # the same bytes are already there (named by their hash)
            else:
                media_dir.mkdir(parents=True, exist_ok=True)
                os.replace(p, dest)
            adopted += 1
        else:
            p.unlink()
            removed += 1
    if adopted:
        _fsync_dir(media_dir)
    # Whatever is left (temp files of a copy that never finished, the lock) goes too,
    # and staging/ itself once no other import is using it.
    shutil.rmtree(batch_dir, ignore_errors=True)
    _remove_if_empty(batch_dir.parent)
    return adopted, removed


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass  # another batch is in it (or it is gone already)


class StagedBatch:
    """One import's staging folder; use as a context manager, settled on exit whatever happens."""

    def __init__(self, root: Path, media_dir: Path, known: KnownShas) -> None:
        self.media_dir = media_dir
        self._known = known
        self.dir = root / STAGING_DIR / uuid.uuid4().hex
        self.dir.mkdir(parents=True)
        self._lock = open(self.dir / LOCK_NAME, "wb")  # noqa: SIM115 (held until settled)
        if fcntl is not None:
            fcntl.flock(self._lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        self.settled = False

    def settle(self) -> tuple[int, int]:
        if self.settled:
            return (0, 0)
        self.settled = True
        try:
            return settle(self.dir, self.media_dir, self._known)
        finally:
            self._lock.close()

    def __enter__(self) -> StagedBatch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.settle()


def _abandoned(batch_dir: Path) -> bool:
    """True when no running import holds this batch (its process is gone)."""
    lock = batch_dir / LOCK_NAME
    if fcntl is None:
        try:
            return time.time() - batch_dir.stat().st_mtime > STALE_SECONDS
        except OSError:
            return False
    try:
        fh = open(lock, "rb")  # noqa: SIM115
    except FileNotFoundError:
        return True
    except OSError:
        return False
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # a live import holds it
    finally:
        fh.close()  # closing releases our probe lock
    return True


def recover(root: Path, media_dir: Path, known: KnownShas) -> tuple[int, int]:
    """Settle every batch left behind by an import that did not finish; (adopted, removed)."""
    staging = root / STAGING_DIR
    if not staging.is_dir():
        return (0, 0)
    adopted = removed = 0
    for batch_dir in staging.iterdir():
        if not batch_dir.is_dir():
            continue
        if not _abandoned(batch_dir):
            continue
        try:
            a, r = settle(batch_dir, media_dir, known)
        except OSError:
            continue  # try again at the next open; nothing is lost meanwhile
        adopted += a
        removed += r
    return adopted, removed
