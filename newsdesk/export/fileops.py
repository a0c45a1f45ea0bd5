"""The file operations under an export's writes: whole new files, flushed to the disk in parallel.

Each reports failure as the OSError it is; writer.py turns it into one
sentence for the user (describe_os_error).
"""

from __future__ import annotations

import errno
import functools
import os
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# fsync is slow one file at a time (a journal commit each); many at once share
# commits, which makes flushing a thousand pages about eight times cheaper.
_SYNC_THREADS = 16
# From this many files on, one syncfs(2) of their file system flushes them all in one
# journal commit: 2,500 new pages in 0.1 s and no processor time, where fsync-ing them
# took 0.7 s and 0.35 s of processor time. It also flushes what other programs wrote to
# that disk, which is why a handful of files (one edit) is still flushed file by file.
SYNCFS_MIN_FILES = 64


def _kernel_reports_syncfs_errors() -> bool:
    """Linux 5.8 and later: syncfs reports a write that failed (a full disk) since the descriptor
    was opened. Before, it reported nothing, so it could not stand in for fsync."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        major, minor = (int(x) for x in os.uname().release.split(".")[:2])
    except ValueError:
        return False
    return (major, minor) >= (5, 8)


@functools.cache
def _syncfs():
    """libc's syncfs, or None. Looked up on first use: ctypes is not worth loading for the few
    files of one edit, which are flushed one by one."""
    if not _kernel_reports_syncfs_errors():
        return None
    import ctypes

    try:
        fn = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int]
    fn.restype = ctypes.c_int
    return fn


def describe_os_error(exc: OSError, target: Path) -> str:
    """One sentence a person can act on, for the errors a target folder can give."""
    code = exc.errno
    where = exc.filename or target
    if code in (errno.ENOSPC, errno.EDQUOT):
        return (
            f"The disk holding {target} is full (or over its quota), so the export stopped; "
            "the previous site was left as it was. Free some space and export again."
        )
    if code == errno.EROFS:
        return f"{target} is on a read-only disk; choose another folder to export to."
    if code in (errno.EACCES, errno.EPERM):
        return (
            f"newsdesk is not allowed to write to {where}; "
            "choose a folder you can write to or change its permissions."
        )
    if code == errno.ENAMETOOLONG:
        return f"A file name under {target} is too long for this disk: {where}."
    return f"Could not write the site to {target}: {exc.strerror or exc} ({where})."


def quietly(fn, *args) -> None:
    try:
        fn(*args)
    except OSError:
        pass


def unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def remove_pruning(path: Path, top: Path) -> None:
    """Remove a file an earlier export wrote, and the folders it leaves empty up to top (never top)."""
    if path.is_dir() and not path.is_symlink():
        return  # the user made a folder of that name; not ours to delete
    unlink(path)
    folder = path.parent
    while folder != top and folder.is_relative_to(top):
        try:
            folder.rmdir()
        except OSError:
            break  # not empty: the user's files, or the site's
        folder = folder.parent


def write_all(fd: int, data: bytes) -> None:
    # os.write in a loop (not Path.write_bytes) so a short write or a full disk
    # surfaces as the OSError it is.
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def write_new(path: Path, data: bytes) -> None:
    """A new file holding data (flushed to the disk later, with the others, by _fsync_all)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, 0o644)
    try:
        write_all(fd, data)
    except BaseException:
        os.close(fd)
        unlink(path)
        raise
    os.close(fd)


def copy_new(src: Path, dest: Path) -> None:
    try:
        shutil.copy2(src, dest)
    except BaseException:
        unlink(dest)
        raise


def fsync_one(path: Path, strict: bool) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        if strict:
            raise
        return
    try:
        os.fsync(fd)
    except OSError:
        # A full disk can surface here (delayed allocation): that must stop the
        # export. Some file systems cannot sync a folder: harmless, renames stay atomic.
        if strict:
            raise
    finally:
        os.close(fd)


def fsync_all(paths: list[Path], strict: bool, fs_fd: int | None = None) -> None:
    """Flush files (strict: any error is raised) or folders (best effort) to the disk, in parallel.

    fs_fd: a descriptor opened on their file system before any of them was written (so
    that syncfs reports a failed write of any), when they are all on that one; with many
    paths, that file system is flushed in one call instead.
    """
    syncfs = _syncfs() if fs_fd is not None and len(paths) >= SYNCFS_MIN_FILES else None
    if syncfs is not None:
        if syncfs(fs_fd) == 0:
            return
        import ctypes

        code = ctypes.get_errno()
        if strict and code != errno.EINTR:
            raise OSError(code, os.strerror(code))
        # Interrupted, or best effort: flush them one by one as before.
    if len(paths) <= 1:
        for path in paths:
            fsync_one(path, strict)
        return
    with ThreadPoolExecutor(max_workers=min(_SYNC_THREADS, len(paths))) as pool:
        for _ in pool.map(lambda p: fsync_one(p, strict), paths):
            pass
