"""A listing's stories come out exactly as our listing_item.html and picture.html make them, or a library's own."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from newsdesk.export.listings import ListingItem
from newsdesk.paths import resource
from newsdesk.render.page import ImageRef
from newsdesk.render.templates import environment

WORDS = ["Harbour", "budget", "<b>", "&amp;", '"quoted"', "'single'", "l'été", "\x07bell",
         "\ufffe", "日本語", "", "a/b?c=1&d=2", "  spaced  ", "مرحبا"]  # fmt: skip


def _image(rng: random.Random) -> ImageRef:
    word = lambda: rng.choice(WORDS)  # noqa: E731
    return ImageRef(
        src=f"media/{word()}.jpg",
        width=rng.choice([480, 0, 1600]),
        height=rng.choice([270, 1]),
        alt=word(),
        srcset=rng.choice(["", f"a.jpg 480w, {word()} 960w"]),
        sizes=rng.choice(["", "(min-width: 56rem) 17rem, 100vw", word()]),
        sources=rng.choice([(), (("image/webp", f"a.webp 480w, {word()} 960w"),)]),
    )


def _items(rng: random.Random) -> list[ListingItem]:
    word = lambda: rng.choice(WORDS)  # noqa: E731
    return [
        ListingItem(
            href=f"news/{word()}/",
            headline=" ".join(word() for _ in range(3)),
            dek=rng.choice(["", word()]),
            lang=rng.choice(["", "fr", "ar", word()]),
            date_iso="2026-03-01T09:00:00+00:00",
            date_text=word(),
            thumb=rng.choice([None, _image(rng)]),
            lazy=rng.choice([True, False]),
        )
        for _ in range(rng.randint(1, 6))
    ]


def _stories(env, items) -> str:
    class Page:
        pass

    page = Page()
    page.items = items  # type: ignore[attr-defined]
    return env.from_string('{% import "listing.html" as l %}{{ l.stories(page) }}').render(
        page=page
    )


def test_a_listings_stories_are_made_as_our_templates_make_them_one_by_one(tmp_path):
    # The same templates read from a library's folder: listing.html includes them story by story.
    folder = tmp_path / "templates"
    folder.mkdir()
    for name in ("listing_item.html", "picture.html"):
        shutil.copy(resource("templates", name), folder / name)
    ours, theirs = environment(None, "en"), environment(folder, "en")
    assert ours.globals["listing_items_html"]([]) is not None  # ours: made in Python
    assert theirs.globals["listing_items_html"]([]) is None  # a library's: included
    rng = random.Random(450)
    for _ in range(300):
        items = _items(rng)
        assert _stories(ours, items) == _stories(theirs, items), items


def test_a_librarys_own_listing_item_or_picture_template_is_used(tmp_path: Path):
    item = ListingItem("a/", "Head", "", "", "2026", "1 March", ImageRef("s.jpg", 10, 20, "alt"))
    for name, mark in (("listing_item.html", "<li class=own>"), ("picture.html", "<img own>")):
        folder = tmp_path / name
        folder.mkdir()
        if name == "picture.html":
            (folder / name).write_text("{% macro img(image, lazy=true) %}<img own>{% endmacro %}")
        else:
            (folder / name).write_text("<li class=own>{{ item.headline }}</li>")
        assert mark in _stories(environment(folder, "en"), [item])
