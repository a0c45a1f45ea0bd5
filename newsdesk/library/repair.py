"""`newsdesk repair`: copy everything readable from a damaged library into a new one and swap it in.

The damaged file is only ever read (through a read-only connection). Rows are
copied table by table and row by row in id order; where SQLite cannot read a
stretch of a table, the copy probes forward past it, notes which ids were lost,
and carries on. The new database is built under a temporary name, the damaged
one is kept aside as `library.damaged-<time>.sqlite`, and the new one replaces
`library.sqlite` in one rename.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from newsdesk.library import database, search
from newsdesk.library.errors import LibraryError, LibraryReadOnly, NewerLibrary

DB_NAME = "library.sqlite"
# Parents before children, so foreign keys can be checked as rows arrive.
TABLES = (
    "tags",
    "articles",
    "article_tags",
    "images",
    "figures",
    "related_stories",
    "revisions",
    "publications",
    "settings",
    # Which WordPress post holds which story: lost, a publish would make a second post.
    "remote_posts",
)
MAX_ROWID = 2**63 - 1


class NothingToRepair(LibraryError):
    """The library passed SQLite's check; it was left as it is."""


@dataclass
class TableReport:
    """What happened to one table: rows copied, ids that could not be read or were refused."""

    name: str
    copied: int = 0
    unreadable: list[tuple[int, int | None]] = field(default_factory=list)  # id ranges, inclusive
    refused: list[tuple[int, str]] = field(default_factory=list)  # (id, why)
    unreadable_table: str = ""  # the whole table could not be read

    @property
    def complete(self) -> bool:
        return not (self.unreadable or self.refused or self.unreadable_table)

    def line(self) -> str:
        parts = [f"{self.name}: {self.copied} row(s) recovered"]
        if self.unreadable_table:
            parts.append(f"the table could not be read ({self.unreadable_table})")
        for first, last in self.unreadable:
            if last is None:
                parts.append(f"rows after id {first - 1} could not be read")
            elif first == last:
                parts.append(f"row id {first} could not be read")
            else:
                parts.append(f"rows with ids {first}-{last} could not be read (some may not exist)")
        if self.refused:
            ids = ", ".join(str(i) for i, _ in self.refused[:10])
            more = f" and {len(self.refused) - 10} more" if len(self.refused) > 10 else ""
            parts.append(
                f"{len(self.refused)} row(s) left out because what they belong to was lost "
                f"(ids {ids}{more})"
            )
        return "; ".join(parts)


@dataclass
class RepairReport:
    damaged_copy: Path
    tables: list[TableReport]

    @property
    def complete(self) -> bool:
        return all(t.complete for t in self.tables)


def _columns(con: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]


def _first_id_after(con: sqlite3.Connection, table: str, after: int) -> int | None | bool:
    """The first id after `after` that SQLite can seek to: an id, None (no more), False (fails)."""
    try:
        row = con.execute(
            f'SELECT rowid FROM "{table}" WHERE rowid > ? ORDER BY rowid LIMIT 1', (after,)
        ).fetchone()
    except sqlite3.DatabaseError:
        return False
    return row[0] if row else None


def _skip_damage(con: sqlite3.Connection, table: str, last: int) -> tuple[int | None, int]:
    """Past an unreadable stretch after id `last`: (first readable id or None, last probe).

    Probes at growing distances until a seek succeeds, then narrows back to the
    smallest start that succeeds, so no readable row after the damage is skipped.
    """
    step = 1
    good = None
    while last + step < MAX_ROWID:
        found = _first_id_after(con, table, last + step)
        if found is not False:
            good = last + step
            break
        step *= 2
    if good is None:
        return None, MAX_ROWID
    lo, hi = last + step // 2, good  # a seek after lo fails (or lo is last), after hi succeeds
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _first_id_after(con, table, mid) is False:
            lo = mid
        else:
            hi = mid
    found = _first_id_after(con, table, hi)
    return (None if found is False else found), hi


def read_rows(
    con: sqlite3.Connection, report: TableReport, columns: list[str]
) -> Iterator[tuple[int, tuple]]:
    """(id, row) for every readable row of the table, in id order; losses go into the report."""
    table = report.name
    cols = ", ".join(f'"{c}"' for c in columns)
    last = -MAX_ROWID
    while True:
        try:
            cursor = con.execute(
                f'SELECT rowid, {cols} FROM "{table}" WHERE rowid > ? ORDER BY rowid', (last,)
            )
            for row in cursor:
                last = row[0]
                yield row[0], row[1:]
            return
        except sqlite3.DatabaseError:
            pass
        start = max(last, 0)
        nxt, _probe = _skip_damage(con, table, start)
        if nxt is None:
            report.unreadable.append((start + 1, None))
            return
        try:
            row = con.execute(
                f'SELECT rowid, {cols} FROM "{table}" WHERE rowid = ?', (nxt,)
            ).fetchone()
        except sqlite3.DatabaseError:
            report.unreadable.append((start + 1, nxt))  # this row itself is unreadable
            last = nxt
            continue
        if nxt > start + 1:
            report.unreadable.append((start + 1, nxt - 1))
        last = nxt
        yield row[0], row[1:]


