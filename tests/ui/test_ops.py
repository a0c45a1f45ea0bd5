"""Operations: every write the window makes runs on the library's writer, and changes from elsewhere show up."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

from PySide6.QtTest import QTest
from sqlalchemy import event

from newsdesk.library import Library
from newsdesk.ui.ops import Operations

STORY = """---
headline: Ferry service restored after the storm
byline: By Ana Ruiz
section: News
---
The ferry runs again from Monday.
"""


def test_a_story_imported_on_the_command_line_appears_in_the_open_window(
    qtbot, make_window, library, tmp_path
):
    window = make_window()
    story = tmp_path / "ferry.md"
    story.write_text(STORY, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "newsdesk", "--library", str(library.root), "import", str(story)],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
    )
    assert result.returncode == 0, result.stderr
    imported_at = time.monotonic()

    def listed() -> bool:
        model = window.browser.model
        return any(
            "Ferry service restored" in str(model.index(r, 0).data())
            for r in range(model.rowCount())
        )

    qtbot.waitUntil(listed, timeout=2000)
    assert time.monotonic() - imported_at < 2.0


def test_no_write_reaches_the_library_from_the_gui_thread(qtbot, make_window, library):
    other = library.create_article(headline="Harbour budget passes", status="published")
    picture = library.add_images(
        [{"sha256": "c" * 64, "ext": ".jpg", "original_name": "quay.jpg"}]
    )[0]
    library.save_template("Wire", {"credit": "Harbour Agency", "usage_terms": "Editorial use"})
    main = threading.main_thread()
    on_gui: list[str] = []

    def check(_conn, _cursor, statement, *_args):
        verb = statement.lstrip().split(None, 1)[0].upper()
        if verb in ("INSERT", "UPDATE", "DELETE", "REPLACE") and threading.current_thread() is main:
            on_gui.append(statement[:80])

    event.listen(library.engine, "before_cursor_execute", check)
    try:
        window = make_window()
        window.install_standard_panels()
        # New article, then typing (autosave).
        window.new_article()
        window.focus_editor()
        QTest.keyClicks(window.editor, "The ferry runs again.")
        qtbot.waitUntil(lambda: window.article is not None)
        article_id = window.article.id
        qtbot.waitUntil(
            lambda: library.get_article(article_id).body == "The ferry runs again.", timeout=5000
        )
        # Ctrl+S records a revision; a related pick; a restore from history.
        window.save_now()
        qtbot.waitUntil(lambda: len(library.revisions(article_id)) == 1, timeout=5000)
        picker = window.panels["related"]
        picker._apply_picks([other.id])
        qtbot.waitUntil(
            lambda: [r.target_id for r in library.get_article(article_id).related] == [other.id],
            timeout=5000,
        )
        # The image panel: a credit typed, the picture made hero, a template, its undo.
        images = window.panels["images"]
        qtbot.waitUntil(lambda: images.library_model.row_of(picture.id) >= 0, timeout=5000)
        assert images.select_image(picture.id)
        images.form.editors["credit"].setFocus()
        QTest.keyClicks(images.form.editors["credit"], "Ana Ruiz")
        images.commit_edits()
        images.set_hero()
        images.apply_template("Wire")
        qtbot.waitUntil(lambda: not images.busy, timeout=5000)
        assert library.get_image(picture.id).credit == "Harbour Agency"
        assert library.get_article(article_id).hero.image_id == picture.id
        images.undo()  # the template
        qtbot.waitUntil(lambda: library.get_image(picture.id).credit == "Ana Ruiz", timeout=5000)
        images.undo()  # the hero
        qtbot.waitUntil(lambda: library.get_article(article_id).figures == [], timeout=5000)
        QTest.keyClicks(window.editor, " More.")
        window.show_history()
        dialog = window.history_dialog
        qtbot.waitUntil(lambda: dialog.list.count() >= 1, timeout=5000)
        dialog.list.setCurrentRow(0)
        dialog.restore_button.click()
        qtbot.waitUntil(
            lambda: window.editor.toPlainText() == "The ferry runs again.", timeout=5000
        )
        # Preferences: the publication's name.
        from newsdesk.ui.preferences import show_preferences

        prefs = show_preferences(window)
        prefs.name_edit.setText("Harrow Gazette")
        prefs.accept()
        assert library.publication().name == "Harrow Gazette"
        window.close()
    finally:
        event.remove(library.engine, "before_cursor_execute", check)
    assert on_gui == []


def test_a_failed_operation_is_one_sentence_and_the_change_signal_still_says_what_committed(
    qtbot, library
):
    ops = Operations(library)
    heard: list = []
    failures: list[str] = []
    ops.sig_library_changed.connect(lambda changes, who: heard.append((changes, who)))
    ops.sig_failed.connect(failures.append)

    def half_done(lib: Library):
        lib.create_article(headline="Made before the failure")
        lib.update_article(10_000, headline="Gone")  # no such article

    ops.run_op(half_done, initiator="test")
    qtbot.waitUntil(lambda: bool(failures), timeout=5000)
    assert failures == ["Article 10000 is no longer in the library."]
    [(changes, who)] = heard
    assert who == "test" and len(changes.created_articles) == 1

    ops.run_op(lambda lib: 1 / 0)
    qtbot.waitUntil(lambda: len(failures) == 2, timeout=5000)
    assert "ZeroDivision" not in failures[1] and failures[1].endswith(".")
