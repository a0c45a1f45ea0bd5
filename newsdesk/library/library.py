"""The Library facade: the only door to a library folder's database and media."""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, bindparam, func, or_, select, text, true, tuple_
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from newsdesk import settings
from newsdesk.library import database, listing, media, search
from newsdesk.library import publication as publication_settings
from newsdesk.library.changes import (
    ChangeRecorder,
    Changes,
    ChangeTracker,
    ChangeWatch,
    read_changes_since,
)
from newsdesk.library.changes import last_change_id as _last_change_id
from newsdesk.library.errors import (
    LibraryError,
    LibraryReadOnly,
    NotFound,
    SlugTaken,
    StaleArticleError,
)
from newsdesk.library.figures import FigureSpec
from newsdesk.library.framing import FramingMixin
from newsdesk.library.models import (
    ARTICLE_STATUSES,
    FIGURE_ROLES,
    Article,
    ArticleTag,
    DictionaryWord,
    Figure,
    Image,
    Publication,
    RelatedStory,
    Revision,
    Setting,
    Tag,
    utcnow,
)
from newsdesk.library.newsroom import NewsroomRecords
from newsdesk.library.photodesk import PhotoDeskMixin
from newsdesk.library.remote_posts import RemotePostRecords
from newsdesk.paths import is_shared_url
from newsdesk.picture_refs import ref_digits
from newsdesk.text import numbered_slug, slugify, word_count

DB_NAME = "library.sqlite"
MEDIA_DIR = "media"
CACHE_DIR = "cache"

ARTICLE_FIELDS = frozenset(
    {
        "headline",
        "dek",
        "slug",
        "byline",
        "section",
        "body",
        "status",
        "language",
        "seo_title",
        "seo_description",
        "embargo_until",
        "published_at",
        "created_at",
        "updated_at",
        "source_path",
    }
)
# The photo-desk fields of an Image, in the order the forms show them.
IMAGE_FIELDS = (
    "caption",
    "alt_text",
    "title",
    "instructions",
    "keywords",  # one keyword per line
    "credit",
    "creator",
    "copyright",
    "source",
    "usage_terms",
    "date_created",
    "city",
    "country",
    "headline",
)
# Fields a shared library's search column is made from (library/shared.py).
INDEXED_FIELDS = frozenset({"headline", "dek", "body", "byline", "tags"})
# A tag on at most this many stories lists them from its links and sorts them;
# a commoner one is checked row by row down the date index (see _tag_condition).
RARE_TAG_STORIES = 2_000


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """What the library browser shows for one article; cheap to load by the thousand."""

    id: int
    uid: str
    slug: str
    headline: str
    status: str
    section: str
    updated_at: datetime
    published_at: datetime | None


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


def _article_options():
    return (
        selectinload(Article.tag_links).joinedload(ArticleTag.tag),
        selectinload(Article.figures).joinedload(Figure.image),
        selectinload(Article.related)
        .selectinload(RelatedStory.target)
        .selectinload(Article.figures)
        .joinedload(Figure.image),
    )


