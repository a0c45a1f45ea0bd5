"""A story as the site's listings, feeds and sitemaps see it: one small row (not the article).

A `ListingRow` holds everything the listing pages (the front page, sections,
tags, authors and the archive), the feeds and the sitemaps say about one
story. A full export makes the rows from the articles; an incremental one
reads the unchanged ones back from the library's export state
(export/state.py). `listing_keys` names the listings a row is on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import Any

from newsdesk.export.assets import SiteImage, site_key
from newsdesk.library.models import Article
from newsdesk.render import dates
from newsdesk.rules import tag_segment

# Bump when ListingRow gains or changes a field: export states of older rows
# are then rebuilt by a full check instead of being read.
ROWS_FORMAT = 3  # 3: rows carry their tags (tag pages)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# An empty site's feed and sitemap still need a fixed date, or every export would rewrite them.
_EMPTY_SITE_DATE = datetime(2000, 1, 1, tzinfo=UTC)


def to_us(moment: datetime) -> int:
    """A moment as whole microseconds since 1970 (exact, and sortable as an integer)."""
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_us(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def when(article: Article) -> datetime:
    return article.published_at or article.updated_at


@dataclass
class ListingRow:
    """One story as the listings, feed and sitemaps show it."""

    uid: str
    article_id: int
    folder: str  # <section>/<slug>
    seg: str  # the section's folder
    section: str  # the section as the story names it
    when_us: int
    lastmod_us: int  # max(updated, published)
    headline: str
    dek: str
    lang: str
    summary: str
    byline: str
    hero: list[Any] | None  # [sha256, alt text, rendition files] of its hero
    files: list[str]  # rendition files its own page uses (to know when one is no longer needed)
    # [uid, name, slug, bio, url] of each author its byline names (their pages list it)
    authors: list[list[str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)  # as the story spells them, each once

    @property
    def sort_key(self) -> tuple[int, int]:
        return (self.when_us, self.article_id)

    def data(self) -> str:
        """The fields the state keeps as JSON (the others are columns of their own)."""
        # Not dataclasses.asdict: its deep copy was most of an incremental publish's time.
        d = {k: getattr(self, k) for k in _DATA_FIELDS}
        return json.dumps(d, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_state(cls, uid, article_id, folder, seg, when_us, lastmod_us, data) -> ListingRow:
        return cls(
            uid, article_id, folder, seg, when_us=when_us, lastmod_us=lastmod_us, **json.loads(data)
        )

    def fingerprint(self) -> str:
        """Changes whenever anything a listing shows of this story changes."""
        fp = self.__dict__.get("_fp")
        if fp is None:
            fp = self.__dict__["_fp"] = self._fingerprint()
        return fp

    def card_of_listing(self) -> str:
        """What a listing page shows of this story (ListingItem and the page's JSON-LD): a
        change elsewhere (its body, its time of change) leaves the pages it is on as they are."""
        data = [self.folder, self.when_us, self.headline, self.dek, self.lang, self.hero]
        return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()

    def _fingerprint(self) -> str:
        return hashlib.sha256(
            f"{self.folder}|{self.when_us}|{self.lastmod_us}|{self.data()}".encode()
        ).hexdigest()


_DATA_FIELDS = tuple(
    f.name
    for f in fields(ListingRow)
    if f.name not in ("uid", "article_id", "folder", "seg", "when_us", "lastmod_us")
)


def row_of(
    article: Article, folder: str, seg: str, images: dict[str, SiteImage], own: list
) -> ListingRow:
    """The listing row of an article whose renditions are in images; own = the images its page shows."""
    return resolve_row(row_parts(article, folder, seg, own), images)


def row_parts(article: Article, folder: str, seg: str, own: list) -> ListingRow:
    """The listing row of an article before its renditions are made: its hero and files name
    the rendition sets that may show each picture ([its words' set, the picture's own]), for
    resolve_row to pick from once the sets are made (a full export keeps this, not the story)."""
    w = when(article)
    hero = article.hero
    hero_data = None

    def candidates(image, words=None) -> list[str]:
        return [site_key(image, words), image.sha256]

    if hero is not None:
        hero_data = [
            candidates(hero.image, (hero.caption or "", hero.alt_text or "")),
            hero.alt_text,
        ]
    keys = [candidates(f.image, (f.caption or "", f.alt_text or "")) for f in article.figures]
    keys += [candidates(img) for img in own[len(article.figures) :]]
    return ListingRow(
        uid=article.uid,
        article_id=article.id,
        folder=folder,
        seg=seg,
        section=article.section,
        when_us=to_us(w),
        lastmod_us=to_us(max(article.updated_at, w)),
        headline=article.headline,
        dek=article.dek,
        lang=article.language or "",
        summary=article.dek or article.seo_description,
        byline=article.byline,
        hero=hero_data,
        files=keys,  # type: ignore[arg-type]  # resolved into file names by resolve_row
        authors=[[au.uid, au.name, au.slug, au.bio, au.url] for au in article.authors],
        tags=list(dict.fromkeys(article.tags)),
    )


def resolve_row(row: ListingRow, images: dict[str, SiteImage]) -> ListingRow:
    """A row from row_parts with its pictures' rendition files (in place; returned)."""

    def set_key(candidates: list[str]) -> str | None:
        """Which rendition set shows the picture (a story's own words may have their own)."""
        key, sha = candidates
        return key if key in images else sha if sha in images else None

    if row.hero is not None:
        key = set_key(row.hero[0])
        row.hero = [key, row.hero[1], [list(f) for f in images[key].files]]  # type: ignore[index]
    keys = {set_key(pair) for pair in row.files}  # type: ignore[arg-type]
    # Every file the page points at, the hero's crops included: what a later
    # export may only delete once no page uses it.
    row.files = sorted({e[0] for k in keys if k is not None for e in images[k].entries()})
    return row


def card_fingerprint(row: ListingRow | None) -> str:
    """What a related-story card and a linking story's preflight see of this story."""
    if row is None:
        return ""
    data = [row.folder, row.headline, row.when_us, row.hero]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


def listing_keys(row: ListingRow, tz: str) -> list[str]:
    """The listings a story appears on: "h" (the front page), "s:<section>", "m:<yyyy-mm>" (its
    month in the publication's time zone), "t:<tag>" and "a:<author uid>", each once."""
    month = dates.local(from_us(row.when_us), tz)
    keys = ["h", f"s:{row.seg}", f"m:{month.year:04d}-{month.month:02d}"]
    keys += [f"t:{tag_segment(tag)}" for tag in row.tags]
    keys += [f"a:{author[0]}" for author in row.authors]
    return list(dict.fromkeys(keys))


def sitemap_listing_urls(listing_pages: Iterable[list[Any]]) -> list[tuple[str, int]]:
    """(folder, lastmod_us) of the listing pages a sitemap lists: all but the author pages."""
    return [
        (folder, lastmod) for _order, folder, lastmod, kind in listing_pages if kind != "author"
    ]
