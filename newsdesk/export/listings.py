"""The site's listings, feed and sitemaps, built from one small row per article (not the articles).

A `ListingRow` holds everything the listing pages (the front page, sections,
tags, authors and the archive, each paginated), the feeds and the sitemaps say
about one story. A full export makes the rows from the
articles; an incremental export reads the unchanged ones back from the
library's export state (export/state.py). Both then go through the same code
here (`Listings.write_all`), so an incremental export writes the same bytes a
full one does. Every listing file is keyed by a cheap signature of what it
shows (its rows' fingerprints, its place in the listing, the navigation): a
file whose signature is that of the previous export is carried over without
its page being built, so an edit republishes exactly the listing pages,
feeds and sitemaps it touches.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote, urlsplit

from newsdesk.export import pages as site_pages
from newsdesk.export.assets import ExportAssets, SiteImage, site_key, site_url
from newsdesk.library.models import Article, Publication
from newsdesk.render import dates, i18n
from newsdesk.render.page import PublisherLogo, breadcrumbs, json_for_script, split_byline
from newsdesk.rules import section_segment as _section_segment
from newsdesk.rules import tag_segment

# Bump when ListingRow gains or changes a field: export states of older rows
# are then rebuilt by a full check instead of being read.
ROWS_FORMAT = 3  # 3: rows carry their tags (tag pages)
FEED_ITEMS = 50
SECTION_FEED_ITEMS = 20  # each section's own feed: its newest stories, in full
NEWS_SITEMAP_WINDOW = timedelta(days=2)
# The protocols' limits per file: Google News reads at most 1,000 URLs from a
# news sitemap, sitemaps.org allows 50,000. Beyond them the URLs are split
# into numbered parts listed by a sitemap index under the usual name.
NEWS_SITEMAP_LIMIT = 1_000
SITEMAP_LIMIT = 50_000
NO_BASE_URL_WARNING = (
    "The publication has no base URL, so the pages have no canonical links and the site has "
    "no sitemaps or robots.txt; set one in Preferences or with: newsdesk publication --base-url URL"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# An empty site's feed and sitemap still need a fixed date, or every export would rewrite them.
_EMPTY_SITE_DATE = datetime(2000, 1, 1, tzinfo=UTC)

# render(rel, template, **context): writes one file, keyed by its whole context
Render = Callable[..., None]
# render_lazy(rel, template, signature, build): writes one file keyed by `signature`;
# build() makes its context, and is only called when the signature is new
RenderLazy = Callable[[str, str, str, Callable[[], dict[str, Any]]], None]
# feed_content(row, root) -> the story's hero and body as safe HTML, addresses from root
FeedContent = Callable[["ListingRow", str], str]


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
    w = when(article)
    hero = article.hero
    hero_data = None

    def set_key(image, words=None) -> str | None:
        """Which rendition set shows the picture (a story's own words may have their own)."""
        key = site_key(image, words)
        return key if key in images else image.sha256 if image.sha256 in images else None

    if hero is not None:
        key = set_key(hero.image, (hero.caption or "", hero.alt_text or ""))
        hero_data = [key, hero.alt_text, [list(f) for f in images[key].files]]
    keys = {set_key(f.image, (f.caption or "", f.alt_text or "")) for f in article.figures}
    keys |= {set_key(img) for img in own[len(article.figures) :]}
    # Every file the page points at, the hero's crops included: what a later
    # export may only delete once no page uses it.
    files = sorted({e[0] for k in keys if k is not None for e in images[k].entries()})
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
        files=files,
        authors=[[au.uid, au.name, au.slug, au.bio, au.url] for au in article.authors],
        tags=list(dict.fromkeys(article.tags)),
    )


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


def sitemap_listing_urls(listing_pages: list[list[Any]]) -> list[tuple[str, int]]:
    """(folder, lastmod_us) of the listing pages a sitemap lists: all but the author pages."""
    return [
        (folder, lastmod) for _order, folder, lastmod, kind in listing_pages if kind != "author"
    ]


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
class FeedEntry:
    id: str
    title: str
    url: str
    published: str
    updated: str
    authors: list[str]
    summary: str
    section: str
    lang: str
    content: str = ""  # the story's safe HTML, with its hero picture


@dataclass
class FeedView:
    id: str
    title: str
    lang: str
    home_url: str
    self_url: str
    updated: str
    author: str
    entries: list[FeedEntry]


