"""What an export did with each file of the site, kept on disk while it runs (for export/writer.py).

The writer remembers, for every file of the site, its entry for the record
(hash, size, time), whether it was staged anew or kept, whether this export
journaled it, and which folders it made. Held as Python objects that was
nearly a kilobyte a file: the largest thing a full export of a large site
kept in its main process. Here it is a private SQLite database that lives
on the disk beyond a small page cache and disappears when it is closed
(SQLite's "" database: the file is unlinked as soon as it is opened, so not
even a killed export leaves it behind).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

_CHUNK = 1000  # rows read per statement when iterating

STAGED = 1  # written anew: its temporary file waits beside its target
KEPT = 0  # the previous export's file, carried over as it is


class FileLog:
    """The files of one export: rel -> (hash, size, mtime_ns, state), and the folders it made."""

    def __init__(self) -> None:
        self.conn = sqlite3.connect("", isolation_level=None, check_same_thread=False)
        self.conn.executescript(
            """
            PRAGMA journal_mode=OFF;
            PRAGMA synchronous=OFF;
            CREATE TABLE files (rel TEXT PRIMARY KEY, hash TEXT, size INTEGER, mtime INTEGER,
                                state INTEGER) WITHOUT ROWID;
            CREATE TABLE owned (rel TEXT PRIMARY KEY) WITHOUT ROWID;
            CREATE TABLE dirs (n INTEGER PRIMARY KEY, path TEXT UNIQUE NOT NULL, made INTEGER);
            BEGIN;
            """
        )
        self.staged_count = 0
        self.kept_count = 0

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None  # type: ignore[assignment]

    # ---- files -----------------------------------------------------------
    def put(self, rel: str, entry: list[Any], state: int) -> None:
        self.forget(rel)
        self.conn.execute(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)", (rel, *entry, state)
        )
        if state == STAGED:
            self.staged_count += 1
        else:
            self.kept_count += 1

    def forget(self, rel: str) -> int | None:
        """Take rel's earlier state back (it is about to be written or kept again); returns it."""
        row = self.conn.execute("SELECT state FROM files WHERE rel = ?", (rel,)).fetchone()
        if row is None:
            return None
        self.conn.execute("DELETE FROM files WHERE rel = ?", (rel,))
        if row[0] == STAGED:
            self.staged_count -= 1
        else:
            self.kept_count -= 1
        return row[0]

    def get(self, rel: str) -> list[Any] | None:
        row = self.conn.execute(
            "SELECT hash, size, mtime FROM files WHERE rel = ?", (rel,)
        ).fetchone()
        return list(row) if row else None

    def __contains__(self, rel: object) -> bool:
        return self.conn.execute("SELECT 1 FROM files WHERE rel = ?", (rel,)).fetchone() is not None

    def __len__(self) -> int:
        return self.staged_count + self.kept_count

    def items(self, state: int | None = None) -> Iterator[tuple[str, list[Any]]]:
        """(rel, [hash, size, mtime_ns]) of every file (or those in state), by rel."""
        last = ""
        where = "" if state is None else f" AND state = {int(state)}"
        sql = f"SELECT rel, hash, size, mtime FROM files WHERE rel > ?{where} ORDER BY rel LIMIT ?"
        while True:
            rows = self.conn.execute(sql, (last, _CHUNK)).fetchall()
            for rel, h, size, mtime in rows:
                yield rel, [h, size, mtime]
            if len(rows) < _CHUNK:
                return
            last = rows[-1][0]

    def rels(self, state: int | None = None) -> Iterator[str]:
        for rel, _entry in self.items(state):
            yield rel

    # ---- journaled by this export ------------------------------------------
    def own(self, rel: str) -> None:
        self.conn.execute("INSERT OR IGNORE INTO owned VALUES (?)", (rel,))

    def owns(self, rel: str) -> bool:
        return self.conn.execute("SELECT 1 FROM owned WHERE rel = ?", (rel,)).fetchone() is not None

    def owned_not_kept(self) -> Iterator[str]:
        """What this export journaled and then neither wrote nor kept."""
        sql = (
            "SELECT o.rel FROM owned o WHERE NOT EXISTS (SELECT 1 FROM files f WHERE f.rel = o.rel)"
        )
        yield from [r[0] for r in self.conn.execute(sql)]

    # ---- folders ---------------------------------------------------------
    def add_dir(self, path: str, made: bool) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO dirs (path, made) VALUES (?, ?)", (path, 1 if made else 0)
        )

    def dir_state(self, path: str) -> int | None:
        """None: not seen; 0: found there; 1: made by this export."""
        row = self.conn.execute("SELECT made FROM dirs WHERE path = ?", (path,)).fetchone()
        return None if row is None else row[0]

    def made_dirs(self) -> list[str]:
        """The folders this export made, in the order it made them."""
        return [r[0] for r in self.conn.execute("SELECT path FROM dirs WHERE made = 1 ORDER BY n")]


class Entries:
    """A log's files as a part of the record written anew (manifest.Record.write_new):
    items() in order, and how many."""

    def __init__(self, log: FileLog) -> None:
        self.log = log

    def __len__(self) -> int:
        return len(self.log)

    def items(self) -> Iterator[tuple[str, list[Any]]]:
        return self.log.items()
