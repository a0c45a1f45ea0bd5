"""The Library facade: the only door to a library folder's database and media.

This module opens a library (creating or migrating its database), hands out
the sessions and transactions every write goes through, and keeps the change
log. The records themselves are read and written by mixins, one per kind:
stories (articles.py), lists of stories (article_lists.py), full-text search
(searching.py), pictures (pictures.py), figures (figures.py), settings and the
publication (settings_store.py), notes, updates and authors (newsroom.py),
photo-desk batch edits (photodesk.py), framing (framing.py) and what was sent
to WordPress (remote_posts.py). `Library` is all of them in one object.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from newsdesk.library import database, listing, media, search
from newsdesk.library.article_lists import RARE_TAG_STORIES, ArticleLists, ArticleSummary
from newsdesk.library.articles import ARTICLE_FIELDS, INDEXED_FIELDS, ArticleRecords
from newsdesk.library.articles import article_options as _article_options
from newsdesk.library.bulk import BulkArticles
from newsdesk.library.changes import (
    ChangeRecorder,
    Changes,
    ChangeTracker,
    ChangeWatch,
    read_changes_since,
)
from newsdesk.library.changes import last_change_id as _last_change_id
from newsdesk.library.errors import LibraryError, LibraryReadOnly
from newsdesk.library.figures import FigureRecords, FigureSpec
from newsdesk.library.framing import FramingMixin
from newsdesk.library.models import Image
from newsdesk.library.newsroom import NewsroomRecords
from newsdesk.library.photodesk import PhotoDeskMixin
from newsdesk.library.pictures import IMAGE_FIELDS, PictureRecords
from newsdesk.library.remote_posts import RemotePostRecords
from newsdesk.library.searching import SearchMethods
from newsdesk.library.settings_store import SettingsRecords
from newsdesk.paths import is_shared_url

DB_NAME = "library.sqlite"
MEDIA_DIR = "media"
CACHE_DIR = "cache"


def _abandon(engine: Engine, db_path: Path, beside: set[Path]) -> None:
    """After a failed open: close, and remove the journal files this attempt created."""
    engine.dispose()
    for path in database.journal_files(db_path) - beside:
        path.unlink(missing_ok=True)


def _create_database(root: Path, db_path: Path) -> None:
    """A new library's database, built under a temporary name and renamed into place.

    A process killed half-way leaves a `.creating` file, never a half-made
    `library.sqlite` that the next start would take for a damaged library.
    """
    try:
        (root / MEDIA_DIR).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LibraryError(f"Cannot create the library folder {root}: {exc.strerror}.") from exc
    if database.is_read_only(root / MEDIA_DIR):
        raise LibraryReadOnly(root, ", so no new library can be made there")
    partial = root / f"{DB_NAME}.creating"
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    engine = database.make_engine(partial)
    try:
        database.migrate(engine, partial, existed=False)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    except (LibraryError, OperationalError) as exc:
        engine.dispose()
        for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
            leftover.unlink(missing_ok=True)
        if isinstance(exc, LibraryError):
            raise
        raise LibraryError(f"Cannot create the library {db_path}: {exc.orig}.") from exc
    engine.dispose()
    os.replace(partial, db_path)


class Library(
    BulkArticles,
    ArticleRecords,
    ArticleLists,
    SearchMethods,
    PictureRecords,
    FigureRecords,
    SettingsRecords,
    NewsroomRecords,
    PhotoDeskMixin,
    RemotePostRecords,
    FramingMixin,
):
    """One library folder: `library.sqlite` plus `media/`.

    Every method opens a short session and hands back detached objects, so
    callers on any thread never hold a transaction open.
    """

    def __init__(self, root: Path, engine: Engine, *, backup: Path | None = None) -> None:
        self.root = root
        self.engine = engine
        self.migration_backup = backup
        # Every write through these sessions is logged in its own transaction
        # (library/changes.py); origin tells this instance's writes from others'.
        self._sessions = sessionmaker(expire_on_commit=False)
        self.tracker = ChangeTracker()
        self.tracker.attach(self._sessions)
        # The connection of a `transaction()` block, per thread (see there).
        self._tx = threading.local()
        self.read_only = False
        with engine.connect() as conn:
            self.has_fts = self._has_search_index(conn)

    def _has_search_index(self, conn) -> bool:
        return search.fts_index_exists(conn)

    # ---- opening -------------------------------------------------------
    @classmethod
    def open(cls, root: str | os.PathLike[str], *, create: bool = True) -> Library:
        """Open (or create) the library folder; migrates an older schema after a backup.

        Only a missing `library.sqlite` makes a new library. A damaged, empty,
        foreign or newer file raises a LibraryError and is left exactly as it was,
        with nothing created beside it. A library this process cannot write opens
        read-only (`read_only` is True) when its schema is current. A
        `postgresql+psycopg://` URL opens a newsroom's shared library instead.
        """
        if isinstance(root, str) and is_shared_url(root):
            # A newsroom's shared library on PostgreSQL (library/shared.py).
            from newsdesk.library.shared import SharedLibrary

            return SharedLibrary.open_url(root)
        root = (
            Path(root).expanduser().absolute()
        )  # a relative path stays right after a chdir, and has a URI
        if root.exists() and not root.is_dir():
            raise LibraryError(f"{root} is a file; a library is a folder.")
        db_path = root / DB_NAME
        if not (db_path.exists() or db_path.is_symlink()):
            if not create:
                raise LibraryError(f"There is no newsdesk library at {root}.")
            _create_database(root, db_path)
        state = database.inspect_file(db_path)
        read_only = state.read_only
        if read_only and state.revision != database.SCHEMA_HEAD:
            raise LibraryReadOnly(root, " and needs an upgrade to open in this newsdesk")
        if not read_only:
            try:
                (root / MEDIA_DIR).mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise LibraryError(f"Cannot create {root / MEDIA_DIR}: {exc.strerror}.") from exc
        beside = database.journal_files(db_path)
        engine = database.make_engine(db_path, read_only=read_only)
        try:
            backup = None if read_only else database.migrate(engine, db_path, existed=True)
            library = cls(root, engine, backup=backup)
        except OperationalError as exc:
            _abandon(engine, db_path, beside)
            if database._disk_is_full(db_path):
                raise database.disk_full_on_open(db_path) from exc
            raise LibraryError(f"Cannot open the library {db_path}: {exc.orig}.") from exc
        except LibraryError as exc:
            _abandon(engine, db_path, beside)
            if database._disk_is_full(db_path):
                raise database.disk_full_on_open(db_path) from exc
            raise
        library.read_only = read_only
        if not read_only:
            library.recover_media()
        return library

    def close(self) -> None:
        self.engine.dispose()

    def reading(self):
        """A connection for questions only (search, suggestions): nothing is written through it."""
        return self.engine.connect()

    def switch_to(self, root: str | os.PathLike[str]) -> None:
        """Go on with the library at `root`: a verified copy of this one (library/relocate.py).

        The new database is opened and read before anything changes; if it
        cannot be, this library stays as it was and the error is raised.
        """
        root = Path(root)
        engine = database.make_engine(root / DB_NAME)
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT count(*) FROM articles").scalar()
        except Exception:
            engine.dispose()
            raise
        old, self.engine, self.root = self.engine, engine, root
        self.migration_backup = None
        old.dispose()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    @property
    def media_dir(self) -> Path:
        return self.root / MEDIA_DIR

    @property
    def cache_dir(self) -> Path:
        return self.root / CACHE_DIR

    @property
    def thumbs_dir(self) -> Path:
        return self.cache_dir / "thumbs"

    @property
    def renditions_dir(self) -> Path:
        return self.cache_dir / "renditions"

    @property
    def templates_dir(self) -> Path:
        """A publication's own templates, which override the bundled ones by name."""
        return self.root / "templates"

    def media_path(self, image: Image) -> Path:
        return self.media_dir / image.filename

    def media_missing(self, image: Image) -> bool:
        """True when the picture's file is no longer in media/ (deleted or moved by hand)."""
        return not self.media_path(image).is_file()

    # ---- staging: new media files and their records, all or nothing ------------------
    def stage(self) -> media.StagedBatch:
        """A staging folder for one import; on exit, recorded files move to media/, others go.

        Write new files into `batch.dir`, record them, and leave the `with`
        block: nothing reaches media/ without its record (see library/media.py).
        """
        return media.StagedBatch(self.root, self.media_dir, self.recorded_shas)

    def recorded_shas(self, shas: Iterable[str]) -> set[str]:
        """Which of these content hashes have an image record."""
        wanted = list(shas)
        found: set[str] = set()
        with self._connect() as conn:
            for i in range(0, len(wanted), 500):  # SQLite caps the number of parameters
                chunk = wanted[i : i + 500]
                found.update(conn.scalars(select(Image.sha256).where(Image.sha256.in_(chunk))))
        return found

    def recover_media(self) -> tuple[int, int]:
        """Settle imports that died before they finished: (files adopted, files removed)."""
        # Only staging/ is looked at: listing media/ (100,000 files) would cost
        # every start-up, and new files never reach media/ except by a settle.
        try:
            adopted, removed = media.recover(self.root, self.media_dir, self.recorded_shas)
        except OSError:
            return (0, 0)  # a read-only library still opens; the next writable open settles
        return adopted, removed

    def _session(self) -> Session:
        conn = getattr(self._tx, "conn", None)
        # Inside transaction() a session joins the block's transaction: its
        # commit is the block's to make, and its rollback undoes the block.
        return self._sessions(bind=conn if conn is not None else self.engine)

    @contextlib.contextmanager
    def _connect(self):
        """A connection for reads that sees this thread's open transaction(), if any."""
        conn = getattr(self._tx, "conn", None)
        if conn is not None:
            yield conn
        else:
            with self.engine.connect() as fresh:
                yield fresh

    @contextlib.contextmanager
    def transaction(self):
        """Every write this thread makes through the library inside the block is ONE
        transaction: all of it is committed at the end, or none of it (an exception, or
        a killed process). Reads inside the block see the block's writes. Nested blocks
        join the outer one.

        For batches made of many facade calls (an import of many files): each call
        alone commits, so without this a batch interrupted half-way leaves half.
        """
        if getattr(self._tx, "conn", None) is not None:
            yield
            return
        with self.engine.connect() as conn, conn.begin():
            self._tx.conn = conn
            try:
                yield
            finally:
                self._tx.conn = None

    # ---- the change log --------------------------------------------------
    @property
    def origin(self) -> str:
        """This instance's id in the change log."""
        return self.tracker.origin

    def recording(self) -> contextlib.AbstractContextManager[ChangeRecorder]:
        """`with library.recording() as r:` ... then r.changes: what this thread's writes changed."""
        return self.tracker.recording()

    def last_change_id(self) -> int:
        with self._connect() as conn:
            return _last_change_id(conn)

    def changes_since(self, log_id: int, *, others_only: bool = False) -> tuple[Changes, int]:
        """The combined Changes of the log rows after log_id, and the newest row's id."""
        with self._connect() as conn:
            return read_changes_since(
                conn, log_id, skip_origin=self.origin if others_only else None
            )

    def watch_changes(self, last_id: int | None = None) -> ChangeWatch:
        """A watcher of other writers' commits, with a connection of its own (close it)."""
        return ChangeWatch(self.engine, self.origin, last_id)

    def _rows(self, stmt) -> list:
        with self._connect() as conn:
            return list(conn.execute(stmt))

    # ---- maintenance ---------------------------------------------------
    def rebuild_search_index(self) -> None:
        """Build the full-text index and the list's counts afresh from the articles."""
        with self.engine.begin() as conn:
            search.drop_fts_index(conn)
            search.create_fts_index(conn)
            listing.create_summaries(conn)
            self.has_fts = search.fts_index_exists(conn)

    def check_search_index(self) -> None:
        """Raise search.IndexOutOfStep unless the index matches every article word for word."""
        if self.has_fts:
            with self.engine.begin() as conn:
                search.check_fts_index(conn)

    def checkpoint(self) -> None:
        """Fold the WAL into the main file (used before copying a library)."""
        with self.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


# Names other modules import from here, kept where they always were.
__all__ = [
    "ARTICLE_FIELDS",
    "IMAGE_FIELDS",
    "INDEXED_FIELDS",
    "RARE_TAG_STORIES",
    "ArticleSummary",
    "FigureSpec",
    "Library",
    "_article_options",
]
