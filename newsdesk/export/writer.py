"""Writing a site safely in place: each file replaced atomically, a journal and a manifest of what we wrote.

The export folder is the user's as much as ours: they may keep a `.git`
folder, a `CNAME` or pages of their own in it. So the export never swaps the
whole folder; it only ever touches the files it wrote:

1. Every file that changed is written to a hidden temporary file beside its
   target (`.<name>.tmp-newsdesk`); unchanged files are not touched at all.
   `commit` first flushes all of them to the disk (fsync). Nothing a reader
   sees has changed yet, so a full disk stops the export here, harmlessly.
2. `commit` names in the journal the files it is about to remove, then
   commits the record (export/manifest.py: every file the export owns, with
   hashes, and what each page was made from), durably. Up to here a full
   disk stops the export harmlessly.
3. It renames each temporary file over its target (`os.replace`, so a
   reader sees either the old or the new file, never half of one), removes
   the files the previous export wrote and this one no longer produces, and
   last removes the journal.

A journal (`.newsdesk-journal`) names, before it is created, every file the
export may place that the record does not know yet, and every file it will
remove. An export that is killed leaves the journal behind; the next export
reads it, so it knows which files are its own (to finish or remove) and
which temporary files to clear, and completes the folder. A file the record
claims but that is not as recorded (size and time) is simply written again.
Files that are in neither belong to the user and are never deleted.
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from newsdesk.export.errors import ExportCancelled, ExportError
from newsdesk.export.file_log import KEPT, STAGED, Entries, FileLog
from newsdesk.export.fileops import copy_new as _copy_new
from newsdesk.export.fileops import describe_os_error, remove_pruning
from newsdesk.export.fileops import fsync_all as _fsync_all
from newsdesk.export.fileops import quietly as _quietly
from newsdesk.export.fileops import unlink as _unlink
from newsdesk.export.fileops import write_all as _write_all
from newsdesk.export.fileops import write_new as _write_new
from newsdesk.export.folder_lock import held, lock_folder
from newsdesk.export.folder_names import (  # (the names other modules import from here too)
    _SCRATCH,
    JOURNAL_NAME,
    ROWS_SCRATCH,
    TEMP_SUFFIX,
    StagedPaths,
    TouchedFolders,
    _unreadable_warning,
    check_segment,
    clear_leftovers,
    load_journal,
    sha256_bytes,
    temp_name,
)
from newsdesk.export.manifest import (
    LEGACY_NAME,
    PARTS,
    STORE_NAME,
    Part,
    Previous,
    Record,
    RecordUnreadable,
    read_record,
    remove_side_files,
    whole,
)

MANIFEST_NAME = STORE_NAME
__all__ = [
    "JOURNAL_NAME",
    "MANIFEST_NAME",
    "ROWS_SCRATCH",
    "TEMP_SUFFIX",
    "ExportCancelled",
    "ExportError",
    "SiteWriter",
    "check_segment",
    "load_journal",
    "load_manifest",
    "temp_name",
]


def load_manifest(site: Path) -> dict[str, Any] | None:
    """The whole record of a previous export in site, or None when there is none (or it is damaged)."""
    return read_record(site)


class SiteWriter:
    """Updates the site at `out` in place, touching only the files the export owns.

    Use: `can_reuse`/`reuse` for what did not change, `write`/`link_in` for
    what did (staged beside the target, nothing visible yet), then `commit`;
    or `abort`, which removes what was staged and leaves the site as it was.
    """

    def __init__(self, out_dir: str | os.PathLike[str]) -> None:
        self.out = Path(os.path.abspath(Path(out_dir).expanduser()))
        if self.out.exists() and not self.out.is_dir():
            raise ExportError(f"{self.out} is a file; export to a folder.")
        self._made_out = False
        self._lock_fd: int | None = None
        self._journal_fd: int | None = None
        self._journal_mine = False  # made by this export (so it may remove it on abort)
        self._placing = False
        self._committed = False
        self._record: Record | None = None
        # Every file this export wrote or kept, its folders and what it journaled: on disk,
        # not in memory (export/file_log.py), so a large site costs the writer no more.
        self._log = FileLog()
        self._placed = False  # the staged files are in place (commit)
        self.warnings: list[str] = []  # sentences for the report (a damaged record)
        self.file_count = 0  # files of the site once committed
        # A few folders known to be there (a page's folder holds its feed text, its crops…)
        self._dirs_seen: dict[str, int] = {}
        self._devices: set[int] = set()  # the file systems holding the staged files
        self.foreign_replaced: list[str] = []  # user files at a path the export now needs
        self._journal: set[str] = set()  # names an interrupted export journaled
        self._keep_rest = False
        self._drop: set[str] = set()
        try:
            self._open()
        except BaseException:
            self.abort()
            raise

    def _open(self) -> None:
        try:
            if not self.out.is_dir():
                self.out.mkdir(parents=True)
                self._made_out = True
            # One export at a time per folder; a second one is refused rather than interleaved.
            self._lock_fd = lock_folder(self.out)
        except OSError as exc:
            raise ExportError(describe_os_error(exc, self.out)) from exc
        record = self._record = Record(self.out)
        journal = load_journal(self.out)
        ours = record.found or journal is not None
        if not ours and any(self.out.iterdir()):
            # Writing into a folder we did not make could overwrite someone's files.
            raise ExportError(
                f"{self.out} is not empty and is not a newsdesk export; "
                "choose an empty folder or the folder of a previous export."
            )
        if record.unreadable:
            self.warnings.append(_unreadable_warning(self.out))
        self.previous = Previous(record)
        self._previous_files: Part = record.parts["files"]
        self._journal = journal or set()
        self._guard(self._clear_leftovers, journal is not None)
        self._guard(self._open_journal, journal is None)

    @property
    def changed(self) -> list[str]:
        """The files written anew (staged, or in place once committed), in order."""
        return list(self.changed_rels())

    def changed_rels(self) -> Iterator[str]:
        """The files written anew, sorted by path, read from the log a chunk at a time."""
        return self._log.rels(STAGED)

    @property
    def changed_count(self) -> int:
        return self._log.staged_count

    @property
    def reused_count(self) -> int:
        """The previous export's files kept as they were."""
        return self._log.kept_count

    def entry(self, rel: str) -> list[Any] | None:
        """[hash, size, mtime_ns] of a file this export wrote or kept, or None."""
        return self._log.get(rel)

    @property
    def record_unreadable(self) -> bool:
        return self._record is not None and self._record.unreadable

    def _owns(self, rel: str) -> bool:
        """True when rel is the export's: recorded, or journaled by this or a killed export."""
        return rel in self._journal or rel in self._previous_files or self._log.owns(rel)

    @staticmethod
    def check_free(out_dir: str | os.PathLike[str]) -> None:
        """Raise ExportError when another export is writing to out_dir right now."""
        with held(out_dir):
            pass

    # The folder locked as an export holds it, to read its record (export/folder_lock.py).
    held = staticmethod(held)

    def _release(self) -> None:
        if self._record is not None:
            self._record.close()
        for name in ("_journal_fd", "_lock_fd"):
            fd = getattr(self, name)
            if fd is not None:
                os.close(fd)  # closing the folder's descriptor also releases the lock
                setattr(self, name, None)

    def scratch_path(self, name: str) -> Path:
        """Where the export keeps one of its scratch files (_SCRATCH) while it runs."""
        assert name in _SCRATCH
        return self.out / name

    def _clear_leftovers(self, interrupted: bool) -> None:
        """Remove what a killed export left: its temporary files, and older versions' folders."""
        owned = None
        if interrupted:
            # After a kill only: every recorded file is looked at once.
            owned = {k for k, _v in self._previous_files.stored_items()} | self._journal
        clear_leftovers(self.out, owned)

    def _open_journal(self, new: bool) -> None:
        # Appended to, never truncated: an interrupted export's names stay
        # needed until a record lists the folder as complete.
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_BINARY", 0)
        self._journal_fd = os.open(self.out / JOURNAL_NAME, flags, 0o644)
        self._journal_mine = new

    def _journal_names(self, names) -> None:
        lines = "".join(json.dumps(rel, ensure_ascii=False) + "\n" for rel in names)
        if lines:
            self._guard(_write_all, self._journal_fd, lines.encode("utf-8"))

    # ---- paths -----------------------------------------------------------
    def path(self, rel: str) -> Path:
        """The path of a site file; refuses anything that would land outside the site."""
        parts = rel.split("/")
        for part in parts:
            check_segment(part)
        # Every segment is a plain name (no "..", no separator); the folders on
        # the way are checked not to be links when they are first used.
        target = self.out.joinpath(*parts)
        if not os.path.normpath(target).startswith(self._out_prefix):
            raise ValueError(f"{rel!r} would be written outside the site")
        return target

    @property
    def _out_prefix(self) -> str:
        return os.path.join(str(self.out), "")

    def previous_path(self, rel: str) -> Path:
        return self.out.joinpath(*rel.split("/"))

    def _dir_state(self, folder: Path) -> int | None:
        """None when the export has not met the folder yet; 1 when it made it, 0 when it
        found it there (the site's own folder counts as found)."""
        key = str(folder)
        state = self._dirs_seen.get(key)
        if state is None:
            state = 0 if folder == self.out else self._log.dir_state(key)
            if state is not None:
                if len(self._dirs_seen) >= 256:
                    self._dirs_seen.clear()
                self._dirs_seen[key] = state
        return state

    def _parent(self, path: Path, rel: str) -> None:
        """Make the folders above path, refusing a link or a file in their place."""
        parent = path.parent
        if self._dir_state(parent) is not None:
            return
        todo = []
        while self._dir_state(parent) is None:
            todo.append(parent)
            parent = parent.parent
        for folder in reversed(todo):
            made = False
            try:
                os.mkdir(folder, 0o755)
                made = True
            except FileExistsError:
                if folder.is_symlink() or not folder.is_dir():
                    # A link could lead the site's files anywhere on the disk.
                    raise ExportError(
                        f"{folder} is in the way of the site's {rel} (it is a link or a file, "
                        "not a folder); move it away and export again."
                    ) from None
            self._log.add_dir(str(folder), made)

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
        # Size and mtime as the record has them: nobody edited the file since.
        return st.st_size == entry[1] and st.st_mtime_ns == entry[2]

    def reuse(self, rel: str) -> None:
        """Keep an unchanged file of the previous site as it is (call can_reuse first)."""
        entry = self._previous_files[rel]
        self._unstage(rel)
        self._log.put(rel, [entry[0], entry[1], entry[2]], KEPT)

    def previous_files(self) -> list[str]:
        """The files of the site as the previous export left it (site-relative paths; a full scan)."""
        return list(self._previous_files)

    def keep_rest(self, drop: set[str]) -> None:
        """Keep every file of the previous site not written, reused or dropped by this export.

        For an incremental export, which knows what changed from the library's
        export state: the files it does not touch are kept without a look
        (and their rows of the record are not even read).
        """
        self._keep_rest = True
        self._drop = set(drop)

    def write(self, rel: str, data: bytes) -> bool:
        """Stage one file; returns False when the previous site's copy is kept instead."""
        digest = sha256_bytes(data)
        if self.can_reuse(rel, digest):
            self.reuse(rel)
            return False
        tmp = self._prepare(rel)
        self._guard(_write_new, tmp, data)
        self._staged_as(rel, tmp, digest)
        return True

    def link_in(self, rel: str, src: Path, content_hash: str) -> None:
        """Stage a file made elsewhere (a cached rendition) whose content hash is known."""
        if self.can_reuse(rel, content_hash):
            self.reuse(rel)
            return
        if self._is_link_of(rel, src, content_hash):
            return
        tmp = self._prepare(rel)
        try:
            os.link(src, tmp)
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS):
                raise ExportError(describe_os_error(exc, self.out)) from exc
            # No hard links here (another file system, FAT, a limit): copy instead.
            self._guard(_copy_new, src, tmp)
        self._staged_as(rel, tmp, content_hash)

    def _is_link_of(self, rel: str, src: Path, content_hash: str) -> bool:
        """True (and rel kept as it is) when rel already is a hard link of src.

        So it is when the record of the folder was lost: renaming a link over
        another link of the same file does nothing, which would leave the
        temporary name behind.
        """
        try:
            st = os.lstat(self.previous_path(rel))
            same = os.path.samestat(os.stat(src), st)
        except (OSError, ValueError):
            return False
        if not same:
            return False
        self._unstage(rel)
        self._log.put(rel, [content_hash, st.st_size, st.st_mtime_ns], KEPT)
        return True

    def _prepare(self, rel: str) -> Path:
        """Journal rel (when it is new to this folder), make its folder, clear its temporary name."""
        dest = self.path(rel)
        if not self._owns(rel):
            # Named in the journal before it exists, so that a killed export's
            # files are known as ours; flushed by the kernel even on kill -9.
            self._journal_names([rel])
            self._log.own(rel)
            self._parent(dest, rel)
            # In a folder this export made there is nothing to find (most of a new site).
            if self._dir_state(dest.parent) != 1 and os.path.lexists(dest):
                self.foreign_replaced.append(rel)
        else:
            self._parent(dest, rel)
        self._unstage(rel)
        tmp = temp_name(dest)
        if self._dir_state(dest.parent) != 1:
            self._guard(_unlink, tmp)
        return tmp

    def _staged_as(self, rel: str, tmp: Path, digest: str) -> None:
        st = self._guard(os.stat, tmp)
        self._devices.add(st.st_dev)
        self._log.put(rel, [digest, st.st_size, st.st_mtime_ns], STAGED)

    def _unstage(self, rel: str) -> None:
        """Forget an earlier version of rel staged or kept by this export (a page made twice)."""
        if self._log.forget(rel) == STAGED:
            _unlink(self._temp_of(rel))

    def _temp_of(self, rel: str) -> Path:
        """Where rel's new content waits (beside its target, which path() checked when staged)."""
        return temp_name(self.previous_path(rel))

    def _staged_paths(self, *more: Path) -> StagedPaths:
        return StagedPaths(self._log, self._temp_of, more)

    def _guard(self, fn, *args) -> Any:
        try:
            return fn(*args)
        except OSError as exc:
            raise ExportError(describe_os_error(exc, self.out)) from exc

    # ---- finishing ---------------------------------------------------------
    def _removals(self) -> list[str]:
        """The export's files this export no longer produces."""
        log = self._log
        if self._keep_rest:
            # What this export dropped, and what a killed one placed that no record claims.
            out = {r for r in self._drop if r not in log and self._owns(r)}
            out |= {r for r in self._journal if r not in log and r not in self._previous_files}
            return sorted(out)
        # Read a key at a time (the previous site's files are as many as this one's).
        gone = {r for r in self._previous_files.stored_keys() if r not in log}
        gone |= {r for r in self._journal if r not in log}
        gone.update(log.owned_not_kept())
        return sorted(gone)

    def commit(self, extra: dict[str, Any]) -> None:
        """Record what this export made, put every staged file in place, remove what is no longer produced.

        extra: the parts of the record (see manifest.PARTS) and `state_token`.
        An incremental export passes the Part mappings it read from
        `previous` and changed; a full export passes whole dicts.
        """
        record = self._record
        assert record is not None
        token = str(extra.get("state_token", ""))
        removals = self._removals()
        if record.unreadable:
            if self._keep_rest:
                # An update needs the rows it did not touch: the full export takes over.
                raise RecordUnreadable(str(self.out))
            if not self.warnings:
                self.warnings.append(_unreadable_warning(self.out))
        # Named before the record forgets them, so a kill after it still removes them.
        self._journal_names(r for r in removals if r not in self._journal)
        in_place = (
            self._keep_rest
            and not record.fresh
            and all(isinstance(extra.get(p), Part) for p in PARTS if p != "files" and p in extra)
        )
        store_tmp = temp_name(self.out / STORE_NAME)
        self._guard(_unlink, store_tmp)
        try:
            # The record is written before anything visible changes, so a full
            # disk stops the export here; what follows needs no new space.
            if in_place:
                files = self._previous_files
                count = record.file_count()
                count -= sum(1 for rel in removals if rel in files)
                count += sum(1 for rel in self._log.rels() if rel not in files)
                for rel in removals:
                    files.discard(rel)
                for rel, entry in self._log.items():
                    if files.get(rel) != entry:
                        files[rel] = entry
                self.file_count = count
                self._guard(
                    _fsync_all, self._staged_paths(self.out / JOURNAL_NAME), True, self._fs_fd()
                )
                record.begin_update(
                    token,
                    {"files": files, **{p: extra[p] for p in PARTS if p in extra and p != "files"}},
                    count,
                )
                record.commit_update()
                self._placing = True  # the record has changed: the journal must stay
            else:
                parts = {p: whole(extra[p]) for p in PARTS if p in extra and p != "files"}
                parts["files"] = self._all_files(removals)
                self.file_count = len(parts["files"])
                record.write_new(store_tmp, token, parts)
                self._guard(
                    _fsync_all,
                    self._staged_paths(store_tmp, self.out / JOURNAL_NAME),
                    True,
                    self._fs_fd(),
                )
                record.close()
                remove_side_files(self.out / STORE_NAME)
                os.replace(store_tmp, self.out / STORE_NAME)
                self._placing = True  # the record has changed: the journal must stay
                _fsync_all([self.out], False)
        except sqlite3.Error as exc:
            record.rollback()
            _unlink(store_tmp)
            raise ExportError(
                f"Could not write the record of the export in {self.out} ({exc}); "
                "the previous site was left as it was. Check the disk and export again."
            ) from exc
        except OSError as exc:
            _unlink(store_tmp)
            raise ExportError(describe_os_error(exc, self.out)) from exc
        try:
            for rel in self._log.rels(STAGED):
                # Beside its target, which path() checked when it was staged.
                tmp = self._temp_of(rel)
                os.replace(tmp, tmp.parent / rel.rpartition("/")[2])
            self._placed = True
            for rel in removals:
                remove_pruning(self.previous_path(rel), self.out)
            # An older version's manifest, now replaced by the record.
            _unlink(self.out / LEGACY_NAME)
            # The renames themselves reach the disk before the journal goes.
            _fsync_all(
                TouchedFolders(self._log, self.previous_path, removals), False, self._fs_fd()
            )
            os.unlink(self.out / JOURNAL_NAME)
            _fsync_all([self.out], False)
        except OSError as exc:
            raise ExportError(
                f"The export stopped part way through updating {self.out} "
                f"({exc.strerror or exc}); every page there is whole, old or new. "
                "Export again to complete it."
            ) from exc
        self._committed = True
        self._release()

    def _fs_fd(self) -> int | None:
        """The folder's descriptor, opened before anything was staged, when every staged file is
        on the folder's own file system: one syncfs of it then flushes them all (fileops)."""
        if self._lock_fd is None:
            return None
        try:
            device = os.fstat(self._lock_fd).st_dev
        except OSError:
            return None
        return self._lock_fd if self._devices <= {device} else None

    def _all_files(self, removals: list[str]) -> Any:
        """Every file of the site after this export, for a record written whole: read from the
        log as the record is written (an update of an older version's record merges the two)."""
        if not self._keep_rest:
            return Entries(self._log)
        gone = set(removals)
        out = {k: v for k, v in self._previous_files.stored_items() if k not in gone}
        out.update(self._log.items())
        return dict(sorted(out.items()))

    def abort(self) -> None:
        """Remove what was staged; the site is as it was (or, if commit failed, completable)."""
        if self._committed:
            return
        # Best effort throughout: this runs while another error is on its way to the user.
        log = self._log
        if not self._placed and log.conn is not None:
            for rel in log.rels(STAGED):
                _quietly(_unlink, self._temp_of(rel))
        _quietly(_unlink, temp_name(self.out / STORE_NAME))
        if self._record is not None:
            self._record.rollback()
        if not self._placing and log.conn is not None:
            for folder in reversed(log.made_dirs()):
                _quietly(os.rmdir, folder)
            if self._journal_mine:
                # Nothing was placed, so the journal of this run names nothing that exists.
                _quietly(_unlink, self.out / JOURNAL_NAME)
            if self._made_out:
                _quietly(os.rmdir, self.out)
        self._release()
