"""Authors in the window: Manage Authors (add, edit, delete an unused one, merge) and byline
completion from the records, down to the exported page's JSON-LD."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from newsdesk.export import export_site
from tests.export.ld import ld_of_type
from tests.export.sample import add_image, make_jpeg, published
from tests.ui.conftest import answered, open_in_window
from tests.ui.test_late_reads import HeldRead, reads_side_by_side


def open_authors(qtbot, window):
    dialog = window.show_authors()
    qtbot.waitUntil(lambda: dialog.isVisible())
    return dialog


def add_in_window(qtbot, dialog, library, name, *, url="", role="person", bio=""):
    dialog.new_author()
    QTest.keyClicks(dialog.name, name)
    dialog.role.setCurrentIndex(dialog.role.findData(role))
    QTest.keyClicks(dialog.url, url)
    QTest.keyClicks(dialog.bio, bio)
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(a.name == name for a in library.list_authors()), timeout=10_000)
    qtbot.waitUntil(lambda: any(r.name == name for r in dialog.rows), timeout=10_000)


def test_an_author_made_in_the_window_completes_in_the_byline_and_exports_as_a_person(
    qtbot, make_window, library, tmp_path
):
    photo = add_image(
        library,
        make_jpeg(tmp_path / "quay.jpg", (1400, 933), (30, 90, 120)),
        credit="Harbour Photo",
        alt_text="The quay at dawn",
    )
    story = published(
        library,
        hero=photo,
        headline="Ferry returns to the island",
        slug="ferry-returns",
        dek="The first crossing since the storm.",
        byline="Staff",
        body="The ferry sails again on Monday.",
    )
    window = make_window()
    open_in_window(qtbot, window, story.id)
    dialog = open_authors(qtbot, window)
    add_in_window(
        qtbot,
        dialog,
        library,
        "Tomas Berg",
        url="https://tomas.example/",
        bio="Tomas covers the islands.",
    )
    assert "Tomas Berg" in dialog.list.item(0).text() and "Person" in dialog.list.item(0).text()
    dialog.close()

    byline = window.form.byline
    window.activateWindow()
    byline.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is byline)
    byline.selectAll()
    QTest.keyClick(byline, Qt.Key.Key_Backspace)
    QTest.keyClicks(byline, "By To")  # two letters of his name
    popup = window.byline_completer.completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=10_000)
    assert popup.model().data(popup.model().index(0, 0)) == "Tomas Berg"
    QTest.keyClick(popup, Qt.Key.Key_Down)
    QTest.keyClick(popup, Qt.Key.Key_Return)
    assert byline.text() == "By Tomas Berg"
    # A second name, free text (an agency), after "and".
    QTest.keyClicks(byline, " and Reuters")
    assert byline.text() == "By Tomas Berg and Reuters"
    window.save_now()
    qtbot.waitUntil(
        lambda: library.get_article(story.id).byline == "By Tomas Berg and Reuters", timeout=10_000
    )
    assert [a.name for a in library.get_article(story.id).authors] == ["Tomas Berg"]

    out = tmp_path / "site"
    report = export_site(library, out, workers=1)
    assert report.ok, report.problem_lines()
    page = next(out.rglob("ferry-returns/index.html")).read_text(encoding="utf-8")
    ld = ld_of_type(
        re.search(r'<script type="application/ld\+json">\s*(.*?)\s*</script>', page, re.S)[1]
    )
    assert ld["author"] == [
        {"@type": "Person", "name": "Tomas Berg", "url": "https://tomas.example/"},
        {"@type": "Organization", "name": "Reuters"},
    ]


def test_completion_offers_a_second_author_after_a_comma(qtbot, window, library):
    library.add_author("Ana Ruiz")
    library.add_author("Tomas Berg")
    window.byline_completer.reload()
    qtbot.waitUntil(lambda: window.byline_completer.model.rowCount() == 2, timeout=10_000)
    byline = window.form.byline
    window.activateWindow()
    byline.setFocus()
    byline.setText("By Ana Ruiz")
    byline.end(False)
    QTest.keyClicks(byline, ", be")
    popup = window.byline_completer.completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=10_000)
    window.byline_completer.insert("Tomas Berg")
    assert byline.text() == "By Ana Ruiz, Tomas Berg"


def test_a_new_author_typed_while_the_last_one_is_saving_is_kept_and_saved_apart(
    qtbot, window, library
):
    dialog = open_authors(qtbot, window)
    dialog.new_author()
    QTest.keyClicks(dialog.name, "Ana Ruiz")
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    # At once, before the save's result comes back: the next author.
    dialog.new_author()
    QTest.keyClicks(dialog.name, "Tomas Berg")
    qtbot.waitUntil(lambda: dialog.message.text() == "Saved Ana Ruiz.", timeout=10_000)
    qtbot.waitUntil(lambda: any(r.name == "Ana Ruiz" for r in dialog.rows), timeout=10_000)
    assert dialog.current_id is None and dialog.name.text() == "Tomas Berg"
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(library.list_authors()) == 2, timeout=10_000)
    assert sorted(a.name for a in library.list_authors()) == ["Ana Ruiz", "Tomas Berg"]


def test_an_author_typed_while_another_is_deleted_is_not_cleared(qtbot, window, library):
    dialog = open_authors(qtbot, window)
    add_in_window(qtbot, dialog, library, "Old Desk")
    gone = next(r for r in dialog.rows if r.name == "Old Desk")
    dialog.select(gone.id)
    QTest.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    dialog.new_author()  # at once, before the delete's result comes back
    QTest.keyClicks(dialog.name, "Metro Desk")
    qtbot.waitUntil(lambda: dialog.message.text() == "Deleted Old Desk.", timeout=10_000)
    assert dialog.name.text() == "Metro Desk" and dialog.current_id is None
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: [a.name for a in library.list_authors()] == ["Metro Desk"], timeout=10_000
    )


def test_authors_window_edits_refuses_to_delete_a_named_author_and_merges(qtbot, window, library):
    dialog = open_authors(qtbot, window)
    add_in_window(qtbot, dialog, library, "Ana Ruiz")
    dialog.new_author()
    QTest.keyClicks(dialog.name, "A. Ruiz")
    QTest.keyClicks(dialog.url, "not a url")
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "must start with https://" in dialog.message.text(), timeout=10_000)
    assert len(library.list_authors()) == 1  # one sentence, nothing saved
    dialog.url.clear()
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(library.list_authors()) == 2, timeout=10_000)
    library.create_article(headline="Quay", byline="By A. Ruiz")
    dialog.reload()
    qtbot.waitUntil(
        lambda: any(r.name == "A. Ruiz" and r.stories == 1 for r in dialog.rows), timeout=10_000
    )
    wrong = next(r for r in dialog.rows if r.name == "A. Ruiz")
    right = next(r for r in dialog.rows if r.name == "Ana Ruiz")
    dialog.select(wrong.id)
    assert dialog.current_id == wrong.id
    assert not dialog.delete_button.isEnabled()  # on a byline: merge, not delete
    # Edit: the role changes.
    dialog.role.setCurrentIndex(dialog.role.findData("staff"))
    QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: library.get_author(wrong.id).role == "staff", timeout=10_000)
    dialog.merge_into(right.id)
    qtbot.waitUntil(lambda: len(library.list_authors()) == 1, timeout=10_000)
    assert library.get_article("quay").byline == "By Ana Ruiz"
    qtbot.waitUntil(lambda: [r.name for r in dialog.rows] == ["Ana Ruiz"], timeout=10_000)
    # An author on no byline can be deleted.
    add_in_window(qtbot, dialog, library, "Tom Lee")
    dialog.select(next(r.id for r in dialog.rows if r.name == "Tom Lee"))
    assert dialog.delete_button.isEnabled()
    QTest.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: [a.name for a in library.list_authors()] == ["Ana Ruiz"], timeout=10_000
    )


def test_the_byline_offers_an_author_added_while_an_older_list_was_still_being_read(
    qtbot, window, library
):
    completer = window.byline_completer
    answered()
    with reads_side_by_side():
        read = HeldRead(library, "list_authors")
        completer.reload()  # a read that takes its copy now and answers late
        assert read.taken.wait(10)
        library.add_author("Ana Ruiz")  # another window adds an author: read again
        completer.reload()
        qtbot.waitUntil(lambda: completer.model.stringList() == ["Ana Ruiz"])
        read.release.set()
        answered()

        assert completer.model.stringList() == ["Ana Ruiz"]