@dataclass
class SitemapUrl:
    loc: str
    lastmod: str


@dataclass
class NewsItem:
    url: str
    title: str
    published: str
    language: str


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
class Listings:
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
    def write_all(self, rows: list[ListingRow]) -> None:
        """Every listing page, the archive, 404.html, the feeds and (with a base URL) the sitemaps.

        rows: every story of the site, newest first. Leaves in `listing_pages`
        the sitemap entry of every listing page, for later incremental exports.
        """
        self._names = self.section_names(
            {r.seg: r for r in reversed(rows)}.values()  # the newest row of each section
        )
        groups: dict[str, list[ListingRow]] = {}
        for r in rows:
            for key in listing_keys(r, self.tz):
                groups.setdefault(key, []).append(r)
        listings = [self.listing_for("h", rows)]
        listings += [self.listing_for(k, groups[k]) for k in groups if k != "h"]
        listings.sort(key=lambda listing: listing.order)
        self.listing_pages: list[list[Any]] = []
        for listing in listings:
            chunks = site_pages.split(listing.rows, self.page_size)
            for number, chunk in enumerate(chunks, start=1):
                self.listing_pages.append(self.listing_page(listing, chunk, number, len(chunks)))
        self.archive({key: len(items) for key, items in groups.items() if key.startswith("m:")})
        self._not_found()
        self.home_feed(rows[:FEED_ITEMS])
        for key in sorted(k for k in groups if k.startswith("s:")):
            self.section_feed(key[2:], groups[key][:SECTION_FEED_ITEMS])
        if self.base_url:
            cutoff = self.news_cutoff_us()
            self.sitemaps(
                sitemap_listing_urls(self.listing_pages),
                rows,
                [r for r in rows if r.when_us >= cutoff],
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
        self.render_lazy(
            f"{folder}index.html",
            _TEMPLATES[listing.kind],
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
    def _url(self, folder: str) -> str:
        """A story's address for the feed and sitemaps: absolute, or relative to the site root."""
        if self.base_url:
            return site_url(self.base_url, folder + "/")
        return quote(folder + "/index.html", safe="/")

    def _feed(self, top: list[ListingRow], rel: str, title: str, home: str) -> None:
        """An Atom feed with each story's full text and hero picture (the site's, or a section's).

        Its links are absolute when there is a base URL, else relative to the feed file.
        """
        base = self.base_url
        tz = self.tz
        root = base or site_pages.root_prefix(rel)
        entries = [
            FeedEntry(
                id=f"urn:uuid:{r.uid}",
                title=r.headline,
                url=self._url(r.folder) if base else root + self._url(r.folder),
                published=dates.iso(from_us(r.when_us), tz),
                updated=dates.iso(from_us(r.lastmod_us), tz),
                authors=split_byline(r.byline),
                summary=r.summary,
                section=r.section,
                lang=r.lang,
            )
            for r in top
        ]
        newest_us = max((r.lastmod_us for r in top), default=to_us(_EMPTY_SITE_DATE))
        feed = FeedView(
            id=site_url(base, rel) if base else f"urn:uuid:{self.pub.uid}:{rel}",
            title=title,
            lang=self.lang,
            home_url=site_url(base, home) if base else f"{root}{home}index.html",
            self_url=site_url(base, rel) if base else rel.rsplit("/", 1)[-1],
            updated=dates.iso(from_us(newest_us), tz),
            author=self.pub.name,
            entries=entries,
        )

        def build() -> dict[str, Any]:
            if self.feed_content is not None:
                for entry, r in zip(entries, top, strict=True):
                    entry.content = self.feed_content(r, root)
            return {"feed": feed}

        # The stories' full text is costly to render (Markdown): the feed is keyed by
        # what decides it (its entries and what each story's text was made from).
        signature = f"{feed!r}|{root}|{[self.content_key(r) for r in top]}"
        self.render_lazy(rel, "feed.xml", signature, build)

    # ---- sitemaps -----------------------------------------------------------
    def sitemaps(
        self,
        listing_urls: list[tuple[str, int]],
        rows: list[ListingRow],
        recent: list[ListingRow],
        *,
        parts: Callable[[], list[str]] | None = None,
    ) -> list[str]:
        """sitemap.xml (in parts when long: export/sitemap_parts.py), news-sitemap.xml (split
        when long), and robots.txt naming them.

        listing_urls: (folder, lastmod_us) of every listing page; rows: every
        story, newest first; recent: the stories published within
        NEWS_SITEMAP_WINDOW of now, newest first. Only with a base URL: a
        sitemap's addresses must be absolute. parts: instead of listing_urls
        and rows, what writes the parts an edit changed (and returns every
        file of the sitemap). Returns every file written.
        """
        assert self.base_url
        base = self.base_url
        from newsdesk.export import sitemap_parts  # (it builds on this module)

        if parts is not None:  # an edit's update of a sitemap in parts (listings_update.py)
            written = parts()
        elif sitemap_parts.is_split(len(listing_urls), len(rows)):
            written = sitemap_parts.SitemapParts(self).write_all(listing_urls, rows)
        else:
            urls = [
                SitemapUrl(site_url(base, folder), dates.iso(from_us(lastmod), "UTC"))
                for folder, lastmod in listing_urls
            ]
            urls += [
                SitemapUrl(self._url(r.folder), dates.iso(from_us(r.lastmod_us), "UTC"))
                for r in rows
            ]
            written = self._sitemap_files("sitemap", "sitemap.xml", SITEMAP_LIMIT, urls, key="urls")
        news = [
            NewsItem(
                url=self._url(r.folder),
                title=r.headline,
                published=dates.iso(from_us(r.when_us), "UTC"),
                language=_news_language(r.lang or self.lang),
            )
            for r in recent
        ]
        written += self._sitemap_files(
            "news-sitemap",
            "news_sitemap.xml",
            NEWS_SITEMAP_LIMIT,
            news,
            key="items",
            publication_name=self.pub.name,
        )
        # robots.txt names the sitemaps (or their indexes), never their parts.
        listed = [f for f in ("sitemap.xml", "news-sitemap.xml") if f in written]
        self.render("robots.txt", "robots.txt", sitemaps=[site_url(base, f) for f in listed])
        return [*written, "robots.txt"]

    def _sitemap_files(
        self, name: str, template: str, limit: int, entries: list, *, key: str, **context: Any
    ) -> list[str]:
        """Write `name`.xml, or numbered parts and an index under that name; the files written.

        An empty urlset is invalid, so no entries means no file at all (and
        nothing for robots.txt to name).
        """
        if not entries:
            return []
        parts = [entries[i : i + limit] for i in range(0, len(entries), limit)]
        if len(parts) == 1:
            self.render(f"{name}.xml", template, **{key: entries}, **context)
            return [f"{name}.xml"]
        index, written = [], []
        for number, part in enumerate(parts, start=1):
            rel = f"{name}-{number}.xml"
            self.render(rel, template, **{key: part}, **context)
            written.append(rel)
            index.append(SitemapUrl(site_url(self.base_url, rel), _newest_lastmod(part)))
        self.render(f"{name}.xml", "sitemap_index.xml", sitemaps=index)
        return [*written, f"{name}.xml"]

    def news_cutoff_us(self) -> int:
        return to_us(self.now - NEWS_SITEMAP_WINDOW)


def is_sitemap_file(rel: str) -> bool:
    """True for the files Listings.sitemaps writes (a sitemap, a part of one, robots.txt)."""
    if rel == "robots.txt":
        return True
    return "/" not in rel and rel.endswith(".xml") and rel.startswith(("sitemap", "news-sitemap"))


def _first_picture_eager(items: list[ListingItem]) -> list[ListingItem]:
    """The listing's first picture loads at once (it is the page's largest paint); the rest lazily."""
    for item in items:
        if item.thumb is not None:
            item.lazy = False
            break
    return items


def _newest_lastmod(entries: list) -> str:
    """The newest date among a sitemap part's entries (ISO strings in UTC sort as times)."""
    return max(getattr(e, "lastmod", "") or getattr(e, "published", "") for e in entries)


def _news_language(lang: str) -> str:
    """Google News wants ISO 639 codes, with zh-cn and zh-tw as the only regional ones."""
    lang = (lang or "en").lower()
    if lang.startswith("zh"):
        return "zh-tw" if lang in ("zh-tw", "zh-hant", "zh-hk") else "zh-cn"
    return lang.split("-")[0]


def section_segment(name: str) -> str:
    return _section_segment(name)
