"""A picture on its way into a folder: written beside its final name, checked, then renamed in one step.

One program at a time grows the resumable `.NAME.partial` (a fetch cut off
half way goes on from there next time); it holds an advisory lock on it
meanwhile. A second program fetching the same picture at the same moment
(a window's sync and `newsdesk sync`, two windows) does not wait and does not
write into the other's file: it writes a temporary file of its own, which is
never resumed and never left behind. Either way the file takes its final
name only whole and checked, by an atomic rename, so two programs that both
finish simply put the same bytes in place twice.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

try:
    import fcntl
except ImportError:  # Windows: no advisory locks here, so every fetch writes a file of its own
    fcntl = None  # type: ignore[assignment]

BLOCK = 1 << 20


class Incoming:
    """The file one program writes a picture into, open for appending."""

    def __init__(self, path: Path, fh: BinaryIO, resumable: bool) -> None:
        self.path, self.fh, self.resumable = path, fh, resumable
        self.finished = False

    @property
    def size(self) -> int:
        """The bytes already there (an earlier, cut-off fetch's, when resumable)."""
        self.fh.flush()
        return os.fstat(self.fh.fileno()).st_size

    def restart(self) -> None:
        """Drop what is there: it cannot be the start of this picture."""
        self.fh.truncate(0)

    def finish(self, dest: Path, sha256: str) -> bool:
        """Durably written, its SHA-256 checked, then renamed to dest; False (and removed) if damaged."""
        self.fh.flush()
        os.fsync(self.fh.fileno())  # the record that names the picture may be committed next
        digest = hashlib.sha256()
        self.fh.seek(0)  # reading only: in append mode every write still goes to the end
        for block in iter(lambda: self.fh.read(BLOCK), b""):
            digest.update(block)
        if digest.hexdigest() != sha256:
            self.path.unlink(missing_ok=True)
            return False
        os.replace(self.path, dest)
        self.finished = True
        return True


@contextmanager
def incoming(dest: Path, partial: Path | None = None) -> Iterator[Incoming | None]:
    """The file to write dest's bytes into; None when dest is there already (nothing to do).

    `partial` names the resumable file (`.NAME.partial` beside dest unless given).

    The resumable partial when no other program is writing it, else a file
    of this program's own. A file of its own that did not finish is removed on
    the way out; the partial stays, for the next fetch to go on from.
    """
    if dest.is_file():
        yield None
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    claimed = _claim_partial(dest, partial or dest.with_name(f".{dest.name}.partial"))
    if claimed is None and dest.is_file():
        yield None  # another program finished it while this one looked
        return
    if claimed is not None:
        path, fh = claimed
        resumable = True
    else:
        path = dest.with_name(f".{dest.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.partial")
        fh = open(path, "a+b")  # noqa: SIM115 - closed below, whatever happens
        resumable = False
    target = Incoming(path, fh, resumable)
    try:
        yield target
    finally:
        fh.close()  # also releases the lock
        if not resumable and not target.finished:
            path.unlink(missing_ok=True)


def _claim_partial(dest: Path, partial: Path) -> tuple[Path, BinaryIO] | None:
    """dest's resumable partial, open and locked by this program; None if another holds it.

    The lock is on the open file, so after taking it the path must still name
    that file: the program that held it may have renamed it to dest meanwhile.
    """
    if fcntl is None:
        return None
    for _attempt in range(3):
        fh = open(partial, "a+b")  # noqa: SIM115 - handed to the caller, or closed here
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            return None  # another program is writing it now
        try:
            same = os.stat(partial).st_ino == os.fstat(fh.fileno()).st_ino
        except FileNotFoundError:
            same = False
        if same:
            if dest.is_file():  # it was finished and renamed just before this one opened it
                partial.unlink(missing_ok=True)
                fh.close()
                return None
            return partial, fh
        fh.close()  # the file this lock is on has become dest: look again
        if dest.is_file():
            return None
    return None
