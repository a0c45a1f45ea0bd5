"""The page's structured data: schema.org JSON-LD (the NewsArticle, its authors, the breadcrumbs),
written so it is safe inside a <script> element.

Built from plain page data like the rest of the page (render/page_input.py);
`build_page` puts the result in the page view, the listings use the
breadcrumbs and the script-safe JSON too.
"""

from __future__ import annotations

import json
from datetime import datetime
from json.encoder import encode_basestring as _encode_string
from typing import TYPE_CHECKING
from urllib.parse import quote, urljoin

from newsdesk.bylines import is_organisation, split_byline
from newsdesk.render import dates, i18n
from newsdesk.render.page_input import ArticleInput, AuthorInput, FigureInput, PublicationInput
from newsdesk.rules import section_segment

if TYPE_CHECKING:  # annotations only: page.py imports this module
    from newsdesk.render.page import Assets, PublisherLogo

# Google shows at most this much of a NewsArticle's headline; a longer one is
# cut at a word boundary and marked, never mid-word.
JSON_LD_HEADLINE_MAX = 110


def news_article_ld(
    article: ArticleInput,
    publication: PublicationInput,
    assets: Assets,
    *,
    lang: str,
    tz: str,
    published: datetime,
    updated: datetime,
    description: str,
    canonical: str,
    hero_fig: FigureInput | None,
    social: tuple[str, int, int],
    ratio_images: list[tuple[str, int, int]],
    publisher_logo: PublisherLogo | None,
) -> dict[str, object]:
    """The page's schema.org NewsArticle: headline, dates, authors, publisher, the lead picture."""
    base_url = publication.base_url or ""
    og_image, og_width, og_height = social
    publisher: dict[str, object] = {"@type": "Organization", "name": publication.name}
    if base_url:
        publisher["url"] = base_url
    if publisher_logo is not None:
        publisher["logo"] = {
            "@type": "ImageObject",
            "url": publisher_logo.url,
            "width": publisher_logo.width,
            "height": publisher_logo.height,
        }
    ld: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": cut_at_word(article.headline, JSON_LD_HEADLINE_MAX),
        "datePublished": dates.iso(published, tz),
        "dateModified": dates.iso(updated, tz),
        "author": authors_ld(article, assets, publication.base_url or ""),
        "publisher": publisher,
        "inLanguage": lang,
    }
    if description:
        ld["description"] = description
    if og_image and hero_fig is not None:
        # Google's article guidance: the lead picture in 16:9, 4:3 and 1:1, each
        # at least 1,200 px wide where the original allows (the exporter's crops);
        # where there are none (the preview), the picture as the page shows it.
        shown = ratio_images or [(og_image, og_width, og_height)]
        images_ld: list[dict[str, object]] = []
        for url, width, height in shown:
            image_ld: dict[str, object] = {
                "@type": "ImageObject",
                "url": url,
                "width": width,
                "height": height,
            }
            if hero_fig.caption:
                image_ld["caption"] = hero_fig.caption
            if hero_fig.image.credit:
                image_ld["creditText"] = hero_fig.image.credit
            images_ld.append(image_ld)
        ld["image"] = images_ld
    if canonical:
        ld["mainEntityOfPage"] = canonical
        ld["url"] = canonical
    if article.section:
        ld["articleSection"] = article.section
    if article.tags:
        ld["keywords"] = article.tags
    return ld


def article_crumbs(article: ArticleInput, assets: Assets, lang: str) -> list[tuple[str, str]]:
    """Home > the story's section > the story, as (name, path below the site root)."""
    crumbs = [(i18n.translations(lang).gettext("Home"), "")]
    # The section's page, named as the site's navigation names it ("News" when it has no name).
    crumbs.append((article.section or "News", f"{section_segment(article.section)}/"))
    crumbs.append(
        (cut_at_word(article.headline, JSON_LD_HEADLINE_MAX), assets.article_path(article))
    )
    return crumbs


def breadcrumbs(crumbs: list[tuple[str, str]], base_url: str) -> dict[str, object]:
    """A schema.org BreadcrumbList from (name, path below the site root) pairs."""
    items: list[dict[str, object]] = []
    for position, (name, path) in enumerate(crumbs, start=1):
        item: dict[str, object] = {"@type": "ListItem", "position": position, "name": name}
        if base_url:
            item["item"] = urljoin(base_url, quote(path, safe="/"))
        items.append(item)
    return {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": items}


def cut_at_word(text: str, limit: int) -> str:
    """`text` when it fits in `limit` characters, else cut at a word boundary with '…' added.

    The result, ellipsis included, is never longer than `limit`. A first word
    longer than the limit (a URL, a run of CJK text) is cut where it must be.
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    room = text[: limit - 1]  # one character is kept for the ellipsis
    if text[limit - 1].isspace():
        cut = room
    else:
        space = room.rfind(" ")
        cut = room[:space] if space > 0 else room
    return cut.rstrip(" ,;:.-–—") + "…"


def linked_authors(article: ArticleInput) -> dict[str, AuthorInput]:
    return {a.name.casefold(): a for a in article.authors}


def authors_ld(article: ArticleInput, assets: Assets, base_url: str) -> list[dict[str, object]]:
    """JSON-LD authors: a Person (with url) for a person, an Organization for staff and agencies."""
    linked = linked_authors(article)
    out: list[dict[str, object]] = []
    for name in split_byline(article.byline):
        author = linked.get(name.casefold())
        organisation = author.role != "person" if author else is_organisation(name)
        entry: dict[str, object] = {
            "@type": "Organization" if organisation else "Person",
            "name": name,
        }
        url = assets.author_url(author, base_url) if author else ""
        if url:
            entry["url"] = url
        out.append(entry)
    return out


_SCRIPT_UNSAFE = str.maketrans(
    {
        "<": "\\u003c",
        ">": "\\u003e",
        "&": "\\u0026",
        "\u2028": "\\u2028",
        "\u2029": "\\u2029",
    }
)


def json_for_script(data: object) -> str:
    """JSON safe inside a <script> element in every state of the HTML parser.

    Escaping only '</' is not enough: '<!--<script>' puts the parser in its
    escaped-script states and the rest of the page is swallowed. With no '<',
    '>' or '&' left (each is a \\u escape, which JSON reads back unchanged)
    the parser cannot leave the script's text state early.
    """
    try:
        text = _json_indented(data, "\n")
    except _NotPlain:
        text = json.dumps(data, ensure_ascii=False, indent=1)
    return text.translate(_SCRIPT_UNSAFE)


class _NotPlain(Exception):
    """A value _json_indented leaves to json.dumps (a float, a type of its own)."""


def _json_indented(value: object, newline: str) -> str:
    """json.dumps(value, ensure_ascii=False, indent=1), character for character, for the
    strings, whole numbers, lists and string-keyed dicts structured data is made of.

    With an indent, json.dumps takes its pure-Python encoder, a tenth of a page's own work;
    this walks the same values with its C string encoder. `newline` is a line break and
    the indent of the value's own level.
    """
    if isinstance(value, str):
        return _encode_string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return int.__repr__(value)
    inner = newline + " "
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        items = [_json_indented(v, inner) for v in value]
        return "[" + inner + ("," + inner).join(items) + newline + "]"
    if type(value) is dict:
        if not value:
            return "{}"
        parts = []
        for k, v in value.items():
            if not isinstance(k, str):
                raise _NotPlain
            parts.append(_encode_string(k) + ": " + _json_indented(v, inner))
        return "{" + inner + ("," + inner).join(parts) + newline + "}"
    raise _NotPlain