class Library(NewsroomRecords, PhotoDeskMixin, RemotePostRecords, FramingMixin):
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
        root = Path(root).expanduser()
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

    # ---- articles ------------------------------------------------------
    def create_article(self, *, tags: Sequence[str] = (), **fields: Any) -> Article:
        self._check_fields(fields)
        headline = fields.get("headline", "")
        with self._session() as s, s.begin():
            fields["slug"] = self._free_slug(s, fields.get("slug") or slugify(headline), None)
            article = Article(created_by=self._creator(), **fields)
            s.add(article)
            s.flush()
            self._set_tags(s, article, tags)
            if article.byline:
                self._link_byline(s, article)
            s.flush()
            self._index(s, article)
            article_id = article.id
        return self.get_article(article_id)

    def _creator(self) -> str:
        """Who a new story belongs to: here the writer's name (a shared library asks its server)."""
        return self.tracker.actor

    def get_article(self, key: int | str) -> Article:
        """By id, uid or slug."""
        with self._session() as s:
            stmt = select(Article).options(*_article_options())
            if isinstance(key, int):
                stmt = stmt.where(Article.id == key)
            else:
                stmt = stmt.where(or_(Article.uid == key, Article.slug == key))
            article = s.scalars(stmt).first()
            if article is None:
                raise NotFound(f"No article with the slug or id {key!r} in this library.")
            return article

    def find_article(self, key: int | str) -> Article | None:
        try:
            return self.get_article(key)
        except NotFound:
            return None

    def find_article_by_source(self, source_path: str) -> Article | None:
        """The article imported from this file (its resolved absolute path), if any."""
        if not source_path:
            return None
        with self._session() as s:
            found = s.scalar(
                select(Article.id)
                .where(Article.source_path == source_path)
                .order_by(Article.id)
                .limit(1)
            )
        return None if found is None else self.get_article(found)

    def update_article(
        self,
        article_id: int,
        *,
        expected_version: int | None = None,
        tags: Sequence[str] | None = None,
        **fields: Any,
    ) -> Article:
        """Save fields in one transaction, keeping tags and the search index in step.

        With expected_version, a save over a newer copy (another window saved
        since this one loaded) raises StaleArticleError instead of overwriting it.
        """
        self._check_fields(fields)
        with self._session() as s, s.begin():
            article = s.get(Article, article_id)
            if article is None:
                raise NotFound(f"Article {article_id} is no longer in the library.")
            if expected_version is not None and article.version != expected_version:
                raise StaleArticleError(article_id, expected_version, article.version)
            if "slug" in fields:
                wanted = fields["slug"] or slugify(fields.get("headline", article.headline))
                fields["slug"] = self._checked_slug(s, wanted, article_id)
            if (
                fields.get("status") == "published"
                and article.published_at is None
                and "published_at" not in fields
            ):
                fields["published_at"] = utcnow()
            for key, value in fields.items():
                setattr(article, key, value)
            if tags is not None:
                self._set_tags(s, article, tags)
            if "byline" in fields:
                self._link_byline(s, article)
            article.version += 1
            if "updated_at" not in fields:
                article.updated_at = utcnow()
            # The full-text index and the list's counts follow in this same
            # transaction, by triggers (newsdesk.library.search and .listing).
            s.flush()
            if tags is not None or INDEXED_FIELDS & fields.keys():
                self._index(s, article)
        return self.get_article(article_id)

    def delete_article(self, article_id: int) -> None:
        with self._session() as s, s.begin():
            article = s.get(Article, article_id)
            if article is None:
                raise NotFound(f"Article {article_id} is no longer in the library.")
            s.delete(article)
            self._unindex(s, article_id)

    # ---- the trash -------------------------------------------------------
    def trash_article(self, article_id: int) -> Article:
        """Move a story to the trash: a tombstone that syncs; restore_article takes it back."""
        with self._session() as s, s.begin():
            article = s.get(Article, article_id)
            if article is None:
                raise NotFound(f"Article {article_id} is no longer in the library.")
            if article.deleted_at is None:
                article.deleted_at = utcnow()
                article.deleted_by = self.tracker.actor
                article.version += 1  # search leaves out the trash (deleted_at) on both engines
        return self.get_article(article_id)

    def restore_article(self, article_id: int) -> Article:
        """Take a story out of the trash (one whose trash was emptied has nothing to restore)."""
        with self._session() as s, s.begin():
            article = s.get(Article, article_id)
            if article is None:
                raise NotFound(f"Article {article_id} is no longer in the library.")
            if article.purged_at is not None:
                raise LibraryError(
                    f"The trash was emptied since {article.slug!r} was deleted; "
                    "there is nothing left to restore."
                )
            if article.deleted_at is not None:
                article.deleted_at = None
                article.deleted_by = ""
                article.version += 1
                article.updated_at = utcnow()
                s.flush()
                self._index(s, article)
        return self.get_article(article_id)

    def trashed_articles(self) -> list[Article]:
        """Stories in the trash that can still be restored, most recently deleted first."""
        with self._session() as s:
            stmt = (
                select(Article)
                .where(Article.deleted_at.is_not(None), Article.purged_at.is_(None))
                .order_by(Article.deleted_at.desc(), Article.id.desc())
            )
            return list(s.scalars(stmt))

    def empty_trash(self) -> int:
        """Remove the trashed stories' content for good, keeping each tombstone (uid, slug, times).

        The tombstone stays so the deletion still syncs to other libraries.
        """
        with self._session() as s, s.begin():
            stmt = select(Article).where(
                Article.deleted_at.is_not(None), Article.purged_at.is_(None), self._may_empty()
            )
            articles = list(s.scalars(stmt))
            for article in articles:
                for key in ("headline", "dek", "byline", "section", "body", "seo_title"):
                    setattr(article, key, "")
                article.seo_description = ""
                article.source_path = ""
                article.tag_links.clear()
                article.figures.clear()
                article.related.clear()
                s.execute(Revision.__table__.delete().where(Revision.article_id == article.id))
                article.purged_at = utcnow()
                article.version += 1
                s.flush()
                self._index(s, article)  # PostgreSQL's search document of the emptied fields
        return len(articles)

    def _may_empty(self):
        """Which trashed stories this library's user may empty: on a laptop, all of them."""
        return true()

    def list_articles(
        self,
        *,
        status: str | None = None,
        section: str | None = None,
        tag: str | None = None,
        ids: Iterable[int] | None = None,
        limit: int | None = None,
        offset: int = 0,
        after: tuple[datetime, int] | None = None,
    ) -> list[ArticleSummary]:
        """Newest first by updated time (then id); only the columns a list shows.

        `after` is the (updated_at, id) of the last row already shown: the page
        then starts just below it. Unlike an offset, that costs the same on the
        thousandth page as on the first, since each filter has an index in
        this order (see Article.__table_args__).
        """
        stmt = self._summary_query(status=status, section=section, ids=ids)
        if tag:
            stmt = stmt.where(self._tag_condition(tag))
        if after is not None:
            when, last_id = after
            stmt = stmt.where(
                tuple_(Article.updated_at, Article.id)
                < tuple_(
                    bindparam("after_updated", when, type_=Article.updated_at.type),
                    bindparam("after_id", int(last_id)),
                )
            )
        stmt = stmt.order_by(Article.updated_at.desc(), Article.id.desc())
        if offset:
            stmt = stmt.offset(offset)
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._connect() as conn:
            return [ArticleSummary(*row) for row in conn.execute(stmt)]

    def _tag_condition(self, tag: str):
        """The rows carrying this tag, phrased for the plan that suits how common it is.

        A common tag is best checked row by row while the date index is walked
        (a page is found within its first few hundred rows); a rare one is best
        read from the tag's own links and sorted, since walking the dates would
        pass most of the library before filling a page.
        """
        links = (
            select(ArticleTag.article_id)
            .join(Tag, Tag.id == ArticleTag.tag_id)
            .where(Tag.name == tag)
        )
        with self._connect() as conn:
            common = listing.tag_count(conn, tag) > RARE_TAG_STORIES
        if common:
            return links.where(ArticleTag.article_id == Article.id).exists()
        return Article.id.in_(links)

    def count_articles(
        self, *, status: str | None = None, section: str | None = None, tag: str | None = None
    ) -> int:
        stmt = self._summary_query(status=status, section=section, tag=tag).subquery()
        with self._connect() as conn:
            return conn.execute(select(func.count()).select_from(stmt)).scalar_one()

    def _summary_query(self, *, status=None, section=None, tag=None, ids=None):
        stmt = select(
            Article.id,
            Article.uid,
            Article.slug,
            Article.headline,
            Article.status,
            Article.section,
            Article.updated_at,
            Article.published_at,
        ).where(Article.deleted_at.is_(None))  # the trash is listed by trashed_articles
        if status:
            stmt = stmt.where(Article.status == status)
        if section:
            stmt = stmt.where(Article.section == section)
        if tag:
            stmt = stmt.where(
                Article.id.in_(select(ArticleTag.article_id).join(Tag).where(Tag.name == tag))
            )
        if ids is not None:
            stmt = stmt.where(Article.id.in_(list(ids)))
        return stmt

    def all_articles(self, *, status: str | None = None) -> list[Article]:
        """Fully loaded articles (tags, figures, related) for export and checks."""
        with self._session() as s:
            stmt = (
                select(Article)
                .options(*_article_options())
                .where(Article.deleted_at.is_(None))
                .order_by(Article.id)
            )
            if status:
                stmt = stmt.where(Article.status == status)
            return list(s.scalars(stmt))

    def articles_by_ids(self, ids: Iterable[int]) -> list[Article]:
        """Fully loaded articles (tags, figures, related) with these ids, in id order."""
        wanted = sorted(set(ids))
        out: list[Article] = []
        with self._session() as s:
            for i in range(0, len(wanted), 500):
                stmt = (
                    select(Article)
                    .options(*_article_options())
                    .where(Article.id.in_(wanted[i : i + 500]))
                )
                out += s.scalars(stmt.order_by(Article.id))
        return out

    def sections(self) -> list[str]:
        """Sections in use, by name (read from the kept counts, not the articles)."""
        return list(self.section_counts())

    def section_counts(self) -> dict[str, int]:
        """Each section in use, by name, with how many stories it holds."""
        with self._connect() as conn:
            return listing.section_counts(conn)

    def tags(self) -> list[str]:
        """Tag names in use, most used first (what completion offers)."""
        return [name for name, _n in self.tag_counts()]

    def tag_counts(self) -> list[tuple[str, int]]:
        """Each tag in use with how many stories carry it, most used first."""
        with self._connect() as conn:
            return listing.tag_counts(conn)

    def slug_available(self, slug: str, *, exclude_id: int | None = None) -> bool:
        with self._session() as s:
            return self._slug_owner(s, slug) in (None, exclude_id)

    def _check_fields(self, fields: dict[str, Any]) -> None:
        unknown = fields.keys() - ARTICLE_FIELDS
        if unknown:
            raise TypeError(f"unknown article fields: {', '.join(sorted(unknown))}")
        for key, value in fields.items():
            if isinstance(value, datetime) and value.tzinfo is None:
                raise LibraryError(f"The time given for {key} has no time zone.")
        status = fields.get("status")
        if status is not None and status not in ARTICLE_STATUSES:
            raise LibraryError(
                f"Unknown status {status!r}; use one of {', '.join(ARTICLE_STATUSES)}."
            )

    @staticmethod
    def _slug_owner(s: Session, slug: str) -> int | None:
        return s.scalar(select(Article.id).where(Article.slug == slug))

    def _free_slug(self, s: Session, wanted: str, article_id: int | None) -> str:
        base = slugify(wanted)
        candidate, n = base, 1
        while self._slug_owner(s, candidate) not in (None, article_id):
            n += 1
            candidate = numbered_slug(base, n)
        return candidate

    def _checked_slug(self, s: Session, wanted: str, article_id: int) -> str:
        slug = slugify(wanted)
        if self._slug_owner(s, slug) not in (None, article_id):
            raise SlugTaken(f"The slug {slug!r} is already used by another article.")
        return slug

    def unique_slug(self, wanted: str, *, exclude_id: int | None = None) -> str:
        with self._session() as s:
            return self._free_slug(s, wanted, exclude_id)

    def _set_tags(self, s: Session, article: Article, names: Sequence[str]) -> None:
        """Give the article these tags in this order, touching only the links that change.

        Each changed link re-indexes the article's text (a trigger), so a save
        that leaves the tags as they were must not rewrite them.
        """
        cleaned: list[str] = []
        for name in names:
            name = " ".join(str(name).split())
            if name and name.casefold() not in {c.casefold() for c in cleaned}:
                cleaned.append(name)
        current = {link.tag.name.casefold(): link for link in article.tag_links}
        existing = {
            t.name.casefold(): t for t in s.scalars(select(Tag).where(Tag.name.in_(cleaned)))
        }
        links: list[ArticleTag] = []
        for position, name in enumerate(cleaned):
            link = current.pop(name.casefold(), None)
            if link is not None:
                if link.position != position:
                    link.position = position
                links.append(link)
                continue
            tag = existing.get(name.casefold())
            if tag is None:
                tag = s.scalar(select(Tag).where(func.lower(Tag.name) == name.lower())) or Tag(
                    name=name
                )
                s.add(tag)
            links.append(ArticleTag(tag=tag, position=position))
        if links != article.tag_links:
            article.tag_links[:] = links

    # On SQLite, triggers keep the full-text index in step with every write
    # (library/search.py); a shared library on PostgreSQL keeps its search
    # column up to date through these hooks (library/shared.py).
    def _unindex(self, s: Session, article_id: int) -> None:
        pass

    def _index(self, s: Session, article: Article) -> None:
        pass

    # ---- search --------------------------------------------------------
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
        """Ranked full-text search; the last word matches as a prefix (type-ahead).

        Without snippets (a list that shows none), each hit's snippet is "".
        """
        match = search.build_match(query, prefix=prefix)
        if match is None:
            return []
        with self._connect() as conn:
            if self.has_fts:
                ranked = self._fts_ids(
                    conn,
                    match,
                    query,
                    prefix=search.is_typing(query, prefix),
                    limit=limit,
                    status=status,
                    section=section,
                    snippets=snippets,
                )
            else:
                ranked = self._scan_ids(conn, query, limit=limit, status=status, section=section)
            if not ranked:
                return []
            ids = [r[0] for r in ranked]
            rows = {
                r.id: r
                for r in conn.execute(
                    select(
                        Article.id,
                        Article.uid,
                        Article.slug,
                        Article.headline,
                        Article.dek,
                        Article.section,
                        Article.status,
                        Article.updated_at,
                        Article.published_at,
                    ).where(Article.id.in_(ids), Article.deleted_at.is_(None))
                )
            }
        return [search.SearchHit(*rows[i], snippet=snip) for i, snip in ranked if i in rows]

    @staticmethod
    def _filter_sql(status: str | None, section: str | None) -> tuple[str, str, dict[str, Any]]:
        """(FROM clause, extra WHERE, params) for a ranked query, joined to articles when filtered.

        The CROSS JOIN makes SQLite walk the full-text matches first and look each
        article up by id; any other plan runs one full-text match per article.
        """
        table = search.FTS_TABLE
        clauses, params = [], {}
        if status:
            clauses.append("a.status = :status")
            params["status"] = status
        if section:
            clauses.append("a.section = :section")
            params["section"] = section
        if not clauses:
            return f"{table} f", "", params
        return (
            f"{table} f CROSS JOIN articles a ON a.id = f.rowid",
            " AND " + " AND ".join(clauses),
            params,
        )

    def _fts_ids(
        self,
        conn,
        match: str,
        query: str,
        *,
        prefix: bool,
        limit: int,
        status,
        section,
        snippets: bool = True,
    ) -> list[tuple[int, str]]:
        source, where, params = self._filter_sql(status, section)
        params |= {"m": match, "n": limit, "w": search.RANK_WINDOW}
        table = search.FTS_TABLE
        # bm25 costs a lookup per matching row, so a word found in most of a
        # 100,000-article library would take half a second to rank. Ranking is
        # limited to the newest RANK_WINDOW matches (FTS5 walks its matches newest
        # first and stops there); rare words, the ones ranking matters most for,
        # rank over all. One pass: finding where the window ends in a query of its
        # own read every match list twice (a prefix's merged list costs ~17 ms).
        ids = [
            r[0]
            for r in conn.execute(
                text(
                    f"SELECT id FROM (SELECT f.rowid AS id, f.rank AS score FROM {source} "
                    f"WHERE {table} MATCH :m{where} ORDER BY f.rowid DESC LIMIT :w) "
                    "ORDER BY score, id DESC LIMIT :n"
                ),
                params,
            )
        ]
        if not ids:
            return []
        if not snippets:
            return [(i, "") for i in ids]
        # Snippets are cut in Python from the rows shown: FTS5's snippet() on a
        # prefix query re-reads every matching term's list for each row.
        bodies = dict(
            conn.execute(select(Article.id, Article.body).where(Article.id.in_(ids))).all()
        )
        terms = search.searched_terms(query, prefix)
        return [(i, search.make_snippet(bodies.get(i, ""), terms, prefix=prefix)) for i in ids]

    def _scan_ids(self, conn, query: str, *, limit: int, status, section) -> list[tuple[int, str]]:
        terms = search.query_terms(query)
        stmt = select(Article.id, Article.dek).where(Article.deleted_at.is_(None))
        for term in terms:
            like = f"%{term}%"
            stmt = stmt.where(
                or_(
                    Article.headline.ilike(like),
                    Article.dek.ilike(like),
                    Article.body.ilike(like),
                    Article.byline.ilike(like),
                )
            )
        if status:
            stmt = stmt.where(Article.status == status)
        if section:
            stmt = stmt.where(Article.section == section)
        stmt = stmt.order_by(Article.updated_at.desc()).limit(limit)
        return [(r[0], r[1][:160]) for r in conn.execute(stmt)]

    @property
    def search_note(self) -> str:
        """Why search is slower here, or "" when the full-text index is in use."""
        return "" if self.has_fts else search.FTS5_MISSING_MESSAGE

    # ---- images and figures ---------------------------------------------
    def add_image(self, *, sha256: str, **fields: Any) -> Image:
        """Record an image whose file is already in media/; the same file twice is one image."""
        with self._session() as s, s.begin():
            image = s.scalar(select(Image).where(Image.sha256 == sha256))
            if image is None:
                self._store_media(s, sha256, fields.get("ext", ""))
                image = Image(sha256=sha256, **fields)
                s.add(image)
            s.flush()
            return image

    def _store_media(self, s: Session, sha256: str, ext: str) -> None:
        """A new picture's bytes, stored with its record: here they stay in media/ (a
        shared library keeps them in the database too; library/shared.py)."""

    def _forget_media(self, s: Session, sha256: str) -> None:
        """A picture's stored bytes beside its record, when it is discarded (shared.py keeps
        them in the database); here they are only the file in media/, removed after commit."""

    def add_images(self, records: Sequence[dict[str, Any]]) -> list[Image]:
        """Record many images in ONE transaction (all or none); each dict holds sha256 and fields.

        The same file twice (in the batch or already in the library) is one image.
        """
        out: list[Image] = []
        with self._session() as s, s.begin():
            by_sha: dict[str, Image] = {}
            shas = [r["sha256"] for r in records]
            for i in range(0, len(shas), 500):
                chunk = shas[i : i + 500]
                for image in s.scalars(select(Image).where(Image.sha256.in_(chunk))):
                    by_sha[image.sha256] = image
            for fields in records:
                image = by_sha.get(fields["sha256"])
                if image is None:
                    self._store_media(s, fields["sha256"], fields.get("ext", ""))
                    image = by_sha[fields["sha256"]] = Image(**fields)
                    s.add(image)
                out.append(image)
            s.flush()
        return out

    def get_image(self, key: int | str) -> Image:
        with self._session() as s:
            stmt = select(Image)
            stmt = (
                stmt.where(Image.id == key)
                if isinstance(key, int)
                else stmt.where(or_(Image.uid == key, Image.sha256 == key))
            )
            image = s.scalars(stmt).first()
            if image is None:
                raise NotFound(f"No image {key!r} in this library.")
            return image

    def find_image_by_ref(self, ref: str) -> Image | None:
        """The picture a body reference names: its UUID, or a readable `harbour-dawn-3f2a9c1e`."""
        digits = ref_digits(ref)
        if digits is None:
            return None
        with self._session() as s:
            if len(digits) == 32:
                return s.scalar(select(Image).where(Image.uid == ref.strip().lower()))
            stmt = select(Image).where(func.replace(Image.uid, "-", "").like(f"{digits}%"))
            found = list(s.scalars(stmt.limit(2)))
        return found[0] if len(found) == 1 else None

    def update_image(self, image_id: int, **fields: Any) -> Image:
        unknown = fields.keys() - IMAGE_FIELDS
        if unknown:
            raise TypeError(f"unknown image fields: {', '.join(sorted(unknown))}")
        with self._session() as s, s.begin():
            image = s.get(Image, image_id)
            if image is None:
                raise NotFound(f"Image {image_id} is no longer in the library.")
            for key, value in fields.items():
                setattr(image, key, value)
            image.updated_at = utcnow()
            s.flush()
            return image

    def list_images(self, *, query: str = "", limit: int | None = None) -> list[Image]:
        """Newest first; the query matches caption, credit, creator, headline, title, keywords, file name."""
        stmt = select(Image).order_by(Image.created_at.desc(), Image.id.desc())
        for term in query.split():
            like = f"%{term}%"
            stmt = stmt.where(
                or_(
                    Image.caption.ilike(like),
                    Image.credit.ilike(like),
                    Image.creator.ilike(like),
                    Image.headline.ilike(like),
                    Image.title.ilike(like),
                    Image.keywords.ilike(like),
                    Image.original_name.ilike(like),
                )
            )
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._session() as s:
            return list(s.scalars(stmt))

    def credits_in_use(self) -> list[str]:
        """Credit lines and creators already used, most used first, for completion."""
        with self._connect() as conn:
            names: dict[str, int] = {}
            for column in (Image.credit, Image.creator):
                for value, n in conn.execute(
                    select(column, func.count()).where(column != "").group_by(column)
                ):
                    names[value] = names.get(value, 0) + n
        return sorted(names, key=lambda k: (-names[k], k.casefold()))

    def add_figure(
        self,
        article_id: int,
        image_id: int,
        *,
        role: str = "inline",
        caption: str | None = None,
        alt_text: str | None = None,
    ) -> Figure:
        """Place the image in the article; caption and alt text default to the image's own."""
        if role not in FIGURE_ROLES:
            raise LibraryError(f"Unknown figure role {role!r}.")
        with self._session() as s, s.begin():
            article = s.get(Article, article_id)
            if article is None:
                raise NotFound(f"Article {article_id} is no longer in the library.")
            image = s.get(Image, image_id)
            if image is None:
                raise NotFound(f"Image {image_id} is no longer in the library.")
            if role == "hero":
                for fig in article.figures:
                    if fig.role == "hero":
                        fig.role = "inline"
            position = 0 if role == "hero" else len(article.figures)
            figure = self._new_figure(image, role, caption, alt_text)
            figure.position = position
            article.figures.insert(position, figure)
            self._renumber(article.figures)
            self._touch(article)
            s.flush()
            figure_id = figure.id
        return self.get_figure(figure_id)

    @staticmethod
    def _new_figure(image: Image, role: str, caption: str | None, alt_text: str | None) -> Figure:
        # The image's caption and alt text are copied once, here: afterwards the
        # figure's own words are all a page shows, so editing the image's
        # defaults never changes a story that already uses the picture.
        return Figure(
            image_id=image.id,
            role=role,
            caption=image.caption if caption is None else caption,
            alt_text=image.alt_text if alt_text is None else alt_text,
        )

    def articles_using_image(
        self, image_id: int, *, exclude_id: int | None = None
    ) -> list[ArticleSummary]:
        """The articles that place this image as a figure (oldest first)."""
        sub = select(Figure.article_id).where(Figure.image_id == image_id)
        if exclude_id is not None:
            sub = sub.where(Figure.article_id != exclude_id)
        ids = [r for (r,) in self._rows(sub.distinct())]
        return sorted(self.list_articles(ids=ids), key=lambda a: a.id)

    def get_figure(self, figure_id: int) -> Figure:
        with self._session() as s:
            fig = s.get(Figure, figure_id, options=[selectinload(Figure.image)])
            if fig is None:
                raise NotFound(f"Figure {figure_id} is no longer in the library.")
            return fig

    def update_figure(
        self,
        figure_id: int,
        *,
        caption: str | None = None,
        alt_text: str | None = None,
        role: str | None = None,
    ) -> Figure:
        """Change this story's caption, alt text or role of one figure (None leaves it)."""
        with self._session() as s, s.begin():
            fig = s.get(Figure, figure_id)
            if fig is None:
                raise NotFound(f"Figure {figure_id} is no longer in the library.")
            if caption is not None:
                fig.caption = caption
            if alt_text is not None:
                fig.alt_text = alt_text
            if role is not None:
                if role not in FIGURE_ROLES:
                    raise LibraryError(f"Unknown figure role {role!r}.")
                article = fig.article
                if role == "hero":
                    for other in article.figures:
                        if other.role == "hero" and other.id != fig.id:
                            other.role = "inline"
                    article.figures.remove(fig)
                    article.figures.insert(0, fig)
                    self._renumber(article.figures)
                fig.role = role
            fig.updated_at = utcnow()
            self._touch(fig.article)
        return self.get_figure(figure_id)

    def set_figures(self, article_id: int, specs: Sequence[FigureSpec]) -> Article:
        """Make the article's figures exactly `specs`, in this order, in one transaction.

        Figures already placed keep their identity (matched by image, in
        order); those not named are removed; new ones start from the image's
        defaults unless the spec says otherwise. Used by undo, so it must be
        idempotent and all-or-nothing.
        """
        specs = list(specs)
        for spec in specs:
            if spec.role not in FIGURE_ROLES:
                raise LibraryError(f"Unknown figure role {spec.role!r}.")
        if sum(1 for spec in specs if spec.role == "hero") > 1:
            raise LibraryError("An article has one hero picture; the list names more than one.")
        with self._session() as s, s.begin():
            article = s.get(Article, article_id)
            if article is None:
                raise NotFound(f"Article {article_id} is no longer in the library.")
            images = {
                i.id: i
                for i in s.scalars(select(Image).where(Image.id.in_({p.image_id for p in specs})))
            }
            missing = sorted({p.image_id for p in specs} - images.keys())
            if missing:
                raise NotFound(f"Pictures no longer in the library: {missing}.")
            groups: dict[int, list[Figure]] = {}
            for fig in article.figures:
                groups.setdefault(fig.image_id, []).append(fig)
            wanted: list[Figure] = []
            for spec in specs:
                group = groups.get(spec.image_id)
                if group:
                    fig = group.pop(0)
                    changed = False
                    for name in ("caption", "alt_text"):
                        value = getattr(spec, name)
                        if value is not None and getattr(fig, name) != value:
                            setattr(fig, name, value)
                            changed = True
                    if fig.role != spec.role:
                        fig.role = spec.role
                        changed = True
                    if changed:
                        fig.updated_at = utcnow()
                else:
                    fig = self._new_figure(
                        images[spec.image_id], spec.role, spec.caption, spec.alt_text
                    )
                wanted.append(fig)
            # Replacing the collection deletes the leftovers (delete-orphan).
            article.figures = wanted
            self._renumber(article.figures)
            self._touch(article)
        return self.get_article(article_id)

    def set_hero(self, article_id: int, image_id: int) -> Figure:
        """Make the image this article's hero, reusing its figure when it is already placed."""
        article = self.get_article(article_id)
        for fig in article.figures:
            if fig.image_id == image_id:
                return self.update_figure(fig.id, role="hero")
        return self.add_figure(article_id, image_id, role="hero")

    def remove_figure(self, figure_id: int) -> None:
        with self._session() as s, s.begin():
            fig = s.get(Figure, figure_id)
            if fig is None:
                return
            article = fig.article
            article.figures.remove(fig)
            self._renumber(article.figures)
            self._touch(article)

    def reorder_figures(self, article_id: int, figure_ids: Sequence[int]) -> None:
        with self._session() as s, s.begin():
            article = s.get(Article, article_id)
            if article is None:
                raise NotFound(f"Article {article_id} is no longer in the library.")
            by_id = {f.id: f for f in article.figures}
            if set(figure_ids) != by_id.keys():
                raise LibraryError("The new order must name each of the article's figures once.")
            for position, fid in enumerate(figure_ids):
                by_id[fid].position = position
            self._touch(article)

    @staticmethod
    def _renumber(figures: list[Figure]) -> None:
        for position, fig in enumerate(figures):
            fig.position = position

    @staticmethod
    def _touch(article: Article) -> None:
        # Figures and related stories are saved as they are edited; only the
        # text fields carry a version, since only they are autosaved from a copy.
        article.updated_at = utcnow()

    # ---- related stories -------------------------------------------------
    def set_related(self, article_id: int, target_ids: Sequence[int]) -> None:
        """Replace the article's related stories with these, in this order."""
        if article_id in target_ids:
            raise LibraryError("An article cannot be related to itself.")
        with self._session() as s, s.begin():
            article = s.get(Article, article_id)
            if article is None:
                raise NotFound(f"Article {article_id} is no longer in the library.")
            targets = {
                a.id: a for a in s.scalars(select(Article).where(Article.id.in_(target_ids)))
            }
            missing = [t for t in target_ids if t not in targets]
            if missing:
                raise NotFound(f"Related stories not in the library: {missing}.")
            article.related.clear()
            s.flush()
            seen: set[int] = set()
            for tid in target_ids:
                if tid in seen:
                    continue
                seen.add(tid)
                target = targets[tid]
                article.related.append(
                    RelatedStory(
                        target_id=tid,
                        target_uid=target.uid,
                        target_headline=target.headline,
                        position=len(seen) - 1,
                    )
                )
            self._touch(article)

    def referrers(self, article_id: int) -> list[ArticleSummary]:
        """Articles that list this one as a related story."""
        sub = select(RelatedStory.article_id).where(RelatedStory.target_id == article_id)
        return self.list_articles(ids=[r for (r,) in self._rows(sub)])

    def _rows(self, stmt) -> list:
        with self._connect() as conn:
            return list(conn.execute(stmt))

    # ---- revisions -----------------------------------------------------
    def add_revision(self, article_id: int, *, reason: str = "save", note: str = "") -> Revision:
        """Record the article's current text (headline, dek, body, slug) as a revision."""
        with self._session() as s, s.begin():
            article = s.get(Article, article_id)
            if article is None:
                raise NotFound(f"Article {article_id} is no longer in the library.")
            rev = Revision(
                article_id=article_id,
                headline=article.headline,
                dek=article.dek,
                body=article.body,
                slug=article.slug,
                word_count=word_count(article.body),
                reason=reason[:40],
                note=note,
            )
            s.add(rev)
            s.flush()
            return rev

    def revisions(self, article_id: int) -> list[Revision]:
        with self._session() as s:
            stmt = (
                select(Revision)
                .where(Revision.article_id == article_id)
                .order_by(Revision.created_at.desc(), Revision.id.desc())
            )
            return list(s.scalars(stmt))

    def restore_revision(self, revision_id: int, *, keep_slug: bool = False) -> Article:
        """Put a revision's headline, dek, body and slug back together.

        The text it replaces is kept as a revision first. When the old slug now
        belongs to another story, SlugTaken is raised (nothing changes) unless
        keep_slug says to keep the current slug. Revisions from before slugs
        were kept restore the text only.
        """
        with self._session() as s:
            rev = s.get(Revision, revision_id)
            if rev is None:
                raise NotFound(f"Revision {revision_id} is no longer in the library.")
            fields: dict[str, Any] = {"headline": rev.headline, "dek": rev.dek, "body": rev.body}
            if rev.slug and not keep_slug:
                owner = self._slug_owner(s, rev.slug)
                if owner not in (None, rev.article_id):
                    raise SlugTaken(
                        f"The address this version had ({rev.slug}) is now another story's; "
                        "restore the text and keep the current address instead."
                    )
                fields["slug"] = rev.slug
        self.add_revision(rev.article_id, reason="before restore")
        return self.update_article(rev.article_id, **fields)

    # ---- settings and publication ----------------------------------------
    def get_setting(self, key: str, default: Any = None) -> Any:
        with self._session() as s:
            row = s.get(Setting, key)
            return default if row is None else json.loads(row.value)

    def set_setting(self, key: str, value: Any) -> None:
        with self._session() as s, s.begin():
            row = s.get(Setting, key)
            if row is None:
                s.add(Setting(key=key, value=json.dumps(value)))
            else:
                row.value = json.dumps(value)

    # ---- the newsroom dictionary ------------------------------------------
    def newsroom_words(self) -> list[str]:
        """The newsroom dictionary: names and places spelled right in every story."""
        return [w for (w,) in self._rows(select(DictionaryWord.word).order_by(DictionaryWord.word))]

    def add_newsroom_word(self, word: str) -> str:
        """Add a word to the newsroom dictionary (kept once); returns it as stored."""
        word = " ".join(word.split())
        if not word or len(word) > 100 or " " in word:
            raise LibraryError(
                "A dictionary word is one word of at most 100 characters; type just the word."
            )
        with self._session() as s, s.begin():
            if s.get(DictionaryWord, word) is None:
                s.add(DictionaryWord(word=word))
        return word

    def remove_newsroom_word(self, word: str) -> bool:
        """Take a word out of the newsroom dictionary; False when it was not there."""
        with self._session() as s, s.begin():
            row = s.get(DictionaryWord, word.strip())
            if row is None:
                return False
            s.delete(row)
            return True

    def publication(self) -> Publication:
        with self._session() as s, s.begin():
            pub = s.scalars(select(Publication).order_by(Publication.id)).first()
            if pub is None:
                # No base URL until someone sets one: an invented address would put
                # canonical links and sitemaps on a domain the newsroom does not own.
                pub = Publication(
                    name=publication_settings.DEFAULT_NAME,
                    base_url="",
                    language=publication_settings.DEFAULT_LANGUAGE,
                    timezone=publication_settings.DEFAULT_TIMEZONE,
                )
                if self.read_only:
                    return pub  # the defaults, shown but not stored: nothing can be stored
                s.add(pub)
                s.flush()
            return pub

    def update_publication(self, **fields: Any) -> Publication:
        allowed = {s.key for s in settings.declared(settings.PUBLICATION)}
        unknown = fields.keys() - allowed
        if unknown:
            raise TypeError(f"unknown publication fields: {', '.join(sorted(unknown))}")
        pub_id = self.publication().id
        with self._session() as s, s.begin():
            pub = s.get(Publication, pub_id)
            for key, value in fields.items():
                setattr(pub, key, value)  # through the session, so the change is logged
            pub.updated_at = utcnow()
        return self.publication()

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


__all__ = ["ArticleSummary", "FigureSpec", "Library"]
