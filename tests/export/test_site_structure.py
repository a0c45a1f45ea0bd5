"""The site around the stories: paginated listings, tag pages, the archive, 404, feeds, JSON-LD."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
from sqlalchemy import insert

from newsdesk.export import export_site
from newsdesk.export.pages import PAGE_SIZE_SETTING
from newsdesk.library.models import Article, Figure
from tests.export.ld import ld_objects
from tests.export.sample import NOW, add_image, make_jpeg, published

BASE = "https://gazette.example.net/"


class Page(HTMLParser):
    """The links, metas, JSON-LD and listing entries of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[dict[str, str]] = []
        self.meta: dict[str, str] = {}
        self.ld: list[str] = []
        self.items = 0
        self._in_ld = False

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "link" and "rel" in a:
            self.links.append(a)
        if tag == "meta" and ("property" in a or "name" in a):
            self.meta[a.get("property") or a["name"]] = a.get("content", "")
        if tag == "li" and a.get("class") == "listing-item":
            self.items += 1
        self._in_ld = tag == "script" and a.get("type") == "application/ld+json"

    def handle_endtag(self, tag):
        self._in_ld = False

    def handle_data(self, data):
        if self._in_ld:
            self.ld.append(data)

    def rel(self, name: str) -> list[str]:
        return [a["href"] for a in self.links if a.get("rel") == name]

    def types(self) -> set[str]:
        return {o["@type"] for text in self.ld for o in ld_objects(text)}


def story(library, hero, headline: str, **fields):
    """A story that passes preflight."""
    fields.setdefault("dek", "What happened on the quay.")
    fields.setdefault("body", "The first paragraph.\n\nThe second paragraph.")
    return published(library, hero=hero, headline=headline, **fields)


def parse(path: Path) -> Page:
    p = Page()
    p.feed(path.read_text(encoding="utf-8"))
    return p


@pytest.fixture
def hero(library, tmp_path):
    return add_image(
        library,
        make_jpeg(tmp_path / "photos" / "wide.jpg", (1400, 933), (40, 70, 120)),
        alt_text="Boats in the harbour at dawn",
        credit="Ana Ruiz / Gazette",
    )


def test_a_section_of_1001_stories_is_paginated_with_stable_addresses(library, hero, tmp_path):
    library.update_publication(base_url=BASE)
    library.set_setting(PAGE_SIZE_SETTING, 50)
    total = 1001
    rows, figures = [], []
    for n in range(1, total + 1):
        when = NOW - timedelta(hours=n)
        rows.append({
            "id": n, "uid": str(uuid.uuid4()), "headline": f"Harbour brief {n}", "dek": "A short one.",
            "slug": f"brief-{n}", "byline": "By Ana Ruiz", "section": "Briefs", "body": "One line.",
            "status": "published", "language": "en", "seo_title": "", "seo_description": "",
            "embargo_until": None, "published_at": when, "version": 1, "created_at": when, "updated_at": when,
        })  # fmt: skip
        figures.append({
            "article_id": n, "image_id": hero.id, "role": "hero", "position": 0, "caption": "",
            "alt_text": hero.alt_text, "uid": str(uuid.uuid4()), "created_at": when, "updated_at": when,
        })  # fmt: skip
    with library.engine.begin() as conn:
        conn.execute(insert(Article), rows)
        conn.execute(insert(Figure), figures)
    site = tmp_path / "site"
    report = export_site(library, site)
    assert report.ok, report.problem_lines()

    # 1,001 stories at 50 a page: the section's own address, then page/2/ … page/21/.
    first = parse(site / "briefs" / "index.html")
    assert first.items == 50
    assert first.rel("canonical") == [f"{BASE}briefs/"]
    assert first.rel("prev") == [] and first.rel("next") == ["page/2/index.html"]
    middle = parse(site / "briefs" / "page" / "2" / "index.html")
    assert middle.rel("canonical") == [f"{BASE}briefs/page/2/"]
    assert middle.rel("prev") == ["../../index.html"]
    assert middle.rel("next") == ["../3/index.html"]
    last = parse(site / "briefs" / "page" / "21" / "index.html")
    assert last.items == 1 and last.rel("next") == []
    assert not (site / "briefs" / "page" / "22").exists()
    assert not (site / "briefs" / "page" / "1").exists()
    # The front page goes on the same way, and every page stays small.
    assert parse(site / "page" / "21" / "index.html").items == 1
    assert (site / "briefs" / "index.html").stat().st_size < 80_000
    # Every page of every listing is in the sitemap.
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{BASE}briefs/page/21/</loc>" in sitemap
    assert f"<loc>{BASE}page/21/</loc>" in sitemap


