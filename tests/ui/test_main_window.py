"""The main window as a reporter uses it: type, see the page; new article by keyboard; browse."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from newsdesk.app import wait_for_page
from newsdesk.text import word_count
from newsdesk.ui.article_list_model import PAGE_SIZE
from tests.ui.conftest import (
    answered,
    bulk_articles,
    open_in_window,
    run_js,
    type_text,
    wait_preview_ready,
)

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def body_text(qtbot, window) -> str:
    return run_js(qtbot, window, "document.getElementById('story-body').innerText") or ""


def test_a_typed_paragraph_appears_in_the_preview_page(qtbot, window):
    from newsdesk.ui.preview import PreviewPane  # the QtWebEngine page, not the fallback

    wait_preview_ready(qtbot, window)
    assert isinstance(window.preview, PreviewPane)
    window.editor.setFocus()
    window.editor.moveCursor(QTextCursor.MoveOperation.End)
    type_text(window.editor, "\n\nA ferry will run every twenty minutes from Monday.")

    qtbot.waitUntil(
        lambda: "A ferry will run every twenty minutes from Monday." in body_text(qtbot, window),
        timeout=10_000,
    )
    # The paragraph is its own block in the page, after the ones already there.
    last = run_js(
        qtbot, window, "[...document.querySelectorAll('#story-body .blk')].pop().innerText"
    )
    assert last.strip() == "A ferry will run every twenty minutes from Monday."


def test_an_edited_headline_shows_in_the_list_and_the_preview(qtbot, window, library):
    wait_preview_ready(qtbot, window)
    article_id = window.article.id
    window.form.headline.setFocus()
    window.form.headline.selectAll()
    QTest.keyClicks(window.form.headline, "Bridge closure delayed until spring")

    model = window.browser.model
    row = model.row_of(article_id)
    assert model.index(row, 0).data() == "Bridge closure delayed until spring"
    qtbot.waitUntil(
        lambda: (
            run_js(qtbot, window, "document.getElementById('story-headline').textContent")
            == "Bridge closure delayed until spring"
        ),
        timeout=10_000,
    )
    assert "Bridge closure delayed until spring" in window.windowTitle()
    # ...and the library has it (slug followed the headline, since it was never edited by hand).
    qtbot.waitUntil(
        lambda: library.get_article(article_id).headline == "Bridge closure delayed until spring",
        timeout=10_000,
    )
    assert library.get_article(article_id).slug == "bridge-closure-delayed-until-spring"


def focused() -> QWidget:
    return QApplication.focusWidget()


def _focus_chain_member(widget: QWidget, expected: QWidget) -> bool:
    return widget is expected or expected.isAncestorOf(widget)


def test_ctrl_n_then_tab_through_every_field_to_the_body_without_a_mouse(qtbot, window, library):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    before = library.count_articles()
    QTest.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)

    # Nothing is saved until something is typed; then the story is made on the writer.
    form = window.form
    assert window.pending_new and window.article is None
    assert form.headline.hasFocus() and form.headline.text() == ""
    assert library.count_articles() == before

    QTest.keyClicks(form.headline, "Ferry service starts on Monday")
    qtbot.waitUntil(lambda: window.article is not None)
    assert library.count_articles() == before + 1
    new_id = window.article.id
    assert window.browser.view.currentIndex().data(Qt.ItemDataRole.UserRole) == new_id
    expected_path = [
        (form.dek, "Boats every twenty minutes while the bridge is shut."),
        (form.byline, "By Tom Lee"),
        (form.section, "Transport"),
        (form.tags, "ferry, bridge"),
        (form.slug, None),
        (form.status, None),
        (form.embargo_on, None),
        # the embargo time is skipped while the embargo box is off
        (form.seo_title, "Ferry starts Monday"),
        (form.seo_description, "What to know about the new ferry."),
        (window.editor, "The first boat leaves at six."),
    ]
    for widget, text in expected_path:
        QTest.keyClick(focused(), Qt.Key.Key_Tab)
        assert _focus_chain_member(focused(), widget), (
            f"Tab went to {focused()!r}, expected {widget.accessibleName()}"
        )
        if text:
            QTest.keyClicks(focused(), text)

    # Shift+Tab from the body goes back to the form.
    QTest.keyClick(window.editor, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert form.seo_description.hasFocus()

    qtbot.waitUntil(
        lambda: library.get_article(new_id).body == "The first boat leaves at six.", timeout=10_000
    )
    saved = library.get_article(new_id)
    assert saved.headline == "Ferry service starts on Monday"
    assert saved.dek == "Boats every twenty minutes while the bridge is shut."
    assert saved.byline == "By Tom Lee"
    assert saved.section == "Transport"
    assert saved.tags == ["ferry", "bridge"]
    assert saved.slug == "ferry-service-starts-on-monday"
    assert saved.seo_title == "Ferry starts Monday"
    assert saved.seo_description == "What to know about the new ferry."


def test_counters_turn_red_past_the_budget_and_the_status_bar_counts(qtbot, window):
    counter = window.form.headline_count
    assert counter.text() == f"{len(window.form.headline.text())}/70" and not counter.over
    assert not _shows_red(counter)
    window.form.headline.setText("x" * 71)
    assert counter.text() == "71/70" and counter.over
    assert _shows_red(counter)
    window.form.seo_description.setText("y" * 161)
    assert window.form.seo_description_count.over
    qtbot.waitUntil(lambda: "words" in window.stats_label.text())
    words = word_count(window.editor.toPlainText())
    assert window.stats_label.text().startswith(f"{words} words · ")
    assert window.stats_label.text().endswith("1 min read")


def _shows_red(widget) -> bool:
    image = widget.grab().toImage()
    return any(
        # Anti-aliased glyphs blend with the background, so look for a clear red cast.
        (c := image.pixelColor(x, y)).red() - c.green() > 50 and c.red() - c.blue() > 50
        for x in range(image.width())
        for y in range(image.height())
    )


def test_a_taken_slug_is_flagged_and_never_breaks_the_autosave(qtbot, window, library):
    library.create_article(headline="Other story", slug="other-story")
    form = window.form
    form.slug.setFocus()
    form.slug.selectAll()
    QTest.keyClicks(form.slug, "other-story")
    qtbot.waitUntil(lambda: "taken" in form.slug_note.text(), timeout=10_000)
    assert "slug" not in form.values()
    QTest.keyClicks(window.editor, "More. ")
    qtbot.waitUntil(
        lambda: library.get_article(window.article.id).body.startswith("More. "), timeout=10_000
    )
    assert library.get_article(window.article.id).slug != "other-story"


def test_layout_and_last_article_come_back_next_time(qtbot, make_window, library, sample_article):
    other = library.create_article(headline="Second story", body="Second body.")
    first = make_window()
    open_in_window(qtbot, first, sample_article.id)
    first.resize(900, 560)
    first.toggle_preview(False)
    first.docks["related"].hide()
    first.docks["library"].setFloating(True)
    first.close()

    second = make_window()
    assert second.article.id == sample_article.id
    # (The offscreen screen is 800 pixels wide, so only the height survives unclamped.)
    assert second.size().height() == 560
    assert not second.docks["related"].isVisible()
    assert second.docks["library"].isFloating()
    assert not second.preview_action.isChecked()
    assert other.id != second.article.id


def test_a_new_story_typed_at_once_is_listed_once(qtbot, window, library):
    """It was listed twice: put first when created, and again by the list's reload."""
    window.new_article()
    window.focus_headline()
    for letter in "Ferry timetable changes":
        QTest.keyClicks(window.form.headline, letter)
        qtbot.wait(20)
    qtbot.waitUntil(lambda: window.article is not None, timeout=10_000)
    model = window.browser.model
    qtbot.waitUntil(lambda: not model._fetching and len(model.rows) == 2, timeout=10_000)
    # A late page would add the story again: every save and every read started meanwhile is in.
    qtbot.waitUntil(lambda: not window.autosave.dirty)
    assert window.ops.wait(10_000)
    answered()
    assert [row.headline for row in model.rows] == [
        "Ferry timetable changes",
        "Council votes to close the old bridge for a year",
    ]


