"""The site's listing pages (front page, sections, tags, authors, archive, 404), a page at a time.

Built from listing rows (export/listing_row.py), never from the articles. A
full export reads them a page at a time from the rows it saved as it went
(export/row_store.py); an incremental export reads the few listings a changed
story is on from the library's export state (export/listings_update.py).
Both go through the same per-listing, per-page code here, so an incremental
export writes the same bytes a full one does. Every listing file is keyed by
a cheap signature of what it shows (its rows' cards, its place in the
listing, the navigation): a file whose signature is that of the previous
export is carried over without its page being built, so an edit republishes
exactly the listing pages, feeds and sitemaps it touches. The feeds and
sitemaps are export/listing_feeds.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from newsdesk.export import pages as site_pages
from newsdesk.export.assets import ExportAssets, SiteImage, site_url
from newsdesk.export.listing_feeds import (
    FEED_ITEMS,
    NEWS_SITEMAP_LIMIT,
    NEWS_SITEMAP_WINDOW,
    SECTION_FEED_ITEMS,
    SITEMAP_LIMIT,
    FeedEntry,
    FeedsAndSitemaps,
    FeedView,
    NewsItem,
    SitemapUrl,
    is_sitemap_file,
)
from newsdesk.export.listing_row import (
    _EMPTY_SITE_DATE,
    ROWS_FORMAT,
    ListingRow,
    card_fingerprint,
    from_us,
    listing_keys,
    row_of,
    sitemap_listing_urls,
    to_us,
    when,
)
from newsdesk.export.row_store import RowStore
from newsdesk.library.models import Publication
from newsdesk.render import dates, i18n
from newsdesk.render.page import PublisherLogo, breadcrumbs, json_for_script
from newsdesk.rules import section_segment as _section_segment
from newsdesk.rules import tag_segment

__all__ = [  # what other modules import from here, some of it defined beside
    "FEED_ITEMS",
    "NEWS_SITEMAP_LIMIT",
    "NEWS_SITEMAP_WINDOW",
    "ROWS_FORMAT",
    "SECTION_FEED_ITEMS",
    "SITEMAP_LIMIT",
    "FeedEntry",
    "FeedView",
    "ListingRow",
    "Listings",
    "NewsItem",
    "SitemapUrl",
    "card_fingerprint",
    "from_us",
    "is_sitemap_file",
    "listing_keys",
    "row_of",
    "sitemap_listing_urls",
    "to_us",
    "when",
]

NO_BASE_URL_WARNING = (
    "The publication has no base URL, so the pages have no canonical links and the site has "
    "no sitemaps or robots.txt; set one in Preferences or with: newsdesk publication --base-url URL"
)

# render(rel, template, **context): writes one file, keyed by its whole context
Render = Callable[..., None]
# render_lazy(rel, template, signature, build): writes one file keyed by `signature`;
# build() makes its context, and is only called when the signature is new
RenderLazy = Callable[[str, str, str, Callable[[], dict[str, Any]]], None]
# feed_content(row, root) -> the story's hero and body as safe HTML, addresses from root
FeedContent = Callable[["ListingRow", str], str]


# --------------------------------------------------------------------------- views
@dataclass
class ListingItem:
    href: str
    headline: str
    dek: str
    lang: str
    date_iso: str
    date_text: str
    thumb: Any
    lazy: bool = True  # the first picture of a listing is in view at once: not lazy


@dataclass
class ListingView:
    """What the listing pages, the archive and 404.html show; carries every field base.html reads."""

    lang: str
    title: str
    description: str
    heading: str
    publication_name: str
    canonical_url: str
    stylesheet_href: str
    favicon_href: str
    home_href: str
    feed_href: str
    sections: list[tuple[str, str, bool]]  # (name, href, is this page)
    items: list[ListingItem]
    archive_href: str = ""
    og_locale: str = "en_US"
    logo_url: str = ""
    heading_is_name: bool = False  # the front page: its heading is "Latest stories"
    pages: site_pages.Pager | None = None
    months: list[tuple[str, str, str]] = field(default_factory=list)  # archive: label, href, count
    json_ld: str = ""
    section_feed: tuple[str, str] | None = None  # (section name, its own Atom feed)
    extra_head: str = ""
    intro: str = ""  # an author page's short bio
    intro_url: str = ""  # and the author's own site


@dataclass
class _Listing:
    """One listing of the site before it is cut into pages."""

    kind: str  # home, section, tag, month, author
    folder: str  # '' for the front page, else 'world/', 'tag/harbour/'…
    heading: str
    rows: list[ListingRow]
    current: str | None = None  # the section it is, for the navigation
    crumbs: list[tuple[str, str]] = field(default_factory=list)
    feed: str = ""  # a section's own feed, below the site root
    intro: str = ""
    intro_url: str = ""
    description: str = ""
    order: list[Any] = field(default_factory=list)  # [kind, its key, page]: the listings' order


_TEMPLATES = {
    "home": "index.html",
    "section": "section.html",
    "tag": "section.html",
    "month": "section.html",
    "author": "author.html",
}


# --------------------------------------------------------------------------- building
class Listings(FeedsAndSitemaps):
    """Renders the site's listing files for one publication from listing rows."""

    def __init__(
        self,
        library_root,
        publication: Publication,
        base_url: str,
        now: datetime,
        render: Render,
        render_lazy: RenderLazy,
        *,
        page_size: int = site_pages.DEFAULT_PAGE_SIZE,
        logo: PublisherLogo | None = None,
        feed_content: FeedContent | None = None,
        content_key: Callable[[ListingRow], str] = lambda row: "",
    ):
        self.library_root = library_root
        self.pub = publication
        self.base_url = base_url
        self.now = now
        self.render = render
        self.render_lazy = render_lazy
        self.page_size = page_size
        self.logo = logo
        self.feed_content = feed_content
        self.content_key = content_key
        self.tz = publication.timezone or "UTC"
        self.lang = publication.language or "en"
        self.gettext = i18n.translations(self.lang).gettext
        self._dates: dict[int, str] = {}  # when_us -> the date listings show
        # render_page(rel, template, signature, task): writes a listing page keyed by signature,
        # made from task (listing_pool.Task), which may go to another process; when None,
        # render_lazy makes it here.
        self.render_page: Callable[[str, str, str, tuple], None] | None = None

    @staticmethod
    def section_names(newest_per_section: Iterable[ListingRow]) -> dict[str, str]:
        """seg -> the name the nav shows (its newest story's spelling), in folder order."""
        return {
            r.seg: (r.section or "News") for r in sorted(newest_per_section, key=lambda r: r.seg)
        }

    @staticmethod
    def names_of(rows: Iterable[ListingRow]) -> dict[str, str]:
        """The section names of a site whose rows these are (in any order)."""
        heads: dict[str, ListingRow] = {}
        for r in rows:
            head = heads.get(r.seg)
            if head is None or r.sort_key > head.sort_key:
                heads[r.seg] = r
        return Listings.section_names(heads.values())

    # ---- the whole set ---------------------------------------------------
    def write_all(self, store: RowStore) -> None:
        """Every listing page, the archive, 404.html, the feeds and (with a base URL) the sitemaps.

        store: every story of the site (export/row_store.py), read a page at a
        time. Leaves in the store the sitemap entry of every listing page, for
        the record and later incremental exports.
        """
        keys = store.listings()
        self._names = self.section_names(
            store.newest(k, 1)[0]
            for k in keys
            if k.startswith("s:")  # each section's newest
        )
        # In the listings' order; listings alike in it (an author's slug twice) in the order
        # of their newest story, as the stories newest first meet them.
        order = []
        for key in ["h", *(k for k in keys if k != "h")]:
            first = store.newest(key, 1)
            newest = first[0].sort_key if first else (0, 0)
            order.append((self.listing_for(key, first).order, (-newest[0], -newest[1]), key))
        order.sort(key=lambda o: (o[0], o[1]))
        store.clear_pages()
        for _order, _newest, key in order:
            listing = self.listing_for(key, store.newest(key, 1))
            total = max(1, -(-store.count(key) // self.page_size))
            chunks = store.pages_of(key, self.page_size) if key != "h" or len(store) else [[]]
            for number, chunk in enumerate(chunks, start=1):
                store.add_page(self.listing_page(listing, chunk, number, total))
        self.archive(store.counts("m:"))
        self._not_found()
        self.home_feed(store.newest("h", FEED_ITEMS))
        for key in sorted(k for k in keys if k.startswith("s:")):
            self.section_feed(key[2:], store.newest(key, SECTION_FEED_ITEMS))
        if self.base_url:
            self.sitemaps(
                sitemap_listing_urls(store.pages()),
                store.sitemap_rows(),
                store.since(self.news_cutoff_us()),
            )

    def set_section_names(self, names: dict[str, str]) -> None:
        """The navigation every page carries (seg -> name, in folder order); write_all sets its own."""
        self._names = names

    def listing_for(self, key: str, rows: list[ListingRow]) -> _Listing:
        """The listing a membership key names (see listing_keys), holding rows, newest first.

        Its heading comes from its newest story (rows[0]): a section's or a
        tag's spelling, an author's name and bio.
        """
        gettext = self.gettext
        home = gettext("Home")
        kind, _, rest = key.partition(":")
        if kind == "h":
            return _Listing("home", "", self.pub.name, rows, order=[0, "", 0])
        if kind == "s":
            # (a section that is gone keeps its story's spelling, to name its folder)
            name = self._names.get(rest) or rows[0].section or "News"
            return _Listing(
                "section",
                f"{rest}/",
                name,
                rows,
                current=rest,
                crumbs=[(home, ""), (name, f"{rest}/")],
                feed=f"{site_pages.FEEDS_DIR}/{rest}.xml",
                order=[1, rest, 0],
            )
        if kind == "t":
            spelling = next(t for t in rows[0].tags if tag_segment(t) == rest)
            heading = gettext("Topic: %(tag)s") % {"tag": spelling}
            folder = f"{site_pages.TAG_DIR}/{rest}/"
            return _Listing(
                "tag",
                folder,
                heading,
                rows,
                crumbs=[(home, ""), (heading, folder)],
                order=[2, rest, 0],
            )
        if kind == "m":
            year, month = (int(x) for x in rest.split("-"))
            folder = f"{site_pages.ARCHIVE_DIR}/{year:04d}/{month:02d}/"
            label = i18n.month_name(year, month, self.lang)
            heading = gettext("Stories from %(month)s") % {"month": label}
            return _Listing(
                "month",
                folder,
                heading,
                rows,
                crumbs=[(home, ""), (heading, folder)],
                order=[3, -(year * 12 + month), 0],
            )
        author = next(a for a in rows[0].authors if a[0] == rest)
        _uid, name, slug, bio, url = author
        folder = f"authors/{slug}/"
        return _Listing(
            "author",
            folder,
            name,
            rows,
            crumbs=[(home, ""), (name, folder)],
            intro=bio,
            intro_url=url,
            description=gettext("Stories by %(name)s in %(publication)s.")
            % {"name": name, "publication": self.pub.name},
            order=[4, slug, 0],
        )

    def archive(self, counts: dict[str, int]) -> None:
        """archive/index.html from the number of stories of each month ("m:yyyy-mm" -> count)."""
        months: list[tuple[str, str, str]] = []
        for key in sorted(counts, reverse=True):
            year, month = (int(x) for x in key[2:].split("-"))
            label = i18n.month_name(year, month, self.lang)
            months.append(
                (label, f"{year:04d}/{month:02d}/index.html", i18n.number(counts[key], self.lang))
            )
        self._archive(months)

    def home_feed(self, top: list[ListingRow]) -> None:
        """feed.xml: the site's newest FEED_ITEMS stories."""
        self._feed(top, "feed.xml", self.pub.name, "")

    def section_feed(self, seg: str, top: list[ListingRow]) -> None:
        """feeds/<seg>.xml: the section's newest SECTION_FEED_ITEMS stories."""
        self._feed(
            top,
            f"{site_pages.FEEDS_DIR}/{seg}.xml",
            f"{self.pub.name}: {self._names[seg]}",
            f"{seg}/",
        )

    # ---- one listing, page by page ------------------------------------
    def _shell(self, folder: str, current: str | None) -> dict[str, Any]:
        """What every page of the site carries besides its own content."""
        root = site_pages.root_prefix(folder)
        assets = ExportAssets(self.library_root, images={}, pages={}, root=root)
        return {
            "lang": self.lang,
            "publication_name": self.pub.name,
            "canonical_url": site_url(self.base_url, folder) if self.base_url else "",
            "stylesheet_href": assets.stylesheet_href,
            "favicon_href": assets.favicon_href,
            "home_href": assets.home_href,
            "feed_href": assets.feed_href,
            "archive_href": f"{root}{site_pages.ARCHIVE_DIR}/index.html",
            "sections": [
                (name, f"{root}{seg}/index.html", seg == current)
                for seg, name in self._names.items()
            ],
            "og_locale": i18n.og_locale(self.lang),
            "logo_url": self.logo.url if self.logo else "",
        }

    def listing_page(self, listing: _Listing, chunk: list[ListingRow], number: int, total: int):
        """Write page `number` of `total` of a listing, showing chunk; returns its sitemap entry.

        The entry is [order, folder, newest lastmod_us, kind]: `order` sorts
        the pages as write_all lists them.
        """
        folder = site_pages.page_dir(listing.folder, number)
        signature = json.dumps(
            [
                listing.kind,
                folder,
                listing.heading,
                listing.current,
                listing.feed,
                listing.intro,
                listing.intro_url,
                listing.description,
                number,
                total,
                list(self._names.items()),
                [r.card_of_listing() for r in chunk],
            ],
            ensure_ascii=False,
        )
        rel, template = f"{folder}index.html", _TEMPLATES[listing.kind]
        if self.render_page is not None:
            self.render_page(
                rel, template, signature, (rel, template, listing, chunk, number, total, folder)
            )
        else:
            self.render_lazy(
                rel,
                template,
                signature,
                lambda: {"page": self._page_view(listing, chunk, number, total, folder)},
            )
        newest = max((r.lastmod_us for r in chunk), default=to_us(_EMPTY_SITE_DATE))
        return [[*listing.order[:2], number], folder, newest, listing.kind]

    def _page_view(self, listing: _Listing, chunk, number: int, total: int, folder: str):
        gettext = self.gettext
        pub = self.pub
        root = site_pages.root_prefix(folder)
        pager = site_pages.pager(listing.folder, number, total, self.lang)
        title = listing.heading if listing.kind != "home" else ""
        if number > 1:
            where = gettext("Page %(num)s of %(total)s") % {
                "num": pager.number_text,
                "total": pager.total_text,
            }
            title = f"{title} – {where}" if title else where
        view = ListingView(
            title=f"{title} | {pub.name}" if title else pub.name,
            description=listing.description
            or gettext("The latest stories from %(name)s.") % {"name": pub.name},
            heading=listing.heading,
            heading_is_name=listing.kind == "home",
            items=_first_picture_eager([self._item(r, root) for r in chunk]),
            pages=pager,
            intro=listing.intro,
            intro_url=listing.intro_url,
            **self._shell(folder, listing.current),
        )
        if listing.feed:
            view.section_feed = (listing.heading, root + listing.feed)
        view.json_ld = json_for_script(
            self._listing_ld(view, listing.kind, listing.crumbs, chunk, number)
        )
        return view

    def _item(self, r: ListingRow, root: str) -> ListingItem:
        w = from_us(r.when_us)
        thumb = None
        if r.hero is not None:
            sha, alt, files = r.hero
            assets = ExportAssets(
                self.library_root,
                images={sha: SiteImage(tuple(tuple(f) for f in files))},
                pages={},
                root=root,
            )
            thumb = assets.image_ref(
                SimpleNamespace(sha256=sha, uid=sha), alt=alt, purpose="listing"
            )
        text = self._dates.get(r.when_us)
        if text is None:
            text = self._dates[r.when_us] = i18n.human_date(
                w, language=self.pub.language, tz_name=self.tz
            )
        return ListingItem(
            href=f"{root}{r.folder}/index.html",
            headline=r.headline,
            dek=r.dek,
            lang=r.lang,
            date_iso=dates.iso(w, self.tz),
            date_text=text,
            thumb=thumb,
        )

    def _listing_ld(self, view, kind, crumbs, rows, number) -> list[dict[str, Any]]:
        """JSON-LD for a listing page: WebSite and Organization on the front page, a
        CollectionPage for every listing, and a BreadcrumbList below the front page."""
        pub = self.pub
        base = self.base_url
        out: list[dict[str, Any]] = []
        org: dict[str, Any] = {"@type": "Organization", "name": pub.name}
        if base:
            org["url"] = base
        if self.logo is not None:
            org["logo"] = {
                "@type": "ImageObject",
                "url": self.logo.url,
                "width": self.logo.width,
                "height": self.logo.height,
            }
        if kind == "home" and number == 1:
            site: dict[str, Any] = {
                "@context": "https://schema.org",
                "@type": "WebSite",
                "name": pub.name,
                "inLanguage": view.lang,
                "publisher": org,
            }
            if base:
                site["url"] = base
            out.append(site)
            out.append({"@context": "https://schema.org", **org})
        page: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "CollectionPage",
            "name": view.heading,
            "inLanguage": view.lang,
            "isPartOf": {"@type": "WebSite", "name": pub.name, **({"url": base} if base else {})},
        }
        if view.canonical_url:
            page["url"] = view.canonical_url
        if rows:
            page["mainEntity"] = {
                "@type": "ItemList",
                "itemListElement": [
                    {
                        "@type": "ListItem",
                        "position": i,
                        "url": self._url(r.folder),
                        "name": r.headline,
                    }
                    for i, r in enumerate(rows, start=1)
                ],
            }
        out.append(page)
        if crumbs:
            out.append(breadcrumbs(crumbs, base))
        return out

    def _archive(self, months: list[tuple[str, str, str]]) -> None:
        """archive/: every month with stories, newest first, each with its count."""
        gettext = self.gettext
        home = gettext("Home")
        folder = f"{site_pages.ARCHIVE_DIR}/"

        def build() -> dict[str, Any]:
            title = gettext("Archive")
            view = ListingView(
                title=f"{title} | {self.pub.name}",
                description=gettext("The latest stories from %(name)s.") % {"name": self.pub.name},
                heading=title,
                items=[],
                months=months,
                **self._shell(folder, None),
            )
            view.json_ld = json_for_script(
                self._listing_ld(view, "archive", [(home, ""), (title, folder)], [], 1)
            )
            return {"page": view}

        signature = json.dumps([months, list(self._names.items())], ensure_ascii=False)
        self.render_lazy(f"{folder}index.html", "archive.html", signature, build)

    def _not_found(self) -> None:
        """404.html at the root; its links are absolute from the site's root when there is a base
        URL (a server shows it at any depth), else relative to the root."""

        def build() -> dict[str, Any]:
            common = self._shell("", None)
            common["canonical_url"] = ""
            # Not the section links: from a file:// copy their root-based addresses lead
            # nowhere, and the one way on that always works is the front page.
            common["sections"] = []
            if self.base_url:
                root = urlsplit(self.base_url).path or "/"
                for key in ("stylesheet_href", "favicon_href", "home_href", "feed_href"):
                    common[key] = root + common[key]
                common["archive_href"] = root + common["archive_href"]
            title = self.gettext("Page not found")
            name = self.pub.name
            view = ListingView(
                title=f"{title} | {name}" if name else title,
                description="",
                heading=title,
                items=[],
                **common,
            )
            return {"page": view}

        self.render_lazy("404.html", "not_found.html", "", build)

    # ---- feeds ------------------------------------------------------------


def _first_picture_eager(items: list[ListingItem]) -> list[ListingItem]:
    """The listing's first picture loads at once (it is the page's largest paint); the rest lazily."""
    for item in items:
        if item.thumb is not None:
            item.lazy = False
            break
    return items


def section_segment(name: str) -> str:
    return _section_segment(name)
