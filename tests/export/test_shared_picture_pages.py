"""Two published stories share one picture: each exported page says its own words about it.

Everything goes through the command line (import, check, export) and the
pages are read back as HTML: the hero's figcaption and alt, Open Graph and
Twitter alt text, the JSON-LD image, and a third story's related cards.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from PIL import Image as PILImage

from newsdesk.images.xmp import DC, IPTC_CORE, parse_xmp, xmp_text
from newsdesk.paths import resource
from tests.export.ld import ld_of_type

PHOTO = resource("sample", "harbour-dawn.jpg")
OTHER = resource("sample", "market-hills.jpg")


def newsdesk(lib: Path, *args) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "newsdesk", "--library", str(lib), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def write(folder: Path, name: str, headline: str, hero: str, extra: str = "") -> Path:
    path = folder / name
    path.write_text(
        f"---\nheadline: {headline}\ndek: A short dek.\nbyline: By Ana Ruiz\nsection: News\n"
        f"status: published\npublished: 2026-11-20T09:00:00+01:00\n{extra}"
        f"hero:\n{hero}---\nThe harbour wall held overnight, the council said.\n",
        encoding="utf-8",
    )
    return path


class Page(HTMLParser):
    """What a reader and a crawler take from one article page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.ld = ""
        self.hero_alt: str | None = None
        self.caption = ""
        self.cards: list[tuple[str, str]] = []  # (href, alt) of each related card
        self._stack: list[str] = []
        self._in_hero = self._in_caption = self._in_ld = False
        self._card_href: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        classes = a.get("class", "").split()
        if tag == "meta" and ("property" in a or "name" in a):
            self.meta[a.get("property") or a["name"]] = a.get("content", "")
        self._in_ld = tag == "script" and a.get("type") == "application/ld+json"
        if tag == "figure" and "figure-hero" in classes:
            self._in_hero = True
        if tag == "img" and self._in_hero and self.hero_alt is None:
            self.hero_alt = a.get("alt")
        if tag == "span" and self._in_hero and "caption" in classes:
            self._in_caption = True
        if tag == "li" and "related-card" in classes:
            self._card_href = ""
        if tag == "a" and self._card_href == "":
            self._card_href = a["href"]
        if tag == "img" and self._card_href:
            self.cards.append((self._card_href, a.get("alt", "")))

    def handle_endtag(self, tag):
        self._in_ld = False
        if tag == "figure":
            self._in_hero = False
        if tag == "span":
            self._in_caption = False
        if tag == "li":
            self._card_href = None

    def handle_data(self, data):
        if self._in_ld:
            self.ld += data
        if self._in_caption:
            self.caption += data


def read(page: Path) -> Page:
    parser = Page()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def test_two_stories_sharing_a_picture_each_publish_their_own_caption_and_alt(tmp_path):
    desk, lib, site = tmp_path / "desk", tmp_path / "lib", tmp_path / "site"
    desk.mkdir()
    shutil.copy(PHOTO, desk / "harbour.jpg")
    shutil.copy(OTHER, desk / "hills.jpg")
    storm = write(
        desk,
        "storm.md",
        "Storm hits the harbour",
        "  file: harbour.jpg\n  caption: Waves over the wall at dawn.\n"
        "  alt: Grey waves breaking over a stone wall\n  credit: Ana Ruiz\n",
    )
    repair = write(
        desk,
        "repair.md",
        "Repairs begin on the wall",
        "  file: harbour.jpg\n  caption: The wall a week before the storm.\n"
        "  alt: A calm harbour under a pink sky\n  credit: Ana Ruiz\n",
    )
    roundup = write(
        desk,
        "roundup.md",
        "The week in the harbour",
        "  file: hills.jpg\n  caption: Hills.\n  alt: Green hills above the town\n"
        "  credit: Sam Reyes\n",
        extra="related: [storm-hits-the-harbour, repairs-begin-on-the-wall]\n",
    )
    assert newsdesk(lib, "import", storm).returncode == 0
    assert newsdesk(lib, "import", repair, roundup).returncode == 0
    for slug in ("storm-hits-the-harbour", "repairs-begin-on-the-wall"):
        assert newsdesk(lib, "check", slug).returncode == 0

    # og:image and its alt text need absolute addresses, so the publication has a base URL.
    assert newsdesk(lib, "publication", "--base-url", "https://news.example.org/").returncode == 0
    done = newsdesk(lib, "export", "--all", "--out", site)
    assert done.returncode == 0, done.stderr

    expected = {
        "storm-hits-the-harbour": (
            "Waves over the wall at dawn.",
            "Grey waves breaking over a stone wall",
        ),
        "repairs-begin-on-the-wall": (
            "The wall a week before the storm.",
            "A calm harbour under a pink sky",
        ),
    }
    for slug, (caption, alt) in expected.items():
        page = read(site / "news" / slug / "index.html")
        assert page.caption.strip() == caption
        assert page.hero_alt == alt
        assert page.meta["og:image:alt"] == alt
        assert page.meta["twitter:image:alt"] == alt
        images = ld_of_type(page.ld)["image"]
        assert images and all(image["caption"] == caption for image in images)
        # The files themselves carry THIS story's words in their XMP, not the other story's.
        for url in [page.meta["og:image"], *(image["url"] for image in images)]:
            rel = url.removeprefix("https://news.example.org/")
            xmp = parse_xmp(PILImage.open(site / rel).info["xmp"])
            assert xmp_text(xmp, DC, "description") == caption
            assert xmp_text(xmp, IPTC_CORE, "AltTextAccessibility") == alt

    cards = read(site / "news" / "the-week-in-the-harbour" / "index.html").cards
    assert [alt for _href, alt in cards] == [
        "Grey waves breaking over a stone wall",
        "A calm harbour under a pink sky",
    ]
    assert "storm-hits-the-harbour" in cards[0][0] and "repairs-begin" in cards[1][0]
