"""QA stories for exported pages: an Arabic article read in Chromium, and folders a site must not be written into."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newsdesk.export import ExportError, export_site
from newsdesk.library import Library
from newsdesk.rules import section_segment
from tests.checkers import new_page, page_url
from tests.export.sample import build_sample_library

# Where, left to right, a piece of text in an element is drawn in the browser.
_TEXT_X = """([selector, word]) => {
  const el = document.querySelector(selector);
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(word);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + word.length);
    return range.getBoundingClientRect().left;
  }
  return null;
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Library, Path]:
    base = tmp_path_factory.mktemp("qa site")
    library = build_sample_library(base / "library", base / "photos")
    out = base / "site"
    report = export_site(library, out)
    assert report.ok, report.problem_lines()
    yield library, out
    library.close()


def _page(library: Library, out: Path, slug: str) -> Path:
    article = library.get_article(slug)
    return out / section_segment(article.section) / article.slug / "index.html"


def _x(page, selector: str, word: str) -> float:
    x = page.evaluate(_TEXT_X, [selector, word])
    assert x is not None, f"{word!r} not found in {selector}"
    return x


def test_arabic_dates_on_an_arabic_page_read_right_to_left(browser, site):
    """An Arabic story's dates are Arabic ('10 مارس 2026'), the day read first: at the right."""
    library, out = site
    page = new_page(browser)
    try:
        page.goto(page_url(_page(library, out, "storm-closes-harbour-arabic")))
        assert page.evaluate("document.documentElement.dir") == "rtl"
        # The page's own date line, and the date on the card of the English story it relates to.
        for selector in ("time.published", ".related-card time"):
            day, month = page.text_content(selector).split()[:2]
            assert day.isdigit() and month.isalpha() and not month.isascii()
            assert _x(page, selector, day) > _x(page, selector, month), selector
        # The reading time is Arabic too, and the footer keeps © before the Latin name.
        assert "read" not in page.text_content(".reading-time")
        name = library.publication().name
        assert _x(page, ".site-footer p", "©") < _x(page, ".site-footer p", name.split()[0])
    finally:
        page.context.close()


def test_the_root_folder_is_refused_and_left_untouched(library, tmp_path):
    # "/" holds other things and no export of ours, so nothing may be written into it.
    before = sorted(os.listdir("/"))
    with pytest.raises(ExportError, match="is not empty and is not a newsdesk export"):
        export_site(library, "/")
    assert sorted(os.listdir("/")) == before
