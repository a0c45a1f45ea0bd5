"""The exported sample site, judged by tools no one here wrote: vnu, axe in Chromium, XML and JSON parsers."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest

from newsdesk.export import export_site
from newsdesk.library import Library
from newsdesk.rules import section_segment
from tests.checkers import (
    VNU_JAR,
    NetworkGuard,
    axe_check_page,
    format_axe_violations,
    format_vnu_errors,
    new_page,
    page_url,
    vnu_errors,
)
from tests.export.ld import ld_of_type
from tests.export.sample import build_sample_library

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT = REPO / "artifacts" / "screenshots" / "article.png"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
BASE = "https://gazette.example/"


class _Head(HTMLParser):
    """Meta properties, the JSON-LD and the <html> attributes of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, list[str]] = {}
        self.html_attrs: dict[str, str] = {}
        self.ld: list[str] = []
        self._ld = False

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.html_attrs = a
        elif tag == "meta" and ("property" in a or "name" in a):
            self.meta.setdefault(a.get("property") or a["name"], []).append(a.get("content", ""))
        self._ld = tag == "script" and a.get("type") == "application/ld+json"

    def handle_endtag(self, tag):
        self._ld = False

    def handle_data(self, data):
        if self._ld:
            self.ld.append(data)


def head_of(page: Path) -> _Head:
    parser = _Head()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Library, Path]:
    base = tmp_path_factory.mktemp("sample site")  # a space: file:// URLs must be quoted
    library = build_sample_library(base / "library", base / "photos")
    site = base / "site"
    report = export_site(library, site)
    assert report.ok, report.problem_lines()
    assert len(report.written) == 5
    yield library, site
    library.close()


@pytest.fixture(scope="module")
def pages(sample) -> list[Path]:
    return sorted(sample[1].rglob("*.html"))


def article_page(library: Library, site: Path, slug: str) -> Path:
    article = library.get_article(slug)
    return site / section_segment(article.section) / article.slug / "index.html"


def test_every_page_passes_the_nu_html_checker(pages):
    # articles, section pages, front page, then tag pages, the archive and its months, 404.html
    assert (
        len([p for p in pages if "tag" not in p.parts and "archive" not in p.parts])
        == 5 + 4 + 1 + 1
    )
    errors = vnu_errors(pages)
    assert errors == [], format_vnu_errors(errors)


def test_stylesheet_passes_the_nu_css_checker(sample):
    # vnu_errors() checks every file as HTML; the stylesheet needs vnu's --css mode.
    java = shutil.which("java")
    assert java and VNU_JAR.is_file(), "the Nu HTML Checker needs Java and vnu-jar (npm ci)"
    css = sample[1] / "assets" / "site.css"
    proc = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--css", "--format", "json", "--exit-zero-always", str(css)],
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(proc.stderr or proc.stdout)
    errors = [m for m in report["messages"] if m.get("type") == "error"]
    assert errors == [], errors


def test_every_page_has_no_axe_violations_and_makes_no_request(pages, browser):
    problems = []
    for path in pages:
        page = new_page(browser)
        try:
            guard = NetworkGuard.attach(page)
            page.goto(page_url(path), wait_until="load")
            # Scroll so lazy images load too: every picture must be found.
            page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
            page.wait_for_load_state("networkidle")
            broken = page.evaluate(
                "() => [...document.images].filter(i => !(i.complete && i.naturalWidth > 0))"
                ".map(i => i.currentSrc || i.src)"
            )
            violations = axe_check_page(page)
            wide = page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")
        finally:
            page.context.close()
        if violations:
            problems.append(f"{path}:\n{format_axe_violations(violations)}")
        if guard.requests:
            problems.append(f"{path} made requests: {guard.requests}")
        if broken:
            problems.append(f"{path} has images that did not load: {broken}")
        if wide:
            problems.append(f"{path} is wider than the window (scrolls sideways)")
    assert problems == [], "\n".join(problems)


def test_article_json_ld_says_what_the_page_says(sample):
    library, site = sample
    article = library.get_article("storm-breaches-harbour-wall-flooding-the-old-town")
    head = head_of(article_page(library, site, article.slug))
    ld = ld_of_type("".join(head.ld))

    assert ld["@context"] == "https://schema.org" and ld["@type"] == "NewsArticle"
    assert ld["headline"] == article.headline
    assert ld["image"] and all(
        img["@type"] == "ImageObject" and img["url"].startswith(BASE + "assets/img/")
        for img in ld["image"]
    )
    assert ld["image"][0]["caption"] == article.hero.caption
    published = datetime.fromisoformat(ld["datePublished"])
    modified = datetime.fromisoformat(ld["dateModified"])
    assert published.utcoffset() is not None and published == article.published_at.replace(
        microsecond=0
    )
    assert modified >= published
    assert ld["author"] == [{"@type": "Person", "name": "Ana Ruiz"}]
    assert ld["publisher"] == {"@type": "Organization", "name": "The Harbour Gazette", "url": BASE}
    assert ld["mainEntityOfPage"] == BASE + f"news/{article.slug}/"


