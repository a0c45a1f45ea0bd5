"""The export state kept with the library: for each folder exported to, what its site was made from.

One `export_targets` row per folder (its `meta`: the change-log id the site
is current with, the digest of the templates and publication it was
rendered with, the token its manifest carries) and one `export_state` row
per story in that site (its ListingRow and card fingerprint), with one
`export_listing` row per listing the story appears on (see
listings.listing_keys), so the pages an edit touches are found with indexed
counts and slices of the listings it is on. Written with
plain SQL on the library's engine, outside the change log: this is a cache of
the export, never part of the newsroom's work, and a lost state only costs
one full check.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text

from newsdesk.export.listings import ListingRow, card_fingerprint, listing_keys

_COLUMNS = "uid, article_id, folder, seg, when_us, lastmod_us, data"
_CHUNK = 500


@dataclass
class TargetState:
    target_id: int
    meta: dict[str, Any] = field(default_factory=dict)


class ExportState:
    """Read and write one library's export state for one folder."""

    def __init__(self, engine, folder: str, tz: str = "UTC") -> None:
        self.engine = engine
        self.folder = folder
        self.tz = tz  # the publication's: it decides which month of the archive holds a story

    def target(self) -> TargetState | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                text("SELECT id, meta FROM export_targets WHERE folder = :f"), {"f": self.folder}
            ).first()
        if row is None:
            return None
        try:
            meta = json.loads(row[1])
        except ValueError:
            meta = {}
        return TargetState(row[0], meta if isinstance(meta, dict) else {})

    # ---- reading ---------------------------------------------------------
    def rows(self, target_id: int, uids: Iterable[str]) -> dict[str, ListingRow]:
        out: dict[str, ListingRow] = {}
        ordered = sorted(set(uids))
        with self.engine.connect() as conn:
            for i in range(0, len(ordered), _CHUNK):
                chunk = ordered[i : i + _CHUNK]
                marks = ",".join(f":u{n}" for n in range(len(chunk)))
                params = {f"u{n}": u for n, u in enumerate(chunk)}
                params["t"] = target_id
                for r in conn.execute(
                    text(
                        f"SELECT {_COLUMNS} FROM export_state WHERE target_id = :t AND uid IN ({marks})"
                    ),
                    params,
                ):
                    out[r[0]] = ListingRow.from_state(*r)
        return out

    def newest(self, target_id: int, limit: int, seg: str | None = None) -> list[ListingRow]:
        """The newest stories of the site (or of one section), newest first; limit < 0 for all."""
        where = "target_id = :t" + (" AND seg = :s" if seg is not None else "")
        sql = f"SELECT {_COLUMNS} FROM export_state WHERE {where} ORDER BY when_us DESC, article_id DESC LIMIT :n"
        with self.engine.connect() as conn:
            rows = conn.execute(text(sql), {"t": target_id, "s": seg, "n": limit})
            return [ListingRow.from_state(*r) for r in rows]

    def each_row(self, target_id: int) -> Iterator[ListingRow]:
        """Every story of the site, newest first, read a chunk at a time (by keyset)."""
        sql = (
            f"SELECT {_COLUMNS} FROM export_state WHERE target_id = :t AND "
            "(when_us < :w OR (when_us = :w AND article_id < :a)) "
            "ORDER BY when_us DESC, article_id DESC LIMIT :n"
        )
        last = (2**62, 2**62)
        while True:
            with self.engine.connect() as conn:
                chunk = [
                    ListingRow.from_state(*r)
                    for r in conn.execute(
                        text(sql), {"t": target_id, "w": last[0], "a": last[1], "n": _CHUNK}
                    )
                ]
            yield from chunk
            if len(chunk) < _CHUNK:
                return
            last = chunk[-1].sort_key

    def since(self, target_id: int, when_us: int) -> list[ListingRow]:
        sql = (
            f"SELECT {_COLUMNS} FROM export_state WHERE target_id = :t AND when_us >= :w "
            "ORDER BY when_us DESC, article_id DESC"
        )
        with self.engine.connect() as conn:
            return [
                ListingRow.from_state(*r)
                for r in conn.execute(text(sql), {"t": target_id, "w": when_us})
            ]

    def sitemap_rows(self, target_id: int) -> list[tuple[str, str, int]]:
        sql = (
            "SELECT folder, seg, lastmod_us FROM export_state WHERE target_id = :t "
            "ORDER BY when_us DESC, article_id DESC"
        )
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), {"t": target_id})]

    def sitemap_entries(
        self, target_id: int, span: tuple[int, int] | None = None
    ) -> list[tuple[str, str, int, int, int]]:
        """(uid, folder, lastmod_us, when_us, article_id) of every story (published within
        [span) if given), newest first."""
        where = " AND when_us >= :lo AND when_us < :hi" if span is not None else ""
        sql = (
            "SELECT uid, folder, lastmod_us, when_us, article_id FROM export_state "
            f"WHERE target_id = :t{where} ORDER BY when_us DESC, article_id DESC"
        )
        params: dict[str, int] = {"t": target_id}
        if span is not None:
            params.update(lo=span[0], hi=span[1])
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]

    def sitemap_months(self, target_id: int) -> dict[str, tuple[int, int]]:
        """For each month (UTC, YYYY-MM) stories were published in: (how many, newest lastmod_us).

        Counted afresh by SQLite without reading a row out: an export keeps
        these in the state's meta (export/sitemap_parts.py) and updates only
        the months an edit touches; this is what they must equal.
        """
        # Whole seconds rounded down, also before 1970 (SQLite's / and % round towards zero).
        seconds = "(when_us - ((when_us % 1000000) + 1000000) % 1000000) / 1000000"
        if self.engine.dialect.name == "postgresql":
            month = f"to_char(to_timestamp({seconds}) AT TIME ZONE 'UTC', 'YYYY-MM')"
        else:
            month = f"strftime('%Y-%m', {seconds}, 'unixepoch')"
        sql = (
            f"SELECT {month} AS m, count(*), max(lastmod_us) "
            "FROM export_state WHERE target_id = :t GROUP BY m"
        )
        with self.engine.connect() as conn:
            return {m: (n, newest) for m, n, newest in conn.execute(text(sql), {"t": target_id})}

    def section_heads(self, target_id: int) -> list[ListingRow]:
        """The newest story of each section (its spelling names the section in the nav)."""
        sql = (
            f"SELECT {_COLUMNS} FROM export_state s WHERE target_id = :t AND uid = ("
            " SELECT uid FROM export_state i WHERE i.target_id = :t AND i.seg = s.seg"
            " ORDER BY when_us DESC, article_id DESC LIMIT 1)"
        )
        with self.engine.connect() as conn:
            return [ListingRow.from_state(*r) for r in conn.execute(text(sql), {"t": target_id})]

    # ---- the listings, by membership ---------------------------------------
    # Sort keys compare as the listings order: (when_us, article_id), newest first.
    def count(self, target_id: int, key: str, exclude: Iterable[str] = (), newer_than=None) -> int:
        """How many stories listing `key` holds (those newer than a sort key, if given), but excluded.

        Counted as all of them less the excluded ones among them: `uid NOT IN (…)`
        made SQLite walk the whole table by its primary key (50–60 ms a listing at
        100,000 stories), where these are two indexed counts (1–5 ms).
        """
        sql, params = self._counted(target_id, key, newer_than)
        with self.engine.connect() as conn:
            n = conn.execute(
                text(f"SELECT count(*) FROM export_listing l WHERE {sql}"), params
            ).scalar_one()
        return n - self.count_among(target_id, key, exclude, newer_than)

    def count_among(self, target_id: int, key: str, uids: Iterable[str], newer_than=None) -> int:
        """How many of these stories listing `key` holds (newer than a sort key, if given):
        looked up by the primary key, a few rows whatever the listing's length."""
        left_out = sorted(set(uids))
        if not left_out:
            return 0
        sql, params = self._counted(target_id, key, newer_than)
        among, more = self._among(left_out)
        with self.engine.connect() as conn:
            return conn.execute(
                text(f"SELECT count(*) FROM export_listing l WHERE {sql} AND {among}"),
                {**params, **more},
            ).scalar_one()

    def _counted(self, target_id: int, key: str, newer_than) -> tuple[str, dict]:
        sql, params = self._where(target_id, key, ())
        if newer_than is not None:
            sql += " AND (l.when_us > :w OR (l.when_us = :w AND l.article_id > :a))"
            params.update(w=newer_than[0], a=newer_than[1])
        return sql, params

    def slice(
        self, target_id: int, key: str, exclude: Iterable[str], offset: int, limit: int
    ) -> list[ListingRow]:
        """Stories offset … offset+limit-1 of listing `key` (newest first), leaving out excluded ones."""
        if limit <= 0:
            return []
        sql, params = self._where(target_id, key, exclude)
        params.update(n=limit, o=offset)
        cols = ", ".join(f"s.{c.strip()}" for c in _COLUMNS.split(","))
        # The page is found in the listing alone and only its rows are joined: joined
        # before the OFFSET, every skipped story's row was read too (70 ms for the
        # front page's 66th page at 100,000 stories).
        query = (
            f"SELECT {cols} FROM ("
            " SELECT l.uid, l.when_us, l.article_id FROM export_listing l"
            f" WHERE {sql} ORDER BY l.when_us DESC, l.article_id DESC LIMIT :n OFFSET :o"
            ") p JOIN export_state s ON s.target_id = :t AND s.uid = p.uid "
            "ORDER BY p.when_us DESC, p.article_id DESC"
        )
        with self.engine.connect() as conn:
            return [ListingRow.from_state(*r) for r in conn.execute(text(query), params)]

    def counts(self, target_id: int, prefix: str, exclude: Iterable[str]) -> dict[str, int]:
        """key -> number of stories, for every listing whose key starts with prefix ("m:")."""
        sql, params = self._where(target_id, None, ())
        sql += " AND l.listing >= :lo AND l.listing < :hi"
        params.update(lo=prefix, hi=prefix[:-1] + chr(ord(prefix[-1]) + 1))
        query = f"SELECT l.listing, count(*) FROM export_listing l WHERE {sql}"
        left_out = sorted(set(exclude))
        with self.engine.connect() as conn:
            found = {k: n for k, n in conn.execute(text(query + " GROUP BY l.listing"), params)}
            if left_out:  # less the excluded stories (see count)
                among, more = self._among(left_out)
                less = conn.execute(
                    text(f"{query} AND {among} GROUP BY l.listing"), {**params, **more}
                )
                for k, n in less:
                    found[k] -= n
        return {k: n for k, n in found.items() if n}

    def has_listings(self, target_id: int) -> bool:
        """True when this target's listing membership was recorded (a state kept before it was not)."""
        with self.engine.connect() as conn:
            return (
                conn.execute(
                    text("SELECT 1 FROM export_listing WHERE target_id = :t LIMIT 1"),
                    {"t": target_id},
                ).first()
                is not None
            )

    def record_listings(self, target_id: int) -> None:
        """Record the listing membership of every story of the state (once, for an older state)."""
        rows = self.newest(target_id, -1)
        with self.engine.begin() as conn:
            conn.execute(text("DELETE FROM export_listing WHERE target_id = :t"), {"t": target_id})
            self._insert_listings(conn, target_id, rows)

    @staticmethod
    def _among(uids: list[str]) -> tuple[str, dict[str, str]]:
        """`l.uid IN (…)` for these stories, and its parameters (looked up by the primary key)."""
        names = [f"in{n}" for n in range(len(uids))]
        return f"l.uid IN ({','.join(':' + n for n in names)})", dict(zip(names, uids, strict=True))

    @staticmethod
    def _where(target_id: int, key: str | None, exclude: Iterable[str]) -> tuple[str, dict]:
        sql = "l.target_id = :t" + (" AND l.listing = :k" if key is not None else "")
        params: dict[str, Any] = {"t": target_id, "k": key}
        left_out = sorted(set(exclude))
        if left_out:
            sql += f" AND l.uid NOT IN ({','.join(f':x{n}' for n in range(len(left_out)))})"
            params.update({f"x{n}": u for n, u in enumerate(left_out)})
        return sql, params

    def uses_file(self, target_id: int, name: str, exclude: set[str]) -> bool:
        """True when a story of the site (other than those excluded) still shows this rendition file."""
        found = "strpos" if self.engine.dialect.name == "postgresql" else "instr"
        sql = f"SELECT uid FROM export_state WHERE target_id = :t AND {found}(data, :n) > 0"
        with self.engine.connect() as conn:
            rows = conn.execute(text(sql), {"t": target_id, "n": json.dumps(name)})
            return any(r[0] not in exclude for r in rows)

    # ---- writing ---------------------------------------------------------
    def replace_all(self, meta: dict[str, Any], rows: Iterable[ListingRow]) -> None:
        """The state of a full export: every story of the site."""
        with self.engine.begin() as conn:
            target_id = self._target_id(conn, meta)
            conn.execute(text("DELETE FROM export_state WHERE target_id = :t"), {"t": target_id})
            conn.execute(text("DELETE FROM export_listing WHERE target_id = :t"), {"t": target_id})
            # A chunk at a time: rows may be read from a store as they are written here.
            chunk: list[ListingRow] = []
            for row in rows:
                chunk.append(row)
                if len(chunk) >= _CHUNK:
                    self._insert(conn, target_id, chunk)
                    chunk = []
            self._insert(conn, target_id, chunk)

    def update(self, meta: dict[str, Any], put: Iterable[ListingRow], drop: Iterable[str]) -> None:
        """The state after an incremental export: these rows new or changed, those stories gone."""
        with self.engine.begin() as conn:
            target_id = self._target_id(conn, meta)
            put = list(put)
            for uid in [*drop, *(r.uid for r in put)]:
                for table in ("export_state", "export_listing"):
                    conn.execute(
                        text(f"DELETE FROM {table} WHERE target_id = :t AND uid = :u"),
                        {"t": target_id, "u": uid},
                    )
            self._insert(conn, target_id, put)

    def forget(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(text("DELETE FROM export_targets WHERE folder = :f"), {"f": self.folder})

    def _target_id(self, conn, meta: dict[str, Any]) -> int:
        payload = json.dumps(meta, separators=(",", ":"))
        conn.execute(
            text(
                "INSERT INTO export_targets (folder, meta) VALUES (:f, :m) "
                "ON CONFLICT(folder) DO UPDATE SET meta = excluded.meta"
            ),
            {"f": self.folder, "m": payload},
        )
        return conn.execute(
            text("SELECT id FROM export_targets WHERE folder = :f"), {"f": self.folder}
        ).scalar_one()

    def _insert(self, conn, target_id: int, rows: Iterable[ListingRow]) -> None:
        rows = list(rows)
        self._insert_listings(conn, target_id, rows)
        batch = [
            {
                "t": target_id,
                "uid": r.uid,
                "aid": r.article_id,
                "folder": r.folder,
                "seg": r.seg,
                "w": r.when_us,
                "lm": r.lastmod_us,
                "card": card_fingerprint(r),
                "data": r.data(),
            }
            for r in rows
        ]
        if batch:
            conn.execute(
                text(
                    "INSERT INTO export_state "
                    "(target_id, uid, article_id, folder, seg, when_us, lastmod_us, card_fp, data) "
                    "VALUES (:t, :uid, :aid, :folder, :seg, :w, :lm, :card, :data) "
                    "ON CONFLICT (target_id, uid) DO UPDATE SET article_id = excluded.article_id, "
                    "folder = excluded.folder, seg = excluded.seg, when_us = excluded.when_us, "
                    "lastmod_us = excluded.lastmod_us, card_fp = excluded.card_fp, "
                    "data = excluded.data"
                ),
                batch,
            )

    def _insert_listings(self, conn, target_id: int, rows: list[ListingRow]) -> None:
        batch = [
            {"t": target_id, "k": key, "uid": r.uid, "w": r.when_us, "aid": r.article_id}
            for r in rows
            for key in listing_keys(r, self.tz)
        ]
        if batch:
            conn.execute(
                text(
                    "INSERT INTO export_listing (target_id, listing, uid, when_us, article_id) "
                    "VALUES (:t, :k, :uid, :w, :aid) ON CONFLICT (target_id, uid, listing) "
                    "DO UPDATE SET when_us = excluded.when_us, article_id = excluded.article_id"
                ),
                batch,
            )
