"""Where exported pages find things: renditions under assets/img, relative links between pages."""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urljoin, urlsplit

from newsdesk.render.page import CARD_SIZES, HERO_SIZES, Assets, ImageRef
from newsdesk.rules import section_segment, tag_segment

if TYPE_CHECKING:  # a render worker renders from plain data, without the database layer
    from newsdesk.library.models import Article, Author, Image

RENDITION_WIDTHS = (480, 960, 1600)
RENDITION_FORMATS = ("jpeg", "webp")
IMG_DIR = "assets/img"
STYLESHEET = "assets/site.css"
FAVICON = "assets/favicon.svg"
# An inline figure spans the text column (40rem) on wide screens.
INLINE_SIZES = "(min-width: 42rem) 40rem, 100vw"


@dataclass(frozen=True, slots=True)
class SiteImage:
    """The renditions of one library image as the site holds them, narrowest first."""

    files: tuple[tuple[str, int, int, str], ...]  # (file name, width, height, format)
    # The cropped renditions a hero gets: (file name, width, height, format, ratio).
    crops: tuple[tuple[str, int, int, str, str], ...] = ()

    @classmethod
    def from_entries(cls, entries) -> SiteImage:
        """From the manifest's lists: four items for a whole-picture file, five for a crop."""
        files = tuple(tuple(f) for f in entries if len(f) == 4)
        crops = tuple(tuple(f) for f in entries if len(f) == 5)
        return cls(files, crops)

    def entries(self) -> list[list]:
        return [list(f) for f in self.files] + [list(f) for f in self.crops]

    def crop(self, ratio: str) -> tuple[str, int, int, str, str] | None:
        return next((f for f in self.crops if f[4] == ratio), None)

    def of_format(self, fmt: str) -> list[tuple[str, int, int, str]]:
        return [f for f in self.files if f[3] == fmt]

    def fallback(self) -> list[tuple[str, int, int, str]]:
        """The files every browser shows: JPEG, or PNG for a picture with transparency."""
        return self.of_format("jpeg") or self.of_format("png") or list(self.files)


def site_key(image: Image, words: tuple[str, str] | None = None) -> str:
    """Which set of renditions shows this picture with these words (caption, alt text).

    The picture's own words (or none given) share one set, keyed by its
    SHA-256; a story whose figure says something else gets a set of its own,
    because the words are embedded in the files' XMP.
    """
    if words is None or tuple(words) == (image.caption or "", image.alt_text or ""):
        return image.sha256
    digest = hashlib.sha256("\0".join(words).encode("utf-8")).hexdigest()[:16]
    return f"{image.sha256}~{digest}"


def article_dir(article: Article) -> str:
    """The article's folder below the site root: `<section>/<slug>`."""
    return f"{section_segment(article.section)}/{article.slug}"


def author_dir(author: Author) -> str:
    """An author's page folder below the site root: `authors/<slug>`."""
    return f"authors/{author.slug}"


def authors_with_stories(articles: list[Article]) -> list[tuple[Author, list[Article]]]:
    """Each author named by these stories' bylines, with their stories in the given order."""
    found: dict[str, tuple[Author, list[Article]]] = {}
    for a in articles:
        for author in a.authors:
            found.setdefault(author.uid, (author, []))[1].append(a)
    return sorted(found.values(), key=lambda pair: pair[0].slug)


# A path quote() leaves as it is and urljoin appends as it is: segments of letters, digits,
# "_", "~" and "-" (no "." or empty segment), the last one perhaps empty (a folder's "/").
_PLAIN_PATH = re.compile(r"(?:[A-Za-z0-9_~-]+/)*[A-Za-z0-9_~-]*")


def site_url(base_url: str, rel: str) -> str:
    """An absolute, percent-encoded URL for a path of the site (feeds and sitemaps need ASCII)."""
    if _PLAIN_PATH.fullmatch(rel) and _joins_by_appending(base_url):
        return base_url + rel  # nearly every folder of a site: a sitemap's 20,000 cost little
    path = quote(rel, safe="/")
    if _joins_by_appending(base_url) and not path.startswith("/"):
        # What urljoin gives, without its parsing (most of a sitemap's time at 100,000
        # stories): a path with no ".", ".." or empty segment (urljoin drops those) is
        # appended to a base URL that ends in "/" and has no query or fragment (quote
        # left no ":", "?" or "#" in the path).
        wrapped = f"/{path}/"
        if "/./" not in wrapped and "/../" not in wrapped and "//" not in path:
            return base_url + path
    return urljoin(base_url, path)


