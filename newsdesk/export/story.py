"""A full export's reading of the library: each story checked, kept in the scratch file, read again to render.

A full export reads the library twice, a batch of stories at a time, by
Core queries (export/plain.py): once to check each story and note what the
later steps need of it (its folder, fingerprint, listing row, links and
pictures: export/story_store.py, on disk), once more to render its page. It
holds a batch of stories at a time, never the library, so its memory does
not grow with the library.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select

from newsdesk.export.fingerprint import _fingerprint, _iso_or_raw, story_folder
from newsdesk.export.plain import PlainArticle, load_articles
from newsdesk.export.report import ArticleOutcome
from newsdesk.export.story_store import Chosen
from newsdesk.library import Library
from newsdesk.library.models import Article
from newsdesk.preflight import preflight
from newsdesk.rules import is_public

# Stories read from the library at a time: what a full export holds in full at once.
BATCH = 200


@dataclass
class _Candidate:
    # The story as read: a plain record (export/plain.py) in a full export, the loaded
    # Article in an incremental one.
    article: Any
    folder: str
    fingerprint: str


class StoryChecks:
    """The reading steps of a full export (export/site.py's _Export, which provides library,
    now, publication, report, _failures, _late_refusals, _extra, _env_digest, _probe_dates,
    _describe_failure and _refuse)."""

    def _batches(self, wanted: set[str] | None, images: dict) -> Iterator[list[PlainArticle]]:
        """Every published story out of the trash (those whose uid is in wanted, if given), fully
        read, BATCH at a time, in id order: each batch's ids read by keyset after the last."""
        stmt = (
            select(Article.id, Article.uid)
            .where(
                Article.status == "published",
                Article.deleted_at.is_(None),
                Article.id > bindparam("last"),
            )
            .order_by(Article.id)
            .limit(BATCH)
        )
        last = -1
        while True:
            with self.library.engine.connect() as conn:
                rows = conn.execute(stmt, {"last": last}).all()
                if not rows:
                    return
                last = rows[-1][0]
                ids = [i for i, uid in rows if wanted is None or uid in wanted]
                batch = load_articles(conn, ids, images=images) if ids else []
            yield batch
            if len(rows) < BATCH:
                return

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
            self._refuse(article.uid, outcome)
            return None
        try:
            self._probe_dates(article)
            fp = _fingerprint(article, extra_images, self.now, env_digest)
        except Exception as exc:  # one story never stops the whole site
            outcome.reasons.append(self._describe_failure(exc))
            self._refuse(article.uid, outcome)
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
            except Exception as exc:  # checked again next time: no verdict to reuse (fp None)
                reasons = [f"it could not be checked: {self._describe_failure(exc)}"]
                self._failures[uid] = {"fp": None, "reasons": reasons}
                refused.append(ArticleOutcome(cand.article.slug, cand.article.headline, reasons))
                return False
        if problems:
            self._failures[uid] = {"fp": cand.fingerprint, "reasons": problems}
            refused.append(ArticleOutcome(cand.article.slug, cand.article.headline, problems))
            return False
        return True

    def _loaded(self, cands: list[_Candidate]) -> Iterator[Article]:
        """The candidates' articles (an incremental export's, loaded already)."""
        for c in cands:
            yield c.article

    def _read_again(self, chosen: list[Chosen], failed: dict[str, str]) -> list[PlainArticle]:
        """These chosen stories read again to render their pages, in id order; those deleted,
        withdrawn or refused since they were checked go to failed, with why."""
        with self.library.engine.connect() as conn:
            by_id = {a.id: a for a in load_articles(conn, [s.article_id for s in chosen])}
        out = []
        for s in chosen:
            article = by_id.pop(s.article_id, None)
            if article is None:
                failed[s.uid] = "it was deleted while the export ran"
                continue
            reason = self._changed_since_checked(_Candidate(article, s.folder, s.fp), article)
            if reason is None:
                out.append(article)
            else:
                failed[s.uid] = reason
        return out

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