def test_tags_have_pages_and_the_article_links_to_them(library, hero, tmp_path):
    library.update_publication(base_url=BASE)
    a = story(library, hero, "Storm closes harbour", tags=["Weather", "Port of Leith"])
    story(library, hero, "Ferries resume", tags=["Port of Leith"])
    site = tmp_path / "site"
    assert export_site(library, site).ok

    tag_page = site / "tag" / "port-of-leith" / "index.html"
    html = tag_page.read_text(encoding="utf-8")
    assert parse(tag_page).items == 2
    assert "Topic: Port of Leith" in html
    article = (site / "news" / a.slug / "index.html").read_text(encoding="utf-8")
    assert 'href="../../tag/weather/index.html"' in article
    assert 'href="../../tag/port-of-leith/index.html"' in article


def test_every_page_type_carries_open_graph_twitter_and_its_json_ld(library, hero, tmp_path):
    library.update_publication(base_url=BASE, name="The Harbour Gazette")
    a = story(library, hero, "Storm closes harbour", tags=["Weather"])
    site = tmp_path / "site"
    assert export_site(library, site).ok
    month = f"archive/{a.published_at:%Y/%m}/index.html"
    expected = {
        "index.html": {"WebSite", "Organization", "CollectionPage"},
        "news/index.html": {"CollectionPage", "BreadcrumbList"},
        "tag/weather/index.html": {"CollectionPage", "BreadcrumbList"},
        month: {"CollectionPage", "BreadcrumbList"},
        "archive/index.html": {"CollectionPage", "BreadcrumbList"},
        f"news/{a.slug}/index.html": {"NewsArticle", "BreadcrumbList"},
    }
    for rel, types in expected.items():
        page = parse(site / rel)
        assert page.types() == types, rel
        for key in ("og:title", "og:type", "og:url", "og:locale", "og:site_name", "twitter:card"):
            assert page.meta.get(key), (rel, key)
        assert page.meta["og:locale"] == "en_US"
        assert page.rel("alternate"), f"{rel} does not link its feed"
    site_ld = {o["@type"]: o for o in ld_objects(parse(site / "index.html").ld[0])}
    assert site_ld["WebSite"]["name"] == "The Harbour Gazette"
    assert site_ld["WebSite"]["url"] == BASE
    crumbs = {o["@type"]: o for o in ld_objects(parse(site / "news" / a.slug / "index.html").ld[0])}
    names = [i["name"] for i in crumbs["BreadcrumbList"]["itemListElement"]]
    assert names == ["Home", "News", "Storm closes harbour"]
    assert crumbs["BreadcrumbList"]["itemListElement"][1]["item"] == f"{BASE}news/"


def test_the_404_page_works_at_any_depth_of_the_site(library, hero, tmp_path):
    library.update_publication(base_url="https://example.org/gazette/")
    story(library, hero, "Storm closes harbour")
    site = tmp_path / "site"
    assert export_site(library, site).ok
    html = (site / "404.html").read_text(encoding="utf-8")
    assert "<h1" in html and "Page not found" in html
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert hrefs and all(h.startswith(("/gazette/", "#")) for h in hrefs), hrefs


def test_feeds_carry_each_storys_full_text_and_one_feed_per_section(library, hero, tmp_path):
    library.update_publication(base_url=BASE)
    body = (
        "First paragraph <script>alert(1)</script> of the storm.\n\n## Later\n\nThe ferries stop."
    )
    a = story(library, hero, "Storm closes harbour", body=body)
    story(library, hero, "Vote tonight", section="Politics", body="Short.")
    site = tmp_path / "site"
    assert export_site(library, site).ok

    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    entry = next(e for e in feed.entries if e.title == "Storm closes harbour")
    content = entry.content[0].value
    assert "The ferries stop." in content and "<h2" in content
    assert "<script" not in content
    assert f'src="{BASE}assets/' in content  # the hero picture, by an absolute address
    assert entry.link == f"{BASE}news/{a.slug}/"
    politics = feedparser.parse((site / "feeds" / "politics.xml").read_bytes())
    assert not politics.bozo, politics.bozo_exception
    assert [e.title for e in politics.entries] == ["Vote tonight"]
    section_page = (site / "politics" / "index.html").read_text(encoding="utf-8")
    assert 'href="../feeds/politics.xml"' in section_page


def test_an_unusable_page_size_setting_gives_the_default(library, hero, tmp_path):
    from newsdesk.export.pages import DEFAULT_PAGE_SIZE, page_size

    for bad in ("many", -3, 0, 10_000, None, [5]):
        assert page_size(bad) == DEFAULT_PAGE_SIZE
    assert page_size("12") == 12
