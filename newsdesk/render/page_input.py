"""What an article page is made from, as plain data: the renderer's input, free of the library.

The export, the preview and the WordPress publisher build these from the
library's records (`newsdesk/export/page_input.py`) and hand them to
`render/page.build_page`; `render/` never sees a database object. Frozen:
a page input is a snapshot, safe to send to a worker process or thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Picture:
    """A library image as a page needs it: its file, size and the words that describe it."""

    id: int
    uid: str
    sha256: str
    filename: str  # in the library's media folder
    width: int
    height: int
    caption: str = ""  # the image's default; a figure has its own
    alt_text: str = ""
    credit: str = ""
    creator: str = ""
    copyright: str = ""


@dataclass(frozen=True, slots=True)
class FigureInput:
    """A picture placed in this story, with this story's own caption and alt text."""

    image: Picture
    role: str  # "hero" or "inline"
    caption: str
    alt_text: str


@dataclass(frozen=True, slots=True)
class AuthorInput:
    """A person, the staff or an agency the byline names."""

    uid: str
    name: str
    slug: str
    role: str = "person"
    url: str = ""


@dataclass(frozen=True, slots=True)
class UpdateInput:
    """A dated update note or correction the page shows."""

    kind: str  # "update" or "correction"
    text: str
    at: datetime


@dataclass(frozen=True, slots=True)
class StoryLink:
    """Another story, as a related-story card and a link to it need it."""

    uid: str
    slug: str
    section: str
    headline: str
    status: str
    published_at: datetime | None
    updated_at: datetime | None
    embargo_until: datetime | None
    hero: FigureInput | None  # THAT story's own hero, in its own words


@dataclass(frozen=True, slots=True)
class RelatedInput:
    """One related-story link, in the order the editor gave it (target None: gone)."""

    target: StoryLink | None


@dataclass(frozen=True, slots=True)
class ArticleInput:
    """Everything an article's page shows of the article. Fields as the library holds them."""

    id: int
    uid: str
    slug: str
    headline: str
    dek: str
    byline: str
    section: str
    body: str
    status: str
    language: str = ""
    seo_title: str = ""
    seo_description: str = ""
    tags: tuple[str, ...] = ()
    published_at: datetime | None = None
    updated_at: datetime | None = None
    embargo_until: datetime | None = None
    figures: tuple[FigureInput, ...] = ()
    related: tuple[RelatedInput, ...] = ()
    authors: tuple[AuthorInput, ...] = ()
    updates: tuple[UpdateInput, ...] = ()

    @property
    def hero(self) -> FigureInput | None:
        return next((f for f in self.figures if f.role == "hero"), None)


@dataclass(frozen=True, slots=True)
class PublicationInput:
    """Who publishes the page: name, address, language and time zone."""

    name: str
    base_url: str = ""
    language: str = "en"
    timezone: str = "UTC"
