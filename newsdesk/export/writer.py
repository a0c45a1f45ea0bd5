"""Writing a site safely: a temporary folder beside the target, a manifest of hashes, an atomic swap."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST_NAME = ".newsdesk-manifest.json"
MANIFEST_VERSION = 1

# A path segment we are willing to create: no separators, no NUL, not "." or
# "..", not hidden (so no page can land on the manifest or a dot-folder).
_BAD_SEGMENT = re.compile(r"[/\\\x00]")


class ExportError(Exception):
    """The export could not be written; the message says why and what to do. The old site is intact."""


class ExportCancelled(ExportError):
    """The export was cancelled; the previous site was left as it was."""


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


@dataclass(frozen=True, slots=True)
class FileEntry:
    """What the manifest remembers about one file of the site."""

    hash: str
    size: int
    mtime_ns: int

    def as_json(self) -> list[Any]:
        return [self.hash, self.size, self.mtime_ns]


def load_manifest(site: Path) -> dict[str, Any] | None:
    """The manifest of a previous export in site, or None when there is none (or it is damaged)."""
    try:
        data = json.loads((site / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
        return None
    return data


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class SiteWriter:
    """Builds the new site in `<out>.tmp-XXXX` beside `out`, then swaps it in.

    Files that did not change since the previous export are hard-linked from
    it (same inode, no bytes rewritten; copied where links are impossible),
    so a re-export after one edit touches only what that edit changed. Until
    `commit` the target is never touched: an exception or a cancel just
    removes the temporary folder.
    """

    def __init__(self, out_dir: str | os.PathLike[str]) -> None:
        self.out = Path(os.path.abspath(Path(out_dir).expanduser()))
        if self.out.exists() and not self.out.is_dir():
            raise ExportError(f"{self.out} is a file; export to a folder.")
        if os.path.ismount(self.out):
            # The site is built beside the target and renamed into place; a disk's
            # own root (a USB stick, a mounted share) can be neither, and finding
            # that out at the very end would waste the whole export.
            raise ExportError(
                f"{self.out} is the top folder of a disk; export to a folder inside it "
                f"instead, such as {self.out / 'site'}."
            )
        previous = load_manifest(self.out) if self.out.is_dir() else None
        if previous is None and self.out.is_dir() and any(self.out.iterdir()):
            # Replacing a folder we did not write could delete someone's files.
            raise ExportError(
                f"{self.out} is not empty and is not a newsdesk export; "
                "choose an empty folder or the folder of a previous export."
            )
        self.previous: dict[str, Any] = previous or {}
        self._previous_files: dict[str, list[Any]] = self.previous.get("files", {})
        try:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            self.tmp = Path(tempfile.mkdtemp(prefix=f"{self.out.name}.tmp-", dir=self.out.parent))
            # mkdtemp makes a private folder; a published site must be readable.
            os.chmod(self.tmp, 0o755)
        except OSError as exc:
            raise ExportError(describe_os_error(exc, self.out)) from exc
        self.files: dict[str, FileEntry] = {}
        self.changed: list[str] = []
        self.reused: list[str] = []
        self._dirs: set[Path] = {self.tmp}
        self._committed = False

    # ---- paths -----------------------------------------------------------
    def path(self, rel: str) -> Path:
        """The temporary path of a site file; refuses anything that would land outside the site."""
        parts = rel.split("/")
        for part in parts:
            check_segment(part)
        # Every segment is a plain name (no "..", no separator) and the folders
        # below tmp are made by this writer alone, so no symlink can be on the
        # way: the joined path cannot leave the site. Checked once more anyway,
        # without touching the disk.
        target = self.tmp.joinpath(*parts)
        if os.path.commonpath([self.tmp, os.path.normpath(target)]) != str(self.tmp):
            raise ValueError(f"{rel!r} would be written outside the site")
        return target

    def _parent(self, path: Path) -> None:
        parent = path.parent
        if parent not in self._dirs:
            parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(parent)

    def previous_path(self, rel: str) -> Path:
        return self.out.joinpath(*rel.split("/"))

    # ---- writing ---------------------------------------------------------
    def can_reuse(self, rel: str, expected_hash: str | None = None) -> bool:
        """True when the previous site holds rel unchanged (and with that hash, if given)."""
        entry = self._previous_files.get(rel)
        if entry is None or (expected_hash is not None and entry[0] != expected_hash):
            return False
        try:
            st = self.previous_path(rel).stat()
        except OSError:
            return False
        # Size and mtime as the manifest recorded them: nobody edited the file since.
        return st.st_size == entry[1] and st.st_mtime_ns == entry[2]

    def reuse(self, rel: str) -> None:
        """Carry an unchanged file over from the previous site (call can_reuse first)."""
        entry = self._previous_files[rel]
        self._link(self.previous_path(rel), rel)
        self.files[rel] = FileEntry(entry[0], entry[1], entry[2])
        self.reused.append(rel)

    def write(self, rel: str, data: bytes) -> bool:
        """Write one file; returns False when the previous site's copy was reused instead."""
        digest = sha256_bytes(data)
        if self.can_reuse(rel, digest):
            self.reuse(rel)
            return False
        dest = self.path(rel)
        self._guard(self._parent, dest)
        self._guard(_write_new, dest, data)
        st = dest.stat()
        self.files[rel] = FileEntry(digest, st.st_size, st.st_mtime_ns)
        self.changed.append(rel)
        return True

    def link_in(self, rel: str, src: Path, content_hash: str) -> None:
        """Place a file made elsewhere (a cached rendition) whose content hash is known."""
        if self.can_reuse(rel, content_hash):
            self.reuse(rel)
            return
        self._link(src, rel)
        st = self.path(rel).stat()
        self.files[rel] = FileEntry(content_hash, st.st_size, st.st_mtime_ns)
        self.changed.append(rel)

    def _link(self, src: Path, rel: str) -> None:
        dest = self.path(rel)
        self._guard(self._parent, dest)
        try:
            os.link(src, dest)
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS):
                raise ExportError(describe_os_error(exc, self.out)) from exc
            # No hard links here (another file system, FAT, a limit): copy instead.
            self._guard(shutil.copy2, src, dest)

    def _guard(self, fn, *args) -> Any:
        try:
            return fn(*args)
        except OSError as exc:
            raise ExportError(describe_os_error(exc, self.out)) from exc

    # ---- finishing ---------------------------------------------------------
    def commit(self, extra: dict[str, Any]) -> None:
        """Write the manifest and swap the new site in place of the old one."""
        manifest = {
            "version": MANIFEST_VERSION,
            **extra,
            "files": {rel: e.as_json() for rel, e in sorted(self.files.items())},
        }
        data = json.dumps(manifest, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self._guard(_write_new, self.tmp / MANIFEST_NAME, data)
        self._guard(self._swap)
        self._committed = True

    def _swap(self) -> None:
        if not self.out.exists():
            os.rename(self.tmp, self.out)
            return
        old = Path(tempfile.mkdtemp(prefix=f"{self.out.name}.old-", dir=self.out.parent))
        os.rmdir(old)  # only the unique name was wanted
        os.rename(self.out, old)
        try:
            os.rename(self.tmp, self.out)
        except OSError:
            os.rename(old, self.out)  # put the previous site back
            raise
        shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        """Remove the temporary folder; the target is untouched."""
        if not self._committed:
            shutil.rmtree(self.tmp, ignore_errors=True)


def _write_new(path: Path, data: bytes) -> None:
    # os.write in a loop (not Path.write_bytes) so a short write or a full disk
    # surfaces as the OSError it is.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
    try:
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
    finally:
        os.close(fd)
