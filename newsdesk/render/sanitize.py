"""The markup an article body may hold: what nh3 keeps of the HTML Markdown makes."""

from __future__ import annotations

import functools
from collections.abc import Callable

import nh3

from newsdesk.render.safety import IMAGE_SCHEME, attribute_filter, unwrap_dead_links

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "li": {"id"},
    "sup": {"id"},
    "td": {"style", "colspan", "rowspan"},
    "th": {"style", "colspan", "rowspan", "scope"},
    **{f"h{n}": {"id"} for n in range(2, 7)},
}
ALLOWED_CLASSES = {
    "a": {"footnote-ref", "footnote-backref"},
    "div": {"footnote"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel", IMAGE_SCHEME}


def sanitize(html: str) -> str:
    """Keep only the markup an article body may hold.

    Scripts, styles, iframes, forms and event-handler attributes are removed;
    links may only use web, mail and phone schemes (never javascript:), and get
    rel="noopener".
    """
    cleaned = _cleaner()(html)
    # A link whose address was removed (javascript:, data:...) keeps its words, not its <a>.
    return unwrap_dead_links(cleaned)


def _options() -> dict:
    return {
        "tags": ALLOWED_TAGS,
        "clean_content_tags": CLEAN_CONTENT_TAGS,
        "attributes": ALLOWED_ATTRIBUTES,
        "attribute_filter": attribute_filter,
        "allowed_classes": ALLOWED_CLASSES,
        "filter_style_properties": {"text-align"},
        "url_schemes": URL_SCHEMES,
        "link_rel": "noopener",
        "strip_comments": True,
    }


@functools.cache
def _cleaner() -> Callable[[str], str]:
    """nh3's sanitiser set up once: nh3.clean builds its rules afresh on every call, which
    was half of its cost on a paragraph (a page sanitises each of its blocks). nh3 releases
    before 0.3 have no Cleaner; they clean as before."""
    options = _options()
    if hasattr(nh3, "Cleaner"):
        return nh3.Cleaner(**options).clean
    return functools.partial(nh3.clean, **options)


CLEAN_CONTENT_TAGS = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "template",
    "noscript",
    "svg",
    "math",
    "title",
    "textarea",
    "select",
}
