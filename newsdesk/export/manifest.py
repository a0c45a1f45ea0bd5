"""The record an export keeps in its folder: every file it wrote, and what each page was made from.

The record is an SQLite file beside the pages (`.newsdesk-manifest.sqlite`),
one table per part, each a key -> JSON value:

- files: site path -> [sha256, size, mtime_ns] of every file the export owns;
- articles: story uid -> what its page was made from ({fp, page, pfp});
- failed: story uid -> the preflight verdict it was refused with;
- inputs: site path -> the signature of a listing page, feed or sitemap;
- renditions: rendition key -> the files of that picture's renditions;
- listing_pages: listing page folder -> its sitemap entry;
- meta: the record's version, the state token (which ties the folder to the
  library's export state) and which parts an older version left out.

Why a file in the folder and not tables in the library: the record says
which files of the folder are the export's and which are the user's, so it
must travel with the folder: a folder exported from one library and then
from another (or by a read-only library, which cannot keep anything) still
knows what it may delete. The library keeps what the site was made from
(export/state.py); the two are tied by the state token.

Why SQLite and not one JSON file: at 100,000 stories the JSON was ~60 MB,
read and rewritten on every publish. Here an edit reads the rows it asks
for and writes the rows it changed, in one transaction (write-ahead log,
synchronous=FULL: durable when committed). A full export builds a new
record beside the old one and renames it into place, like any page.

A folder exported by an older version holds `.newsdesk-manifest.json`: it
is read once and, at the end of that export, replaced by the SQLite record.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

STORE_NAME = ".newsdesk-manifest.sqlite"
LEGACY_NAME = ".newsdesk-manifest.json"
LEGACY_VERSION = 1
STORE_VERSION = 1
# The key -> value parts of the record (listing_pages is read as a list of its values).
PARTS = ("files", "articles", "failed", "inputs", "renditions", "listing_pages")
# The files SQLite may keep beside the record while it is open (or after a kill).
SIDE_FILES = ("-wal", "-shm", "-journal")
_BATCH = 5000
_SEEN = 4096  # rows of a part kept once read (see Part._stored)


class RecordUnreadable(Exception):
    """The record in the folder is damaged (or from a newer version); the export checks everything."""


class Part(MutableMapping):
    """One part of the record as a mapping: rows read when asked for, changes kept until commit.

    Backed by the SQLite record (a point query per key not yet seen) or, for
    a folder an older version exported, by the dict its JSON manifest held.
    """

    def __init__(self, name: str, record: Record, base: dict | None) -> None:
        self.name = name
        self._record = record
        self._base = base  # the legacy JSON's dict, or None when read from the store
        self._seen: dict[str, Any] = {}  # rows read from the store
        self.put: dict[str, Any] = {}  # rows set since the record was read
        self.gone: set[str] = set()  # rows removed since
        self.cleared = False  # every row of the record removed (a full replacement)

    def _stored(self, key: str) -> Any:
        if self.cleared:
            return None
        if self._base is not None:
            return self._base.get(key)
        if key in self._seen:
            return self._seen[key]
        value = None
        conn = self._record.conn
        if conn is not None:
            try:
                row = conn.execute(f"SELECT v FROM {self.name} WHERE k = ?", (key,)).fetchone()
                if row is not None:
                    value = json.loads(row[0])
            except (sqlite3.DatabaseError, ValueError):
                self._record.damaged()
                return None
        if len(self._seen) >= _SEEN:
            self._seen.clear()  # a full export asks once per story: keep a few, not every row
        self._seen[key] = value
        return value

    def __getitem__(self, key: str) -> Any:
        if key in self.put:
            return self.put[key]
        if key in self.gone:
            raise KeyError(key)
        value = self._stored(key)
        if value is None:
            raise KeyError(key)
        return value

    def __setitem__(self, key: str, value: Any) -> None:
        self.gone.discard(key)
        self.put[key] = value

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        self.discard(key)

    def discard(self, key: str) -> None:
        self.put.pop(key, None)
        self.gone.add(key)

    def clear(self) -> None:
        self.put.clear()
        self.gone.clear()
        self.cleared = True

    def stored_items(self) -> Iterator[tuple[str, Any]]:
        """Every row as the record held it when read (a full scan: for full exports and upgrades)."""
        if self.cleared:
            return
        if self._base is not None:
            yield from self._base.items()
            return
        conn = self._record.conn
        if conn is None:
            return
        try:
            rows = conn.execute(f"SELECT k, v FROM {self.name} ORDER BY k").fetchall()
            decoded = [(k, json.loads(v)) for k, v in rows]
        except (sqlite3.DatabaseError, ValueError):
            self._record.damaged()
            return
        yield from decoded

    def stored_keys(self) -> Iterator[str]:
        """Every key as the record held it when read, a chunk at a time (a full scan)."""
        if self.cleared:
            return
        if self._base is not None:
            yield from self._base
            return
        last = ""  # (no key is empty: every key is a path, a uid or a rendition key)
        while self._record.conn is not None:
            try:
                rows = self._record.conn.execute(
                    f"SELECT k FROM {self.name} WHERE k > ? ORDER BY k LIMIT ?", (last, _BATCH)
                ).fetchall()
            except sqlite3.DatabaseError:
                self._record.damaged()
                return
            yield from (r[0] for r in rows)
            if len(rows) < _BATCH:
                return
            last = rows[-1][0]

    def sample(self, exclude: set[str], limit: int) -> tuple[list[tuple[str, Any]], int]:
        """Up to limit rows as the record held them (key order), leaving out the keys in
        exclude, and how many rows there are without those: a count and a few rows, never
        every row (the held-back stories an incremental export names; export/held.py)."""
        if self.cleared:
            return [], 0
        if self._base is not None:
            kept = [(k, v) for k, v in self._base.items() if k not in exclude]
            return sorted(kept)[:limit], len(kept)
        conn = self._record.conn
        if conn is None:
            return [], 0
        try:
            # A page of keys at a time: a count of them all only when more rows remain.
            found: list[tuple[str, str]] = []
            last, size, more = "", max(limit + 1, 64), True
            while more and len(found) <= limit:
                page = conn.execute(
                    f"SELECT k, v FROM {self.name} WHERE k > ? ORDER BY k LIMIT ?", (last, size)
                ).fetchall()
                found += [(k, v) for k, v in page if k not in exclude]
                more = len(page) == size
                if page:
                    last = page[-1][0]
            total = len(found)
            if more or total > limit:
                total = conn.execute(f"SELECT count(*) FROM {self.name}").fetchone()[0]
                ordered = sorted(exclude)
                for i in range(0, len(ordered), 500):
                    chunk = ordered[i : i + 500]
                    total -= conn.execute(
                        f"SELECT count(*) FROM {self.name} "
                        f"WHERE k IN ({','.join('?' * len(chunk))})",
                        chunk,
                    ).fetchone()[0]
            rows = [(k, json.loads(v)) for k, v in found[:limit]]
        except (sqlite3.DatabaseError, ValueError):
            self._record.damaged()
            return [], 0
        return rows, total

    def keys_with_prefix(self, prefix: str) -> list[str]:
        """The keys that start with prefix (an indexed range, not a scan), as they are now."""
        conn = self._record.conn
        if self._base is not None or conn is None or self.cleared:
            stored = [k for k, _v in self.stored_items() if k.startswith(prefix)]
        else:
            hi = prefix[:-1] + chr(ord(prefix[-1]) + 1)
            try:
                stored = [
                    r[0]
                    for r in conn.execute(
                        f"SELECT k FROM {self.name} WHERE k >= ? AND k < ?", (prefix, hi)
                    )
                ]
            except sqlite3.DatabaseError:
                self._record.damaged()
                stored = []
        keys = [k for k in stored if k not in self.gone]
        return sorted({*keys, *(k for k in self.put if k.startswith(prefix))})

    def items_in(self, ranges: list[tuple[str, str | None]]) -> list[tuple[str, Any]]:
        """The rows (as they are now) whose keys fall in these ranges: [lo, hi), or lo alone
        when hi is None. Indexed ranges of the record, not a scan (one sitemap part's
        listing pages among every listing page of the site)."""

        def inside(k: str) -> bool:
            return any(k == lo if hi is None else lo <= k < hi for lo, hi in ranges)

        conn = self._record.conn
        stored: list[tuple[str, Any]] = []
        if self._base is not None or conn is None or self.cleared:
            stored = [(k, v) for k, v in self.stored_items() if inside(k)]
        else:
            try:
                for lo, hi in ranges:
                    rows = (
                        conn.execute(f"SELECT k, v FROM {self.name} WHERE k = ?", (lo,))
                        if hi is None
                        else conn.execute(
                            f"SELECT k, v FROM {self.name} WHERE k >= ? AND k < ?", (lo, hi)
                        )
                    )
                    rows = rows.fetchall()
                    # One parse of them all (a call per row was most of the time).
                    values = json.loads(f"[{','.join(v for _k, v in rows)}]")
                    stored += zip((k for k, _v in rows), values, strict=True)
            except (sqlite3.DatabaseError, ValueError):
                self._record.damaged()
                stored = []
        found = {k: v for k, v in stored if k not in self.put and k not in self.gone}
        found.update((k, v) for k, v in self.put.items() if inside(k))
        return list(found.items())

    def __iter__(self) -> Iterator[str]:
        for k, _v in self.items():
            yield k

    def items(self):  # type: ignore[override]
        """Every row as it is now (a full scan)."""
        for k, v in self.stored_items():
            if k not in self.put and k not in self.gone:
                yield k, v
        yield from self.put.items()

    def values(self):  # type: ignore[override]
        """Every value as it is now, from one scan: the mapping's own would look each key up
        in the record (a query per listing page: 21,000 at 100,000 stories) and count first."""
        return [v for _k, v in self.items()]

    def __len__(self) -> int:
        return sum(1 for _ in self.items())

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        if key in self.put:
            return True
        return key not in self.gone and self._stored(key) is not None


class Record:
    """The record of one export folder, as read when an export starts.

    `parts[name]` are Part mappings; `meta` holds the state token and the
    version. `fresh` is True when there is nothing to update in place (no
    record yet, a damaged one, or a legacy JSON): commit writes it whole.
    """

    def __init__(self, site: Path) -> None:
        self.site = site
        self.path = site / STORE_NAME
        self.legacy_path = site / LEGACY_NAME
        self.conn: sqlite3.Connection | None = None
        self.meta: dict[str, Any] = {}
        self.found = False  # a record (store or legacy, readable or not) is in the folder
        self.unreadable = False  # it was there but could not be read
        self.legacy = False  # read from an older version's JSON
        self.fresh = True
        base: dict[str, Any] | None = None
        store_exists = self.path.exists()
        legacy_exists = self.legacy_path.exists()
        self.found = store_exists or legacy_exists
        # A JSON newer than the store: an older version exported after the upgrade.
        use_legacy = legacy_exists and (
            not store_exists or _mtime(self.legacy_path) > _mtime(self.path)
        )
        if use_legacy:
            base = _read_legacy(self.legacy_path)
            if base is None:
                self.unreadable = True
                base = {}
            else:
                self.legacy = True
        elif store_exists:
            try:
                self.conn = _open_store(self.path)
                self.meta = _read_meta(self.conn)
                self.fresh = False
            except (sqlite3.Error, RecordUnreadable, ValueError):
                self.close()
                self.unreadable = True
        if base is not None:
            self.meta = {
                "state_token": base.get("state_token", ""),
                "has": [p for p in PARTS if p in base],
            }
        self._bases: dict[str, dict] | None = None
        if base is not None:
            self._bases = {name: _as_dict(base.get(name, {})) for name in PARTS}
            if isinstance(base.get("listing_pages"), list):
                self._bases["listing_pages"] = {e[1]: e for e in base["listing_pages"]}
        self.parts: dict[str, Part] = {name: self.part(name) for name in PARTS}

    def part(self, name: str) -> Part:
        """A new view of one part: its own changes, the record's rows."""
        return Part(name, self, None if self._bases is None else self._bases[name])

    def damaged(self) -> None:
        """The record turned out to be damaged while being read: from now on it is empty."""
        self.close()
        self.unreadable = True
        self.fresh = True
        self.meta = {}

    # ---- reading ---------------------------------------------------------
    @property
    def token(self) -> str:
        return str(self.meta.get("state_token") or "")

    def has(self, part: str) -> bool:
        """True when the record holds this part (an older version's may not)."""
        if self.fresh and not self.legacy:
            return False
        return part in self.meta.get("has", PARTS)

    def listing_pages(self) -> list[list[Any]]:
        return sorted((v for _k, v in self.parts["listing_pages"].items()), key=lambda e: e[0])

    # ---- writing ---------------------------------------------------------
    def write_new(self, path: Path, token: str, parts: dict[str, Any]) -> None:
        """Write the whole record to path (a new file, renamed over the record later)."""
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            # A file nobody reads until it is complete and flushed: no journal needed.
            conn.execute("PRAGMA journal_mode=OFF")
            conn.execute("PRAGMA synchronous=OFF")
            conn.execute("BEGIN")
            _create(conn)
            _put_meta(conn, token, [p for p in PARTS if p in parts], len(parts.get("files", {})))
            for name in PARTS:
                rows = parts.get(name, {})
                if name == "listing_pages" and isinstance(rows, list):
                    rows = {e[1]: e for e in rows}
                items = rows.items() if not isinstance(rows, Part) else rows.items()
                _insert(conn, name, items)
            conn.execute("COMMIT")
            # In the write-ahead mode every later update uses, so reading it changes nothing.
            conn.execute("PRAGMA locking_mode=EXCLUSIVE")
            conn.execute("PRAGMA journal_mode=WAL")
        finally:
            conn.close()

    def file_count(self) -> int:
        """How many files the record lists (kept in its meta, so never counted)."""
        count = self.meta.get("files")
        if not isinstance(count, int):
            count = sum(1 for _ in self.parts["files"].stored_items())
            self.meta["files"] = count
        return count

    def begin_update(self, token: str, parts: dict[str, Part], count: int) -> None:
        """Write the changed rows in one transaction, left open until commit_update."""
        assert self.conn is not None
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            _put_meta(conn, token, [p for p in PARTS if p in parts or self.has(p)], count)
            for name, part in parts.items():
                if part.cleared:
                    conn.execute(f"DELETE FROM {name}")
                gone = [(k,) for k in part.gone]
                if gone:
                    conn.executemany(f"DELETE FROM {name} WHERE k = ?", gone)
                _insert(conn, name, part.put.items())
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def commit_update(self) -> None:
        assert self.conn is not None
        self.conn.execute("COMMIT")

    def rollback(self) -> None:
        if self.conn is not None and self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.rollback()
                self.conn.close()  # the last connection: checkpoints and removes the log
            except sqlite3.Error:
                pass
            self.conn = None


