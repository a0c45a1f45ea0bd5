"""The rules sanitised HTML still has to pass before it is published: pictures, links, attributes, characters.

nh3 removes what is dangerous; what it leaves must also be valid HTML that
makes no request off the page. Everything here works on nh3's output, whose
serialisation is regular: every attribute value is double-quoted with `"`
escaped, and a `<` in text is always `&lt;`, so a tag can be found by a
regular expression that consumes attribute values whole (a `<img` written
inside a title attribute is never mistaken for a tag).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import quote, urlsplit

# How a body refers to a library image: ![alt text](image:<image uid>)
IMAGE_SCHEME = "image"

# Code points the HTML standard forbids in a document (C0 and C1 controls other
# than tab, line feed, form feed and carriage return; DEL; noncharacters; lone
# surrogates, which cannot even be written as UTF-8).
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff"
    + "".join(f"{chr(p)}{chr(p + 1)}" for p in range(0x1FFFE, 0x110000, 0x10000))
    + "]"
)


# A superset of _FORBIDDEN that the regular-expression engine scans an order of magnitude
# faster (a handful of ranges instead of thirty-odd astral pairs): every value a template
# prints passes through strip_forbidden, so the common, clean text must cost little.
_MAYBE_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe-\U0010ffff]"
)


def strip_forbidden(text: str) -> str:
    """The text without the code points no valid page may contain."""
    if _MAYBE_FORBIDDEN.search(text) is None:
        return text
    return _FORBIDDEN.sub("", text) if _FORBIDDEN.search(text) else text


# ---------------------------------------------------------------- attributes
_SCOPES = frozenset({"row", "col", "rowgroup", "colgroup"})
_HOST = re.compile(r"[^\s/?#@:\[\]<>%\\^|`{}\"]+")
# What may stay unencoded in a published URL; anything else (spaces, quotes,
# control characters) is percent-encoded so the Nu checker accepts it.
_URL_SAFE = "!#$%&'()*+,-./:;=?@[]_~"


def attribute_filter(element: str, attribute: str, value: str) -> str | None:
    """nh3's hook: keep an allowed attribute only with a value valid HTML accepts (None drops it)."""
    if attribute == "id":
        return value if value and not any(c.isspace() for c in value) else None
    if attribute == "start":
        return value if re.fullmatch(r"-?\d{1,9}", value.strip()) else None
    if attribute in ("colspan", "rowspan"):
        v = value.strip()
        low = 1 if attribute == "colspan" else 0
        return v if v.isascii() and v.isdigit() and low <= int(v) <= 1000 else None
    if attribute in ("width", "height"):
        v = value.strip()
        return v if v.isascii() and v.isdigit() and len(v) < 6 else None
    if attribute == "scope":
        return value.strip().lower() if value.strip().lower() in _SCOPES else None
    if attribute == "href":
        return publishable_url(value, element)
    # src is left as written: place_images decides, and names what it leaves out.
    return value


def publishable_url(value: str, element: str = "a") -> str | None:
    """A link target every browser and the Nu checker accept, or None to leave the words unlinked."""
    url = value.strip()
    if not url:
        return None
    if url.lower().startswith(IMAGE_SCHEME + ":"):
        return None  # a picture reference is not a page anyone can follow
    try:
        parts = urlsplit(url)
        if parts.scheme.lower() in ("http", "https"):
            host = parts.hostname
            if (
                not host
                or not _HOST.fullmatch(host)
                or parts.port is not None
                and parts.port > 65535
            ):
                return None
    except ValueError:  # an unclosed [ in the host, a port that is not a number
        return None
    return quote(url, safe=_URL_SAFE)


# ---------------------------------------------------------------- tags
# One start or end tag of nh3's output, attribute values consumed whole.
_TAG = re.compile(r'<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s"\'>/=]+(?:="[^"]*")?)*)\s*/?>')
_ATTR = re.compile(r'([^\s"\'>/=]+)="([^"]*)"')


def _attrs(attr_text: str) -> dict[str, str]:
    return {k: unescape(v) for k, v in _ATTR.findall(attr_text)}


def unwrap_dead_links(html: str) -> str:
    """`<a>` without an href (its address was unsafe) becomes its words: no empty link is published."""
    if "<a" not in html:
        return html
    kept: list[bool] = []  # for each open <a>, whether its tags are kept

    def one(m: re.Match[str]) -> str:
        closing, name = m.group(1), m.group(2).lower()
        if name != "a":
            return m.group(0)
        if closing:
            return m.group(0) if (kept.pop() if kept else True) else ""
        keep = "href" in _attrs(m.group(3))
        kept.append(keep)
        return m.group(0) if keep else ""

    return _TAG.sub(one, html)


# ---------------------------------------------------------------- pictures
ImageResolver = Callable[[str, str, bool], "str | None"]
"""(image uid, alt text, stands alone as a paragraph) -> trusted HTML, or None when unknown."""


@dataclass
class PictureReport:
    """The pictures a render left out, each named for a person (alt text or address)."""

    dropped: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # their src, as written


_PARAGRAPH_IMG = re.compile(r"<p>\s*$")


def place_images(
    html: str, resolve: ImageResolver | None, report: PictureReport | None = None
) -> str:
    """Library pictures become figures; any other <img> is left out and reported.

    One rule for every part of the body (paragraphs, tables, footnotes, raw
    HTML): a published page never loads a picture from elsewhere (no request
    may leave it) and never shows a placeholder in its place. Preflight names
    what was left out, so the editor finds it before publishing.
    """
    if "<img" not in html:
        return html
    out: list[str] = []
    pos = 0
    dropped_any = False
    for m in _TAG.finditer(html):
        if m.group(1) or m.group(2).lower() != "img":
            continue
        attrs = _attrs(m.group(3))
        src, alt = attrs.get("src", ""), attrs.get("alt", "")
        before = html[pos : m.start()]
        # <p><img></p> is a picture standing alone: it becomes a figure, not an inline image.
        after = html[m.end() :]
        p_open = _PARAGRAPH_IMG.search(before)
        p_close = re.match(r"\s*</p>", after)
        standalone = bool(p_open and p_close)
        placed = None
        if src.startswith(IMAGE_SCHEME + ":") and resolve is not None:
            placed = resolve(src[len(IMAGE_SCHEME) + 1 :], alt, standalone)
        if placed is None:
            dropped_any = True
            if report is not None:
                report.dropped.append(_describe(src, alt))
                report.sources.append(src)
        if standalone:
            if placed is None:
                out.append(before)  # keep the <p>: its </p> follows
                pos = m.end()
                continue
            out.append(before[: p_open.start()])
            out.append(placed)
            pos = m.end() + p_close.end()
        else:
            out.append(before)
            out.append(placed or "")
            pos = m.end()
    out.append(html[pos:])
    result = "".join(out)
    # A paragraph that only held a left-out picture is not published empty.
    return re.sub(r"<p>\s*</p>", "", result) if dropped_any else result


def _describe(src: str, alt: str) -> str:
    if src.startswith(IMAGE_SCHEME + ":"):
        target = f"library picture {src[len(IMAGE_SCHEME) + 1 :]!r}, which is not in the library"
    elif src:
        target = f"picture from {src}"
    else:
        target = "picture with no address"
    return f"the {target}" + (f" (alt text {alt!r})" if alt else "")
