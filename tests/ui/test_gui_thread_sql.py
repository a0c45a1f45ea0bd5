"""The GUI thread never writes to the library, and the window reads nothing there while people work.

A scripted session hooks SQLAlchemy's `before_cursor_execute` and notes every
statement the product runs on the main thread (the test's own checks are left
out: they have no `newsdesk/ui` frame on their stack).
"""

from __future__ import annotations

import threading
import traceback
from collections import defaultdict

from PySide6.QtTest import QTest
from sqlalchemy import event

from newsdesk.library.related.picker import StoryRow, card_from_article
from tests.ui.conftest import answered, open_in_window, run_js, wait_preview_ready

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def page_text(qtbot, window) -> str:
    return run_js(qtbot, window, "document.body.innerText") or ""


class GuiThreadStatements:
    """Statements the product ran on the GUI thread, by phase of the session."""

    def __init__(self, library) -> None:
        self.library = library
        self.phase = "start"
        self.seen: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.main = threading.main_thread()

    def __enter__(self) -> GuiThreadStatements:
        event.listen(self.library.engine, "before_cursor_execute", self._check)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(self.library.engine, "before_cursor_execute", self._check)

    def _check(self, _conn, _cursor, statement, *_args) -> None:
        if threading.current_thread() is not self.main:
            return
        ours = [
            f"ui/{f.filename.split('/newsdesk/ui/')[-1]}:{f.name}"
            for f in traceback.extract_stack()
            if "/newsdesk/ui/" in f.filename
        ]
        if ours:  # run by the product, not by the test's own checks
            self.seen[self.phase].append((statement.lstrip()[:70], " <- ".join(ours[::-1][:3])))

    def writes(self) -> list[tuple[str, str, str]]:
        return [
            (phase, sql, where)
            for phase, rows in self.seen.items()
            for sql, where in rows
            if sql.split(None, 1)[0].upper() in WRITES
        ]

    def reads_in(self, phase: str) -> list[tuple[str, str]]:
        """Every statement run in this phase (reads included)."""
        return list(self.seen.get(phase, []))