@functools.lru_cache(maxsize=32)
def _joins_by_appending(base_url: str) -> bool:
    parts = urlsplit(base_url)
    return bool(
        parts.scheme
        and parts.netloc
        and base_url.endswith("/")
        and not parts.query
        and not parts.fragment
        and "?" not in base_url
        and "#" not in base_url
    )


class ExportAssets(Assets):
    """Assets for a page `root` folders below the site root ("../../" for an article page).

    Images are the renditions made for the site; links to other articles are
    relative and name index.html, so the folder works from file:// as well as
    from a web server; an article that is not in the site gets no link at all.
    """

    def __init__(
        self,
        library_root: Path,
        *,
        images: dict[str, SiteImage],
        pages: dict[str, str],
        root: str = "../../",
    ) -> None:
        super().__init__(library_root)
        self.images = images
        self.pages = pages  # article uid -> its folder in the site
        self.root = root

    def _site_image(self, image: Image, words: tuple[str, str] | None = None) -> SiteImage:
        found = self.images.get(site_key(image, words)) or self.images.get(image.sha256)
        if found is None:  # only story-specific sets were made: any of them shows the pixels
            prefix = image.sha256 + "~"
            found = next((v for k, v in self.images.items() if k.startswith(prefix)), None)
        if found is None:
            raise LookupError(f"no renditions were made for image {image.uid}")
        return found

    def image_ref(
        self, image: Image, *, alt: str, purpose: str, words: tuple[str, str] | None = None
    ) -> ImageRef:
        site_image = self._site_image(image, words)
        jpegs = site_image.fallback()
        webps = site_image.of_format("webp")
        small = purpose in ("card", "listing")
        # The <img> src is the fallback for browsers that ignore srcset: the
        # smallest file for a thumbnail, the largest for a picture in the story.
        name, width, height, _ = jpegs[0] if small else jpegs[-1]
        sizes = CARD_SIZES if small else HERO_SIZES if purpose == "hero" else INLINE_SIZES
        sources = (("image/webp", self._srcset(webps)),) if webps else ()
        return ImageRef(
            src=self.root + f"{IMG_DIR}/{name}",
            width=width,
            height=height,
            alt=alt,
            srcset=self._srcset(jpegs),
            sizes=sizes,
            sources=sources,
        )

    def _srcset(self, files: list[tuple[str, int, int, str]]) -> str:
        return ", ".join(f"{self.root}{IMG_DIR}/{name} {w}w" for name, w, _h, _f in files)

    def og_image(self, image: Image, words: tuple[str, str] | None = None) -> tuple[str, int, int]:
        """The file Open Graph points at (the 1200x630 crop, else the largest JPEG), with its size."""
        site_image = self._site_image(image, words)
        card = site_image.crop("og")
        if card is not None:
            return f"{IMG_DIR}/{card[0]}", card[1], card[2]
        name, width, height, _ = site_image.fallback()[-1]
        return f"{IMG_DIR}/{name}", width, height

    def image_url(self, image: Image, base_url: str) -> str:
        return site_url(base_url, self.og_image(image)[0])

    def social_image(
        self, image: Image, base_url: str, words: tuple[str, str] | None = None
    ) -> tuple[str, int, int]:
        url, width, height = self.og_image(image, words)
        return site_url(base_url, url), width, height

    def ratio_images(
        self, image: Image, base_url: str, words: tuple[str, str] | None = None
    ) -> list[tuple[str, int, int]]:
        site_image = self._site_image(image, words)
        return [
            (site_url(base_url, f"{IMG_DIR}/{f[0]}"), f[1], f[2])
            for ratio in ("16:9", "4:3", "1:1")
            if (f := site_image.crop(ratio)) is not None
        ]

    def article_href(self, target: Article) -> str | None:
        folder = self.pages.get(target.uid)
        return None if folder is None else f"{self.root}{folder}/index.html"

    @property
    def feed_href(self) -> str:
        return self.root + "feed.xml"

    @property
    def stylesheet_href(self) -> str:
        return self.root + STYLESHEET

    @property
    def favicon_href(self) -> str:
        return self.root + FAVICON

    @property
    def home_href(self) -> str:
        return self.root + "index.html"

    def section_href(self, section: str) -> str:
        return f"{self.root}{section_segment(section)}/index.html"

    def tag_href(self, tag: str) -> str:
        return f"{self.root}tag/{tag_segment(tag)}/index.html"

    def author_href(self, author: Author) -> str:
        return f"{self.root}{author_dir(author)}/index.html"