def test_open_graph_and_twitter_cards(sample):
    library, site = sample
    article = library.get_article("storm-breaches-harbour-wall-flooding-the-old-town")
    page = article_page(library, site, article.slug)
    meta = head_of(page).meta

    assert meta["og:type"] == ["article"]
    assert meta["og:title"] == [article.headline]
    assert meta["og:url"] == [BASE + f"news/{article.slug}/"]
    assert meta["article:section"] == ["News"]
    assert meta["article:tag"] == ["storm", "harbour", "Puerto Viejo"]
    assert datetime.fromisoformat(meta["article:published_time"][0]).utcoffset() is not None
    assert datetime.fromisoformat(meta["article:modified_time"][0]).utcoffset() is not None
    image = meta["og:image"][0]
    assert image.startswith(BASE + "assets/img/") and image.endswith(".jpg")
    local = site / image[len(BASE) :]
    from PIL import Image

    with Image.open(local) as im:  # the size announced is the size of the file
        assert [str(im.width), str(im.height)] == [
            meta["og:image:width"][0],
            meta["og:image:height"][0],
        ]
    assert meta["og:image:alt"] == [article.hero.alt_text]
    assert meta["twitter:card"] == ["summary_large_image"]


def test_right_to_left_and_unicode_pages(sample):
    library, site = sample
    arabic = head_of(article_page(library, site, "storm-closes-harbour-arabic"))
    assert arabic.html_attrs == {"lang": "ar", "dir": "rtl"}
    assert ld_of_type("".join(arabic.ld))["headline"] == "العاصفة تغلق الميناء لثلاثة أيام"
    market = library.get_article("fish-market-reopens-ca-va-mieux-zurich-buyers-return")
    html = article_page(library, site, market.slug).read_text(encoding="utf-8")
    assert "«Ça va mieux» — Zürich" in html


def test_atom_feed(sample):
    library, site = sample
    feed = ET.parse(site / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}title").text == "The Harbour Gazette"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {"alternate": BASE, "self": BASE + "feed.xml"}
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 5
    published = [datetime.fromisoformat(e.find(f"{ATOM}published").text) for e in entries]
    assert published == sorted(published, reverse=True), "newest first"
    updated = datetime.fromisoformat(feed.find(f"{ATOM}updated").text)
    assert updated == max(datetime.fromisoformat(e.find(f"{ATOM}updated").text) for e in entries)
    for entry in entries:
        assert entry.find(f"{ATOM}id").text.startswith("urn:uuid:")
        href = entry.find(f"{ATOM}link").get("href")
        assert href.startswith(BASE) and href.isascii()
        assert (site / unquote(href[len(BASE) :]) / "index.html").is_file()
    arabic = next(e for e in entries if e.get("{http://www.w3.org/XML/1998/namespace}lang") == "ar")
    assert arabic.find(f"{ATOM}title").text == "العاصفة تغلق الميناء لثلاثة أيام"


def test_sitemaps(sample):
    library, site = sample
    urls = ET.parse(site / "sitemap.xml").getroot().findall(f"{SITEMAP}url")
    locs = [u.find(f"{SITEMAP}loc").text for u in urls]
    assert locs[0] == BASE
    listings = [loc for loc in locs if loc.startswith((f"{BASE}tag/", f"{BASE}archive/"))]
    assert listings and len(locs) == 1 + 4 + 5 + len(listings) and len(set(locs)) == len(locs)
    assert all(loc.startswith(BASE) and loc.isascii() for loc in locs)
    for u in urls:
        assert datetime.fromisoformat(u.find(f"{SITEMAP}lastmod").text).utcoffset() is not None

    news = ET.parse(site / "news-sitemap.xml").getroot().findall(f"{SITEMAP}url")
    recent = {n.find(f"{NEWS}news/{NEWS}title").text for n in news}
    # Published 5 h, 10 h, 20 h and 1 day ago are in; 3 days ago is not.
    assert recent == {
        "Storm breaches harbour wall, flooding the old town",
        "العاصفة تغلق الميناء لثلاثة أيام",
        "Fish market reopens: «Ça va mieux» — Zürich buyers return",
        "Council to vote on emergency repairs",
    }
    for n in news:
        pub = n.find(f"{NEWS}news/{NEWS}publication")
        assert pub.find(f"{NEWS}name").text == "The Harbour Gazette"
        assert pub.find(f"{NEWS}language").text in ("en", "ar")
        when = datetime.fromisoformat(n.find(f"{NEWS}news/{NEWS}publication_date").text)
        assert datetime.now(when.tzinfo) - when < timedelta(days=2)


def test_article_screenshot_looks_like_a_news_article(sample, browser):
    library, site = sample
    path = article_page(library, site, "storm-breaches-harbour-wall-flooding-the-old-town")
    page = new_page(browser, width=1280, height=900)
    try:
        NetworkGuard.attach(page)
        page.goto(page_url(path), wait_until="load")
        page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_function(
            "() => [...document.images].every(i => i.complete && i.naturalWidth > 0)"
        )
        page.evaluate("() => window.scrollTo(0, 0)")
        hero_caption = page.text_content(".figure-hero figcaption")
        cards = page.eval_on_selector_all(
            ".related-card", "cards => cards.map(c => c.querySelector('img')?.currentSrc || '')"
        )
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
    finally:
        page.context.close()
    assert (
        "Waves break over the harbour wall" in hero_caption and "Ana Ruiz / Gazette" in hero_caption
    )
    assert len(cards) == 4 and all(cards) and len(set(cards)) == 4, (
        "each card shows its own picture"
    )
    assert SCREENSHOT.stat().st_size > 50_000