def test_a_working_session_runs_no_sql_on_the_gui_thread_once_the_window_is_open(
    qtbot, make_window, library
):
    other = library.create_article(headline="Harbour budget passes", status="published")
    other_card = card_from_article(library.get_article(other.id))
    picture = library.add_images(
        [{"sha256": "c" * 64, "ext": ".jpg", "original_name": "quay.jpg"}]
    )[0]
    library.save_template("Wire", {"credit": "Harbour Agency", "usage_terms": "Editorial use"})

    with GuiThreadStatements(library) as gui:
        gui.phase = "opening the window"
        window = make_window()
        window.install_standard_panels()

        gui.phase = "a new story, typed"
        window.new_article()
        window.focus_editor()
        QTest.keyClicks(window.editor, "The ferry runs again.")
        qtbot.waitUntil(lambda: window.article is not None)
        article_id = window.article.id
        qtbot.waitUntil(
            lambda: library.get_article(article_id).body == "The ferry runs again.", timeout=10_000
        )
        window.save_now()
        qtbot.waitUntil(lambda: len(library.revisions(article_id)) == 1, timeout=10_000)

        gui.phase = "a related pick and its undo"
        picker = window.panels["related"]
        wait_preview_ready(qtbot, window)
        picker.add_row(StoryRow(other_card))
        qtbot.waitUntil(
            lambda: [r.target_id for r in library.get_article(article_id).related] == [other.id],
            timeout=10_000,
        )
        # The window shows the pick without reading the article on the GUI thread.
        qtbot.waitUntil(
            lambda: [r.target_id for r in window.article.related] == [other.id], timeout=10_000
        )
        qtbot.waitUntil(lambda: "Harbour budget passes" in page_text(qtbot, window), timeout=10_000)
        picker.undo()
        qtbot.waitUntil(lambda: library.get_article(article_id).related == [], timeout=10_000)
        qtbot.waitUntil(lambda: window.article.related == [], timeout=10_000)
        qtbot.waitUntil(
            lambda: "Harbour budget passes" not in page_text(qtbot, window), timeout=10_000
        )

        gui.phase = "a picture's credit, hero and template, and their undo"
        images = window.panels["images"]
        qtbot.waitUntil(lambda: images.library_model.row_of(picture.id) >= 0, timeout=10_000)
        assert images.select_image(picture.id)
        images.form.editors["credit"].setFocus()
        QTest.keyClicks(images.form.editors["credit"], "Ana Ruiz")
        images.commit_edits()
        images.set_hero()
        images.apply_template("Wire")
        qtbot.waitUntil(lambda: not images.busy, timeout=10_000)
        assert library.get_image(picture.id).credit == "Harbour Agency"
        assert library.get_article(article_id).hero.image_id == picture.id
        images.undo()  # the template
        qtbot.waitUntil(lambda: library.get_image(picture.id).credit == "Ana Ruiz", timeout=10_000)
        images.undo()  # the hero
        qtbot.waitUntil(lambda: library.get_article(article_id).figures == [], timeout=10_000)

        gui.phase = "an update note"
        window.add_dated_note("update", "The timetable is online.")
        qtbot.waitUntil(lambda: len(library.updates(article_id)) == 1, timeout=10_000)
        qtbot.waitUntil(lambda: len(window.article.updates) == 1, timeout=10_000)

        gui.phase = "a revision restored"
        QTest.keyClicks(window.editor, " More.")
        window.show_history()
        dialog = window.history_dialog
        qtbot.waitUntil(lambda: dialog.list.count() >= 1, timeout=10_000)
        dialog.list.setCurrentRow(0)
        dialog.restore_button.click()
        qtbot.waitUntil(
            lambda: window.editor.toPlainText() == "The ferry runs again.", timeout=10_000
        )

        gui.phase = "preferences opened and the publication renamed"
        from newsdesk.ui.preferences import show_preferences

        prefs = show_preferences(window)
        assert prefs.name_edit.text() == library.publication().name
        prefs.name_edit.setText("Harrow Gazette")
        prefs.url_edit.setText("https://harrow.example/")
        prefs.accept()
        assert library.publication().name == "Harrow Gazette"

        gui.phase = "authors"
        authors = window.show_authors()
        authors.name.setText("Ana Ruiz")
        authors.save()
        qtbot.waitUntil(
            lambda: "Ana Ruiz" in [a.name for a in library.list_authors()], timeout=10_000
        )
        qtbot.waitUntil(lambda: authors.list.count() == 1, timeout=10_000)
        authors.close()

        gui.phase = "the trash"
        trash = window.trash.show_trash()
        answered()  # its list was read (on a worker) and shown
        trash.close()
        window.trash.delete_article(other.id)
        qtbot.waitUntil(window.trash.can_undo, timeout=10_000)

        gui.phase = "closing"
        window.close()

    assert gui.writes() == []
    for phase in (
        "a new story, typed",
        "a related pick and its undo",
        "a picture's credit, hero and template, and their undo",
        "an update note",
        "preferences opened and the publication renamed",
        "authors",
        "the trash",
        "closing",
    ):
        assert gui.reads_in(phase) == [], phase


def test_the_notes_of_a_story_are_read_off_the_gui_thread(qtbot, make_window, library):
    story = library.create_article(headline="Ferry", body="The ferry runs again.")
    library.add_note(story.id, story.body, 4, 9, "Which ferry?")
    with GuiThreadStatements(library) as gui:
        gui.phase = "notes"
        window = make_window(open_initial=False)
        open_in_window(qtbot, window, story.id)
        qtbot.waitUntil(lambda: window.notes_panel.list.count() == 1, timeout=10_000)
    assert not [s for s in gui.seen["notes"] if "article_notes" in s[0]]


