"""The exported hero in every ratio: JSON-LD lists 16:9, 4:3 and 1:1, Open Graph gets 1200x630, the page keeps its layout.

Real pictures, a real library and the real exporter; the page is read back as
HTML and the files it names are opened with Pillow.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from PIL import Image as PILImage

from newsdesk.crops import Box
from newsdesk.export import export_site
from newsdesk.library import Library
from newsdesk.preflight import preflight
from tests.export.ld import ld_of_type
from tests.export.sample import add_image, make_jpeg, published

BASE = "https://gazette.example/"


class Head(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.ld = ""
        self.hero: dict[str, str] = {}
        self._in_ld = self._in_hero = False

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "meta" and ("property" in a or "name" in a):
            self.meta[a.get("property") or a["name"]] = a.get("content", "")
        self._in_ld = tag == "script" and a.get("type") == "application/ld+json"
        if tag == "figure" and "figure-hero" in a.get("class", ""):
            self._in_hero = True
        if tag == "img" and self._in_hero and not self.hero:
            self.hero = a

    def handle_data(self, data):
        if self._in_ld:
            self.ld += data

    def handle_endtag(self, tag):
        self._in_ld = False


def _story(tmp_path: Path, size: tuple[int, int]):
    lib = Library.open(tmp_path / "lib")
    lib.update_publication(name="The Harbour Gazette", base_url=BASE, language="en")
    picture = add_image(
        lib,
        make_jpeg(tmp_path / "harbour.jpg", size, (40, 70, 120)),
        caption="Boats at dawn.",
        alt_text="Fishing boats moored at dawn",
        credit="Ana Ruiz / Gazette",
    )
    article = published(
        lib,
        hero=picture,
        headline="Boats return",
        dek="The fleet is back.",
        body="Text.",
        section="News",
    )
    return lib, picture, article


def _page(site: Path, article) -> Head:
    head = Head()
    head.feed((site / "news" / article.slug / "index.html").read_text(encoding="utf-8"))
    return head


def _open(site: Path, url: str) -> PILImage.Image:
    assert url.startswith(BASE)
    return PILImage.open(site / url.removeprefix(BASE))


def test_json_ld_lists_the_three_ratios_and_open_graph_gets_a_1200_by_630_card(tmp_path):
    lib, picture, article = _story(tmp_path, (3000, 2000))
    site = tmp_path / "site"
    report = export_site(lib, site, workers=1)
    assert not report.failed, report.failed
    page = _page(site, article)

    images = ld_of_type(page.ld)["image"]
    ratios = []
    for entry in images:
        with _open(site, entry["url"]) as im:
            assert im.size == (entry["width"], entry["height"])
            assert im.width >= 1200
            ratios.append(round(im.width / im.height, 2))
    assert ratios == [round(16 / 9, 2), round(4 / 3, 2), 1.0]

    with _open(site, page.meta["og:image"]) as card:
        assert card.size == (1200, 630)
    assert (page.meta["og:image:width"], page.meta["og:image:height"]) == ("1200", "630")
    # The page itself keeps the layout the template shows: the whole picture, 3:2.
    assert abs(int(page.hero["width"]) / int(page.hero["height"]) - 1.5) < 0.01


def test_a_new_focal_point_or_crop_box_is_published_by_the_next_export(tmp_path):
    lib, picture, article = _story(tmp_path, (3000, 2000))
    site = tmp_path / "site"
    export_site(lib, site, workers=1)
    first = ld_of_type(_page(site, article).ld)["image"]

    lib.set_framing(picture.id, crops={"1:1": Box(0, 0, 2000, 2000)})
    export_site(lib, site, workers=1)
    second = ld_of_type(_page(site, article).ld)["image"]
    assert second[2]["url"] != first[2]["url"]  # the square is new
    assert second[0]["url"] == first[0]["url"]  # 16:9 was not touched
    with _open(site, second[2]["url"]) as im, PILImage.open(tmp_path / "harbour.jpg") as src:
        # The left-hand square: its top-left corner is the picture's top-left corner.
        want = src.convert("RGB").resize((3, 2)).getpixel((0, 0))
        got = im.convert("RGB").resize((2, 2)).getpixel((0, 0))
        assert all(abs(a - b) < 60 for a, b in zip(want, got, strict=True))


def test_preflight_warns_when_a_ratio_cannot_reach_1200_px(tmp_path):
    lib, picture, article = _story(tmp_path, (1500, 800))  # wide enough, but 800 px tall
    problems = preflight(lib, lib.get_article(article.id))
    (warning,) = [p for p in problems if p.code == "hero-crop-narrow"]
    assert warning.severity == "warning" and not warning.is_error
    assert "4:3 (1067 px)" in warning.message and "1:1 (800 px)" in warning.message
    assert "16:9" not in warning.message

    small = add_image(lib, make_jpeg(tmp_path / "small.jpg", (800, 600), (1, 2, 3)))
    lib.update_image(small.id, credit="Ana Ruiz", alt_text="A small picture")
    lib.set_hero(article.id, small.id)
    codes = {p.code: p for p in preflight(lib, lib.get_article(article.id))}
    assert codes["hero-narrow"].severity == "warning"
    assert "800 px wide" in codes["hero-narrow"].message


def test_an_incremental_publish_after_a_new_crop_and_a_storys_own_caption_matches_a_full_export(
    tmp_path,
):
    from newsdesk.export.incremental import publish
    from tests.export.test_incremental_export import Site

    lib, picture, article = _story(tmp_path, (3000, 2000))
    site = Site(lib, tmp_path)
    site.publish()
    before = ld_of_type(_page(site.out, article).ld)["image"]
    old_square = site.out / before[2]["url"].removeprefix(BASE)
    assert old_square.is_file()

    lib.set_framing(picture.id, crops={"1:1": Box(1000, 0, 2000, 2000)})
    (figure,) = lib.get_article(article.id).figures
    lib.update_figure(figure.id, caption="The fleet home at last.")
    report = site.publish()  # compared, file by file, with a full export of the same library
    assert report.mode == "incremental"
    after = ld_of_type(_page(site.out, article).ld)["image"]
    assert after[2]["url"] != before[2]["url"]
    assert not old_square.exists()  # no page points at it any more
    for entry in after:
        assert (site.out / entry["url"].removeprefix(BASE)).is_file()
        assert entry["caption"] == "The fleet home at last."
    assert publish(lib, site.out).changed_files == []
