"""A picture's words changed in the image panel, or elsewhere: the one writer saves it, every view shows it."""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest
from PySide6.QtCore import QThreadPool
from sqlalchemy import event

from newsdesk.library import FigureSpec, Library
from tests.ui.conftest import run_js, wait_preview_ready
from tests.ui.test_images_panel import photo, retype

HERO_WORDS = (
    "(() => { const c = document.querySelector('figure.figure-hero figcaption');"
    " const i = document.querySelector('figure.figure-hero img');"
    " return c ? JSON.stringify([c.textContent.replace(/\\s+/g, ' ').trim(), i.alt]) : ''; })()"
)
LD_CREDIT = (
    "(() => { const s = document.querySelector('script[type=\"application/ld+json\"]');"
    " const all = [].concat(JSON.parse(s.textContent));"
    " const ld = all.find(x => x['@type'] === 'NewsArticle') || {};"
    " return (ld.image && ld.image[0].creditText) || ''; })()"
)


@pytest.fixture
def hero_story(library, sample_article, tmp_path):
    """The sample article with a credited hero picture, and a base URL so its JSON-LD names the image."""
    image = library.add_images(
        [
            {
                "sha256": "a" * 64,
                "ext": ".jpg",
                "original_name": "harbour.jpg",
                "width": 600,
                "height": 400,
                "caption": "Ferries at dawn",
                "credit": "Ana Ruiz / Courier",
                "alt_text": "Two ferries moored under a grey sky",
            }
        ]
    )[0]
    src = photo(tmp_path / "in", "harbour.jpg")
    (library.root / "media").mkdir(exist_ok=True)
    (library.root / "media" / image.filename).write_bytes(src.read_bytes())
    library.set_figures(sample_article.id, [FigureSpec(image.id, "hero", "Ferries at dawn", None)])
    library.update_publication(base_url="https://gazette.example/")
    return image


def open_with_panels(qtbot, make_window):
    window = make_window()
    window.install_standard_panels()
    wait_preview_ready(qtbot, window)
    panel = window.panels["images"]
    qtbot.waitUntil(lambda: panel.library_model.rowCount() > 0)
    return window, panel


def test_a_credit_typed_in_the_panel_is_patched_into_the_preview_without_reloading_it(
    qtbot, make_window, library, hero_story
):
    window, panel = open_with_panels(qtbot, make_window)
    qtbot.waitUntil(lambda: "Ana Ruiz / Courier" in run_js(qtbot, window, HERO_WORDS))
    # A mark on the page as it is now: a reload would start a new page without it.
    run_js(qtbot, window, "window.__stillTheSamePage = true; true")
    reloads: list = []
    window.preview.sig_ready.connect(lambda: reloads.append(1))

    assert panel.select_image(hero_story.id)
    retype(panel.form.editors["credit"], "Sam Okoro / Courier")
    panel.commit_edits()

    qtbot.waitUntil(
        lambda: "Sam Okoro / Courier" in run_js(qtbot, window, HERO_WORDS), timeout=10_000
    )
    assert library.get_image(hero_story.id).credit == "Sam Okoro / Courier"
    assert run_js(qtbot, window, LD_CREDIT) == "Sam Okoro / Courier"  # the page's data too
    assert run_js(qtbot, window, "window.__stillTheSamePage === true") is True
    assert reloads == []
    caption, alt = json.loads(run_js(qtbot, window, HERO_WORDS))
    assert caption.startswith("Ferries at dawn")  # this story's caption, unchanged
    assert alt == "Two ferries moored under a grey sky"

    # Undo puts the old credit back in the library and on the page, still without a reload.
    panel.undo()
    qtbot.waitUntil(
        lambda: "Ana Ruiz / Courier" in run_js(qtbot, window, HERO_WORDS), timeout=10_000
    )
    assert library.get_image(hero_story.id).credit == "Ana Ruiz / Courier"
    assert run_js(qtbot, window, "window.__stillTheSamePage === true") is True


