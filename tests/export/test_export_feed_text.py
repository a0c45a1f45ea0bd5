"""The feeds' full text is made beside each story's page and is exactly what the story renders alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.export import export_site
from newsdesk.export.site import FEED_CACHE
from newsdesk.library import Library
from tests.export.sample import add_image, make_jpeg, published
from tests.export.stories import files_of

BODY = """The wall gave way at dawn.[^1] See [the report][r].

![Boats on the quay](image:{inline})

A paragraph with **bold** words and an [outside link](https://example.org/a).

![The same boats, smaller](image:{inline}) said the caption, inline.

[r]: https://example.org/report
[^1]: The port authority rated it "critical" in ![a note](image:{inline}) 2016.
"""


def _newsroom(root: Path, photos: Path, base_url: str) -> Library:
    library = Library.open(root)
    library.update_publication(name="The Harbour Gazette", base_url=base_url)
    hero = add_image(
        library,
        make_jpeg(photos / "hero.jpg", (900, 600), (40, 70, 120)),
        alt_text="Waves over the harbour wall",
        credit="Ana Ruiz / Gazette",
    )
    boats = add_image(
        library,
        make_jpeg(photos / "boats.jpg", (800, 533), (120, 60, 40)),
        alt_text="Boats lying on a flooded quay",
        credit="Luis Pardo / Gazette",
    )
    for i, section in enumerate(["News", "Politics", "News"]):
        published(
            library,
            hero=hero,
            headline=f"Harbour story {i}",
            dek=f"What happened on day {i}.",
            section=section,
            body=BODY.format(inline=boats.uid),
        )
    return library


def _feeds(site: Path) -> dict[str, bytes]:
    return {rel: data for rel, data in files_of(site).items() if rel.endswith(".xml")}


@pytest.mark.parametrize("base_url", ["", "https://gazette.example/"])
def test_feed_text_made_beside_the_pages_is_the_text_each_story_renders_alone(
    tmp_path: Path, base_url: str
):
    library = _newsroom(tmp_path / "lib", tmp_path / "photos", base_url)
    # A file where the feed cache folder goes: nothing can be kept there, so the
    # first export writes each feed's text from the story alone, as it always could.
    cache = library.cache_dir / FEED_CACHE
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text("not a folder")
    alone = export_site(library, tmp_path / "alone", workers=1)
    assert alone.ok, alone.problem_lines()

    cache.unlink()
    beside = export_site(library, tmp_path / "beside", workers=1)
    assert beside.ok, beside.problem_lines()

    feeds = _feeds(tmp_path / "beside")
    assert {"feed.xml", "feeds/news.xml", "feeds/politics.xml"} <= set(feeds)
    assert feeds == _feeds(tmp_path / "alone")
    # Each section feed lives one folder down, so without a base URL its pictures'
    # addresses differ from the home feed's: each story's text is kept once per address root.
    kept = sorted(p.name for p in cache.glob("*.html"))
    assert len(kept) == (6 if not base_url else 3)
    if not base_url:
        assert b"../assets/img/" in feeds["feeds/news.xml"]
    # A third export reads every feed text from what the pages left, to the byte.
    again = export_site(library, tmp_path / "again", workers=1)
    assert _feeds(tmp_path / "again") == feeds
    assert sorted(p.name for p in cache.glob("*.html")) == kept
    assert again.ok
