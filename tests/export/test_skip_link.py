"""The page's "Skip to content" link: hidden until Tab reaches it, then a bar of its own above the
masthead, never drawn over the publication's name (in the preview's narrow pane too; the preview
and the published page share one stylesheet)."""

from __future__ import annotations

import pytest

from newsdesk.library import Library
from newsdesk.render.page import Assets, build_page, render_page
from tests.checkers import new_page, page_url


def boxes(page) -> dict:
    return page.evaluate(
        """() => Object.fromEntries(['.skip-link', '.site-name'].map(s => {
            const r = document.querySelector(s).getBoundingClientRect();
            return [s, {top: r.top, bottom: r.bottom, left: r.left, right: r.right,
                        width: r.width, height: r.height}];
        }))"""
    )


@pytest.mark.parametrize("width", [360, 1366])
def test_the_focused_skip_link_sits_above_the_masthead_not_over_it(tmp_path, browser, width):
    library = Library.open(tmp_path / "library")
    story = library.create_article(headline="Ferry back", body="The ferry is back.")
    html = render_page(build_page(story, library.publication(), Assets(library.root)))
    library.close()
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    page = new_page(browser)
    try:
        page.set_viewport_size({"width": width, "height": 600})
        page.goto(page_url(path), wait_until="load")
        hidden = boxes(page)[".skip-link"]
        assert hidden["width"] <= 1 and hidden["height"] <= 1  # not shown until focused
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.className") == "skip-link"
        shown = boxes(page)
        link, name = shown[".skip-link"], shown[".site-name"]
        assert link["height"] >= 24 and link["width"] >= width - 1  # a bar across the page
        assert link["bottom"] <= name["top"]  # above the publication's name, not over it
        colours = page.evaluate(
            """() => { const s = getComputedStyle(document.activeElement);
                       return [s.color, s.backgroundColor, s.outlineStyle]; }"""
        )
        assert colours[0] != colours[1] and colours[2] != "none"  # legible, with a focus ring
    finally:
        page.context.close()
