"""The Library's changes to many stories at once: Set Section, Move to Trash, and the Undo of each.

A mixin of the Library facade (library.py). Each is ONE transaction, all or
nothing, and set-based: the stories' ids, uids, versions and the columns that
change are read in chunks, then written by one executemany UPDATE per batch,
never loaded as ORM objects (at 10,000 stories that cost 7-8 s of processor
time per operation; see benchmarks/bench_bulk.py). The change log gets the
row for each story the flush would have logged (its fields, the version it
started from), written with the transaction as it commits (library/changes.py).
The full-text index and the section and tag counts follow by their triggers
on SQLite (section and trash columns only: the index's text is untouched);
on PostgreSQL a restore queues the search documents like any save.

`progress(done, total)` is called before the first batch and after each one,
on the calling thread; it may raise (Cancelled) to roll everything back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.orm import Session

from newsdesk.library.errors import LibraryError, NotFound
from newsdesk.library.models import Article, utcnow

ID_CHUNK = 10_000  # ids asked for in one statement (PostgreSQL takes at most 65,535)
BATCH = 2_000  # stories written between two progress reports (and chances to cancel)

Progress = Callable[[int, int], None]
_ARTICLES = Article.__table__
_C = _ARTICLES.c
_RESTORED = ("deleted_at", "deleted_by", "updated_at")


def _in_batches(
    rows: list[Row], write: Callable[[list[Row]], None], progress: Progress | None
) -> None:
    total = len(rows)
    if progress is not None:
        progress(0, total)
    for start in range(0, total, BATCH):
        write(rows[start : start + BATCH])
        if progress is not None:
            progress(min(start + BATCH, total), total)


def _update(conn: Connection, groups: dict[tuple, list[int]], names: tuple[str, ...]) -> None:
    """One UPDATE per group of stories given the same values (`names` = the group's key),
    each a new version; an id list rather than a row of parameters per story."""
    for key, ids in groups.items():
        values = dict(zip(names, key, strict=True))
        stmt = (
            update(_ARTICLES)
            .where(_C.id.in_(bindparam("b_ids", expanding=True)))
            .values(version=_C.version + 1, **values)
        )
        conn.execute(stmt, {"b_ids": ids})


def _grouped(rows: Iterable[Row], key: Callable[[Row], tuple]) -> dict[tuple, list[int]]:
    groups: dict[tuple, list[int]] = {}
    for r in rows:
        groups.setdefault(key(r), []).append(r.id)
    return groups


class BulkArticles:
    """Sections and the trash for many stories at once (part of Library)."""

    tracker: Any  # provided by Library (a ChangeTracker)

    def _session(self) -> Session:  # provided by Library
        raise NotImplementedError

    def _index_ids(self, s: Session, article_ids: Iterable[int]) -> None:
        """Rebuild these stories' search documents as the transaction commits (PostgreSQL)."""

    def _current(self, conn: Connection, article_ids: Sequence[int], *columns) -> list[Row]:
        """(id, uid, version, *columns) of each story, in the order given, once each; a
        missing one refuses the whole operation, naming it."""
        wanted = list(dict.fromkeys(int(i) for i in article_ids))
        found: dict[int, Row] = {}
        # In chunks: a whole list's worth of ids (100,000) passes PostgreSQL's limit of
        # 65,535 parameters in one statement.
        for i in range(0, len(wanted), ID_CHUNK):
            stmt = select(_C.id, _C.uid, _C.version, *columns).where(
                _C.id.in_(wanted[i : i + ID_CHUNK])
            )
            found.update((row.id, row) for row in conn.execute(stmt))
        missing = [i for i in wanted if i not in found]
        if missing:
            raise NotFound(f"Article {missing[0]} is no longer in the library.")
        return [found[i] for i in wanted]

    # ---- sections -------------------------------------------------------------------
    def set_section(
        self, article_ids: Sequence[int], section: str, *, progress: Progress | None = None
    ) -> int:
        """Put these stories in one section in ONE transaction (all or none); how many moved.

        A story already in that section is left alone (no new version); a missing
        one refuses the whole change, naming it.
        """
        return self.set_sections(dict.fromkeys(article_ids, section), progress=progress)

    def set_sections(self, sections: dict[int, str], *, progress: Progress | None = None) -> int:
        """Put each story in its own section in ONE transaction (all or none); how many moved.

        What undoes a Set Section: each story back where it was.
        """
        wanted = {int(i): section.strip() for i, section in sections.items()}
        now = utcnow()
        fields = {"section", "version", "updated_at"}
        with self._session() as s, s.begin():
            conn = s.connection()
            found = self._current(conn, list(wanted), _C.section)
            rows = [r for r in found if r.section != wanted[r.id]]

            def write(batch: list[Row]) -> None:
                groups = _grouped(batch, lambda r: (wanted[r.id], now))
                _update(conn, groups, ("section", "updated_at"))
                self.tracker.note_article_updates(
                    s, [(r.id, r.uid, r.version, fields) for r in batch]
                )

            _in_batches(rows, write, progress)
        return len(rows)

    def sections_of(self, article_ids: Sequence[int]) -> dict[int, str]:
        """Each of these stories' section ("" for none); a missing one is left out."""
        wanted = list(dict.fromkeys(article_ids))
        found: dict[int, str] = {}
        with self._session() as s:
            for i in range(0, len(wanted), ID_CHUNK):
                chunk = wanted[i : i + ID_CHUNK]
                stmt = select(_C.id, _C.section).where(_C.id.in_(chunk))
                found.update((article_id, section) for article_id, section in s.execute(stmt))
        return found

    # ---- the trash ------------------------------------------------------------------
    def trash_articles(
        self,
        article_ids: Sequence[int],
        *,
        as_before: dict[int, tuple[datetime, str]] | None = None,
        progress: Progress | None = None,
    ) -> int:
        """Move these stories to the trash in ONE transaction (all or none); how many moved.

        as_before puts stories back in the trash as they were (an undone restore):
        the time they were first deleted, and by whom, rather than now and this user.
        """
        as_before = as_before or {}
        now, actor = utcnow(), self.tracker.actor
        # The trash leaves updated_at alone; search leaves out the trash (deleted_at) on
        # both engines, and the counts' triggers take the stories out of the choices.
        with self._session() as s, s.begin():
            conn = s.connection()
            found = self._current(conn, article_ids, _C.deleted_at, _C.deleted_by)
            rows = [r for r in found if r.deleted_at is None]

            def write(batch: list[Row]) -> None:
                groups = _grouped(batch, lambda r: as_before.get(r.id, (now, actor)))
                _update(conn, groups, ("deleted_at", "deleted_by"))
                notes = []
                for r in batch:
                    by = as_before.get(r.id, (now, actor))[1]
                    named = {"deleted_by"} if by != r.deleted_by else set()
                    notes.append((r.id, r.uid, r.version, {"deleted_at", "version", *named}))
                self.tracker.note_article_updates(s, notes)

            _in_batches(rows, write, progress)
        return len(rows)

    def restore_articles(
        self, article_ids: Sequence[int], *, progress: Progress | None = None
    ) -> int:
        """Take these stories out of the trash in ONE transaction (all or none); how many came back.

        A story whose trash was emptied meanwhile refuses the whole restore, naming it.
        """
        now = utcnow()
        with self._session() as s, s.begin():
            conn = s.connection()
            found = self._current(
                conn, article_ids, _C.slug, _C.deleted_at, _C.deleted_by, _C.purged_at
            )
            for r in found:
                if r.purged_at is not None:
                    raise LibraryError(
                        f"The trash was emptied since {r.slug!r} was deleted; "
                        "there is nothing left to restore."
                    )
            rows = [r for r in found if r.deleted_at is not None]

            def write(batch: list[Row]) -> None:
                _update(conn, {(None, "", now): [r.id for r in batch]}, _RESTORED)
                notes = []
                for r in batch:
                    named = {"deleted_by"} if r.deleted_by else set()
                    fields = {"deleted_at", "version", "updated_at", *named}
                    notes.append((r.id, r.uid, r.version, fields))
                self.tracker.note_article_updates(s, notes)

            _in_batches(rows, write, progress)
            self._index_ids(s, [r.id for r in rows])
        return len(rows)
