"""The stories a full export chose, kept in its scratch file and read back a batch at a time.

Once a story is checked, the later steps need a little of it: its folder,
fingerprint, listing row, the stories it links to, the pictures it shows, its
slug and headline for the report. A full export used to hold all of that
(a candidate per story, a map of every page, one of every fingerprint) for
the whole export, so its memory grew with the library. Here it is written to
a table of the scratch SQLite file (export/row_store.py) as each batch is
checked, and the steps read it back by keyset, a chunk at a time; a page's
links are looked up for that page's related stories only.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from newsdesk.export.listing_row import ListingRow

_CHUNK = 500  # stories read or written per statement


class Chosen(NamedTuple):
    """One story of the site as the scratch table keeps it."""

    article_id: int
    uid: str
    folder: str
    fp: str
    slug: str
    headline: str
    seg: str
    section: str
    when_us: int
    lastmod_us: int
    row: str  # its listing row before its pictures are resolved (listing_row.row_parts)
    related: str  # JSON: the uid each related link points at (null: a story that is gone)
    pictures: str  # JSON: the sha256 of every picture its page shows

    def related_uids(self) -> list[str | None]:
        return json.loads(self.related)

    def listing_row(self) -> ListingRow:
        return ListingRow.from_state(
            self.uid,
            self.article_id,
            self.folder,
            self.seg,
            self.when_us,
            self.lastmod_us,
            self.row,
        )


_COLUMNS = ", ".join(Chosen._fields)


class StoryStore:
    """The chosen stories of one export, in the scratch file's connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        conn.executescript(
            f"""
            CREATE TABLE chosen ({_COLUMNS.replace("article_id", "article_id INTEGER PRIMARY KEY")},
                                 out INTEGER NOT NULL DEFAULT 0, todo INTEGER NOT NULL DEFAULT 0);
            CREATE UNIQUE INDEX chosen_uid ON chosen (uid);
            CREATE INDEX chosen_folder ON chosen (folder);
            """
        )

    def add(self, stories: list[Chosen]) -> None:
        marks = ", ".join("?" * len(Chosen._fields))
        self.conn.execute("BEGIN")
        self.conn.executemany(
            f"INSERT OR REPLACE INTO chosen ({_COLUMNS}) VALUES ({marks})", stories
        )
        self.conn.execute("COMMIT")

    def leave_out(self, uids: Iterable[str]) -> None:
        """These stories are not in the site after all (a picture or the page failed)."""
        self.conn.executemany("UPDATE chosen SET out = 1 WHERE uid = ?", [(u,) for u in uids])

    def __len__(self) -> int:
        return self.conn.execute("SELECT count(*) FROM chosen WHERE out = 0").fetchone()[0]

    def mark_todo(self, uids: Iterable[str], *, more: bool = False) -> None:
        """These stories' pages are to be made (and no others', unless more)."""
        self.conn.execute("BEGIN")
        if not more:
            self.conn.execute("UPDATE chosen SET todo = 0 WHERE todo = 1")
        self.conn.executemany("UPDATE chosen SET todo = 1 WHERE uid = ?", [(u,) for u in uids])
        self.conn.execute("COMMIT")

    def chunks(self, size: int = _CHUNK, *, todo: bool = False) -> Iterator[list[Chosen]]:
        """Every story still in the site (whose page is to be made, with todo), in id order,
        size at a time."""
        last = -1
        sql = (
            f"SELECT {_COLUMNS} FROM chosen WHERE out = 0 AND article_id > ? "
            + ("AND todo = 1 " if todo else "")
            + "ORDER BY article_id LIMIT ?"
        )
        while True:
            rows = self.conn.execute(sql, (last, size)).fetchall()
            if not rows:
                return
            yield [Chosen(*r) for r in rows]
            if len(rows) < size:
                return
            last = rows[-1][0]

    def stories(self) -> Iterator[Chosen]:
        for chunk in self.chunks():
            yield from chunk

    def folders(self, uids: Iterable[str | None]) -> dict[str, str]:
        """uid -> folder of those of these stories that are in the site."""
        wanted = sorted({u for u in uids if u})
        out: dict[str, str] = {}
        for i in range(0, len(wanted), _CHUNK):
            part = wanted[i : i + _CHUNK]
            marks = ", ".join("?" * len(part))
            out.update(
                self.conn.execute(
                    f"SELECT uid, folder FROM chosen WHERE out = 0 AND uid IN ({marks})", part
                ).fetchall()
            )
        return out

    def by_uids(self, uids: Iterable[str]) -> list[Chosen]:
        """These stories (in the site or not), in id order."""
        wanted = sorted(set(uids))
        out: list[Chosen] = []
        for i in range(0, len(wanted), _CHUNK):
            part = wanted[i : i + _CHUNK]
            marks = ", ".join("?" * len(part))
            sql = f"SELECT {_COLUMNS} FROM chosen WHERE uid IN ({marks})"
            out += [Chosen(*r) for r in self.conn.execute(sql, part)]
        return sorted(out, key=lambda s: s.article_id)

    def folder_of(self, uid: str) -> str:
        return self.conn.execute("SELECT folder FROM chosen WHERE uid = ?", (uid,)).fetchone()[0]

    def fp_of(self, uid: str) -> str | None:
        """The story's fingerprint, when it is in the site."""
        row = self.conn.execute(
            "SELECT fp FROM chosen WHERE uid = ? AND out = 0", (uid,)
        ).fetchone()
        return row[0] if row else None

    def section_names(self) -> dict[str, str]:
        """seg -> the section's name as its newest story spells it ("News" when it has none)."""
        names: dict[str, str] = {}
        sql = "SELECT seg, section FROM chosen WHERE out = 0 ORDER BY when_us DESC, article_id DESC"
        for seg, section in self.conn.execute(sql):
            names.setdefault(seg, section or "News")
        return names

    def linking_to(self, uids: set[str]) -> list[Chosen]:
        """The stories in the site with a related link to one of these."""
        return [
            s for s in self.stories() if any(u in uids for u in s.related_uids() if u is not None)
        ]

    def by_folder(self) -> Iterator[tuple[str, str, str]]:
        """(slug, headline, folder) of every story in the site, by folder, a chunk at a time."""
        last = ""
        sql = (
            "SELECT slug, headline, folder FROM chosen WHERE out = 0 AND folder > ? "
            "ORDER BY folder LIMIT ?"
        )
        while True:
            rows = self.conn.execute(sql, (last, _CHUNK)).fetchall()
            yield from rows
            if len(rows) < _CHUNK:
                return
            last = rows[-1][2]
