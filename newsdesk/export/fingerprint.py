"""What a story's page is made from: its fingerprint, its folder, the pictures it shows, its dates."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from typing import Any

from newsdesk.export.writer import check_segment
from newsdesk.library.models import Article, Image
from newsdesk.render import dates
from newsdesk.rules import is_public, section_segment

# Bump when the exporter's output changes for the same library, so pages of
# an older export are rendered again instead of being carried over.
EXPORT_FORMAT = 2
_IMAGE_REF = re.compile(r"\]\(\s*image:([0-9A-Za-z-]+)")


def _images_of(article: Article, extra: dict[str, Image]) -> list[Image]:
    """Every image the article's page and its listings show."""
    out = [f.image for f in article.figures]
    if "image:" in article.body:
        seen = {img.uid for img in out}
        for ref in _IMAGE_REF.findall(article.body):
            img = extra.get(ref)
            if img is not None and img.uid not in seen:
                seen.add(img.uid)
                out.append(img)
    return out


def story_folder(article) -> str:
    """The story's folder in the site, `section/slug`; ValueError when either cannot be one."""
    return f"{check_segment(section_segment(article.section))}/{check_segment(article.slug)}"


def _fingerprint(article: Article, extra: dict[str, Image], now: datetime, env: str) -> str:
    """Everything the article's page shows, hashed: equal fingerprints give equal pages."""
    related = []
    for link in article.related:
        t = link.target
        if t is None:
            related.append([link.target_uid, None])
            continue
        hero = t.hero
        related.append(
            [
                t.uid,
                t.slug,
                t.section,
                t.headline,
                t.status,
                is_public(t, now=now),
                t.updated_at.isoformat(),
                (t.published_at or t.updated_at).isoformat(),
                [hero.alt_text, _image_fp(hero.image)] if hero else None,
            ]
        )
    figures = [
        [f.role, f.position, f.caption, f.alt_text, _image_fp(f.image)] for f in article.figures
    ]
    extras = [_image_fp(img) for img in _images_of(article, extra)[len(article.figures) :]]
    data = [
        env,
        article.uid,
        article.version,
        article.updated_at.isoformat(),
        article.published_at.isoformat() if article.published_at else None,
        article.slug,
        article.section,
        article.language,
        article.tags,
        figures,
        extras,
        related,
        [[u.kind, u.text, u.at.isoformat()] for u in article.updates],
        [[a.name, a.slug, a.role, a.url] for a in article.authors],
        article.byline,
    ]
    return hashlib.sha256(json.dumps(data, default=str).encode()).hexdigest()


def _image_fp(img: Image) -> list[Any]:
    return [
        img.sha256,
        img.uid,
        img.updated_at.isoformat(),
        img.alt_text,
        img.caption,
        img.credit,
        img.creator,
        img.copyright,
        img.width,
        img.height,
    ]


def _when(article: Article) -> datetime:
    return article.published_at or article.updated_at


def _iso_or_raw(moment: datetime, tz: str) -> str:
    """A date for the report, even one the time zone cannot hold (the story is reported, not lost)."""
    try:
        return dates.iso(moment, tz)
    except (OverflowError, ValueError):
        return moment.isoformat()


def _base_url(url: str) -> str:
    url = (url or "").strip()
    if url and not url.endswith("/"):
        url += "/"
    return url


class RecordedFingerprints(dict):
    """uid -> what a story was made from: the stories an incremental export checked, else the
    record's row (export/incremental.py)."""

    def __init__(self, articles) -> None:
        super().__init__()
        self._articles = articles  # the record's articles part (read row by row)

    def __missing__(self, uid: str) -> str:
        entry = self._articles.get(uid)
        fp = entry.get("fp") if isinstance(entry, dict) else None
        if not fp:
            raise KeyError(uid)
        self[uid] = fp
        return fp

    def get(self, uid: str, default=None):  # type: ignore[override]
        try:
            return self[uid]
        except KeyError:
            return default
