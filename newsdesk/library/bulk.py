"""The Library's changes to many stories at once: Set Section, Move to Trash, and the Undo of each.

A mixin of the Library facade (library.py). Each is ONE transaction, all or
nothing, and set-based: the stories' ids, uids, versions and the columns that
change are read in chunks, then written by one executemany UPDATE per batch,
never loaded as ORM objects (at 10,000 stories that cost 7-8 s of processor
time per operation; see benchmarks/bench_bulk.py). The change log gets the
row for each story the flush would have logged (its fields, the version it
started from), written after the stories, a batch at a time, before the
transaction commits (library/changes.py). The full-text index follows by its
triggers on SQLite (section and trash columns only: the index's text is
untouched); the section and tag counts are adjusted once per batch from a
GROUP BY while their per-story triggers stand aside (library/listing.py). On
PostgreSQL a restore rebuilds the search documents batch by batch, and the
counts are GROUP BYs as they are asked.

`progress(done, total)` is called on the calling thread before the first
batch and after each one, of the stories (done up to half of total) and then
of their log rows (up to total); it may raise (Cancelled) to roll everything
back. The last call, with done == total, is the last chance to cancel: what
follows is the commit itself.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.orm import Session

from newsdesk.library import listing
from newsdesk.library.errors import LibraryError, NotFound
from newsdesk.library.models import Article, utcnow

ID_CHUNK = 10_000  # ids asked for in one statement (PostgreSQL takes at most 65,535)
BATCH = 2_000  # stories written between two progress reports (and chances to cancel)

Progress = Callable[[int, int], None]
_ARTICLES = Article.__table__
_C = _ARTICLES.c
_RESTORED = ("deleted_at", "deleted_by", "updated_at")


def _in_batches(
    s: Session,
    tracker: Any,
    rows: list[Row],
    write: Callable[[list[Row]], None],
    progress: Progress | None,
) -> None:
    """write(batch) for each batch of rows, then the change log they noted, reporting both:
    a story counts one step as it is written and one as its log row is (see the module)."""
    n = len(rows)
    total = 2 * n

    def report(done: int) -> None:
        if progress is not None:
            progress(done, total)

    report(0)
    for start in range(0, n, BATCH):
        write(rows[start : start + BATCH])
        report(min(start + BATCH, n))
    # One log row per story (each is noted once), mapped onto the second half of the steps:
    # the last chunk reports done == total.
    tracker.write_log_now(s, BATCH, lambda done, rows: report(n + (n * done) // max(rows, 1)))


class _Counts:
    """The section and tag counts a bulk change keeps itself, once per batch (SQLite only;
    see library/listing.py): the per-story triggers stand aside until `done`."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.kept = listing.keeps_counts(conn)
        if self.kept:
            listing.pause(conn)

    def moved(self, sections: Counter[str], tagged_ids: Sequence[int] = (), sign: int = 0) -> None:
        """Live stories gained (or lost) by each section; tagged_ids joined (sign +1) or left
        (sign -1) the live list with their tags."""
        if self.kept:
            listing.adjust_for_bulk(self.conn, dict(sections), list(tagged_ids), sign)

    def done(self) -> None:
        if self.kept:
            listing.resume(self.conn)


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

    def _index_ids_now(self, s: Session, article_ids: Iterable[int]) -> None:
        """Rebuild these stories' search documents now, in the transaction (PostgreSQL; on
        SQLite the full-text index's triggers have followed the change already)."""

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
            found = self._current(conn, list(wanted), _C.section, _C.deleted_at)
            rows = [r for r in found if r.section != wanted[r.id]]
            counts = _Counts(conn)

            def write(batch: list[Row]) -> None:
                groups = _grouped(batch, lambda r: (wanted[r.id], now))
                _update(conn, groups, ("section", "updated_at"))
                # A story in the trash counts in no section, wherever it moves.
                live = [r for r in batch if r.deleted_at is None]
                moved = Counter(wanted[r.id] for r in live)
                moved.subtract(r.section for r in live)
                counts.moved(moved)
                self.tracker.note_article_updates(
                    s, [(r.id, r.uid, r.version, fields) for r in batch]
                )

            _in_batches(s, self.tracker, rows, write, progress)
            counts.done()
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
        # both engines, and the counts take the stories out of the choices (_Counts).
        with self._session() as s, s.begin():
            conn = s.connection()
            found = self._current(conn, article_ids, _C.deleted_at, _C.deleted_by, _C.section)
            rows = [r for r in found if r.deleted_at is None]
            counts = _Counts(conn)

            def write(batch: list[Row]) -> None:
                groups = _grouped(batch, lambda r: as_before.get(r.id, (now, actor)))
                _update(conn, groups, ("deleted_at", "deleted_by"))
                left = Counter()
                left.subtract(r.section for r in batch)
                counts.moved(left, [r.id for r in batch], -1)
                notes = []
                for r in batch:
                    by = as_before.get(r.id, (now, actor))[1]
                    named = {"deleted_by"} if by != r.deleted_by else set()
                    notes.append((r.id, r.uid, r.version, {"deleted_at", "version", *named}))
                self.tracker.note_article_updates(s, notes)

            _in_batches(s, self.tracker, rows, write, progress)
            counts.done()
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
                conn, article_ids, _C.slug, _C.deleted_at, _C.deleted_by, _C.purged_at, _C.section
            )
            for r in found:
                if r.purged_at is not None:
                    raise LibraryError(
                        f"The trash was emptied since {r.slug!r} was deleted; "
                        "there is nothing left to restore."
                    )
            rows = [r for r in found if r.deleted_at is not None]
            counts = _Counts(conn)

            def write(batch: list[Row]) -> None:
                _update(conn, {(None, "", now): [r.id for r in batch]}, _RESTORED)
                # Indexed batch by batch, not at the commit: the progress covers it.
                self._index_ids_now(s, [r.id for r in batch])
                counts.moved(Counter(r.section for r in batch), [r.id for r in batch], 1)
                notes = []
                for r in batch:
                    named = {"deleted_by"} if r.deleted_by else set()
                    fields = {"deleted_at", "version", "updated_at", *named}
                    notes.append((r.id, r.uid, r.version, fields))
                self.tracker.note_article_updates(s, notes)

            _in_batches(s, self.tracker, rows, write, progress)
            counts.done()
        return len(rows)