class Previous:
    """What the previous export recorded, read part by part (see manifest.Record).

    `get("articles")`, `get("inputs")`, … are mappings read row by row;
    `get("listing_pages")` the list of listing pages; `get("state_token")` the token.
    """

    def __init__(self, record: Record) -> None:
        self.record = record

    def get(self, name: str, default: Any = None) -> Any:
        if name == "state_token":
            return self.record.token if self.record.found else default
        if name == "listing_pages":
            return self.record.listing_pages() if self.record.has(name) else default
        if name in PARTS:
            return self.record.parts[name]
        return default

    def changes(self, name: str) -> Part:
        """A part of the record to change (for commit), apart from the one `get` reads."""
        return self.record.part(name)

    def __contains__(self, name: str) -> bool:
        if name == "state_token":
            return bool(self.record.token)
        return self.record.has(name)

    def __bool__(self) -> bool:
        return self.record.found and not self.record.unreadable


def whole(part: Any) -> Any:
    """A part as plain data: a Part read from the record is read whole (for a record written anew)."""
    if isinstance(part, Part):
        return dict(part.items())
    return part


def read_token(site: Path) -> str | None:
    """The state token of the folder's record, or None when there is none.

    Raises RecordUnreadable when the record is there but cannot be read.
    """
    record = Record(site)
    try:
        if record.unreadable:
            raise RecordUnreadable(str(site))
        return record.token if record.found else None
    finally:
        record.close()


