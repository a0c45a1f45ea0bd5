"""The article page: view models built from plain page data and rendered through the page templates.

Preview and export both call `build_page` and `render_page`; they differ only
in the `Assets` that say where images, styles and other pages are found. The
page's input is plain data (`render/page_input.py`), built from the library by
`export/page_input.py`: nothing here reads the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin

import jinja2
import markupsafe

from newsdesk.bylines import split_byline
from newsdesk.paths import resource
from newsdesk.picture_refs import resolve_ref
from newsdesk.render import dates, i18n
from newsdesk.render.markdown import Block, BlockRenderer, RenderedBody
from newsdesk.render.page_input import (
    ArticleInput,
    AuthorInput,
    FigureInput,
    Picture,
    PublicationInput,
    StoryLink,
)
from newsdesk.render.safety import strip_forbidden
from newsdesk.render.structured_data import (  # noqa: F401  (public here too)
    JSON_LD_HEADLINE_MAX,
    article_crumbs,
    authors_ld,
    breadcrumbs,
    cut_at_word,
    json_for_script,
    linked_authors,
    news_article_ld,
)
from newsdesk.render.templates import environment, template_bytecode_cache  # noqa: F401
from newsdesk.rules import (  # noqa: F401  (section_segment, tag_segment: public here too)
    is_public,
    section_segment,
    tag_segment,
)
from newsdesk.text import word_count

HERO_SIZES = "(min-width: 56rem) 52rem, 100vw"
# Cards fill the width on a phone, two share it on a tablet, three or four sit in the wide column.
CARD_SIZES = "(min-width: 56rem) 17rem, (min-width: 30rem) 50vw, 100vw"


@dataclass(frozen=True, slots=True)
class ImageRef:
    """Everything an <img> element needs."""

    src: str
    width: int
    height: int
    alt: str
    srcset: str = ""
    sizes: str = ""
    # Alternative formats offered before the <img> (e.g. WebP), as (MIME type, srcset)
    # pairs; the template wraps the image in <picture> when there are any.
    sources: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class PublisherLogo:
    """The publication's logo as structured data names it: an absolute URL and its size."""

    url: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class FigureView:
    image: ImageRef
    caption: str
    credit: str
    role: str
    image_uid: str
    lang: str = "en"  # the page's language, so a Latin-script credit on an Arabic page says so


@dataclass(frozen=True, slots=True)
class NoteView:
    """A dated update note or correction, as the page shows it."""

    kind: str
    text: str
    iso: str
    when: str


@dataclass(frozen=True, slots=True)
class BylineName:
    """One name of the byline, linked to the author's page or site when there is one."""

    name: str
    href: str


@dataclass(frozen=True, slots=True)
class RelatedCard:
    href: str
    headline: str
    date_iso: str
    date_text: str
    thumb: ImageRef | None  # THIS story's own hero, or no picture at all


@dataclass
class PageView:
    """What the article template shows; built once per article, body re-rendered per edit."""

    lang: str
    title: str
    description: str
    headline: str
    dek: str
    byline: str
    section: str
    tags: list[str]
    published_iso: str
    published_text: str
    updated_iso: str
    updated_text: str
    show_updated: bool
    reading_time: str
    word_count: int
    hero: FigureView | None
    body: RenderedBody
    related: list[RelatedCard]
    publication_name: str
    canonical_url: str
    og_image_url: str
    json_ld: str
    stylesheet_href: str
    favicon_href: str
    home_href: str
    section_href: str
    extra_head: str = ""  # preview-only script hook; empty in exported pages
    meta: dict[str, str] = field(default_factory=dict)
    feed_href: str = ""  # the site's Atom feed; the preview has none
    og_locale: str = "en_US"
    archive_href: str = ""
    sections: list[tuple[str, str, bool]] = field(default_factory=list)  # the site's sections
    tag_links: list[tuple[str, str]] = field(default_factory=list)  # (tag, its page or "")
    pages: None = None  # an article is one page; a listing carries its Pager here
    section_feed: None = None  # listings of a section link its own feed too
    updates: list[NoteView] = field(default_factory=list)  # update notes, oldest first
    corrections: list[NoteView] = field(default_factory=list)  # listed at the end
    byline_names: list[BylineName] = field(default_factory=list)
    og_image_width: int = 0  # the social card's size (1200x630 when exported from a large picture)
    og_image_height: int = 0


