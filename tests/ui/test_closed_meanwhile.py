"""Work a widget deferred to the next turn of the event loop is dropped when the widget is deleted
first (a window closed at that moment): no error, nothing done to a deleted widget.

Each test makes the widget defer its work, deletes the widget before any event is processed,
and only then lets the event loop run; an error there fails the test (pytest-qt reports it)."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QCoreApplication, QModelIndex, QThreadPool

from newsdesk.ui.main_window import MainWindow
from newsdesk.ui.related_picker import RelatedPicker
from newsdesk.ui.spell import SpellService
from tests.ui.test_late_reads import HeldRead


def test_a_window_closed_as_it_first_paints_does_not_start_its_preview(
    qtbot, library, settings, sample_article
):
    window = MainWindow(library, settings=settings)  # deleted by the test, so not given to qtbot
    window.open_initial()
    window.show()
    window.grab()  # painted at once: the preview is to be built on the next turn
    assert window._painted
    assert window.preview is None
    window.close()
    shiboken6.delete(window)

    QCoreApplication.processEvents()  # the deferred start finds no window, and does nothing
    assert QThreadPool.globalInstance().waitForDone(10_000)  # the story's read, if still going
    QCoreApplication.processEvents()


def test_a_related_story_dragged_as_the_picker_goes_away_is_no_error(qtbot, library):
    story = library.create_article(headline="Night ferry reaches Bari", body="212 passengers.")
    others = [
        library.create_article(headline=f"Ferry story {n}", body="The ferry.").id for n in range(3)
    ]
    library.set_related(story.id, others)
    picker = RelatedPicker(library)  # deleted by the test itself, so not given to qtbot
    with qtbot.waitSignal(picker.sig_suggestions_shown, timeout=10_000):
        picker.set_article(library.get_article(story.id))
    # What an internal drag-and-drop does to the list's model: row 0 dropped at the end.
    assert picker.picked.model().moveRows(QModelIndex(), 0, 1, QModelIndex(), 3)
    assert picker.undo_stack.count() == 0  # recorded on the next turn of the event loop
    shiboken6.delete(picker)

    QCoreApplication.processEvents()  # the deferred undo step finds no picker, and does nothing
    assert [link.target_id for link in library.get_article(story.id).related] == others


def test_a_dictionary_still_loading_when_its_window_goes_is_no_error(qtbot, library, capfd):
    spell = SpellService(library)
    # The newsroom's words are read on the spell worker first; that read answers late.
    read = HeldRead(library, "newsroom_words")
    spell.set_language("en")
    assert read.taken.wait(10)
    shiboken6.delete(spell)  # the window closed and was deleted meanwhile
    read.release.set()
    spell._executor.shutdown(wait=True)  # the worker has finished loading, and reported

    QCoreApplication.processEvents()
    assert "spell checking failed" not in capfd.readouterr().err
