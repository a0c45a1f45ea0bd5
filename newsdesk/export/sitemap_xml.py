"""The built-in sitemap templates written directly: the bytes Jinja makes of them, without Jinja.

A sitemap part of 20,000 addresses spent most of its time in Jinja's loop and
in the finalize hook every printed value goes through (templates.py's
`_publishable`). When the publication keeps our own `sitemap.xml` and
`sitemap_index.xml`, the same text is made here: every value cleaned of the
code points no page may hold and escaped once, as the template's `{{ … }}`
does (finalize, then autoescape). A library's own sitemap template is still
rendered by Jinja (export/site_listings.py decides which).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from markupsafe import escape

from newsdesk.render.safety import strip_forbidden

# What resources/templates/sitemap.xml and sitemap_index.xml print around their
# entries (trim_blocks and lstrip_blocks drop the tags' lines; Jinja drops the
# file's last newline).
_HEAD = '<?xml version="1.0" encoding="utf-8"?>\n'
_URLSET = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
_INDEX = '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
TEMPLATES = ("sitemap.xml", "sitemap_index.xml")


# In ASCII text, what strip_forbidden drops or escape changes (an address or a date has none).
_ASCII_TOUCHED = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f&<>\"']")


def _printed(value: Any) -> str:
    """A value as `{{ value }}` prints it: control characters dropped, then escaped for XML."""
    if isinstance(value, str):
        if value.isascii() and _ASCII_TOUCHED.search(value) is None:
            return value
        value = strip_forbidden(value)
    return str(escape(value))


def urlset(urls: Iterable[Any]) -> str:
    """sitemap.xml of these entries (each with .loc and .lastmod)."""
    lines = [_HEAD, _URLSET]
    lines += [
        f"  <url><loc>{_printed(u.loc)}</loc><lastmod>{_printed(u.lastmod)}</lastmod></url>\n"
        for u in urls
    ]
    lines.append("</urlset>")
    return "".join(lines)


def sitemapindex(sitemaps: Iterable[Any]) -> str:
    """sitemap_index.xml of these entries (each with .loc and .lastmod)."""
    lines = [_HEAD, _INDEX]
    lines += [
        f"  <sitemap><loc>{_printed(s.loc)}</loc><lastmod>{_printed(s.lastmod)}</lastmod>"
        "</sitemap>\n"
        for s in sitemaps
    ]
    lines.append("</sitemapindex>")
    return "".join(lines)


def text_of(template: str, entries: list[Any]) -> str:
    """The text the built-in template of this name makes of these entries."""
    return urlset(entries) if template == "sitemap.xml" else sitemapindex(entries)
