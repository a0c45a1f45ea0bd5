"""The feeds' full text of each story: kept in the library's cache, made beside its page when new."""

from __future__ import annotations

import hashlib
from pathlib import Path

from newsdesk.export import pages as site_pages
from newsdesk.export import render as page_render
from newsdesk.export.assets import ExportAssets
from newsdesk.export.fingerprint import EXPORT_FORMAT
from newsdesk.export.listings import FEED_ITEMS, SECTION_FEED_ITEMS, ListingRow
from newsdesk.export.row_store import RowStore
from newsdesk.export.writer import SiteWriter

# Each story's text as the feeds carry it, kept in the library's cache by what it was made
# from, so a feed whose other entries did not change is written without rendering them.
FEED_CACHE = "feed-entries"


class FeedTexts:
    """The feed-text step of an export (export/site.py's _Export, which provides library,
    base_url, publication, templates_override, _fps, _feed_images, _extra)."""

    def _content_key(self, row: ListingRow) -> str:
        """What a story's feed text was made from: its fingerprint and its pictures' files."""
        fp = self._fps.get(row.uid, "")
        return f"{fp}|{','.join(row.files)}" if fp else ""

    def _feed_source(self, writer: SiteWriter, row: ListingRow):
        """A feed entry's article, read again (an export keeps no story's text: most feed
        texts are made beside the pages), and the renditions its text may show."""
        (article,) = self.library.articles_by_ids([row.article_id])
        return article, self._feed_images, self._extra

    def _feed_cache_path(self, row: ListingRow, root: str) -> Path | None:
        """Where a story's feed text with addresses from root is kept, by what it is made from."""
        key = self._content_key(row)
        if not key:
            return None
        name = hashlib.sha256(f"{EXPORT_FORMAT}|{row.uid}|{key}|{root}".encode()).hexdigest()
        return self.library.cache_dir / FEED_CACHE / f"{name}.html"

    def _feed_requests(self, store: RowStore) -> dict[str, tuple[tuple[str, str], ...]]:
        """The feed texts the feeds will need and the cache lacks, for the page workers to make.

        store: the stories about to be rendered. Those the feeds show (as
        Listings.write_all picks them) get theirs made beside their page, from
        the same converted Markdown; one that a failure moves into a feed is
        rendered when the feed is written, as before.
        """
        base = self.base_url
        wanted: dict[str, dict[str, None]] = {}
        rows = store.newest("h", FEED_ITEMS)
        for r in rows:
            wanted.setdefault(r.uid, {})[base or site_pages.root_prefix("feed.xml")] = None
        for key in sorted(k for k in store.listings() if k.startswith("s:")):
            rel = f"{site_pages.FEEDS_DIR}/{key[2:]}.xml"
            for r in store.newest(key, SECTION_FEED_ITEMS):
                rows.append(r)
                wanted.setdefault(r.uid, {})[base or site_pages.root_prefix(rel)] = None
        by_uid = {r.uid: r for r in rows}
        requests: dict[str, tuple[tuple[str, str], ...]] = {}
        for uid, roots in wanted.items():
            files = []
            for root in roots:
                path = self._feed_cache_path(by_uid[uid], root)
                if path is not None and not path.is_file():
                    files.append((root, str(path)))
            if files:
                requests[uid] = tuple(files)
        return requests

    def _feed_content(self, writer: SiteWriter, row: ListingRow, root: str) -> str:
        """A story's feed text (hero and body) with addresses from root, from the cache if made."""
        path = self._feed_cache_path(row, root)
        if path is not None:
            try:
                return path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                pass
        article, images, extra = self._feed_source(writer, row)
        assets = ExportAssets(self.library.root, images=images, pages={}, root=root)
        html = page_render.feed_content(
            article,
            assets,
            templates_override=self.templates_override,
            extra_images=extra,
            default_lang=self.publication.language or "en",
        )
        if path is not None:
            _write_text(path, html)
        return html


_write_text = page_render.write_cache_text
