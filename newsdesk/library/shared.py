"""A newsroom's shared library on PostgreSQL, behind the same Library facade as a laptop's folder.

What differs from a library folder lives here: the database is named by a
URL; pictures live in the database (`media_blobs`, by SHA-256) and are copied
on demand into a per-user cache folder, which also holds thumbnails and
renditions; search uses PostgreSQL's own full-text search (search_pg.py);
the server enforces who may publish (pg.py, migration 0009) and who may
trash a story (migration 0021).
"""

from __future__ import annotations

import hashlib
import threading
from contextlib import contextmanager
from pathlib import Path

import appdirs
from sqlalchemy import Engine, bindparam, event, func, literal_column, or_, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from newsdesk.library import pg, pg_silence, search, search_pg
from newsdesk.library.changes import ChangeWatch
from newsdesk.library.errors import LibraryError, NotFound
from newsdesk.library.incoming import incoming
from newsdesk.library.library import Library
from newsdesk.library.media import STAGING_DIR
from newsdesk.library.models import Article, Image, MediaBlob, MediaUploadPart

PART = 1 << 20  # a large picture is uploaded a piece of this size at a time


_locks: dict[Path, threading.Lock] = {}
_locks_guard = threading.Lock()


@contextmanager
def _fetching(dest: Path):
    """One fetch of a picture at a time in this process (another thread's waits, then finds it)."""
    with _locks_guard:
        lock = _locks.setdefault(dest, threading.Lock())
    with lock:
        yield


def cache_root(url) -> Path:
    """This user's cache folder for one shared library (pictures, thumbnails, renditions)."""
    key = hashlib.sha256(pg.display_url(url).encode()).hexdigest()[:16]
    return Path(appdirs.user_cache_dir("newsdesk", "newsdesk")) / "shared" / key


