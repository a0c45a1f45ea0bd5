"""A listing's stories made in Python, byte for byte as our listing_item.html and picture.html make them.

A listing page includes listing_item.html once per story, and each include
builds a new template context: at 1,000 stories that was most of the time an
export spends on its 450 listing pages. When the page's environment serves
our own listing_item.html and picture.html (a library's templates folder may
replace either), listing.html asks `listing_items_html` for the stories
instead; otherwise it includes the template as before.

Every value is printed as the templates print it: through the environment's
finalize (which removes the characters no page may hold) and then escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

from newsdesk.paths import resource

_OURS = {name: resource("templates", name) for name in ("listing_item.html", "picture.html")}


def listing_items_html(env: jinja2.Environment, items: Iterable[Any]) -> markupsafe.Markup | None:
    """The stories' list items as listing.html's loop would include them, or None when the
    environment's listing_item.html or picture.html is a library's own."""
    for name, ours in _OURS.items():
        if Path(env.get_template(name).filename or "") != ours:
            return None
    out = _printer(env.finalize)
    return markupsafe.Markup("".join(_item(item, out) for item in items))


def _printer(finalize: Callable[[Any], Any] | None) -> Callable[[Any], str]:
    def out(value: Any) -> str:
        return str(markupsafe.escape(finalize(value) if finalize is not None else value))

    return out


def _item(item: Any, out: Callable[[Any], str]) -> str:
    lang = f' lang="{out(item.lang)}"' if item.lang else ""
    # picture.html's macro, printed once more (finalize on its whole output changes nothing)
    thumb = out(markupsafe.Markup(img(item.thumb, out, lazy=item.lazy))) if item.thumb else ""
    dek = f'<p class="listing-dek"{lang} dir="auto">{out(item.dek)}</p>\n' if item.dek else ""
    return (
        '<li class="listing-item">\n'
        f'  <a href="{out(item.href)}">\n'
        f'{thumb}    <span class="listing-headline"{lang} dir="auto">{out(item.headline)}</span>\n'
        "  </a>\n"
        f"{dek}"
        f'  <time datetime="{out(item.date_iso)}"><bdi>{out(item.date_text)}</bdi></time>\n'
        "</li>"
    )


_LAZY = ' loading="lazy"'
_PRIORITY = ' fetchpriority="high"'


def img(
    image: Any, out: Callable[[Any], str], lazy: bool = True, cls: str = "", priority: bool = False
) -> str:
    """picture.html's img macro: the <img>, wrapped in <picture> with its other formats."""
    sizes = f' sizes="{out(image.sizes)}"' if image.sizes else ""
    parts = []
    if image.sources:
        parts.append(f'<picture class="{out(cls)}">' if cls else "<picture>")
        parts += [
            f'<source type="{out(mime)}" srcset="{out(srcset)}"{sizes}>'
            for mime, srcset in image.sources
        ]
    parts.append(f'<img src="{out(image.src)}"')
    if image.srcset:
        parts.append(f' srcset="{out(image.srcset)}"{sizes}')
    parts.append(
        f' width="{out(image.width)}" height="{out(image.height)}" alt="{out(image.alt)}"'
        f"{_LAZY if lazy else ''}{_PRIORITY if priority else ''}"
        ' decoding="async">'
    )
    if image.sources:
        parts.append("</picture>")
    return "".join(parts)