class Assets:
    """Where a page finds its images, stylesheet, favicon and the pages it links to.

    This base serves the preview: images straight from the library's media
    folder, styles from the bundled resources. The exporter subclasses it.
    """

    def __init__(self, library_root: Path) -> None:
        self.library_root = library_root

    def image_ref(
        self, image: Picture, *, alt: str, purpose: str, words: tuple[str, str] | None = None
    ) -> ImageRef:
        """`words` (caption, alt text) are the story's own, for assets whose files embed them."""
        src = (self.library_root / "media" / image.filename).as_uri()
        return ImageRef(src=src, width=image.width, height=image.height, alt=alt)

    def image_url(self, image: Picture, base_url: str) -> str:
        """An absolute URL for Open Graph and JSON-LD."""
        return urljoin(base_url, f"media/{image.filename}")

    def social_image(
        self, image: Picture, base_url: str, words: tuple[str, str] | None = None
    ) -> tuple[str, int, int]:
        """The social card (Open Graph, Twitter): absolute URL, width, height."""
        return self.image_url(image, base_url), image.width, image.height

    def ratio_images(
        self, image: Picture, base_url: str, words: tuple[str, str] | None = None
    ) -> list[tuple[str, int, int]]:
        """The hero cropped 16:9, 4:3 and 1:1 for structured data; none in the preview."""
        return []

    def article_href(self, target: StoryLink) -> str | None:
        """A link to another article's page, or None when that page is not published."""
        return f"../../{self.article_path(target)}" if is_public(target) else None

    def article_path(self, article: ArticleInput | StoryLink) -> str:
        """The article's path below the site root, for its canonical URL."""
        return f"{section_segment(article.section)}/{article.slug}/"

    @property
    def feed_href(self) -> str:
        """The site's Atom feed, for <link rel="alternate">; the preview has no site."""
        return ""

    @property
    def stylesheet_href(self) -> str:
        return resource("site.css").as_uri()

    @property
    def favicon_href(self) -> str:
        return resource("favicon.svg").as_uri()

    @property
    def home_href(self) -> str:
        return "../../index.html"

    def section_href(self, section: str) -> str:
        return f"../../{section_segment(section)}/index.html"

    def tag_href(self, tag: str) -> str:
        """A tag's page; the preview has none, so its tags are not links."""
        return ""

    def author_href(self, author: AuthorInput) -> str:
        """Where an author's name links: the preview links to their own site, if any."""
        return author.url

    def author_url(self, author: AuthorInput, base_url: str) -> str:
        """An absolute URL for the author in JSON-LD: their page on the site, else their own."""
        if base_url:
            return urljoin(base_url, f"authors/{author.slug}/")
        return author.url


def figure_view(
    figure: FigureInput | None,
    image: Picture,
    assets: Assets,
    *,
    alt: str | None = None,
    role: str = "inline",
    lang: str = "en",
) -> FigureView:
    """What a picture shows on a page: THE rule for a figure's words.

    A figure shows its story's own caption and alt text, never the image's
    (those were only the defaults the figure started from). `alt` is the
    Markdown's own alt text where the body gives one. An image the body shows
    without being a figure of the story has nothing but the image's words.
    """
    words = None
    if figure is not None:
        caption, default_alt = figure.caption, figure.alt_text
        words = (caption or "", default_alt or "")
    else:
        caption, default_alt = image.caption, image.alt_text
    return FigureView(
        image=assets.image_ref(image, alt=alt or default_alt, purpose=role, words=words),
        caption=caption,
        credit=image.credit,
        role=role,
        image_uid=image.uid,
        lang=lang,
    )


