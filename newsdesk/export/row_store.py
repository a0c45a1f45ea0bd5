"""The listing rows of the site being exported, kept on disk and read back a page at a time.

A full export (and an incremental one that remakes every listing) saves each
story's ListingRow here as it makes it, with one membership row per listing
the story is on (listing_row.listing_keys), instead of holding every row for
the whole export. The listing pages, feeds, sitemaps and the library's export
state are then made from it a page at a time, read by keyset (the sort key of
the last row read), so what the export holds at once is a page's rows, never
the site's: its memory does not grow with the library.

A scratch SQLite file in the export folder (hidden, with the writer's
temporary suffix: the export owns that name, and removes it when it ends or
when it finds one a killed export left).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from newsdesk.export.listing_row import ListingRow, listing_keys

_COLUMNS = "uid, article_id, folder, seg, when_us, lastmod_us, data"
_CHUNK = 500  # rows read or written per statement
# Sort keys compare as the listings order: (when_us, article_id), newest first.
# (A row value, which SQLite reads as a range of the index: the same test written with OR
# made each page scan its listing from the top.)
_OLDER = "(l.when_us, l.article_id) < (:w, :a)"


class SitemapRow(NamedTuple):
    """A story as the sitemap lists it (a few dozen bytes, not its ListingRow)."""

    folder: str
    lastmod_us: int
    sort_key: tuple[int, int]


class RowStore:
    """The listing rows of one export, with their listing membership and the listing pages made."""

    def __init__(self, path: Path, tz: str) -> None:
        self.path = path
        self.tz = tz  # the publication's: it decides which month of the archive holds a story
        _unlink(path)
        self.conn = sqlite3.connect(path, isolation_level=None)
        # A file nobody else reads and nobody needs after a crash: no journal, no flushing.
        self.conn.execute("PRAGMA journal_mode=OFF")
        self.conn.execute("PRAGMA synchronous=OFF")
        self.conn.executescript(
            """
            CREATE TABLE rows (uid TEXT PRIMARY KEY, article_id INTEGER, folder TEXT, seg TEXT,
                               when_us INTEGER, lastmod_us INTEGER, data TEXT) WITHOUT ROWID;
            CREATE TABLE listing (listing TEXT, when_us INTEGER, article_id INTEGER, uid TEXT,
                                  PRIMARY KEY (listing, when_us, article_id)) WITHOUT ROWID;
            CREATE INDEX listing_uid ON listing (uid);
            CREATE TABLE pages (n INTEGER PRIMARY KEY, folder TEXT, entry TEXT);
            CREATE TABLE inputs (rel TEXT PRIMARY KEY, key TEXT) WITHOUT ROWID;
            """
        )

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None  # type: ignore[assignment]
        _unlink(self.path)

    # ---- writing ---------------------------------------------------------
    def add(self, rows: Iterable[ListingRow]) -> None:
        """Save these rows (a story saved again replaces its row), a chunk at a time."""
        batch: list[ListingRow] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= _CHUNK:
                self._add(batch)
                batch = []
        if batch:
            self._add(batch)

    def _add(self, rows: list[ListingRow]) -> None:
        conn = self.conn
        conn.execute("BEGIN")
        self.remove([r.uid for r in rows])
        conn.executemany(
            "INSERT INTO rows VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (r.uid, r.article_id, r.folder, r.seg, r.when_us, r.lastmod_us, r.data())
                for r in rows
            ],
        )
        conn.executemany(
            "INSERT OR REPLACE INTO listing VALUES (?, ?, ?, ?)",
            [
                (key, r.when_us, r.article_id, r.uid)
                for r in rows
                for key in listing_keys(r, self.tz)
            ],
        )
        conn.execute("COMMIT")

    def remove(self, uids: Iterable[str]) -> None:
        """Forget these stories (their page could not be made)."""
        gone = [(u,) for u in uids]
        if gone:
            self.conn.executemany("DELETE FROM rows WHERE uid = ?", gone)
            self.conn.executemany("DELETE FROM listing WHERE uid = ?", gone)

    def add_page(self, entry: list[Any]) -> None:
        """Keep a listing page's sitemap entry ([order, folder, lastmod_us, kind]), in the order
        the pages are made (which is the order of their `order`)."""
        self.conn.execute(
            "INSERT INTO pages (folder, entry) VALUES (?, ?)",
            (entry[1], json.dumps(entry, ensure_ascii=False, separators=(",", ":"))),
        )

    def clear_pages(self) -> None:
        self.conn.execute("DELETE FROM pages")

    # ---- reading ---------------------------------------------------------
    def __len__(self) -> int:
        return self.conn.execute("SELECT count(*) FROM rows").fetchone()[0]

    def count(self, key: str) -> int:
        """How many stories listing `key` holds (an indexed count)."""
        return self.conn.execute(
            "SELECT count(*) FROM listing WHERE listing = ?", (key,)
        ).fetchone()[0]

    def listings(self) -> list[str]:
        """Every listing with stories (their number grows with sections, tags, authors, months)."""
        return [r[0] for r in self.conn.execute("SELECT DISTINCT listing FROM listing")]

    def counts(self, prefix: str) -> dict[str, int]:
        """key -> number of stories, for every listing whose key starts with prefix ("m:")."""
        hi = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        sql = (
            "SELECT listing, count(*) FROM listing WHERE listing >= ? AND listing < ? "
            "GROUP BY listing"
        )
        return {k: n for k, n in self.conn.execute(sql, (prefix, hi))}

    def newest(self, key: str, limit: int, older_than: tuple[int, int] | None = None):
        """Up to limit rows of listing key, newest first (those older than a sort key, if given)."""
        cols = ", ".join(f"r.{c.strip()}" for c in _COLUMNS.split(","))
        where = "l.listing = :k" + (f" AND {_OLDER}" if older_than is not None else "")
        sql = (
            f"SELECT {cols} FROM listing l JOIN rows r ON r.uid = l.uid WHERE {where} "
            "ORDER BY l.when_us DESC, l.article_id DESC LIMIT :n"
        )
        w, a = older_than if older_than is not None else (0, 0)
        return [
            ListingRow.from_state(*r)
            for r in self.conn.execute(sql, {"k": key, "w": w, "a": a, "n": limit})
        ]

    def pages_of(self, key: str, size: int) -> Iterator[list[ListingRow]]:
        """Listing key cut into pages of size rows, newest first; each read when it is asked for."""
        last = None
        while True:
            chunk = self.newest(key, size, last)
            if not chunk:
                return
            yield chunk
            if len(chunk) < size:
                return
            last = chunk[-1].sort_key

    def rows(self, key: str = "h") -> Iterator[ListingRow]:
        """Every row of a listing (the whole site by default), newest first, a chunk at a time."""
        for chunk in self.pages_of(key, _CHUNK):
            yield from chunk

    def since(self, when_us: int) -> list[ListingRow]:
        """The stories dated at or after when_us, newest first (the news sitemap's few days)."""
        out = []
        for row in self.rows():
            if row.when_us < when_us:
                break
            out.append(row)
        return out

    def sitemap_rows(self) -> SitemapRows:
        """(folder, lastmod_us, sort_key) of every story, newest first: what the sitemap lists
        (its layout depends on how many there are), read a chunk at a time as it is iterated."""
        return SitemapRows(self)

    def _sitemap_chunks(self) -> Iterator[SitemapRow]:
        last = (2**62, 2**62)
        # Through the front page's listing: its key is the order, so no sort at each chunk.
        sql = (
            "SELECT r.folder, r.lastmod_us, l.when_us, l.article_id FROM listing l "
            f"JOIN rows r ON r.uid = l.uid WHERE l.listing = 'h' AND {_OLDER} "
            "ORDER BY l.when_us DESC, l.article_id DESC LIMIT :n"
        )
        while True:
            chunk = self.conn.execute(sql, {"w": last[0], "a": last[1], "n": _CHUNK}).fetchall()
            yield from (SitemapRow(folder, lastmod, (w, a)) for folder, lastmod, w, a in chunk)
            if len(chunk) < _CHUNK:
                return
            last = (chunk[-1][2], chunk[-1][3])

    def pages(self) -> Iterator[list[Any]]:
        """The listing pages' sitemap entries, in the order they were made, a chunk at a time."""
        n = 0
        while True:
            chunk = self.conn.execute(
                "SELECT n, entry FROM pages WHERE n > ? ORDER BY n LIMIT ?", (n, _CHUNK)
            ).fetchall()
            for _n, entry in chunk:
                yield json.loads(entry)
            if len(chunk) < _CHUNK:
                return
            n = chunk[-1][0]


class SitemapRows:
    """Every story of a store as the sitemap lists it: how many, and each as it is read."""

    def __init__(self, store: RowStore) -> None:
        self.store = store

    def __len__(self) -> int:
        return len(self.store)

    def __iter__(self) -> Iterator[SitemapRow]:
        return self.store._sitemap_chunks()


class Inputs:
    """rel -> the signature of each listing page, feed and sitemap file made, kept in the
    store (a full export's record part "inputs": one row per listing page, not in memory)."""

    def __init__(self, store: RowStore) -> None:
        self.conn = store.conn

    def __setitem__(self, rel: str, key: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO inputs VALUES (?, ?)", (rel, key))

    def __len__(self) -> int:
        return self.conn.execute("SELECT count(*) FROM inputs").fetchone()[0]

    def items(self) -> Iterator[tuple[str, str]]:
        last = ""
        while True:
            rows = self.conn.execute(
                "SELECT rel, key FROM inputs WHERE rel > ? ORDER BY rel LIMIT ?", (last, _CHUNK)
            ).fetchall()
            yield from rows
            if len(rows) < _CHUNK:
                return
            last = rows[-1][0]


class PagesPart:
    """The listing pages of a store as a part of the export's record (folder -> entry), read
    as the record is written (manifest.Record.write_new calls items())."""

    def __init__(self, store: RowStore) -> None:
        self.store = store

    def items(self) -> Iterator[tuple[str, list[Any]]]:
        for entry in self.store.pages():
            yield entry[1], entry


class Pairs:
    """A part of the export's record made as it is written: items() calls make() each time."""

    def __init__(self, make: Callable[[], Iterator[tuple[str, Any]]]) -> None:
        self.make = make

    def items(self) -> Iterator[tuple[str, Any]]:
        return self.make()


def _unlink(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        try:
            os.unlink(f"{path}{suffix}")
        except FileNotFoundError:
            pass