def test_the_check_runs_on_a_worker_and_says_what_it_found(
    qtbot, make_window, library, sample_article
):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    window = make_window()
    wait_preview_ready(qtbot, window)
    said: list[str] = []

    def answer_the_box() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            said.append(box.text())
            box.done(0)

    closer = QTimer(interval=50)
    closer.timeout.connect(answer_the_box)
    closer.start()
    with GuiThreadStatements(library) as gui:
        gui.phase = "the check"
        window.run_preflight()
        qtbot.waitUntil(lambda: bool(said), timeout=10_000)
    closer.stop()
    assert "Not ready to publish yet" in said[0]
    assert "hero" in said[0].lower()  # the sample story has no picture yet
    assert gui.seen["the check"] == []


def test_settling_a_clash_between_two_windows_reads_nothing_on_the_gui_thread(
    qtbot, make_window, library, sample_article
):
    from PySide6.QtGui import QTextCursor

    from newsdesk.library import Library

    mine = make_window()
    other_library = Library.open(library.root)  # a second window, as a second instance would
    theirs = make_window(other_library)
    try:
        with GuiThreadStatements(library) as gui, GuiThreadStatements(other_library) as gui2:
            gui.phase = gui2.phase = "a clash settled"
            for window in (mine, theirs):
                window.editor.moveCursor(QTextCursor.MoveOperation.Start)
            QTest.keyClicks(theirs.editor, "THEIRS ")
            assert theirs.autosave.flush()
            QTest.keyClicks(mine.editor, "MINE ")
            qtbot.waitUntil(lambda: mine.conflict_box is not None, timeout=10_000)
            mine.conflict_box.buttonClicked.emit(mine.keep_mine_button)
            assert library.get_article(sample_article.id).body.startswith("MINE ")
            QTest.keyClicks(theirs.editor, "AGAIN ")
            qtbot.waitUntil(lambda: theirs.conflict_box is not None, timeout=10_000)
            theirs.conflict_box.buttonClicked.emit(theirs.load_theirs_button)
            qtbot.waitUntil(lambda: theirs.editor.toPlainText().startswith("MINE "), timeout=10_000)
        assert gui.writes() == [] and gui2.writes() == []
        assert gui.reads_in("a clash settled") == []
        assert gui2.reads_in("a clash settled") == []
    finally:
        theirs.close()
        other_library.close()


def test_opening_a_long_story_from_the_list_and_rendering_its_page_read_nothing_on_the_gui_thread(
    qtbot, make_window, library
):
    picture = library.add_images(
        [{"sha256": "d" * 64, "ext": ".jpg", "original_name": "quay.jpg", "credit": "Ana Ruiz"}]
    )[0]
    body = "\n\n".join(f"Paragraph {n} of the harbour works, day by day." for n in range(400))
    long = library.create_article(
        headline="Harbour works, day by day", body=body, status="editing", tags=["harbour"]
    )
    other = library.create_article(headline="Ferry returns", status="published")
    library.set_hero(long.id, picture.id)
    library.set_related(long.id, [other.id])
    library.add_update(long.id, "The timetable is online.")
    library.add_note(long.id, body, 0, 9, "Which works?")
    library.create_article(headline="Night crossing", body="Notes on the night.")
    window = make_window()
    window.install_standard_panels()
    wait_preview_ready(qtbot, window)
    assert window.article.headline == "Night crossing"
    model = window.browser.model
    qtbot.waitUntil(lambda: model.row_of(long.id) >= 0, timeout=10_000)

    with GuiThreadStatements(library) as gui:
        gui.phase = "opening a story from the list"
        window.browser.view.setCurrentIndex(model.index(model.row_of(long.id), 0))
        qtbot.waitUntil(
            lambda: window.article is not None and window.article.id == long.id, timeout=10_000
        )
        qtbot.waitUntil(
            lambda: "Harbour works, day by day" in page_text(qtbot, window), timeout=10_000
        )
        assert window.editor.toPlainText() == body
        qtbot.waitUntil(lambda: window.notes_panel.list.count() == 1, timeout=10_000)

        gui.phase = "the page rendered again"
        with qtbot.waitSignal(window.preview.sig_ready, timeout=10_000):
            window.reload_article()
        qtbot.waitUntil(lambda: "Ferry returns" in page_text(qtbot, window), timeout=10_000)

    assert gui.reads_in("opening a story from the list") == []
    assert gui.reads_in("the page rendered again") == []
