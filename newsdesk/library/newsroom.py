"""The Library's newsroom records: update notes and corrections, editors' notes, authors.

A mixin of the Library facade (library.py), so every write here goes through
the facade's sessions and is recorded in the change log like any other.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newsdesk.bylines import split_byline
from newsdesk.library.anchors import Anchor, anchor_for, find_anchor
from newsdesk.library.errors import LibraryError, NotFound
from newsdesk.library.models import (
    AUTHOR_ROLES,
    UPDATE_KINDS,
    Article,
    ArticleAuthor,
    ArticleNote,
    ArticleUpdate,
    Author,
    utcnow,
)
from newsdesk.text import numbered_slug, slugify

AUTHOR_FIELDS = frozenset({"name", "role", "url", "bio", "slug"})


class NewsroomRecords:
    """Update notes, corrections, editors' notes and authors (mixed into Library)."""

    def _session(self) -> Session:  # provided by Library
        raise NotImplementedError

    # ---- updates and corrections --------------------------------------
    def add_update(
        self, article_id: int, text: str, *, kind: str = "update", at: datetime | None = None
    ) -> ArticleUpdate:
        """A dated note the page shows: an update ("what changed") or a correction."""
        if kind not in UPDATE_KINDS:
            raise LibraryError(f"Unknown note kind {kind!r}; use update or correction.")
        text = text.strip()
        if not text:
            raise LibraryError(f"The {kind} is empty; write what changed.")
        if at is not None and at.tzinfo is None:
            raise LibraryError(f"The time given for the {kind} has no time zone.")
        with self._session() as s, s.begin():
            if s.get(Article, article_id) is None:
                raise NotFound(f"Article {article_id} is no longer in the library.")
            update = ArticleUpdate(article_id=article_id, kind=kind, text=text, at=at or utcnow())
            s.add(update)
            s.flush()
            return update

    def updates(self, article_id: int) -> list[ArticleUpdate]:
        with self._session() as s:
            stmt = select(ArticleUpdate).where(ArticleUpdate.article_id == article_id)
            return list(s.scalars(stmt.order_by(ArticleUpdate.at, ArticleUpdate.id)))

    def remove_update(self, update_id: int) -> None:
        with self._session() as s, s.begin():
            update = s.get(ArticleUpdate, update_id)
            if update is None:
                raise NotFound("That note is no longer in the library.")
            s.delete(update)

    # ---- editors' notes ------------------------------------------------
    def add_note(
        self, article_id: int, body: str, start: int, end: int, text: str, *, author: str = ""
    ) -> ArticleNote:
        """A note on body[start:end] (body as the editor shows it now); never published."""
        text = text.strip()
        if not text:
            raise LibraryError("The note is empty; write what the reporter should look at.")
        anchor = anchor_for(body, start, end)
        if not anchor.quote.strip():
            raise LibraryError("Select the words the note is about first.")
        with self._session() as s, s.begin():
            if s.get(Article, article_id) is None:
                raise NotFound(f"Article {article_id} is no longer in the library.")
            note = ArticleNote(
                article_id=article_id,
                text=text,
                quote=anchor.quote,
                prefix=anchor.prefix,
                suffix=anchor.suffix,
                start=anchor.start,
                author=author,
            )
            s.add(note)
            s.flush()
            return note

    def notes(self, article_id: int) -> list[ArticleNote]:
        with self._session() as s:
            stmt = select(ArticleNote).where(ArticleNote.article_id == article_id)
            return list(s.scalars(stmt.order_by(ArticleNote.start, ArticleNote.id)))

    def set_note_resolved(self, note_id: int, resolved: bool = True) -> ArticleNote:
        with self._session() as s, s.begin():
            note = s.get(ArticleNote, note_id)
            if note is None:
                raise NotFound("That note is no longer in the library.")
            note.resolved = resolved
            s.flush()
            return note

    def delete_note(self, note_id: int) -> None:
        with self._session() as s, s.begin():
            note = s.get(ArticleNote, note_id)
            if note is None:
                raise NotFound("That note is no longer in the library.")
            s.delete(note)

    @staticmethod
    def locate_note(note: ArticleNote, body: str) -> tuple[int, int] | None:
        """Where the note's passage is in this body, or None when its words are gone."""
        return find_anchor(body, Anchor(note.quote, note.prefix, note.suffix, note.start))

    # ---- authors ---------------------------------------------------------
    def add_author(self, name: str, **fields: Any) -> Author:
        name = " ".join(name.split())
        if not name:
            raise LibraryError("The author has no name; type one.")
        self._check_author(fields)
        with self._session() as s, s.begin():
            fields["slug"] = self._free_author_slug(s, fields.get("slug") or name, None)
            author = Author(name=name, **fields)
            s.add(author)
            s.flush()
            return author

    def update_author(self, author_id: int, **fields: Any) -> Author:
        self._check_author(fields)
        with self._session() as s, s.begin():
            author = s.get(Author, author_id)
            if author is None:
                raise NotFound("That author is no longer in the library.")
            if "name" in fields:
                fields["name"] = " ".join(str(fields["name"]).split())
                if not fields["name"]:
                    raise LibraryError("The author has no name; type one.")
            if "slug" in fields:
                fields["slug"] = self._free_author_slug(s, fields["slug"] or author.name, author_id)
            for key, value in fields.items():
                setattr(author, key, value)
            s.flush()
            return author

    def get_author(self, key: int | str) -> Author:
        """By id, uid, slug or exact name (any case)."""
        with self._session() as s:
            if isinstance(key, int):
                author = s.get(Author, key)
            else:
                author = s.scalar(
                    select(Author).where(
                        (Author.uid == key)
                        | (Author.slug == key)
                        | (func.lower(Author.name) == key.lower())
                    )
                )
            if author is None:
                raise NotFound(f"No author {key!r} in this library.")
            return author

    def list_authors(self, query: str = "") -> list[Author]:
        with self._session() as s:
            stmt = select(Author).order_by(func.lower(Author.name))
            if query.strip():
                stmt = stmt.where(Author.name.ilike(f"%{query.strip()}%"))
            return list(s.scalars(stmt))

    def articles_by_author(self, author_id: int) -> list[Article]:
        with self._session() as s:
            stmt = (
                select(Article)
                .join(ArticleAuthor, ArticleAuthor.article_id == Article.id)
                .where(ArticleAuthor.author_id == author_id)
                .order_by(Article.published_at.desc(), Article.id.desc())
            )
            return list(s.scalars(stmt))

    def author_story_counts(self) -> dict[int, int]:
        """How many stories each author's name is on (authors on none are left out)."""
        with self._session() as s:
            stmt = (
                select(ArticleAuthor.author_id, func.count())
                .join(Article, Article.id == ArticleAuthor.article_id)
                .where(Article.purged_at.is_(None))
                .group_by(ArticleAuthor.author_id)
            )
            return {author_id: n for author_id, n in s.execute(stmt)}

    def delete_author(self, author_id: int) -> None:
        """Remove an author no story names; one that is named is merged instead."""
        with self._session() as s, s.begin():
            author = s.get(Author, author_id)
            if author is None:
                raise NotFound("That author is no longer in the library.")
            used = s.scalar(
                select(func.count())
                .select_from(ArticleAuthor)
                .join(Article, Article.id == ArticleAuthor.article_id)
                .where(ArticleAuthor.author_id == author_id, Article.purged_at.is_(None))
            )
            if used:
                stories = f"{used} stor{'y' if used == 1 else 'ies'}"
                raise LibraryError(
                    f"{author.name} is on the byline of {stories}; merge them into another "
                    "author instead of deleting."
                )
            s.delete(author)

    def merge_authors(self, author_id: int, into_id: int) -> Author:
        """One person recorded twice: every byline naming `author_id` names `into_id`
        instead, and `author_id` goes. One transaction."""
        if author_id == into_id:
            raise LibraryError("Choose a different author to merge into.")
        with self._session() as s, s.begin():
            author, into = s.get(Author, author_id), s.get(Author, into_id)
            if author is None or into is None:
                raise NotFound("That author is no longer in the library.")
            name = re.compile(rf"(?<!\w){re.escape(author.name)}(?!\w)", re.IGNORECASE)
            stmt = (
                select(Article)
                .join(ArticleAuthor, ArticleAuthor.article_id == Article.id)
                .where(ArticleAuthor.author_id == author_id)
            )
            for article in list(s.scalars(stmt)):
                byline = name.sub(lambda _m: into.name, article.byline)
                if byline != article.byline:
                    article.byline = byline
                    article.version += 1
                    article.updated_at = utcnow()
                self._link_byline(s, article)
                s.flush()
                self._index(s, article)  # type: ignore[attr-defined]  # the byline is searched
            s.delete(author)
            s.flush()
            return into

    @staticmethod
    def _check_author(fields: dict[str, Any]) -> None:
        unknown = fields.keys() - AUTHOR_FIELDS
        if unknown:
            raise TypeError(f"unknown author fields: {', '.join(sorted(unknown))}")
        role = fields.get("role")
        if role is not None and role not in AUTHOR_ROLES:
            raise LibraryError(f"Unknown author role {role!r}; use person, staff or agency.")
        url = str(fields.get("url") or "").strip()
        if url and not re.fullmatch(r"https?://[^\s/]+\S*", url):
            raise LibraryError(
                "The author's URL must start with https:// (or http://); "
                "leave it empty if they have none."
            )
        if "url" in fields:
            fields["url"] = url

    @staticmethod
    def _free_author_slug(s: Session, wanted: str, author_id: int | None) -> str:
        base = slugify(wanted, fallback="author")
        candidate, n = base, 1
        while s.scalar(select(Author.id).where(Author.slug == candidate)) not in (None, author_id):
            n += 1
            candidate = numbered_slug(base, n)
        return candidate

    @staticmethod
    def _link_byline(s: Session, article: Article) -> None:
        """Link the article to the authors its byline names; other names stay free text."""
        names = split_byline(article.byline)
        found: list[Author] = []
        for name in names:
            author = s.scalar(select(Author).where(func.lower(Author.name) == name.lower()))
            if author is not None and author not in found:
                found.append(author)
        current = [link.author_id for link in article.author_links]
        if current == [a.id for a in found]:
            return
        article.author_links[:] = [
            ArticleAuthor(author=a, author_id=a.id, position=i) for i, a in enumerate(found)
        ]


def author_names(authors: Sequence[Author]) -> list[str]:
    return [a.name for a in authors]