def test_removing_the_hero_takes_it_off_the_page_and_the_unsaved_text_stays(
    qtbot, make_window, library, hero_story
):
    window, panel = open_with_panels(qtbot, make_window)
    qtbot.waitUntil(lambda: bool(run_js(qtbot, window, HERO_WORDS)))
    run_js(qtbot, window, "window.__stillTheSamePage = true; true")
    retype(window.form.headline, "Ferries back in service")  # typed, not yet saved

    assert panel.select_image(hero_story.id)
    panel.remove_from_article()

    qtbot.waitUntil(lambda: run_js(qtbot, window, HERO_WORDS) == "", timeout=10_000)
    assert library.get_article(window.article.id).figures == []
    assert run_js(qtbot, window, "window.__stillTheSamePage === true") is True
    assert window.form.headline.text() == "Ferries back in service"
    qtbot.waitUntil(
        lambda: (
            run_js(qtbot, window, "document.querySelector('h1').textContent")
            == "Ferries back in service"
        ),
        timeout=10_000,
    )


def test_a_credit_changed_by_another_program_shows_in_the_open_panel_and_preview(
    qtbot, make_window, library, hero_story
):
    window, panel = open_with_panels(qtbot, make_window)
    assert panel.select_image(hero_story.id)
    qtbot.waitUntil(lambda: "Ana Ruiz / Courier" in run_js(qtbot, window, HERO_WORDS))

    other = Library.open(library.root)  # the command line, or a second window
    try:
        other.update_image(hero_story.id, credit="Port Authority")
    finally:
        other.close()

    qtbot.waitUntil(lambda: panel.form.value("credit") == "Port Authority", timeout=10_000)
    qtbot.waitUntil(lambda: "Port Authority" in run_js(qtbot, window, HERO_WORDS), timeout=10_000)
    QThreadPool.globalInstance().waitForDone(10_000)


def test_a_failed_picture_edit_is_one_sentence_and_the_panel_shows_the_library_again(
    qtbot, make_window, library, hero_story
):
    spare = library.add_images([{"sha256": "b" * 64, "ext": ".jpg", "original_name": "spare.jpg"}])[
        0
    ]
    window, panel = open_with_panels(qtbot, make_window)
    qtbot.waitUntil(lambda: panel.library_model.row_of(spare.id) >= 0)
    assert panel.select_image(spare.id)
    # The picture vanishes behind the window's back (a damaged or hand-edited library).
    with sqlite3.connect(library.root / "library.sqlite") as conn:
        conn.execute("DELETE FROM images WHERE id = ?", (spare.id,))
    conn.close()

    retype(panel.form.editors["credit"], "Nobody")
    panel.commit_edits()

    qtbot.waitUntil(lambda: panel.report_row.isVisible(), timeout=10_000)
    said = panel.report.text()
    assert said == f"<b>Not saved:</b> Image {spare.id} is no longer in the library."
    qtbot.waitUntil(lambda: panel.library_model.row_of(spare.id) < 0, timeout=10_000)
    assert panel.library_model.row_of(hero_story.id) >= 0


def test_a_template_on_the_heros_picture_reads_nothing_on_the_gui_thread(
    qtbot, make_window, library, hero_story
):
    """The window froze while a template applied: the open article was re-read on the GUI thread."""
    library.save_template("Wire", {"credit": "Harbour Agency"})
    window, panel = open_with_panels(qtbot, make_window)
    qtbot.waitUntil(lambda: "Ana Ruiz / Courier" in run_js(qtbot, window, HERO_WORDS))
    assert panel.select_image(hero_story.id)
    main = threading.main_thread()
    on_gui: list[str] = []

    def check(_conn, _cursor, statement, *_args):
        if threading.current_thread() is main:
            on_gui.append(statement[:80])

    event.listen(library.engine, "before_cursor_execute", check)
    try:
        with qtbot.waitSignal(panel.photo_desk.sig_applied, timeout=10_000):
            panel.apply_template("Wire")
        qtbot.waitUntil(
            lambda: "Harbour Agency" in run_js(qtbot, window, HERO_WORDS), timeout=10_000
        )
    finally:
        event.remove(library.engine, "before_cursor_execute", check)
    assert on_gui == []
    assert window.article.hero.image.credit == "Harbour Agency"
