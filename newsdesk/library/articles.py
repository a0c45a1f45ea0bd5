"""The Library's stories: making, reading, saving and trashing them; slugs, tags, related
stories and revisions.

A mixin of the Library facade (library.py): it uses the facade's sessions, so
every write is one transaction and lands in the change log like any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, true
from sqlalchemy.orm import Session, selectinload

from newsdesk.library.errors import LibraryError, NotFound, SlugTaken, StaleArticleError
from newsdesk.library.models import (
    ARTICLE_STATUSES,
    Article,
    ArticleTag,
    Figure,
    RelatedStory,
    Revision,
    Tag,
    utcnow,
)
from newsdesk.text import numbered_slug, slugify, word_count

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
# Fields a shared library's search column is made from (library/shared.py).
INDEXED_FIELDS = frozenset({"headline", "dek", "body", "byline", "tags"})
ID_CHUNK = 10_000  # ids asked for in one statement (PostgreSQL takes at most 65,535)


def article_options():
    """How a fully loaded story is read: tags, figures with their images, related stories with
    THEIR figures (what a page, an export and a check read)."""
    return (
        selectinload(Article.tag_links).joinedload(ArticleTag.tag),
        selectinload(Article.figures).joinedload(Figure.image),
        selectinload(Article.related)
        .selectinload(RelatedStory.target)
        .selectinload(Article.figures)
        .joinedload(Figure.image),
    )


class ArticleRecords:
    """Stories: create, get, update, delete, the trash, slugs and tags, related stories,
    revisions (part of Library)."""

    def _session(self) -> Session:  # provided by Library
        raise NotImplementedError

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

    def _read_back_server_fields(self, s: Session, written: dict[str, dict]) -> None:
        """Put into story snapshots just written what the server wrote itself: nothing, here."""

    def get_article(self, key: int | str) -> Article:
        """By id, uid or slug."""
        with self._session() as s:
            stmt = select(Article).options(*article_options())
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
    # Many stories at once (Set Section, Move to Trash, Undo): library/bulk.py.
    def trash_article(self, article_id: int) -> Article:
        """Move a story to the trash: a tombstone that syncs; restore_article takes it back."""
        self.trash_articles([article_id])
        return self.get_article(article_id)

    def restore_article(self, article_id: int) -> Article:
        """Take a story out of the trash (one whose trash was emptied has nothing to restore)."""
        self.restore_articles([article_id])
        return self.get_article(article_id)

    def _articles_by_ids(self, s: Session, article_ids: Sequence[int]) -> list[Article]:
        """The stories by id, in the order given; a missing one refuses the whole operation."""
        wanted = list(dict.fromkeys(article_ids))
        found: dict[int, Article] = {}
        # In chunks: a whole list's worth of ids (100,000) passes PostgreSQL's limit of
        # 65,535 parameters in one statement.
        for i in range(0, len(wanted), ID_CHUNK):
            chunk = select(Article).where(Article.id.in_(wanted[i : i + ID_CHUNK]))
            found.update((a.id, a) for a in s.scalars(chunk))
        missing = [i for i in article_ids if i not in found]
        if missing:
            raise NotFound(f"Article {missing[0]} is no longer in the library.")
        return [found[i] for i in wanted]

    def trashed_articles(self) -> list[Article]:
        """Stories in the trash that can still be restored, most recently deleted first."""
        with self._session() as s:
            stmt = (
                select(Article)
                .where(Article.deleted_at.is_not(None), Article.purged_at.is_(None))
                .order_by(Article.deleted_at.desc(), Article.id.desc())
            )
            return list(s.scalars(stmt))

    def empty_trash(self, article_ids: Sequence[int] | None = None) -> int:
        """Remove trashed stories' content for good, keeping each tombstone (uid, slug, times).

        The tombstone stays so the deletion still syncs to other libraries. With
        article_ids, only those, all or none: one that left the trash meanwhile
        (or that the shared library will not let this user empty) refuses them all.
        Without, the whole trash this user may empty.
        """
        with self._session() as s, s.begin():
            if article_ids is None:
                stmt = select(Article).where(
                    Article.deleted_at.is_not(None), Article.purged_at.is_(None), self._may_empty()
                )
                articles = list(s.scalars(stmt))
            else:
                articles = self._articles_by_ids(s, article_ids)
                for article in articles:
                    if article.deleted_at is None or article.purged_at is not None:
                        raise LibraryError(
                            f"{article.slug!r} is no longer in the trash, so nothing was "
                            "removed; look at the trash again."
                        )
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
