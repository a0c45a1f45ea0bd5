"""One export at a time per folder: the advisory lock (POSIX flock) an export holds on its folder.

A second export of the same folder is refused with one sentence rather than interleaved with the
first; reading a folder's record takes the same lock for a moment (`held`). Windows has no flock,
so there exports simply go unlocked.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from newsdesk.export.errors import ExportError

try:  # advisory locks: POSIX only; Windows exports simply go unlocked
    import fcntl
except ImportError:  # pragma: no cover - not on Linux
    fcntl = None  # type: ignore[assignment]


def _busy(out_dir: str | os.PathLike[str]) -> ExportError:
    return ExportError(
        f"Another export is writing to {out_dir}; wait for it to finish, then export again."
    )


def lock_folder(out: Path) -> int | None:
    """The folder's descriptor, holding its lock until closed (None where there are no locks).

    An OSError opening the folder is the caller's to report; ExportError when another export
    holds it. Closing the descriptor releases the lock.
    """
    if fcntl is None:
        return None
    fd = os.open(out, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise _busy(out) from None
    return fd


@contextmanager
def held(out_dir: str | os.PathLike[str]) -> Iterator[None]:
    """The folder locked as an export holds it (to read its record); ExportError when busy.

    A folder that cannot be opened (not there yet) is simply not locked: there is nothing in it
    to read.
    """
    fd = None
    if fcntl is not None:
        try:
            fd = os.open(out_dir, os.O_RDONLY)
        except OSError:
            fd = None
    try:
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise _busy(out_dir) from None
        yield
    finally:
        if fd is not None:
            os.close(fd)
