"""An exported page offers a transparent picture as PNG and WebP, and every file it names exists."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from newsdesk.export import export_site
from newsdesk.rules import section_segment
from tests.export.sample import add_image, published

from .test_export_site import local_targets, tags


def test_a_transparent_hero_is_exported_as_png_with_a_webp_source(library, tmp_path: Path):
    src = tmp_path / "logo.png"
    im = Image.new("RGBA", (1200, 600), (0, 0, 0, 0))
    ImageDraw.Draw(im).rectangle((300, 100, 900, 500), fill=(255, 255, 255, 255))
    im.save(src)
    logo = add_image(library, src, credit="Design desk", alt_text="The white festival logo")
    article = published(
        library, hero=logo, headline="A new logo", dek="White on clear.", body="Text.", slug="logo"
    )
    # Open Graph names the picture by its absolute address: a base URL is needed.
    library.update_publication(base_url="https://festival.example/")
    site = tmp_path / "site"
    library.update_publication(base_url="https://news.example.org/")  # og:image needs one
    export_site(library, site)
    page = site / section_segment(article.section) / article.slug / "index.html"
    parsed = tags(page)
    hero = next(a for t, a in parsed.tags if t == "img")
    assert hero["src"].endswith(".png")
    assert all(c.split()[0].endswith(".png") for c in hero["srcset"].split(", "))
    source = next(a for t, a in parsed.tags if t == "source")
    assert source["type"] == "image/webp" and ".webp" in source["srcset"]
    assert ".jpg" not in page.read_text(encoding="utf-8")
    og = next(a for t, a in parsed.tags if t == "meta" and a.get("property") == "og:image")
    assert og["content"].endswith(".png")
    for target in local_targets(page):
        assert (page.parent / target.split("#")[0]).resolve().is_file(), target
    for png in site.glob("assets/img/*.png"):
        with Image.open(png) as out:
            assert out.convert("RGBA").getpixel((0, 0))[3] == 0