def make_image_resolver(
    article: ArticleInput,
    assets: Assets,
    env: jinja2.Environment,
    *,
    images_by_uid: dict[str, Picture] | None = None,
    lang: str = "en",
):
    """Turn `![alt](image:UID)` in the body into the same figure markup as the hero."""
    known = {f.image.uid: f for f in article.figures}
    extra = images_by_uid or {}
    template = env.get_template("figure.html")

    def resolve(ref: str, alt: str, standalone: bool) -> str | None:
        # `image:UUID`, or the readable `image:harbour-dawn-3f2a9c1e`: this
        # story's figures first, then the other pictures the body shows.
        fig = known.get(ref) or resolve_ref(ref, known.items())
        image = fig.image if fig else extra.get(ref) or resolve_ref(ref, extra.items())
        if image is None:
            return None
        view = figure_view(fig, image, assets, alt=alt, role="inline", lang=lang)
        if not standalone:
            return env.get_template("inline_image.html").render(image=view.image)
        return template.render(figure=view)

    return resolve


def build_page(
    article: ArticleInput,
    publication: PublicationInput,
    assets: Assets,
    *,
    renderer: BlockRenderer | None = None,
    templates_override: Path | None = None,
    images_by_uid: dict[str, Picture] | None = None,
    publisher_logo: PublisherLogo | None = None,
    sections: list[str] | None = None,
) -> PageView:
    """Gather everything the article page shows. `article` must be fully loaded."""
    tz, lang = publication.timezone or "UTC", article.language or publication.language or "en"
    env = environment(templates_override, lang)
    if renderer is None:
        renderer = BlockRenderer()
    renderer.resolve_image = make_image_resolver(
        article, assets, env, images_by_uid=images_by_uid, lang=lang
    )
    body = renderer.render(article.body)
    words = word_count(article.body)

    hero_fig = article.hero
    hero = (
        figure_view(hero_fig, hero_fig.image, assets, role="hero", lang=lang) if hero_fig else None
    )
    published = article.published_at or article.updated_at or datetime.now(UTC)
    # "Updated" is news: only an update note or a correction makes a page say
    # it, with the newest one's time. A save (a typo fixed) does not.
    notes = sorted(article.updates, key=lambda u: u.at)
    updated = notes[-1].at if notes else published
    note_views = [
        NoteView(
            kind=u.kind,
            text=u.text,
            iso=dates.iso(u.at, tz),
            when=i18n.human_date(u.at, language=lang, tz_name=tz),
        )
        for u in notes
    ]

    cards: list[RelatedCard] = []
    for link in article.related:
        target = link.target
        if target is None:
            continue
        href = assets.article_href(target)
        if href is None:
            continue
        thumb = None
        if target.hero is not None:
            # THAT story's hero, described in THAT story's words.
            thumb = assets.image_ref(
                target.hero.image,
                alt=target.hero.alt_text,
                purpose="card",
                words=(target.hero.caption or "", target.hero.alt_text or ""),
            )
        when = target.published_at or target.updated_at
        cards.append(
            RelatedCard(
                href=href,
                headline=target.headline,
                date_iso=dates.iso(when, tz),
                date_text=i18n.human_date(when, language=lang, tz_name=tz, with_time=False),
                thumb=thumb,
            )
        )

    base_url = publication.base_url or ""
    canonical = urljoin(base_url, assets.article_path(article)) if base_url else ""
    og_image, og_width, og_height, ratio_images = "", 0, 0, []
    if hero_fig is not None and base_url:
        hero_words = (hero_fig.caption or "", hero_fig.alt_text or "")
        og_image, og_width, og_height = assets.social_image(hero_fig.image, base_url, hero_words)
        ratio_images = assets.ratio_images(hero_fig.image, base_url, hero_words)
    description = article.seo_description or article.dek
    title = article.seo_title or article.headline
    ld = news_article_ld(
        article,
        publication,
        assets,
        lang=lang,
        tz=tz,
        published=published,
        updated=updated,
        description=description,
        canonical=canonical,
        hero_fig=hero_fig,
        social=(og_image, og_width, og_height),
        ratio_images=ratio_images,
        publisher_logo=publisher_logo,
    )
    return PageView(
        lang=lang,
        title=f"{title} | {publication.name}" if publication.name else title,
        description=description,
        headline=article.headline,
        dek=article.dek,
        byline=article.byline,
        section=article.section,
        tags=article.tags,
        published_iso=dates.iso(published, tz),
        published_text=i18n.human_date(published, language=lang, tz_name=tz),
        updated_iso=dates.iso(updated, tz),
        updated_text=i18n.human_date(updated, language=lang, tz_name=tz),
        show_updated=bool(notes),
        reading_time=i18n.reading_time(words, lang),
        word_count=words,
        hero=hero,
        body=body,
        related=cards,
        publication_name=publication.name,
        canonical_url=canonical,
        og_image_url=og_image,
        og_image_width=og_width,
        og_image_height=og_height,
        json_ld=json_for_script([ld, breadcrumbs(article_crumbs(article, assets, lang), base_url)]),
        og_locale=i18n.og_locale(lang),
        tag_links=[(tag, assets.tag_href(tag)) for tag in article.tags],
        sections=[
            (
                name,
                assets.section_href(name),
                section_segment(name) == section_segment(article.section),
            )
            for name in sections or []
        ],
        stylesheet_href=assets.stylesheet_href,
        favicon_href=assets.favicon_href,
        home_href=assets.home_href,
        section_href=assets.section_href(article.section) if article.section else "",
        feed_href=assets.feed_href,
        updates=[n for n in note_views if n.kind == "update"],
        corrections=[n for n in note_views if n.kind == "correction"],
        byline_names=byline_names(article, assets),
    )


