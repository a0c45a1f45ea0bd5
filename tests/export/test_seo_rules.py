"""What a site tells search engines and feed readers: sitemaps within the rules, robots.txt, the feed
link, canonical addresses only when a base URL is set, JSON-LD, and what loads first."""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from sqlalchemy import insert

from newsdesk.cli import main
from newsdesk.export import export_site
from newsdesk.export.site import NEWS_SITEMAP_LIMIT
from newsdesk.library.models import Article, Figure
from newsdesk.preflight import preflight
from newsdesk.render.page import cut_at_word
from tests.export.ld import ld_of_type
from tests.export.sample import NOW, add_image, make_jpeg, published

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "https://gazette.example.net/"


class Head(HTMLParser):
    """Every start tag with its attributes, and the JSON-LD text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.ld = ""
        self._in_ld = False

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        self._in_ld = tag == "script" and a.get("type") == "application/ld+json"

    def handle_endtag(self, tag):
        self._in_ld = False

    def handle_data(self, data):
        if self._in_ld:
            self.ld += data


def parse(page: Path) -> Head:
    h = Head()
    h.feed(page.read_text(encoding="utf-8"))
    return h


def links(h: Head, rel: str) -> list[dict[str, str]]:
    return [a for t, a in h.tags if t == "link" and a.get("rel") == rel]


def metas(h: Head, prop: str) -> list[str]:
    return [a["content"] for t, a in h.tags if t == "meta" and a.get("property") == prop]


@pytest.fixture
def hero(library, tmp_path):
    return add_image(
        library,
        make_jpeg(tmp_path / "photos" / "wide.jpg", (1400, 933), (40, 70, 120)),
        alt_text="Boats in the harbour at dawn",
        credit="Ana Ruiz / Gazette",
    )


def story(library, hero, n: int = 0, **fields):
    fields.setdefault("headline", f"Harbour story number {n}")
    fields.setdefault("dek", "What happened on the quay.")
    fields.setdefault("section", "News")
    fields.setdefault("body", "First paragraph.\n\nSecond paragraph.")
    return published(library, hero=hero, **fields)


def validate_urlset(path: Path, *, limit: int, news: bool) -> list[str]:
    """The sitemaps.org structure: a non-empty urlset of <url><loc> within the limit; the locs."""
    root = ET.parse(path).getroot()
    assert root.tag == f"{SM}urlset", path
    urls = root.findall(f"{SM}url")
    assert 0 < len(urls) <= limit, (path, len(urls))
    locs = []
    for url in urls:
        loc = url.find(f"{SM}loc").text
        assert loc.startswith(BASE), loc
        if news:
            item = url.find(f"{NEWS}news")
            assert item.find(f"{NEWS}publication/{NEWS}name").text
            assert item.find(f"{NEWS}publication_date").text
            assert item.find(f"{NEWS}title").text
        locs.append(loc)
    return locs


def test_without_a_base_url_the_site_has_no_absolute_addresses_and_says_so(
    capsys, library, hero, tmp_path
):
    assert library.publication().base_url == ""
    a = story(library, hero)
    root = str(library.root)
    library.close()

    rc = main(["--library", root, "export", "--all", "--out", str(tmp_path / "site")])
    out, err = capsys.readouterr()

    assert rc == 0, err
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert (
        len(warnings) == 1
        and "no base URL" in warnings[0]
        and "newsdesk publication --base-url" in warnings[0]
    )
    site = tmp_path / "site"
    assert not list(site.glob("*sitemap*")) and not (site / "robots.txt").exists()
    page = site / "news" / a.slug / "index.html"
    html = page.read_text(encoding="utf-8")
    assert "example.org" not in html and "https://" not in html.replace("https://schema.org", "")
    h = parse(page)
    assert links(h, "canonical") == [] and metas(h, "og:url") == [] and metas(h, "og:image") == []
    ld = ld_of_type(h.ld)
    assert "url" not in ld and "mainEntityOfPage" not in ld and "url" not in ld["publisher"]
    # The site still works from files: the feed link and every local link lead to a file.
    for p in site.rglob("*.html"):
        ph = parse(p)
        feed = links(ph, "alternate")
        # The site's feed on every page (first), a section's own after it on its pages.
        assert 1 <= len(feed) <= 2 and all(f["type"] == "application/atom+xml" for f in feed)
        assert (p.parent / feed[0]["href"]).resolve() == (site / "feed.xml").resolve()
        assert all((p.parent / f["href"]).resolve().is_file() for f in feed)
        for t, attrs in ph.tags:
            href = attrs.get("href", "") if t in ("a", "link") else attrs.get("src", "")
            if href and not href.startswith(("#", "mailto:")):
                assert (p.parent / unquote(href)).resolve().is_file(), (p, href)
    feed = ET.parse(site / "feed.xml").getroot()
    entry_link = feed.find(f"{ATOM}entry/{ATOM}link").get("href")
    assert (site / unquote(entry_link)).is_file()  # relative to feed.xml, which is at the root
    assert feed.find(f"{ATOM}id").text.startswith("urn:uuid:")


def test_with_a_base_url_pages_are_canonical_and_robots_names_the_sitemaps(library, hero, tmp_path):
    library.update_publication(base_url=BASE)
    fresh = story(library, hero, 1)
    old = story(library, hero, 2, section="Politics", published_at=NOW - timedelta(days=10))
    site = tmp_path / "site"

    report = export_site(library, site)

    assert report.ok and report.warnings == []
    h = parse(site / "news" / fresh.slug / "index.html")
    assert links(h, "canonical")[0]["href"] == f"{BASE}news/{fresh.slug}/"
    assert metas(h, "og:url") == [f"{BASE}news/{fresh.slug}/"]
    locs = validate_urlset(site / "sitemap.xml", limit=50_000, news=False)
    assert set(locs) == {
        BASE,
        f"{BASE}news/",
        f"{BASE}politics/",
        f"{BASE}news/{fresh.slug}/",
        f"{BASE}politics/{old.slug}/",
        f"{BASE}archive/{fresh.published_at:%Y/%m}/",
        f"{BASE}archive/{old.published_at:%Y/%m}/",
    }
    news = validate_urlset(site / "news-sitemap.xml", limit=NEWS_SITEMAP_LIMIT, news=True)
    assert news == [f"{BASE}news/{fresh.slug}/"]  # only the last two days
    robots = (site / "robots.txt").read_text(encoding="utf-8")
    assert re.findall(r"^Sitemap: (\S+)$", robots, re.M) == [
        f"{BASE}sitemap.xml",
        f"{BASE}news-sitemap.xml",
    ]
    assert "User-agent: *" in robots


def test_no_news_sitemap_is_written_or_named_when_nothing_is_recent(library, hero, tmp_path):
    library.update_publication(base_url=BASE)
    story(library, hero, published_at=NOW - timedelta(days=5))
    site = tmp_path / "site"
    export_site(library, site)
    assert not (site / "news-sitemap.xml").exists()
    robots = (site / "robots.txt").read_text(encoding="utf-8")
    assert "news-sitemap" not in robots and f"Sitemap: {BASE}sitemap.xml" in robots

    # A story published now brings it back; when it ages out, it goes again.
    fresh = story(library, hero, 9)
    export_site(library, site)
    assert validate_urlset(site / "news-sitemap.xml", limit=NEWS_SITEMAP_LIMIT, news=True) == [
        f"{BASE}news/{fresh.slug}/"
    ]
    library.update_article(fresh.id, published_at=NOW - timedelta(days=3))
    export_site(library, site)
    assert not (site / "news-sitemap.xml").exists()


def test_more_than_a_thousand_recent_stories_split_the_news_sitemap_with_an_index(
    library, hero, tmp_path
):
    library.update_publication(base_url=BASE)
    total = NEWS_SITEMAP_LIMIT + 1
    # Written straight through the engine, as the benchmarks do: a thousand
    # stories one transaction each would take minutes on a busy machine.
    rows, figures = [], []
    for n in range(1, total + 1):
        when = NOW - timedelta(minutes=n)
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

    assert report.ok and len(report.written) == total
    index = ET.parse(site / "news-sitemap.xml").getroot()
    assert index.tag == f"{SM}sitemapindex"
    parts = [s.find(f"{SM}loc").text for s in index.findall(f"{SM}sitemap")]
    assert parts == [f"{BASE}news-sitemap-1.xml", f"{BASE}news-sitemap-2.xml"]
    assert all(s.find(f"{SM}lastmod").text for s in index.findall(f"{SM}sitemap"))
    locs = []
    for part in parts:
        locs += validate_urlset(site / part.removeprefix(BASE), limit=NEWS_SITEMAP_LIMIT, news=True)
    assert len(locs) == len(set(locs)) == total  # every story once, none lost at the seam
    # The ordinary sitemap is within its own limit, so it stays one file.
    listed = validate_urlset(site / "sitemap.xml", limit=50_000, news=False)
    assert len([u for u in listed if u.startswith(f"{BASE}briefs/brief-")]) == total
    robots = (site / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {BASE}news-sitemap.xml" in robots and "news-sitemap-1" not in robots


def test_the_hero_loads_first_and_the_first_listing_picture_is_not_lazy(library, hero, tmp_path):
    first = story(library, hero, 1)
    story(library, hero, 2, published_at=NOW - timedelta(hours=5))
    site = tmp_path / "site"
    export_site(library, site)

    page = parse(site / "news" / first.slug / "index.html")
    hero_img = next(a for t, a in page.tags if t == "img")
    assert hero_img.get("fetchpriority") == "high" and "loading" not in hero_img
    for listing in (site / "index.html", site / "news" / "index.html"):
        imgs = [a for t, a in parse(listing).tags if t == "img"]
        assert len(imgs) == 2
        assert "loading" not in imgs[0], listing
        assert imgs[1].get("loading") == "lazy", listing


@pytest.mark.parametrize(
    ("headline", "expected"),
    [
        ("Short headline", "Short headline"),
        ("x" * 110, "x" * 110),
        (
            "Council approves harbour wall repairs after a decade of warnings from engineers, "
            "fishermen and the café owners on the quay",
            "Council approves harbour wall repairs after a decade of warnings from engineers, "
            "fishermen and the café…",
        ),
        ("Überschwemmung " * 10, ("Überschwemmung " * 7).strip() + "…"),
        ("a" * 200, "a" * 109 + "…"),
    ],
)
def test_the_json_ld_headline_is_never_cut_mid_word(headline, expected):
    cut = cut_at_word(headline, 110)
    assert cut == expected and len(cut) <= 110


def test_a_long_headline_in_a_page_ends_at_a_word_with_an_ellipsis(library, hero, tmp_path):
    headline = (
        "The harbour authority publishes its long-awaited report on the collapse of the "
        "old sea wall and the flooding of the fish market"
    )
    a = story(library, hero, headline=headline)
    site = tmp_path / "site"
    export_site(library, site)
    ld = ld_of_type(parse(site / "news" / a.slug / "index.html").ld)
    assert len(ld["headline"]) <= 110 and ld["headline"].endswith("…")
    assert headline.startswith(ld["headline"][:-1]) and headline[len(ld["headline"]) - 1] == " "


def test_the_publisher_logo_and_url_go_into_json_ld_when_set(library, hero, tmp_path):
    logo = add_image(library, make_jpeg(tmp_path / "photos" / "logo.jpg", (600, 60), (200, 30, 30)))
    library.update_publication(base_url=BASE, logo_image_id=logo.id)
    a = story(library, hero)
    site = tmp_path / "site"
    export_site(library, site)
    ld = ld_of_type(parse(site / "news" / a.slug / "index.html").ld)
    publisher = ld["publisher"]
    assert publisher["url"] == BASE
    assert publisher["logo"]["width"] == 600 and publisher["logo"]["height"] == 60
    logo_url = publisher["logo"]["url"]
    assert logo_url.startswith(BASE + "assets/img/logo-")
    assert (site / logo_url.removeprefix(BASE)).read_bytes() == (
        library.media_dir / logo.filename
    ).read_bytes()


def test_a_narrow_hero_is_a_warning_not_a_failure(capsys, library, tmp_path):
    narrow = add_image(
        library,
        make_jpeg(tmp_path / "photos" / "narrow.jpg", (1100, 733), (60, 110, 60)),
        alt_text="A narrow view of the quay",
        credit="Ana Ruiz / Gazette",
    )
    a = story(library, narrow)
    problems = preflight(library, library.get_article(a.id))
    assert [(p.code, p.severity) for p in problems] == [("hero-narrow", "warning")]
    assert "1100 px wide" in problems[0].message and "1200" in problems[0].message
    root = str(library.root)
    library.close()

    rc = main(["--library", root, "check", a.slug])
    out, err = capsys.readouterr()
    assert rc == 0 and "ready to publish" in out
    assert err.startswith("warning: The hero image") and err.count("\n") == 1

    rc = main(["--library", root, "export", a.slug, "--out", str(tmp_path / "site")])
    assert rc == 0 and (tmp_path / "site" / "news" / a.slug / "index.html").is_file()


def test_check_exits_1_on_failures_and_still_lists_warnings(capsys, library, tmp_path):
    narrow = add_image(
        library, make_jpeg(tmp_path / "photos" / "narrow.jpg", (800, 533), (60, 110, 60))
    )
    a = story(library, narrow, dek="")  # no dek, and the picture has no credit or alt text
    root = str(library.root)
    library.close()
    rc = main(["--library", root, "check", a.slug])
    out, err = capsys.readouterr()
    assert rc == 1 and "dek" in out and "no credit" in out
    assert "warning:" not in out and "800 px wide" in err
