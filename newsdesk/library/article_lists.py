"""The Library's lists of stories: pages of summaries for the list, counts, sections and tags in
use, fully loaded stories by the batch (export, checks), and which stories link to one.

A mixin of the Library facade (library.py); it only reads.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select, tuple_
from sqlalchemy.orm import Session

from newsdesk.library import listing
from newsdesk.library.articles import article_options
from newsdesk.library.models import Article, ArticleTag, RelatedStory, Tag

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


class ArticleLists:
    """Summaries, counts, sections, tags and batches of stories (part of Library)."""

    def _session(self) -> Session:  # provided by Library
        raise NotImplementedError

    def _connect(self) -> contextlib.AbstractContextManager:  # provided by Library
        raise NotImplementedError

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

    def article_ids(
        self, *, status: str | None = None, section: str | None = None, tag: str | None = None
    ) -> list[int]:
        """Every listed story's id for these filters, in the list's order (newest first).

        What "select all" in the list means when only its first pages are loaded: the
        ids alone, cheap even for a 100,000-story library.
        """
        stmt = select(Article.id).where(Article.deleted_at.is_(None))
        if status:
            stmt = stmt.where(Article.status == status)
        if section:
            stmt = stmt.where(Article.section == section)
        if tag:
            stmt = stmt.where(self._tag_condition(tag))
        stmt = stmt.order_by(Article.updated_at.desc(), Article.id.desc())
        with self._connect() as conn:
            return list(conn.execute(stmt).scalars())

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
                .options(*article_options())
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
                    .options(*article_options())
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

    def referrers(self, article_id: int) -> list[ArticleSummary]:
        """Articles that list this one as a related story."""
        sub = select(RelatedStory.article_id).where(RelatedStory.target_id == article_id)
        return self.list_articles(ids=[r for (r,) in self._rows(sub)])
