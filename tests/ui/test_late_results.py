"""Answers that come back late through the event loop (a read on a worker, an operation's result)
never overwrite what the user did meanwhile, nor land on a story other than the one they were for.

Each test starts the work, changes what the user sees before any event is processed, and only
then lets the answer arrive: the order is the test's, not the machine's."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QThreadPool
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox

from newsdesk.images.library_import import import_image
from newsdesk.ui.article_form import ArticleForm
from newsdesk.ui.history import HistoryDialog
from newsdesk.ui.ops import Operations
from newsdesk.ui.photodesk_dialogs import CodesDialog
from newsdesk.ui.preferences import PreferencesDialog
from tests.ui.conftest import answered, open_in_window

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "images"


def settle(qtbot) -> None:
    """Every read in flight has answered and its answer has been handled."""
    answered()


def test_a_story_being_opened_still_opens_when_the_open_one_is_read_again_meanwhile(
    qtbot, make_window, library
):
    first = library.create_article(headline="First", body="First body.")
    second = library.create_article(headline="Second", body="Second body.")
    window = make_window(open_initial=False)
    open_in_window(qtbot, window, first.id)
    window.focus_editor()

    assert window.open_article(second.id)
    # Before the second story arrives, something around the first one changed (a figure,
    # a related story) and the window reads the first one again for its preview.
    window._reread_open()
    QTest.keyClicks(window.editor, "New ")

    qtbot.waitUntil(lambda: window.article.id == second.id, timeout=10_000)
    settle(qtbot)
    assert window.article.id == second.id
    assert window.form.headline.text() == "Second"
    # The keys held for it reached it.
    assert window.editor.toPlainText() == "New Second body."
    assert not window._held_typing.holding


def _form_on(qtbot, library, article):
    form = ArticleForm(library)
    qtbot.addWidget(form)
    form.load(article)
    changed: list[str] = []
    form.sig_changed.connect(changed.append)
    return form, changed


def test_a_slug_check_for_one_story_never_renames_the_next_storys_slug(qtbot, library):
    library.create_article(headline="Taken", body="Holds the slug taken.")
    first = library.create_article(headline="First", body="First body.")
    second = library.create_article(headline="Second", body="Second body.")
    form, changed = _form_on(qtbot, library, first)

    form.headline.selectAll()
    QTest.keyClicks(form.headline, "Taken")
    assert form.slug.text() == "taken"
    form._check_slug()  # the pause after the key: asks whether "taken" is free
    form.load(second)  # the user opened another story before the answer came
    changed.clear()

    settle(qtbot)
    assert form.slug.text() == second.slug
    assert form.slug_ok
    assert "slug" not in changed  # nothing to save into the second story


def test_a_slug_check_answered_after_more_typing_keeps_the_newer_slug(qtbot, library):
    library.create_article(headline="Taken", body="Holds the slug taken.")
    story = library.create_article(headline="Story", body="Body.")
    form, _changed = _form_on(qtbot, library, story)

    form.headline.selectAll()
    QTest.keyClicks(form.headline, "Taken")
    form._check_slug()  # "taken" is in use: its answer would number it "taken-2"
    QTest.keyClicks(form.headline, " again")  # typed on before the answer came

    qtbot.waitUntil(lambda: not form._slug_timer.isActive(), timeout=10_000)
    settle(qtbot)
    assert form.headline.text() == "Taken again"
    assert form.slug.text() == "taken-again"
    assert form.slug_ok


def test_set_section_on_a_story_being_opened_shows_its_new_section_once_it_is_in(
    qtbot, make_window, library
):
    first = library.create_article(headline="First", body="First body.", section="News")
    second = library.create_article(headline="Second", body="Second body.", section="News")
    window = make_window(open_initial=False)
    open_in_window(qtbot, window, first.id)

    gate = threading.Event()
    window.ops.run_op(lambda _library: gate.wait(10))  # the writer is busy a moment
    assert window.open_article(second.id)  # chosen in the list: read at once…
    window.selection.set_section([second.id], "Sport")  # …and moved, behind the busy writer
    assert QThreadPool.globalInstance().waitForDone(
        10_000
    )  # the second story was read before the move
    gate.set()
    assert window.ops.wait(10_000)

    qtbot.waitUntil(lambda: window.article.id == second.id, timeout=10_000)
    qtbot.waitUntil(lambda: window.form.section.currentText() == "Sport", timeout=10_000)
    settle(qtbot)
    assert window.form.section.currentText() == "Sport"
    assert library.get_article(second.id).section == "Sport"
    assert not window.autosave.conflicted


def test_a_refused_restore_offers_to_keep_the_address_for_the_revision_asked_for(qtbot, library):
    story = library.create_article(headline="Harbour", body="The first draft.", slug="harbour")
    library.add_revision(story.id)  # the first draft, at the address "harbour"
    story = library.update_article(story.id, body="The second draft.", slug="harbour-news")
    library.add_revision(story.id)  # the second draft, at "harbour-news"
    library.update_article(story.id, body="The third draft.")
    library.create_article(headline="Another", body="Took the old address.", slug="harbour")
    ops = Operations(library)
    dialog = HistoryDialog(
        library, story.id, headline="Harbour", dek="", body="The third draft.", ops=ops
    )
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.list.count() == 2, timeout=10_000)

    dialog.list.setCurrentRow(1)  # the first draft, whose address is another story's now
    dialog.restore_selected()
    dialog.list.setCurrentRow(0)  # looked at the other revision before the refusal came
    assert ops.wait(10_000)
    qtbot.waitUntil(lambda: getattr(dialog, "slug_box", None) is not None, timeout=10_000)
    keep = next(b for b in dialog.slug_box.buttons() if "keep current address" in b.text())
    keep.click()
    assert ops.wait(10_000)

    restored = library.get_article(story.id)
    assert restored.body == "The first draft."  # the revision the user asked for
    assert restored.slug == "harbour-news"


def test_a_logo_picked_while_another_is_imported_stays_the_choice(qtbot, library, settings):
    picked = import_image(library, FIXTURES / "pillow-iptc.jpg")
    dialog = PreferencesDialog(library, None, settings=settings)
    qtbot.addWidget(dialog)

    dialog.import_logo(FIXTURES / "exiftool-IPTC.jpg")
    dialog.logo_combo.setCurrentIndex(dialog.logo_combo.findData(picked.id))  # changed their mind
    qtbot.waitUntil(dialog.import_logo_button.isEnabled, timeout=10_000)

    assert dialog.logo_combo.currentData() == picked.id
    assert dialog.logo_combo.count() == 3  # no logo, the picked one, the imported one
    assert dialog.apply()
    assert library.publication().logo_image_id == picked.id


def test_a_story_moved_to_the_trash_while_it_is_being_opened_is_not_opened(
    qtbot, make_window, library
):
    first = library.create_article(headline="First", body="First body.")
    second = library.create_article(headline="Second", body="Second body.")
    window = make_window(open_initial=False)
    open_in_window(qtbot, window, first.id)
    window.focus_editor()

    gate = threading.Event()
    window.ops.run_op(lambda _library: gate.wait(10))  # the writer is busy a moment
    assert window.open_article(second.id)
    window.trash.delete_articles([second.id])  # chosen in the list and deleted at once
    assert QThreadPool.globalInstance().waitForDone(10_000)  # read before it went to the trash
    gate.set()
    assert window.ops.wait(10_000)
    QTest.keyClicks(window.editor, "Kept ")

    settle(qtbot)
    assert library.get_article(second.id).deleted_at is not None
    assert window.article.id == first.id
    assert window.editor.toPlainText() == "Kept First body."


def test_a_story_trashed_elsewhere_before_it_is_read_is_not_opened_and_says_so(
    qtbot, make_window, library
):
    first = library.create_article(headline="First", body="First body.")
    second = library.create_article(headline="Second", body="Second body.")
    window = make_window(open_initial=False)
    open_in_window(qtbot, window, first.id)
    library.trash_article(second.id)  # another program, before the list heard of it
    window.focus_editor()

    assert window.open_article(second.id)
    QTest.keyClicks(window.editor, "Kept ")
    qtbot.waitUntil(
        lambda: "moved to the trash" in window.statusBar().currentMessage(), timeout=10_000
    )
    settle(qtbot)
    assert window.article.id == first.id
    assert window.editor.toPlainText() == "Kept First body."


def test_codes_added_before_the_table_is_read_keep_the_newsrooms_codes(qtbot, library):
    library.set_code_replacements({"jd": "Jane Doe / Harbour Agency"})
    ops = Operations(library)
    dialog = CodesDialog(library, ops)
    qtbot.addWidget(dialog)

    save = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
    dialog.add_row("ap", "Associated Press")  # typed before the table came
    save.click()  # and saved at once: only what was typed is in the table

    assert ops.wait(10_000)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=10_000)
    assert dialog.rows() == [("jd", "Jane Doe / Harbour Agency"), ("ap", "Associated Press")]
    save.click()
    assert ops.wait(10_000)
    assert library.code_replacements() == {
        "jd": "Jane Doe / Harbour Agency",
        "ap": "Associated Press",
    }


def test_a_headline_typed_while_the_list_is_read_again_shows_in_its_row(
    qtbot, make_window, library
):
    story = library.create_article(headline="Ferry timetable", body="The first boat leaves.")
    window = make_window(open_initial=False)
    open_in_window(qtbot, window, story.id)
    model = window.browser.model
    qtbot.waitUntil(lambda: model.row_of(story.id) >= 0)
    window.autosave._debounce.setInterval(600_000)  # nothing is saved by itself meanwhile
    answered()

    window.browser.model.refresh()  # the list is read again (another program changed it)
    assert QThreadPool.globalInstance().waitForDone(10_000)  # read, not yet shown
    headline = window.form.headline
    headline.setFocus()
    headline.end(False)
    QTest.keyClicks(headline, " changes")
    answered()

    assert window.autosave.dirty  # not saved yet: the row shows what is typed all the same
    assert model.rows[model.row_of(story.id)].headline == "Ferry timetable changes"
