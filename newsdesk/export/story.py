"""A full export's reading of the library: each story checked, kept as a light Story, read again to render.

A full export reads the library twice, a batch of stories at a time (see
export/site.py): once to check each story and note what the later steps
need (its pictures, listing row, related links, report line), once more to
render its page. Between the two it holds a `Story` per story, a few hundred
bytes, instead of the loaded record with its body (~20 KB), so its memory
does not grow with the library's text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from newsdesk.export.fingerprint import _IMAGE_REF, _fingerprint, _iso_or_raw, story_folder
from newsdesk.export.report import ArticleOutcome
from newsdesk.library import Library
from newsdesk.library.models import Article
from newsdesk.preflight import preflight
from newsdesk.rules import is_public

# Stories read from the library at a time: what a full export holds in full at once.
BATCH = 200


@dataclass(frozen=True, eq=False)
class StoryFigure:
    """A figure as the renditions and the listing row read it (the library's Image, its words)."""

    image: Any
    role: str
    caption: str | None
    alt_text: str | None


@dataclass(frozen=True)
class StoryAuthor:
    uid: str
    name: str
    slug: str
    bio: str
    url: str


@dataclass(frozen=True)
class LinkTarget:
    uid: str


@dataclass(frozen=True)
class StoryLink:
    """A related-story link: only whom it points at (None when that story is gone)."""

    target: LinkTarget | None


class Story:
    """The fields of an Article that export/listings.row_of, the renditions step, the page
    fingerprint of the navigation and the report read, under the same names; not its text."""

    __slots__ = (
        "id",
        "uid",
        "slug",
        "headline",
        "dek",
        "section",
        "language",
        "seo_description",
        "byline",
        "published_at",
        "updated_at",
        "tags",
        "figures",
        "related",
        "authors",
        "body",
    )

    def __init__(self, article: Any, images: dict[int, Any] | None = None) -> None:
        """images: the pictures Stories already hold, by id: a picture many stories show is
        then held once, not once per batch of stories read (each batch loads its own copy)."""
        self.id: int = article.id
        self.uid: str = article.uid
        self.slug: str = article.slug
        self.headline: str = article.headline
        self.dek: str = article.dek
        self.section: str = article.section
        self.language: str | None = article.language
        self.seo_description: str | None = article.seo_description
        self.byline: str = article.byline
        self.published_at: datetime | None = article.published_at
        self.updated_at: datetime = article.updated_at
        self.tags: list[str] = list(article.tags)
        if images is None:
            images = {}
        self.figures = tuple(
            StoryFigure(images.setdefault(f.image.id, f.image), f.role, f.caption, f.alt_text)
            for f in article.figures
        )
        self.related = tuple(
            StoryLink(LinkTarget(link.target.uid) if link.target is not None else None)
            for link in article.related
        )
        self.authors = tuple(
            StoryAuthor(a.uid, a.name, a.slug, a.bio, a.url) for a in article.authors
        )
        # Only the body's picture references, in order: all that fingerprint._images_of reads of it.
        self.body = "".join(f"](image:{ref})" for ref in _IMAGE_REF.findall(article.body))

    @property
    def hero(self) -> StoryFigure | None:
        return next((f for f in self.figures if f.role == "hero"), None)


@dataclass
class _Candidate:
    # A full export keeps a Story (export/story.py) once the story is checked;
    # an incremental one keeps the loaded Article.
    article: Article | Story
    folder: str
    fingerprint: str


class StoryChecks:
    """The reading steps of a full export (export/site.py's _Export, which provides library,
    now, publication, report, _failures, _late_refusals, _extra, _env_digest, _probe_dates and
    _describe_failure)."""

    def _published_ids(self) -> list[tuple[int, str]]:
        """(id, uid) of every published story out of the trash, in id order."""
        stmt = (
            select(Article.id, Article.uid)
            .where(Article.status == "published", Article.deleted_at.is_(None))
            .order_by(Article.id)
        )
        with self.library.engine.connect() as conn:
            return [(i, uid) for i, uid in conn.execute(stmt)]

    def _batches(self, ids: list[tuple[int, str]]) -> Iterator[list[Article]]:
        """The stories with these ids, fully loaded, BATCH at a time, in id order."""
        for i in range(0, len(ids), BATCH):
            yield self.library.articles_by_ids(i for i, _uid in ids[i : i + BATCH])

    def _check(self, article, requested, extra_images, env_digest) -> _Candidate | None:
        """The story as a candidate for the site, or None (reported) when it cannot be one."""
        outcome = ArticleOutcome(article.slug, article.headline)
        if not is_public(article, now=self.now):
            until = article.embargo_until
            outcome.reasons.append(
                f"under embargo until {_iso_or_raw(until, self.publication.timezone)}"
                if until
                else "not published"
            )
            target = self.report.failed if requested and article.slug in requested else None
            (target if target is not None else self.report.skipped).append(outcome)
            return None
        try:
            folder = story_folder(article)
        except ValueError as exc:
            outcome.reasons.append(f"its slug or section cannot be a folder name ({exc})")
            self.report.failed.append(outcome)
            return None
        try:
            self._probe_dates(article)
            fp = _fingerprint(article, extra_images, self.now, env_digest)
        except Exception as exc:  # one story never stops the whole site
            outcome.reasons.append(self._describe_failure(exc))
            self.report.failed.append(outcome)
            return None
        return _Candidate(article, folder, fp)

    def _preflight(self, cand, previous, previous_failures, refused) -> bool:
        """Whether the story passes preflight; when not, its reasons go to `refused`.

        The fingerprint covers everything preflight checks (the article, its
        figures and images, its related stories' status), so an article that did
        not change since the last export keeps that export's verdict.
        """
        uid = cand.article.uid
        prev = previous.get(uid)
        if prev and prev.get("fp") == cand.fingerprint:
            return True
        known = previous_failures.get(uid)
        if known and known.get("fp") == cand.fingerprint:
            problems = list(known["reasons"])
        else:
            try:
                problems = preflight_messages(self.library, cand.article, now=self.now)
            except Exception as exc:  # checked again next time: not remembered
                refused.append(
                    ArticleOutcome(
                        cand.article.slug,
                        cand.article.headline,
                        [f"it could not be checked: {self._describe_failure(exc)}"],
                    )
                )
                return False
        if problems:
            self._failures[uid] = {"fp": cand.fingerprint, "reasons": problems}
            refused.append(ArticleOutcome(cand.article.slug, cand.article.headline, problems))
            return False
        return True

    def _loaded(self, cands: list[_Candidate]) -> Iterator[Article]:
        """The candidates' articles fully loaded, read again BATCH at a time where the first
        pass kept only a Story: the renderer holds a batch, never the library."""
        for i in range(0, len(cands), BATCH):
            part = cands[i : i + BATCH]
            again = [c.article.id for c in part if isinstance(c.article, Story)]
            by_id = {a.id: a for a in self.library.articles_by_ids(again)} if again else {}
            for c in part:
                if not isinstance(c.article, Story):
                    yield c.article
                    continue
                article = by_id.pop(c.article.id, None)
                if article is None:
                    continue  # deleted since it was checked: reported by the caller
                reason = self._changed_since_checked(c, article)
                if reason is None:
                    yield article
                else:
                    self._late_refusals[c.article.uid] = reason

    def _changed_since_checked(self, cand: _Candidate, article: Article) -> str | None:
        """Why a story edited between the two readings may not be published now, or None.

        The first pass checked the story as it was then; the page is rendered
        from what is read now. An edit in between (the window saving while
        the site is exported) is published only if it passes the same checks:
        never a withdrawn story, never one preflight now refuses. The record
        keeps the first reading's fingerprint, so the next export sees the
        change and brings its listings up to date.
        """
        if article.deleted_at is not None or not is_public(article, now=self.now):
            return "it was withdrawn while the export ran"
        try:
            fp = _fingerprint(article, self._extra, self.now, self._env_digest)
        except Exception as exc:
            return self._describe_failure(exc)
        if fp == cand.fingerprint:
            return None
        try:
            problems = preflight_messages(self.library, article, now=self.now)
        except Exception as exc:
            return f"it could not be checked: {self._describe_failure(exc)}"
        if problems:
            return "it was changed while the export ran: " + " ".join(problems)
        return None


def preflight_messages(
    library: Library, article: Article, *, now: datetime | None = None
) -> list[str]:
    """Every reason the article may not be published, as sentences (warnings do not stop it)."""
    return [p.message for p in preflight(library, article, now=now) if p.is_error]