def read_record(site: Path) -> dict[str, Any] | None:
    """The whole record as one dict shaped like the old JSON manifest (for tests and tools)."""
    record = Record(site)
    try:
        if not record.found or record.unreadable:
            return None
        out: dict[str, Any] = {"version": STORE_VERSION, "state_token": record.token}
        for name in PARTS:
            if record.has(name):
                out[name] = dict(record.parts[name].items())
        if "listing_pages" in out:
            out["listing_pages"] = record.listing_pages()
        return out
    finally:
        record.close()


def remove_side_files(path: Path) -> None:
    """Remove what SQLite may have left beside a record (before a new record replaces it)."""
    for suffix in SIDE_FILES:
        try:
            os.unlink(f"{path}{suffix}")
        except FileNotFoundError:
            pass


# --------------------------------------------------------------------------- helpers
def _open_store(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        # Exclusive: one export per folder (the folder is locked too), and no
        # shared-memory file, so it also works on a network share.
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        if conn.execute("PRAGMA journal_mode=WAL").fetchone()[0].lower() != "wal":
            conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("PRAGMA synchronous=FULL")
    except BaseException:
        conn.close()
        raise
    return conn


def _read_meta(conn: sqlite3.Connection) -> dict[str, Any]:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables >= {"meta", *PARTS}:
        raise RecordUnreadable(f"tables missing: {sorted({'meta', *PARTS} - tables)}")
    meta = {k: json.loads(v) for k, v in conn.execute("SELECT k, v FROM meta")}
    if meta.get("version") != STORE_VERSION:
        raise RecordUnreadable(f"record version {meta.get('version')!r}")
    return meta


def _create(conn: sqlite3.Connection) -> None:
    for name in ("meta", *PARTS):
        conn.execute(f"CREATE TABLE {name} (k TEXT PRIMARY KEY, v TEXT NOT NULL) WITHOUT ROWID")


def _put_meta(conn: sqlite3.Connection, token: str, has: list[str], count: int) -> None:
    rows = {"version": STORE_VERSION, "state_token": token, "has": has, "files": count}
    conn.executemany(
        "INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)",
        [(k, json.dumps(v)) for k, v in rows.items()],
    )


def _insert(conn: sqlite3.Connection, name: str, items) -> None:
    sql = f"INSERT OR REPLACE INTO {name} (k, v) VALUES (?, ?)"
    batch: list[tuple[str, str]] = []
    for k, v in items:
        batch.append((k, json.dumps(v, ensure_ascii=False, separators=(",", ":"))))
        if len(batch) >= _BATCH:
            conn.executemany(sql, batch)
            batch.clear()
    if batch:
        conn.executemany(sql, batch)


def _read_legacy(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != LEGACY_VERSION:
        return None
    return data


def _as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0
