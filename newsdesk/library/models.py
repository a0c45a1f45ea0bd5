"""The library's typed SQLAlchemy models: articles, tags, images, figures, related stories, revisions, authors, notes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Defined apart (no SQLAlchemy there) for the command line's parser; kept importable from here.
from newsdesk.library.vocabulary import (  # noqa: F401
    ARTICLE_STATUSES,
    AUTHOR_ROLES,
    FIGURE_ROLES,
    TEMPLATE_FIELDS,
    UPDATE_KINDS,
)


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_uid() -> str:
    return str(uuid.uuid4())


class AwareDateTime(TypeDecorator[datetime]):
    """Stores UTC and always hands back time-zone aware datetimes.

    SQLite has no time-zone type, so values are normalised to UTC on the way in
    and tagged UTC on the way out; PostgreSQL gets a real timestamptz.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; attach a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: AwareDateTime()}


class Record:
    """Every record carries a UUID and its times, so libraries can sync field by field later."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The uid, made here and unique, is also what lets many new records go in one
    # INSERT … RETURNING on SQLite (its "insert sentinel": each row's id is matched
    # to its record by it); without one SQLAlchemy inserts them one at a time there.
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid, insert_sentinel=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)


class ArticleTag(Base):
    __tablename__ = "article_tags"
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    tag: Mapped[Tag] = relationship(lazy="joined")


class Tag(Record, Base):
    __tablename__ = "tags"
    name: Mapped[str] = mapped_column(String(120), unique=True)


class Article(Record, Base):
    __tablename__ = "articles"
    # One index per filter the article list offers, each ending in the time it
    # is sorted by, so a page of any filter is read in order without sorting.
    __table_args__ = (
        Index("ix_articles_status_updated_at", "status", "updated_at"),
        Index("ix_articles_section_updated_at", "section", "updated_at"),
        Index("ix_articles_status_section_updated_at", "status", "section", "updated_at"),
        # Only the trash is indexed: "not in the trash" (nearly every row) must
        # never steer a list away from its date-ordered index. Migration 0013 makes
        # it partial on PostgreSQL too; naming postgresql_where here would load the
        # PostgreSQL dialect at every start of a SQLite library (0.2 s of a CLI run).
        Index("ix_articles_deleted_at", "deleted_at", sqlite_where=text("deleted_at IS NOT NULL")),
        # The few embargoed stories, so "whose embargo ended since the last export" reads
        # only them (partial on PostgreSQL too, by migration 0020).
        Index(
            "ix_articles_embargo_until",
            "embargo_until",
            sqlite_where=text("embargo_until IS NOT NULL"),
        ),
    )
    headline: Mapped[str] = mapped_column(String(500), default="")
    dek: Mapped[str] = mapped_column(Text, default="")
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    byline: Mapped[str] = mapped_column(String(300), default="")
    section: Mapped[str] = mapped_column(String(120), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    language: Mapped[str] = mapped_column(String(35), default="")
    seo_title: Mapped[str] = mapped_column(String(300), default="")
    seo_description: Mapped[str] = mapped_column(Text, default="")
    embargo_until: Mapped[datetime | None] = mapped_column(default=None)
    published_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    # The Markdown file this article was imported from (absolute), so importing
    # the same file again updates it instead of making a second article.
    source_path: Mapped[str] = mapped_column(String(1000), default="", index=True)
    # Bumped on every save: a save carrying an older version is stale.
    version: Mapped[int] = mapped_column(default=1)
    # In the trash since (a tombstone: it syncs, so other libraries trash it too);
    # purged_at: the trash was emptied, only uid, slug and these times remain.
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
    deleted_by: Mapped[str] = mapped_column(String(200), default="", server_default="")
    purged_at: Mapped[datetime | None] = mapped_column(default=None)
    # Who created the story. On a shared (PostgreSQL) library the server sets it
    # to the login role and keeps it (see library/pg_roles.py); on a laptop it is
    # the writer's name and decides nothing.
    created_by: Mapped[str] = mapped_column(String(200), default="", server_default="")

    tag_links: Mapped[list[ArticleTag]] = relationship(
        order_by=ArticleTag.position, cascade="all, delete-orphan", lazy="selectin"
    )
    figures: Mapped[list[Figure]] = relationship(
        back_populates="article",
        order_by="Figure.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )
    related: Mapped[list[RelatedStory]] = relationship(
        foreign_keys="RelatedStory.article_id",
        order_by="RelatedStory.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    updates: Mapped[list[ArticleUpdate]] = relationship(
        order_by="ArticleUpdate.at",
        cascade="all, delete-orphan",
        lazy="selectin",
    )
    author_links: Mapped[list[ArticleAuthor]] = relationship(
        order_by="ArticleAuthor.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def tags(self) -> list[str]:
        return [link.tag.name for link in self.tag_links]

    @property
    def authors(self) -> list[Author]:
        return [link.author for link in self.author_links]

    @property
    def hero(self) -> Figure | None:
        return next((f for f in self.figures if f.role == "hero"), None)


class Image(Record, Base):
    __tablename__ = "images"
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    ext: Mapped[str] = mapped_column(String(10))
    original_name: Mapped[str] = mapped_column(String(500), default="")
    format: Mapped[str] = mapped_column(String(20), default="")
    mime: Mapped[str] = mapped_column(String(50), default="")
    width: Mapped[int] = mapped_column(default=0)
    height: Mapped[int] = mapped_column(default=0)
    size_bytes: Mapped[int] = mapped_column(default=0)
    caption: Mapped[str] = mapped_column(Text, default="")
    credit: Mapped[str] = mapped_column(String(500), default="")
    creator: Mapped[str] = mapped_column(String(500), default="")
    copyright: Mapped[str] = mapped_column(String(500), default="")
    source: Mapped[str] = mapped_column(String(500), default="")
    usage_terms: Mapped[str] = mapped_column(Text, default="")
    alt_text: Mapped[str] = mapped_column(Text, default="")
    headline: Mapped[str] = mapped_column(String(500), default="")
    title: Mapped[str] = mapped_column(String(500), default="")
    instructions: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[str] = mapped_column(Text, default="")  # one keyword per line
    date_created: Mapped[str] = mapped_column(String(40), default="")
    city: Mapped[str] = mapped_column(String(200), default="")
    country: Mapped[str] = mapped_column(String(200), default="")
    # Where the picture's subject is, as fractions of its displayed size (0.5,
    # 0.5 is the centre); crops without a box of their own centre on it.
    focal_x: Mapped[float] = mapped_column(Float, default=0.5)
    focal_y: Mapped[float] = mapped_column(Float, default=0.5)
    # The photo desk's own crop boxes, JSON {"16:9": [x, y, w, h], ...} in
    # displayed pixels ("" when none); see newsdesk/images/crops.py.
    crops: Mapped[str] = mapped_column(Text, default="")
    # 64-bit difference hash (16 hex digits) for near-duplicates; "" until computed.
    dhash: Mapped[str] = mapped_column(String(16), default="")

    @property
    def filename(self) -> str:
        return f"{self.sha256}{self.ext}"


class ImageTemplate(Record, Base):
    """A named set of photo-desk fields applied to many pictures at once (see library/image_templates.py)."""

    __tablename__ = "image_templates"
    name: Mapped[str] = mapped_column(String(200), unique=True)
    credit: Mapped[str] = mapped_column(String(500), default="")
    creator: Mapped[str] = mapped_column(String(500), default="")
    copyright: Mapped[str] = mapped_column(String(500), default="")
    source: Mapped[str] = mapped_column(String(500), default="")
    usage_terms: Mapped[str] = mapped_column(Text, default="")
    instructions: Mapped[str] = mapped_column(Text, default="")
    city: Mapped[str] = mapped_column(String(200), default="")
    country: Mapped[str] = mapped_column(String(200), default="")
    keywords: Mapped[str] = mapped_column(Text, default="")  # one keyword per line

    def values(self) -> dict[str, str]:
        return {name: getattr(self, name) or "" for name in TEMPLATE_FIELDS}


class CodeReplacement(Record, Base):
    """`=code=` typed in a caption, credit or body becomes this text (the newsroom's shorthand)."""

    __tablename__ = "code_replacements"
    code: Mapped[str] = mapped_column(String(100), unique=True)  # without the = signs
    text: Mapped[str] = mapped_column(Text, default="")


class Figure(Record, Base):
    __tablename__ = "figures"
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    image_id: Mapped[int] = mapped_column(ForeignKey("images.id", ondelete="RESTRICT"), index=True)
    role: Mapped[str] = mapped_column(String(10), default="inline")
    position: Mapped[int] = mapped_column(default=0)
    # This story's own caption and alt text: copied from the image's (its
    # defaults) when the figure is made, and from then on the only words a page
    # shows for it. Another story editing its own figure never changes these.
    caption: Mapped[str] = mapped_column(Text, default="")
    alt_text: Mapped[str] = mapped_column(Text, default="")

    article: Mapped[Article] = relationship(back_populates="figures")
    image: Mapped[Image] = relationship(lazy="joined")


class RelatedStory(Record, Base):
    __tablename__ = "related_stories"
    __table_args__ = (UniqueConstraint("article_id", "target_uid"),)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    # The target survives as a uid and headline when its article is deleted, so
    # preflight can say which related story went missing instead of dropping it.
    target_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )
    target_uid: Mapped[str] = mapped_column(String(36))
    target_headline: Mapped[str] = mapped_column(String(500), default="")
    position: Mapped[int] = mapped_column(default=0)

    target: Mapped[Article | None] = relationship(foreign_keys=[target_id], lazy="select")