def _aside_name(db_path: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return db_path.with_name(f"library.damaged-{stamp}.sqlite")


def repair_library(root: Path) -> RepairReport:
    """Rebuild `root/library.sqlite` from what can be read of it.

    Raises LibraryError (nothing done) when there is no library, it cannot be
    written, nothing of it can be read, or it is not damaged at all.
    """
    root = Path(root)
    db_path = root / DB_NAME
    if not root.is_dir() or not (db_path.exists() or db_path.is_symlink()):
        raise LibraryError(f"There is no newsdesk library at {root} to repair.")
    if db_path.is_dir():
        raise LibraryError(f"{db_path} is a folder, not a library database; move it aside.")
    if database.is_read_only(db_path):
        raise LibraryReadOnly(root, ", so it cannot be repaired in place")
    if db_path.stat().st_size == 0:
        raise LibraryError(
            f"Nothing can be recovered from {db_path}: the file is empty (0 bytes); "
            "restore it from a backup, or move it aside to start a new library."
        )
    with database.peek(db_path, read_only_disk=False) as source:
        try:
            names = {r[0] for r in source.execute("SELECT name FROM sqlite_master")}
        except sqlite3.Error as exc:
            raise LibraryError(
                f"Nothing can be recovered from {db_path}: SQLite cannot read its list of tables "
                f"({exc}); restore it from a backup."
            ) from exc
        if "alembic_version" not in names:
            raise LibraryError(f"{db_path} is not a newsdesk library; it was left untouched.")
        try:
            revision = source.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        except (sqlite3.Error, TypeError):
            revision = database.SCHEMA_HEAD  # unreadable: assume the newest layout
        if revision not in database.known_revisions():
            raise NewerLibrary(root, revision)
        if database.quick_check(db_path) is None:
            raise NothingToRepair(
                f"The library at {root} passed SQLite's check; there is nothing to repair."
            )
        partial = root / "library.repairing.sqlite"
        _remove_with_journals(partial)
        try:
            tables = _build(source, names, partial, revision)
        except BaseException:
            _remove_with_journals(partial)
            raise
    aside = _aside_name(db_path)
    _swap_in(db_path, partial, aside)
    return RepairReport(aside, tables)


def _remove_with_journals(path: Path) -> None:
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        p.unlink(missing_ok=True)


def _build(source: sqlite3.Connection, names: set[str], partial: Path, revision: str):
    """The new database at `partial`: the damaged one's schema, its readable rows, then upgraded."""
    engine = database.make_engine(partial)
    try:
        database.upgrade(engine, revision)
    finally:
        engine.dispose()
    target = sqlite3.connect(partial)
    reports = []
    try:
        target.execute("PRAGMA foreign_keys = ON")
        for table in TABLES:
            report = TableReport(table)
            reports.append(report)
            if table not in names:
                continue
            try:
                wanted = set(_columns(target, table))
                columns = [c for c in _columns(source, table) if c in wanted]
            except sqlite3.Error as exc:
                report.unreadable_table = str(exc)
                continue
            marks = ", ".join("?" for _ in columns)
            insert = (
                f'INSERT INTO "{table}" ({", ".join(chr(34) + c + chr(34) for c in columns)}) '
                f"VALUES ({marks})"
            )
            with target:
                for row_id, row in read_rows(source, report, columns):
                    try:
                        target.execute(insert, row)
                        report.copied += 1
                    except sqlite3.IntegrityError as exc:
                        report.refused.append((row_id, str(exc)))
    finally:
        target.close()
    engine = database.make_engine(partial)
    try:
        database.upgrade(engine)  # to the newest schema, as opening would
        with engine.begin() as conn:
            search.drop_fts_index(conn)
            search.create_fts_index(conn)  # the index is rebuilt, never copied
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    return reports


def _swap_in(db_path: Path, partial: Path, aside: Path) -> None:
    """Keep the damaged file (and its WAL) aside, then rename the new one into place."""
    with open(partial, "rb") as f:
        os.fsync(f.fileno())
    try:
        os.link(db_path, aside)
    except OSError:
        shutil.copy2(db_path, aside)
    # The WAL belongs to the damaged file: left beside the new one, SQLite would replay it there.
    for suffix in ("-wal", "-shm"):
        journal = Path(f"{db_path}{suffix}")
        if journal.exists():
            os.replace(journal, Path(f"{aside}{suffix}"))
    os.replace(partial, db_path)
    _remove_with_journals(partial)
    try:
        fd = os.open(db_path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass
