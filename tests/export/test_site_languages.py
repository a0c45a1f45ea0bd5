"""Pages in the story's own language: Arabic and Hebrew read right to left, checked by Nu and axe."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from newsdesk.export import export_site
from newsdesk.paths import resource
from newsdesk.render import i18n
from tests.checkers import (
    axe_check_page,
    format_axe_violations,
    format_vnu_errors,
    new_page,
    page_url,
    screenshot,
    vnu_errors,
)
from tests.export.sample import add_image, make_jpeg, published

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "artifacts" / "screenshots"
BASE = "https://gazette.example.net/"
ENGLISH_PAGE_STRINGS = (
    "Related stories", "min read", "Skip to content", "Credit:", "Topics", "Update", "Corrections",
)  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from newsdesk.library import Library

    base = tmp_path_factory.mktemp("languages")
    library = Library.open(base / "library")
    library.update_publication(base_url=BASE, name="The Harbour Gazette", language="en")
    photos = base / "photos"
    photos.mkdir()
    pic = add_image(
        library,
        make_jpeg(photos / "harbour.jpg", (1400, 933), (40, 70, 120)),
        alt_text="قوارب في الميناء عند الفجر",
        credit="Ana Ruiz / Gazette",
        caption="الميناء صباح الثلاثاء.",
    )
    english = published(
        library, hero=pic, headline="Storm closes the harbour", dek="Ferries stop for three days.",
        body="The storm came in at dawn.\n\nThe ferries stopped.", section="News",
    )  # fmt: skip
    arabic = published(
        library, hero=pic, headline="العاصفة تغلق الميناء لثلاثة أيام",
        dek="توقفت العبّارات بعد وصول العاصفة فجراً.", byline="By Ana Ruiz",
        body="وصلت العاصفة عند الفجر.\n\n" + "توقفت العبّارات عن العمل. " * 120,
        section="أخبار", tags=["الطقس", "Port of Leith"], language="ar",
    )  # fmt: skip
    hebrew = published(
        library, hero=pic, headline="הסערה סוגרת את הנמל לשלושה ימים",
        dek="המעבורות הפסיקו לפעול עם הגעת הסערה.", byline="By Ana Ruiz",
        body="הסערה הגיעה עם שחר.\n\nהמעבורות הפסיקו לפעול.", section="חדשות",
        tags=["מזג אוויר"], language="he",
    )  # fmt: skip
    library.set_related(arabic.id, [english.id])
    library.set_related(hebrew.id, [english.id])
    # A dated update: the page then has two dates (published, updated) and an update line.
    library.add_update(arabic.id, "عادت العبّارات إلى العمل ظهراً.")
    library.add_update(hebrew.id, "המעבורות חזרו לפעול בצהריים.")
    out = base / "site"
    report = export_site(library, out)
    assert report.ok, report.problem_lines()
    yield library, out, arabic, hebrew
    library.close()


def _page(out: Path, section: str, slug: str) -> Path:
    return out / section / slug / "index.html"


def test_an_arabic_story_speaks_arabic_around_its_text(site):
    library, out, arabic, _he = site
    # The section folder keeps its hamza (أ), in NFC.
    page = _page(out, "أخبار", arabic.slug)
    assert page.is_file(), sorted(p.name for p in out.iterdir())
    html = page.read_text(encoding="utf-8")
    for english in ENGLISH_PAGE_STRINGS:
        assert english not in html, english
    assert '<html lang="ar" dir="rtl">' in html
    assert '<meta property="og:locale" content="ar_EG">' in html
    assert "انتقل إلى المحتوى" in html and "مواضيع" in html and "حقوق الصورة:" in html
    assert re.search(r"\d+ دقائق للقراءة|\d+ دقيقة للقراءة", html)
    # Arabic month names, from the locale, not English ones.
    month = arabic.published_at.month
    assert i18n.human_date(arabic.published_at, language="ar").split()[1] in html
    assert ["January", "February", "March", "April", "May", "June", "July", "August",
            "September", "October", "November", "December"][month - 1] not in html  # fmt: skip
    # A Latin-script name on the Arabic page says it is English, and is isolated.
    assert '<bdi lang="en" dir="ltr">By Ana Ruiz</bdi>' in html
    assert '<bdi lang="en" dir="ltr">Ana Ruiz / Gazette</bdi>' in html
    assert f"{BASE}%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/" in html  # the folder, percent-encoded


def test_a_hebrew_story_speaks_hebrew_around_its_text(site):
    _library, out, _ar, hebrew = site
    html = _page(out, "חדשות", hebrew.slug).read_text(encoding="utf-8")
    for english in ENGLISH_PAGE_STRINGS:
        assert english not in html, english
    assert '<html lang="he" dir="rtl">' in html
    assert '<meta property="og:locale" content="he_IL">' in html
    assert "דקת קריאה אחת" in html and "דלג לתוכן" in html


# Where each part of the date line and of the update line is drawn (from its leftmost to its
# rightmost piece: a run of mixed scripts is drawn in several).
_LINE_BOXES = """() => {
  const box = el => {
    const rects = [...el.getClientRects()];
    return {left: Math.min(...rects.map(r => r.left)),
            right: Math.max(...rects.map(r => r.right))};
  };
  const q = s => box(document.querySelector(s));
  return {
    published: q('.story-dates time.published'),
    updated_label: q('.story-dates .updated-label'),
    updated: q('.story-dates .updated time'),
    reading: q('.story-dates .reading-time'),
    note_label: q('#story-updates li strong'),
    note_time: q('#story-updates li time'),
    note_text: q('#story-updates li .note-text'),
  };
}"""


@pytest.mark.parametrize("lang", ["he", "ar"])
def test_an_rtl_page_reads_its_two_dates_and_its_update_right_to_left(site, browser, lang):
    _library, out, arabic, hebrew = site
    path = _page(out, "חדשות", hebrew.slug) if lang == "he" else _page(out, "أخبار", arabic.slug)
    page = new_page(browser, width=1280)
    try:
        page.goto(page_url(path), wait_until="load")
        b = page.evaluate(_LINE_BOXES)
    finally:
        page.context.close()
    # Read right to left: published, then "Updated" and its date, then the reading time;
    # then the update line: its label, its date, what changed. Each part lies wholly to the
    # left of the one before it, so no date is split by the text around it.
    for order in (
        ["published", "updated_label", "updated", "reading"],
        ["note_label", "note_time", "note_text"],
    ):
        for before, after in zip(order, order[1:], strict=False):
            assert b[after]["right"] <= b[before]["left"] + 1, (before, after, b)
    screenshot(path, SHOTS / f"article-{lang}-dates.png", browser=browser, width=1280)


def test_arabic_and_hebrew_pages_pass_nu_and_axe_and_are_screenshotted(site, browser):
    _library, out, arabic, hebrew = site
    pages = {
        "ar": _page(out, "أخبار", arabic.slug),
        "he": _page(out, "חדשות", hebrew.slug),
    }
    errors = vnu_errors(list(pages.values()))
    assert errors == [], format_vnu_errors(errors)
    for lang, path in pages.items():
        for width in (390, 1280):
            page = new_page(browser, width=width)
            try:
                page.goto(page_url(path), wait_until="load")
                assert page.evaluate("document.documentElement.dir") == "rtl"
                violations = axe_check_page(page)
                assert violations == [], format_axe_violations(violations)
                # The reading time stays on one line on a phone.
                lines = page.evaluate(
                    "() => new Set([...document.querySelector('.reading-time').getClientRects()]"
                    ".map(r => Math.round(r.top))).size"
                )
                assert lines == 1, f"{lang} reading time wraps at {width} px"
            finally:
                page.context.close()
            screenshot(path, SHOTS / f"article-{lang}-{width}.png", browser=browser, width=width)


def test_every_page_string_has_a_translation_in_every_catalogue():
    extracted = {
        msgid if isinstance(msgid, str) else msgid[0]
        for _f, _l, msgid, _c, _ctx in (
            *extract_from_dir(
                str(resource("templates")),
                method_map=[("**.html", "jinja2")],
                options_map={"**.html": {"extensions": "jinja2.ext.i18n"}},
            ),
            *extract_from_dir(
                str(REPO / "newsdesk"),
                method_map=[("**.py", "python")],
                keywords={"gettext_for": (2,), "gettext": None, "ngettext": (1, 2)},
            ),
        )
    }
    extracted = {m for m in extracted if m}
    assert "Related stories" in extracted and "%(num)s min read" in extracted
    for lang in i18n.CATALOGUES[1:]:
        path = resource("locale") / lang / "LC_MESSAGES" / "newsdesk.po"
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        for msgid in extracted:
            message = catalog.get(msgid)
            assert message is not None and message.string, f"{lang}: {msgid!r} is not translated"
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            assert all(strings), f"{lang}: a plural form of {msgid!r} is empty"
        assert not list(catalog.check()), f"{lang}: {list(catalog.check())}"