class Revision(Record, Base):
    __tablename__ = "revisions"
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    headline: Mapped[str] = mapped_column(String(500), default="")
    dek: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # The slug the article had then, so a restore brings back the headline and
    # its address together ("" in revisions recorded before slugs were kept).
    slug: Mapped[str] = mapped_column(String(200), default="")
    word_count: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str] = mapped_column(String(40), default="save")
    # Words a person gave with this point in the history (why a story was
    # published although preflight failed).
    note: Mapped[str] = mapped_column(Text, default="")


class ArticleUpdate(Record, Base):
    """A dated update note or correction the page shows; only these make a page say "Updated"."""

    __tablename__ = "article_updates"
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20), default="update")
    text: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ArticleNote(Record, Base):
    """An editor's note on a passage of the body; never published.

    The passage is kept as its quoted text with a little context either side,
    so it is found again after edits around it (see library/anchors.py).
    """

    __tablename__ = "article_notes"
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text, default="")
    quote: Mapped[str] = mapped_column(Text, default="")
    prefix: Mapped[str] = mapped_column(Text, default="")
    suffix: Mapped[str] = mapped_column(Text, default="")
    start: Mapped[int] = mapped_column(default=0)  # where the passage was last seen
    resolved: Mapped[bool] = mapped_column(default=False)
    author: Mapped[str] = mapped_column(String(200), default="")