def test_browser_fetches_one_page_at_first_and_more_as_it_scrolls(qtbot, make_window, library):
    bulk_articles(library, 2000)
    window = make_window()
    model = window.browser.model
    qtbot.waitUntil(lambda: model.rowCount() == PAGE_SIZE)
    assert model.pages_fetched == 1 and model.canFetchMore()

    view = window.browser.view
    for _ in range(3):
        shown = model.rowCount()
        view.scrollToBottom()
        qtbot.waitUntil(lambda shown=shown: model.rowCount() > shown, timeout=10_000)
    assert PAGE_SIZE * 2 <= model.rowCount() < 2000
    # Newest first: row order follows the updated time.
    assert model.rows[0].headline == "Story 0 about the harbour"
    assert model.rows[150].headline == "Story 150 about the ferry"


def test_search_type_ahead_narrows_the_list_as_words_are_typed(qtbot, make_window, library):
    bulk_articles(library, 2000)
    library.create_article(headline="Ferry timetable announced", body="Boats every twenty minutes.")
    window = make_window()
    model = window.browser.model
    qtbot.waitUntil(lambda: model.rowCount() == PAGE_SIZE)

    QTest.keyClick(
        window,
        Qt.Key.Key_F,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert window.browser.search.hasFocus()
    QTest.keyClicks(window.browser.search, "timet")  # a prefix, still typing
    qtbot.waitUntil(
        lambda: [r.headline for r in model.rows] == ["Ferry timetable announced"], timeout=10_000
    )
    window.browser.search.clear()
    QTest.keyClicks(window.browser.search, "ferry")
    qtbot.waitUntil(
        lambda: len(model.rows) > 100 and model.filters.query == "ferry", timeout=10_000
    )
    assert all("ferry" in r.headline.lower() for r in model.rows)
    assert "results" in window.browser.count_label.text()

    # Filters combine with the search.
    window.browser.status_filter.setCurrentIndex(window.browser.status_filter.findData("draft"))
    qtbot.waitUntil(lambda: model.filters.status == "draft" and model.pages_fetched == 1)
    qtbot.waitUntil(lambda: bool(model.rows) and all(r.status == "draft" for r in model.rows))

    # Enter moves to the results; picking one opens it.
    window.browser.search.setFocus()
    QTest.keyClick(window.browser.search, Qt.Key.Key_Return)
    assert window.browser.view.hasFocus()
    qtbot.waitUntil(lambda: window.article.id == model.rows[0].id, timeout=10_000)


class NotesPanel(QLabel):
    """A stand-in panel: the Panel protocol and nothing more."""

    sig_insert_markdown = Signal(str)

    def __init__(self, ops) -> None:
        super().__init__("notes")
        self.ops = ops
        self.seen: list = []
        self.bodies: list[str] = []
        self.heard: list = []
        self.flushed = 0

    def attach(self, editor, spell) -> None:
        self.sig_insert_markdown.connect(editor.insert_markdown)

    def set_article(self, article) -> None:
        self.seen.append(article.id if article else None)

    def body_changed(self, text: str) -> None:
        self.bodies.append(text)

    def library_changed(self, changes, initiator) -> None:
        self.heard.append(changes)

    def flush(self) -> bool:
        self.flushed += 1
        return True


def test_panels_plug_into_their_dock_and_follow_the_open_article(qtbot, window, library):
    from newsdesk.ui.panels import Panel

    panel = NotesPanel(window.ops)
    assert isinstance(panel, Panel)
    window.install_panel("images", panel, "Images")
    assert window.docks["images"].widget() is panel
    assert panel.seen == [window.article.id]

    window.editor.moveCursor(QTextCursor.MoveOperation.Start)
    before = window.editor.toPlainText()
    first_paragraph = before.split("\n\n")[0]
    panel.sig_insert_markdown.emit("![A ferry](image:abc)\n\n")
    # Never inside the paragraph: after it, as a block of its own.
    assert window.editor.toPlainText().startswith(first_paragraph + "\n\n![A ferry](image:abc)\n\n")
    assert panel.bodies[-1] == window.editor.toPlainText()
    window.editor.undo()
    assert window.editor.toPlainText() == before

    other = library.create_article(headline="Another")
    open_in_window(qtbot, window, other.id)
    assert panel.seen[-1] == other.id
    window.ops.run_op(lambda lib: lib.add_update(other.id, "Ferries run again."), initiator="t")
    qtbot.waitUntil(lambda: any(other.id in c.updates_of for c in panel.heard), timeout=10_000)
    window.save_everything()
    assert panel.flushed == 1


def test_a_widget_that_is_not_a_panel_is_refused(window):
    with pytest.raises(TypeError, match="must be a widget implementing Panel"):
        window.install_panel("images", QLabel("not a panel"), "Images")


def test_the_standard_panels_keep_the_panel_protocol(window):
    from newsdesk.ui.panels import Panel

    window.install_standard_panels()
    assert all(isinstance(p, Panel) for p in window.panels.values())
    assert set(window.panels) == {"images", "related"}


def test_screenshot_of_the_main_window_with_the_sample_article(qtbot, make_window, library):
    from newsdesk.sample import SAMPLE_SLUG, seed_if_new

    assert seed_if_new(library)
    window = make_window(open_initial=False)
    open_in_window(qtbot, window, library.get_article(SAMPLE_SLUG).id)
    wait_preview_ready(qtbot, window)
    headline = window.form.headline.text()
    qtbot.waitUntil(
        lambda: (
            run_js(qtbot, window, "document.getElementById('story-headline').textContent")
            == headline
        ),
        timeout=10_000,
    )
    qtbot.waitUntil(lambda: window.browser.model.rowCount() == library.count_articles())
    # The web view paints its first frame, then the decoded hero, a moment after loading.
    assert wait_for_page(window), "the preview never showed the page with its hero image"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "main_window.png"
    image = window.grab().toImage()
    assert image.save(str(path))
    assert (image.width(), image.height()) == (window.width(), window.height())


def _has_a_page(window) -> bool:
    """The preview half of a grab of the window holds a rendered page, top to bottom."""
    image = window.grab().toImage()
    holder = window.preview_holder
    origin = holder.mapTo(window, QPoint(0, 0))
    for top in (40, holder.height() // 2, holder.height() - 200):
        colours = {
            image.pixel(origin.x() + dx, origin.y() + top + dy)
            for dx in range(10, holder.width() - 20, 9)
            for dy in range(0, 150, 9)
        }
        if len(colours) < 4:
            return False
    return True


def dark_palette():
    from PySide6.QtGui import QColor, QPalette

    p = QPalette()
    roles = QPalette.ColorRole
    for role, colour in (
        (roles.Window, "#2b2b2b"),
        (roles.WindowText, "#e6e6e6"),
        (roles.Base, "#1e1e1e"),
        (roles.AlternateBase, "#262626"),
        (roles.Text, "#e6e6e6"),
        (roles.Button, "#353535"),
        (roles.ButtonText, "#e6e6e6"),
        (roles.Highlight, "#2f65ca"),
        (roles.HighlightedText, "#ffffff"),
        (roles.Link, "#7fb0ff"),
        (roles.PlaceholderText, "#9a9a9a"),
        (roles.ToolTipBase, "#353535"),
        (roles.ToolTipText, "#e6e6e6"),
    ):
        p.setColor(role, QColor(colour))
    return p


def test_screenshot_in_a_dark_theme_stays_readable(qtbot, window):
    app = QApplication.instance()
    old_palette, old_style = app.palette(), app.style().name()
    app.setStyle("Fusion")
    app.setPalette(dark_palette())
    try:
        wait_preview_ready(qtbot, window)
        qtbot.waitUntil(lambda: _has_a_page(window), timeout=10_000)
        window.form.headline.setText("x" * 75)  # an over-budget counter, red on dark
        image = window.grab().toImage()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        assert image.save(str(ARTIFACTS / "main_window_dark.png"))
        # The editor follows the palette: dark paper, light ink.
        assert window.editor.palette().color(window.editor.backgroundRole()).lightness() < 60
        assert window.form.headline_count.over and _shows_red(window.form.headline_count)
        assert not _shows_red(window.form.dek_count)
    finally:
        app.setPalette(old_palette)
        app.setStyle(old_style)