def byline_names(article: ArticleInput, assets: Assets) -> list[BylineName]:
    linked = linked_authors(article)
    names = []
    for name in split_byline(article.byline):
        author = linked.get(name.casefold())
        names.append(BylineName(name, assets.author_href(author) if author else ""))
    return names


def render_page(view: PageView, *, templates_override: Path | None = None) -> str:
    """The complete HTML document for one article."""
    env = environment(templates_override, view.lang)
    if not _own_body_template(env):
        return env.get_template("article.html").render(page=view)
    # Our body.html wraps each block in one line of markup: made here, not by a macro
    # call per block (a tenth of a page's templating), byte for byte as the macro does.
    joined = "".join(f"{_wrapped(b)}\n" for b in view.body.blocks)
    return env.get_template("article.html").render(page=view, body_html=markupsafe.Markup(joined))


def render_block(block: Block, *, templates_override: Path | None = None) -> str:
    """One body block wrapped exactly as the page wraps it, for patching a live preview."""
    env = environment(templates_override)
    if _own_body_template(env):
        return _wrapped(block)
    macro = env.get_template("body.html").module.block  # type: ignore[attr-defined]
    return str(macro(block))


def _own_body_template(env: jinja2.Environment) -> bool:
    """Whether the body.html the pages use is ours (a library's templates may replace it)."""
    return Path(env.get_or_select_template("body.html").filename or "") == _BODY_TEMPLATE


_BODY_TEMPLATE = resource("templates", "body.html")


def _wrapped(block: Block) -> str:
    """Our body.html's macro: each printed value loses forbidden characters, the id is escaped."""
    block_id = markupsafe.escape(strip_forbidden(block.id))
    return f'<div class="blk" id="{block_id}">{strip_forbidden(block.html)}</div>'