class SharedLibrary(Library):
    """The Library facade over a PostgreSQL database; see the module's first lines."""

    dialect = "postgresql"

    def __init__(self, url, engine: Engine) -> None:
        self.url = url
        super().__init__(cache_root(url), engine)
        # The articles a transaction indexed are indexed once, together, as it
        # commits (search_pg.index_articles): one statement for a sync batch.
        event.listen(self._sessions, "before_commit", _index_queued)
        event.listen(self._sessions, "after_rollback", _forget_queued)

    @classmethod
    def open_url(
        cls, value: str, *, pool_size: int = 5, patience: pg_silence.Patience | None = None
    ) -> SharedLibrary:
        url = pg.parse_url(value)
        engine = pg.make_engine(url, pool_size=pool_size, patience=patience)
        try:
            with engine.connect() as conn:
                pg.check_schema(conn, url)
            lib = cls(url, engine)
        except DBAPIError as exc:
            engine.dispose()
            raise pg.unreachable(url, exc.orig) from None
        except LibraryError:
            engine.dispose()
            raise
        try:
            lib.media_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            lib.close()
            raise LibraryError(
                f"Cannot create the picture cache {lib.media_dir}: {exc.strerror}."
            ) from None
        return lib

    def reading(self):
        """A connection for questions only, asked outside any transaction: each question is one
        round trip, with no ROLLBACK after it (half of a search's trips to the server)."""
        return self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    @property
    def location(self) -> str:
        """Where this library is, for people: user@host/database."""
        return pg.display_url(self.url)

    @property
    def db_path(self) -> Path:
        # Only a key for in-memory caches here (related.py): one per shared library.
        return self.root / "shared-library"

    def _creator(self) -> str:
        return ""  # the server writes the login role (migration 0009's trigger)

    def _read_back_server_fields(self, s: Session, written: dict[str, dict]) -> None:
        """Who trashed each story written as trashed: the login the server wrote (migration
        0025), not the name sent, so sync hands the laptop that name. Usually none to ask."""
        uids = [uid for uid, snap in written.items() if snap.get("deleted_at") is not None]
        if not uids:
            return
        stmt = select(Article.uid, Article.deleted_by).where(Article.uid.in_(uids))
        for uid, deleted_by in s.execute(stmt):
            written[uid] = {**written[uid], "deleted_by": deleted_by}

    # ---- search ----------------------------------------------------------
    def _has_search_index(self, conn) -> bool:
        return True

    def _index(self, s: Session, article: Article) -> None:
        s.info.setdefault(_QUEUE, set()).add(article.id)

    def _index_ids_now(self, s: Session, article_ids) -> None:
        # A bulk restore's batch (library/bulk.py), written through this same connection.
        search_pg.index_articles(s.connection(), article_ids)

    def _unindex(self, s: Session, article_id: int) -> None:
        # The document goes with the row; its words leave the counts now,
        # while the row (its deletion not yet flushed) can still be read.
        search_pg.uncount_articles(s.connection(), [article_id])
        s.info.get(_QUEUE, set()).discard(article_id)

    def search(
        self,
        query: str,
        *,
        limit: int = 50,
        prefix: bool = True,
        status: str | None = None,
        section: str | None = None,
        snippets: bool = True,
    ) -> list[search.SearchHit]:
        """Ranked full-text search, as on a library folder; one query to the server.

        The hits come back with the fields shown and, for snippets, the bodies
        of the page shown only: every round trip counts on a shared server.
        """
        # The words SQLite's match holds (search.build_match): a one-letter word
        # still being typed after others waits here too.
        terms = search.searched_terms(query, prefix)
        typing = search.is_typing(query, prefix)
        tsquery = search_pg.tsquery_from_terms(terms, prefix=typing)
        if tsquery is None:
            return []
        with self.reading() as conn:
            rows = search_pg.ranked_rows(
                conn, tsquery, limit=limit, status=status, section=section, bodies=snippets
            )
        return [
            search.SearchHit(
                *row[:-1],
                snippet=search.make_snippet(row[-1], terms, prefix=typing) if snippets else "",
            )
            for row in rows
        ]

    def rebuild_search_index(self) -> None:
        with self.engine.begin() as conn:
            search_pg.rebuild_index(conn)

    def catch_up_search(self) -> tuple[int, bool]:
        """Search brought back in step after writes made outside newsdesk (search_pg.catch_up)."""
        with self.engine.begin() as conn:
            # One catch-up at a time: two would count the same stories' words twice.
            conn.execute(text("SELECT pg_advisory_xact_lock(7307002)"))
            return search_pg.catch_up(conn)

    def check_search_index(self) -> None:
        """Raise search.IndexOutOfStep unless every search document and word count is current."""
        with self.engine.connect() as conn:
            stale = search_pg.stale_documents(conn)
            wrong = 0 if stale else search_pg.wrong_term_counts(conn)
        if stale:
            raise search.IndexOutOfStep(f"{stale} article(s) have an out-of-date search document.")
        if wrong:
            raise search.IndexOutOfStep(
                f"{wrong} word(s) have a wrong count of the stories holding them."
            )

    def checkpoint(self) -> None:
        pass  # the server keeps its own files consistent

    def _may_empty(self):
        """A reporter empties only their own stories from the trash; an editor, any.

        The server's rule (migration 0021) would refuse the whole emptying for
        one story that is not theirs; leaving those out empties the rest.
        """
        return or_(Article.created_by == literal_column("current_user"), func.newsdesk_is_editor())

    # ---- pictures ----------------------------------------------------------
    def _store_media(self, s: Session, sha256: str, ext: str) -> None:
        """Store a new picture's bytes in the database, in the transaction of its record.

        The importer put the file in this user's cache (media/) or in the import's
        staging folder; the database copy is what other desks and laptops fetch.
        """
        if s.get(MediaBlob, sha256) is not None:
            return
        name = f"{sha256}{ext}"
        candidates = [self.media_dir / name, *sorted((self.root / STAGING_DIR).glob(f"*/{name}"))]
        path = next((p for p in candidates if p.is_file()), candidates[0])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise LibraryError(
                f"The picture {name} could not be read to store it: {exc.strerror}."
            ) from None
        # Another desk adding the same picture at the same moment is fine.
        s.execute(
            pg_insert(MediaBlob)
            .values(sha256=sha256, size_bytes=len(data), data=data)
            .on_conflict_do_nothing(index_elements=["sha256"])
        )

    def _forget_media(self, s: Session, sha256: str) -> None:
        """A picture taken out again (never used by a story): its bytes go with its record."""
        blob = s.get(MediaBlob, sha256)
        if blob is not None:
            s.delete(blob)

    def media_path(self, image: Image) -> Path:
        """The picture's file in this user's cache, fetched from the database when missing."""
        path = self.media_dir / image.filename
        if not path.is_file():
            self.fetch_media(image.sha256, path)
        return path

    def fetch_media(self, sha256: str, dest: Path) -> Path:
        """Write the stored picture to dest, a piece at a time, and only then under its name.

        The pieces grow `.NAME.partial` beside dest: a fetch cut off half way (a
        killed sync) goes on from there next time rather than from the first
        byte. Another program fetching the same picture at the same moment
        writes a file of its own (library/incoming.py); either takes dest's
        name whole and checked, by one rename. One that does not match its
        SHA-256 is dropped (LibraryError), so the next try starts anew.
        """
        with _fetching(dest), incoming(dest) as into:
            if into is None:
                return dest  # fetched meanwhile, by another thread or program
            with self.engine.connect() as conn:
                size = conn.execute(
                    select(func.length(MediaBlob.data)).where(MediaBlob.sha256 == sha256)
                ).scalar()
                if size is None:
                    raise NotFound(
                        f"The picture {sha256[:12]}… is not stored in the shared library."
                    )
                done = into.size
                if done > size:
                    into.restart()
                    done = 0
                piece = select(func.substr(MediaBlob.data, bindparam("at"), PART)).where(
                    MediaBlob.sha256 == sha256
                )
                while done < size:
                    data = bytes(conn.execute(piece, {"at": done + 1}).scalar() or b"")
                    if not data:
                        break
                    into.fh.write(data)
                    done += len(data)
            if not into.finish(dest, sha256):
                raise LibraryError(
                    f"The stored picture {sha256[:12]}… arrived damaged (its contents do not "
                    "match its name); it was not kept. Try again to fetch it anew."
                )
        return dest

    def store_media_blob(self, sha256: str, data: bytes, *, verified: bool = False) -> None:
        """Store a picture's bytes by SHA-256 (what sync uploads); checked, and kept once.

        `verified`: the caller has just hashed these very bytes (sync's push), so
        a 5 MB picture is not hashed twice.
        """
        if not verified and hashlib.sha256(data).hexdigest() != sha256:
            raise LibraryError(
                f"The picture {sha256[:12]}… was not stored: its contents do not match its name."
            )
        with self.engine.begin() as conn:
            _clear_unfinished_uploads(conn)
            conn.execute(
                pg_insert(MediaBlob)
                .values(sha256=sha256, size_bytes=len(data), data=data)
                .on_conflict_do_nothing(index_elements=["sha256"])
            )

    def store_media_parts(self, sha256: str, src: Path) -> int:
        """Store a large picture a piece at a time, each piece committed as it arrives.

        Pieces an earlier upload stored before it was cut off are not sent
        again. With every piece in, the server puts them together in ONE
        transaction and keeps the picture only if its SHA-256 is its name;
        pieces that do not add up are dropped (LibraryError). The bytes sent now.
        """
        size = src.stat().st_size
        parts = -(-size // PART)
        key = MediaUploadPart.sha256 == sha256
        with self.engine.begin() as conn:
            _clear_unfinished_uploads(conn)
            have = dict(
                conn.execute(
                    select(MediaUploadPart.part, func.length(MediaUploadPart.data)).where(key)
                ).all()
            )
        sent = 0
        with src.open("rb") as fh:
            for part in range(parts):
                length = min(PART, size - part * PART)
                if have.get(part) == length:
                    continue  # stored by an upload that was cut off later
                fh.seek(part * PART)
                data = fh.read(length)
                stmt = pg_insert(MediaUploadPart).values(sha256=sha256, part=part, data=data)
                with self.engine.begin() as conn:
                    conn.execute(
                        stmt.on_conflict_do_update(
                            index_elements=["sha256", "part"],
                            set_={"data": stmt.excluded.data, "stored_at": func.now()},
                        )
                    )
                sent += length
        with self.engine.begin() as conn:
            conn.execute(
                text(
                    "WITH whole AS (SELECT string_agg(data, ''::bytea ORDER BY part) AS data "
                    "FROM media_upload_parts WHERE sha256 = :s AND part < :n) "
                    "INSERT INTO media_blobs (sha256, size_bytes, data, created_at) "
                    "SELECT :s, length(data), data, now() FROM whole "
                    "WHERE length(data) = :size AND encode(sha256(data), 'hex') = :s "
                    "ON CONFLICT (sha256) DO NOTHING"
                ),
                {"s": sha256, "n": parts, "size": size},
            )
            conn.execute(MediaUploadPart.__table__.delete().where(key))
            kept = conn.execute(select(MediaBlob.sha256).where(MediaBlob.sha256 == sha256))
            damaged = kept.first() is None  # the pieces go either way: a next try starts anew
        if damaged:
            raise LibraryError(
                f"The picture {sha256[:12]}… did not arrive whole on the shared library (its "
                "SHA-256 does not match); it was not kept. Sync again to send it once more."
            )
        return sent

    def has_media_blob(self, sha256: str) -> bool:
        """Whether the picture's bytes are stored already (sync then sends nothing)."""
        with self.engine.connect() as conn:
            found = conn.execute(select(MediaBlob.sha256).where(MediaBlob.sha256 == sha256))
            return found.first() is not None

    def media_blob(self, sha256: str) -> bytes | None:
        """A picture's bytes by SHA-256, or None (what sync fetches)."""
        with self.engine.connect() as conn:
            data = conn.execute(select(MediaBlob.data).where(MediaBlob.sha256 == sha256)).scalar()
        return None if data is None else bytes(data)

    # ---- the change log ------------------------------------------------------
    def watch_changes(self, last_id: int | None = None) -> ChangeWatch:
        return _SharedChangeWatch(self.engine, self.origin, last_id)


# An upload with no new piece for this long was given up (its laptop lost, its story
# thrown away); its pieces are cleared by the next picture anyone uploads.
UNFINISHED_AFTER = "1 day"


def _clear_unfinished_uploads(conn) -> None:
    """Drop the pieces of uploads that will not finish: silent for a day, or whose picture
    is stored whole already (someone sent it in one go). One statement, by the server's clock."""
    conn.execute(
        text(
            "DELETE FROM media_upload_parts p WHERE p.sha256 IN ("
            "SELECT sha256 FROM media_upload_parts GROUP BY sha256 "
            "HAVING max(stored_at) < now() - CAST(:after AS interval)) "
            "OR EXISTS (SELECT 1 FROM media_blobs b WHERE b.sha256 = p.sha256)"
        ),
        {"after": UNFINISHED_AFTER},
    )


_QUEUE = "newsdesk_reindex"


def _index_queued(session: Session) -> None:
    ids = session.info.pop(_QUEUE, None)
    if ids:
        session.flush()
        search_pg.index_articles(session.connection(), ids)


def _forget_queued(session: Session) -> None:
    session.info.pop(_QUEUE, None)


class _SharedChangeWatch(ChangeWatch):
    """On PostgreSQL the newest change-log id tells whether anyone committed since the last poll."""

    def _version(self) -> int:
        value = self._conn.execute(text("SELECT coalesce(max(id), 0) FROM change_log")).scalar_one()
        self._conn.rollback()
        return value