class Author(Record, Base):
    """A person, the staff or an agency a byline can name."""

    __tablename__ = "authors"
    name: Mapped[str] = mapped_column(String(300))
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20), default="person")
    url: Mapped[str] = mapped_column(String(500), default="")
    bio: Mapped[str] = mapped_column(Text, default="")


class ArticleAuthor(Base):
    __tablename__ = "article_authors"
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    author_id: Mapped[int] = mapped_column(
        ForeignKey("authors.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    author: Mapped[Author] = relationship(lazy="joined")


class Publication(Record, Base):
    __tablename__ = "publications"
    name: Mapped[str] = mapped_column(String(200), default="")
    base_url: Mapped[str] = mapped_column(String(500), default="")
    language: Mapped[str] = mapped_column(String(35), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    logo_image_id: Mapped[int | None] = mapped_column(
        ForeignKey("images.id", ondelete="SET NULL"), default=None
    )


class Setting(Base):
    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SyncBase(Base):
    """A laptop's last synced copy of one record (the base of the next three-way merge)."""

    __tablename__ = "sync_base"
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)  # article or image
    key: Mapped[str] = mapped_column(String(100), primary_key=True)  # uid, or an image's sha256
    data: Mapped[str] = mapped_column(Text)  # JSON snapshot (newsdesk/library/snapshots.py)


class SyncState(Base):
    """A laptop's sync cursors and link: the server, last pulled and pushed change ids."""

    __tablename__ = "sync_state"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="", server_default="")


class SyncConflict(Base):
    """The same field (or paragraph) changed on both sides: both values kept until someone chooses."""

    __tablename__ = "sync_conflicts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    article_uid: Mapped[str] = mapped_column(String(36), index=True)
    field: Mapped[str] = mapped_column(String(200))
    paragraph: Mapped[int | None] = mapped_column(default=None)
    mine: Mapped[str | None] = mapped_column(Text, default=None)
    theirs: Mapped[str | None] = mapped_column(Text, default=None)
    base: Mapped[str | None] = mapped_column(Text, default=None)
    # For a paragraph: the server's whole body when the conflict was found, and
    # where the laptop's side of the paragraph starts in the laptop's body (lines).
    theirs_whole: Mapped[str | None] = mapped_column(Text, default=None)
    start_line: Mapped[int | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MediaBlob(Base):
    """A picture's bytes, by SHA-256: how a shared library holds media (laptops use media/)."""

    __tablename__ = "media_blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size_bytes: Mapped[int] = mapped_column(default=0)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MediaUploadPart(Base):
    """One piece of a large picture on its way into media_blobs: what lets an upload that was
    cut off go on from the pieces already stored, rather than from the first byte again."""

    __tablename__ = "media_upload_parts"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    part: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    # By the server's clock (its column default, migration 0026): unfinished uploads are
    # cleared a day after their last piece.
    stored_at: Mapped[datetime | None] = mapped_column(nullable=True)


class ChangeLogRow(Base):
    """One changed record, written in the same transaction as the change (see library/changes.py)."""

    __tablename__ = "change_log"
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column()
    # A random id per Library instance, so a process can tell its own changes from others'.
    origin: Mapped[str] = mapped_column(String(36))
    actor: Mapped[str] = mapped_column(String(200), default="")
    record_type: Mapped[str] = mapped_column(String(20))
    record_uid: Mapped[str] = mapped_column(String(100))
    article_uid: Mapped[str | None] = mapped_column(String(36), index=True, default=None)
    action: Mapped[str] = mapped_column(String(10))
    fields: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of column names
    base_version: Mapped[int | None] = mapped_column(default=None)


class DictionaryWord(Base):
    """A word of the newsroom dictionary (a name, a place): spelled right in every story."""

    __tablename__ = "dictionary_words"
    word: Mapped[str] = mapped_column(String(100), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# The export state (see export/state.py): plain tables, not mapped classes. Only SQL
# reads and writes them, and mapping them cost every start of the command line
# (declaring and configuring 17 columns nobody loads as objects).
#
# export_targets: one folder the library was exported to; `meta` (JSON) holds what the
# export state was built with.
export_targets = Table(
    "export_targets",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("folder", Text, nullable=False, unique=True),
    Column("meta", Text, nullable=False, default="{}", server_default="{}"),
)

# export_state: one article as a target's site holds it: its folder, its place in the
# listings, its card. Kept with the library so an edit republishes only the pages it
# touches. Written outside the change log: a cache of the export, not the newsroom's work.
export_state = Table(
    "export_state",
    Base.metadata,
    Column(
        "target_id",
        Integer,
        ForeignKey("export_targets.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("uid", String(36), primary_key=True),
    Column("article_id", Integer, nullable=False),
    Column("folder", Text, nullable=False),
    Column("seg", Text, nullable=False),
    Column("when_us", BigInteger, nullable=False),
    Column("lastmod_us", BigInteger, nullable=False),
    Column("card_fp", String(64), nullable=False),
    Column("data", Text, nullable=False),
    Index("ix_export_state_order", "target_id", "when_us", "article_id"),
    Index("ix_export_state_section", "target_id", "seg", "when_us", "article_id"),
)

# export_listing: one story on one listing of a target's site ("h" the front page,
# "s:<section>", "t:<tag>", "m:<yyyy-mm>", "a:<author uid>"), in the listings' order.
export_listing = Table(
    "export_listing",
    Base.metadata,
    Column(
        "target_id",
        Integer,
        ForeignKey("export_targets.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("uid", String(36), primary_key=True),
    Column("listing", Text, primary_key=True),
    Column("when_us", BigInteger, nullable=False),
    Column("article_id", Integer, nullable=False),
    Index("ix_export_listing_order", "target_id", "listing", "when_us", "article_id"),
)


class RemotePost(Base):
    """A story as newsdesk last sent it to a remote site (WordPress): what makes publishing idempotent.

    `sent_hash` is the SHA-256 of everything the post was made from; `remote_modified`
    is the site's own modification time after our last write, with a short digest of the
    post's words (either changing means someone edited the post there); `media` is JSON:
    each picture's SHA-256 -> its media item.
    """

    __tablename__ = "remote_posts"
    __table_args__ = (UniqueConstraint("site", "article_uid"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site: Mapped[str] = mapped_column(String(500))
    article_uid: Mapped[str] = mapped_column(String(36), index=True)
    post_id: Mapped[int | None] = mapped_column(default=None)
    link: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[str] = mapped_column(String(20), default="")
    sent_hash: Mapped[str] = mapped_column(String(64), default="")
    remote_modified: Mapped[str] = mapped_column(String(40), default="")
    media: Mapped[str] = mapped_column(Text, default="{}")
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
