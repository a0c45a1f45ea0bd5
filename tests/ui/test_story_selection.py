"""Several stories chosen in the main list at once: Shift/Ctrl-click and Ctrl+A, the status bar's
count, Move to Trash with one undo, Set Section… and Export Selected…."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, QThreadPool
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from newsdesk.sample import seed_if_new

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def listed_ids(window) -> list[int]:
    return [row.id for row in window.browser.model.rows]


def click_row(window, row: int, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    view = window.browser.view
    rect = view.visualRect(window.browser.model.index(row, 0))
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def stories(qtbot, window, library, headlines, **fields) -> list[int]:
    ids = [library.create_article(headline=h, body=f"{h}.", **fields).id for h in headlines]
    window.browser.refresh()
    qtbot.waitUntil(lambda: all(i in listed_ids(window) for i in ids), timeout=10_000)
    return ids


def focus_list(qtbot, window) -> None:
    window.activateWindow()
    window.browser.view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.browser.view)


def test_shift_click_chooses_a_run_of_stories_the_status_bar_counts_them_and_the_editor_shows_one(
    qtbot, window, library
):
    stories(qtbot, window, library, ["Tide tables", "Ferry strike", "Cup final"])
    focus_list(qtbot, window)
    click_row(window, 0)
    first = listed_ids(window)[0]
    qtbot.waitUntil(lambda: window.article is not None and window.article.id == first)
    click_row(window, 2, SHIFT)
    third = listed_ids(window)[2]
    assert window.browser.selected_ids() == listed_ids(window)[:3]
    count = window.selection.count_label
    assert count.isVisible() and count.text() == "3 stories selected"
    # Apart from the open story's save state and counts, not run on after "2 min read".
    qtbot.waitUntil(lambda: count.geometry().right() < window.save_label.geometry().left())
    # The editor shows the story clicked last (the current row) and the choice stays.
    qtbot.waitUntil(lambda: window.article is not None and window.article.id == third)
    assert window.browser.selected_ids() == listed_ids(window)[:3]
    assert window.actions_by_name["delete"].text() == "&Move to Trash (3)"
    # Ctrl-click takes one out again.
    click_row(window, 1, CTRL)
    assert count.text() == "2 stories selected"
    # One story chosen: the editor names it, the count goes.
    click_row(window, 1)
    assert not count.isVisible()
    assert window.actions_by_name["delete"].text() == "&Move to Trash"


def test_ctrl_a_and_delete_move_every_chosen_story_to_the_trash_and_ctrl_z_brings_all_back(
    qtbot, window, library
):
    open_id = window.article.id
    ids = stories(qtbot, window, library, ["Tide tables", "Ferry strike"])
    QTest.keyClicks(window.editor, "Last words. ")  # unsaved, in the open story
    focus_list(qtbot, window)
    QTest.keyClick(window.browser.view, Qt.Key.Key_A, CTRL)
    everything = set(listed_ids(window))
    assert set(window.browser.selected_ids()) == everything == {open_id, *ids}
    assert window.selection.count_label.text() == "All 3 stories selected"
    QTest.keyClick(window.browser.view, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: listed_ids(window) == [], timeout=10_000)
    assert all(library.get_article(i).deleted_at is not None for i in everything)
    assert "Last words. " in library.get_article(open_id).body  # saved before it went
    assert window.article is None and not window.editor.isEnabled()
    assert window.statusBar().currentMessage() == (
        "3 stories moved to the trash. Undo (Ctrl+Z) brings them back."
    )
    assert not window.selection.count_label.isVisible()

    QTest.keyClick(window.browser.view, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: library.trashed_articles() == [], timeout=10_000)
    qtbot.waitUntil(lambda: set(listed_ids(window)) == everything, timeout=10_000)
    qtbot.waitUntil(
        lambda: window.article is not None and window.article.id == open_id, timeout=5000
    )  # the story that was open is open again
    assert "Last words. " in window.editor.toPlainText()
    assert window.statusBar().currentMessage() == "Restored 3 stories."


def test_moving_a_choice_to_the_trash_is_all_or_none(qtbot, window, library):
    ids = stories(qtbot, window, library, ["Tide tables", "Ferry strike"])
    library.delete_article(ids[0])  # another program removed one meanwhile, unannounced
    window.trash.delete_articles(ids)
    qtbot.waitUntil(
        lambda: window.statusBar().currentMessage().startswith("Nothing was moved to the trash:"),
        timeout=10_000,
    )
    assert library.get_article(ids[1]).deleted_at is None
    qtbot.waitUntil(lambda: ids[1] in listed_ids(window), timeout=10_000)


def test_set_section_moves_every_chosen_story_and_the_open_one_shows_it(qtbot, window, library):
    open_id = window.article.id
    ids = stories(qtbot, window, library, ["Tide tables", "Ferry strike"], section="News")
    focus_list(qtbot, window)
    window.browser.view.selectAll()
    dialog = window.selection.ask_section()
    assert dialog is not None and dialog.prompt.text() == "Put the 3 stories in the &section:"
    assert dialog.section.currentText() == "News"  # all three share it
    dialog.section.setEditText("")
    assert not dialog.ok_button.isEnabled()  # a section needs a name
    dialog.section.setEditText("Harbour")
    dialog.ok_button.click()
    qtbot.waitUntil(
        lambda: {library.get_article(i).section for i in [open_id, *ids]} == {"Harbour"},
        timeout=10_000,
    )
    qtbot.waitUntil(
        lambda: (
            window.statusBar().currentMessage()
            == "Moved 3 stories to Harbour. Undo (Ctrl+Z) puts them back."
        ),
        timeout=10_000,
    )
    model = window.browser.model
    qtbot.waitUntil(
        lambda: (
            {r.section for r in model.rows if r.id in [open_id, *ids]} == {"Harbour"}
            and len(model.rows) == 3
        ),
        timeout=10_000,
    )
    assert set(window.browser.selected_ids()) == {open_id, *ids}  # still chosen after it
    assert model.rows[0].updated_at > library.get_article(open_id).created_at
    qtbot.waitUntil(lambda: window.form.values()["section"] == "Harbour", timeout=10_000)
    # The open story keeps saving normally afterwards (no conflict with its new version).
    QTest.keyClicks(window.editor, "More. ")
    window.autosave.flush()
    assert "More. " in library.get_article(open_id).body
    assert window.conflict_box is None
    assert library.get_article(open_id).section == "Harbour"


def test_export_selected_exports_just_the_chosen_stories(
    qtbot, make_window, library, settings, tmp_path
):
    seed_if_new(library)  # two published stories that pass every check
    unready = library.create_article(headline="Cup final", body="Goals.", status="published")
    window = make_window()
    samples = [a.id for a in library.list_articles() if a.id != unready.id]
    qtbot.waitUntil(lambda: len(listed_ids(window)) == 3, timeout=10_000)
    window.browser.view.clearSelection()
    for article_id in samples:
        click_row(window, window.browser.model.row_of(article_id), CTRL)
    assert set(window.browser.selected_ids()) == set(samples)
    window.actions_by_name["export_selected"].trigger()
    dialog = window.export_dialog
    dialog.settings = settings
    assert dialog.selected.isVisible() and dialog.selected.isChecked()
    assert dialog.selected.text().startswith("The 2 stories selected in the list")
    out = tmp_path / "site"
    dialog.folder.setText(str(out))
    with qtbot.waitSignal(dialog.sig_finished, timeout=120_000) as finished:
        dialog.start_button.click()
    report = finished.args[0]
    # The whole site would have reported the unready story; the chosen two went alone.
    assert report.ok, report.problem_lines()
    for article_id in samples:
        assert (out / "local" / library.get_article(article_id).slug / "index.html").is_file()
    assert not (out / "local" / unready.slug).exists()


def test_the_lists_context_menu_acts_on_the_whole_choice(qtbot, window, library):
    stories(qtbot, window, library, ["Tide tables", "Ferry strike"])
    focus_list(qtbot, window)
    window.browser.view.selectAll()
    menu = window.trash.context_menu()
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == [
        "&Open",
        "&Move to Trash (3)",
        "Set &Section (3)…",
        "E&xport Selected (3)…",
        "&Trash…",
    ]


def many_stories(library, n: int, **fields) -> list[int]:
    """More stories than the list loads at once (it loads 100 a page)."""
    return [
        library.create_article(headline=f"Harbour story {i}", body="Boats.", **fields).id
        for i in range(n)
    ]


def test_ctrl_a_chooses_every_matching_story_not_just_the_loaded_page(qtbot, make_window, library):
    library.create_article(headline="Cup final", body="Goals.", section="Sport")
    harbour = many_stories(library, 230, section="News")
    window = make_window()
    combo = window.browser.section_filter
    qtbot.waitUntil(lambda: combo.findData("News") >= 0, timeout=10_000)
    combo.setCurrentIndex(combo.findData("News"))
    qtbot.waitUntil(lambda: window.browser.model.filters.section == "News", timeout=10_000)
    qtbot.waitUntil(lambda: len(listed_ids(window)) == 100, timeout=10_000)
    focus_list(qtbot, window)
    QTest.keyClick(window.browser.view, Qt.Key.Key_A, CTRL)
    count = window.selection.count_label
    # 230 match the filter; the Sport story does not.
    qtbot.waitUntil(lambda: count.text() == "All 230 stories selected", timeout=10_000)
    assert count.isVisible()
    assert len(listed_ids(window)) < 230  # counted, not loaded into the list
    assert window.actions_by_name["set_section"].text() == "Set &Section (230)…"
    assert window.actions_by_name["delete"].text() == "&Move to Trash (230)"

    # Set Section… moves all 230 in one transaction.
    dialog = window.selection.ask_section()
    assert dialog.prompt.text() == "Put the 230 stories in the &section:"
    assert dialog.section.currentText() == "News"  # the filter says they share it
    dialog.section.setEditText("Harbour")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: library.count_articles(section="Harbour") == 230, timeout=30_000)
    assert library.count_articles(section="Sport") == 1

    # Move to Trash takes every one (a new filter first: the section changed).
    qtbot.waitUntil(lambda: combo.findData("Harbour") >= 0, timeout=10_000)
    combo.setCurrentIndex(combo.findData("Harbour"))
    qtbot.waitUntil(lambda: len(listed_ids(window)) == 100, timeout=10_000)
    focus_list(qtbot, window)
    QTest.keyClick(window.browser.view, Qt.Key.Key_A, CTRL)
    qtbot.waitUntil(lambda: count.text() == "All 230 stories selected", timeout=10_000)
    QTest.keyClick(window.browser.view, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: len(library.trashed_articles()) == 230, timeout=30_000)
    assert library.get_article(harbour[0]).deleted_at is not None
    assert library.count_articles() == 1  # the Sport story stays
    qtbot.waitUntil(lambda: listed_ids(window) == [], timeout=10_000)
    qtbot.waitUntil(
        lambda: window.statusBar().currentMessage().startswith("230 stories moved to the trash"),
        timeout=10_000,
    )
    # …and one Undo brings all 230 back.
    focus_list(qtbot, window)
    QTest.keyClick(window.browser.view, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: library.trashed_articles() == [], timeout=60_000)
    assert library.count_articles(section="Harbour") == 230


def test_a_click_after_ctrl_a_chooses_one_story_again(qtbot, make_window, library):
    many_stories(library, 120)
    window = make_window()
    qtbot.waitUntil(lambda: len(listed_ids(window)) == 100, timeout=10_000)
    focus_list(qtbot, window)
    QTest.keyClick(window.browser.view, Qt.Key.Key_A, CTRL)
    count = window.selection.count_label
    qtbot.waitUntil(lambda: count.text() == "All 120 stories selected", timeout=10_000)
    # Scrolled to the end, the next page's rows come in chosen too.
    window.browser.view.scrollToBottom()
    qtbot.waitUntil(lambda: len(listed_ids(window)) == 120, timeout=10_000)
    assert len(window.browser.selected_ids()) == 120
    assert count.text() == "All 120 stories selected"
    window.selection._selection_changed(2431)  # as a large library's count reads
    assert window.actions_by_name["set_section"].text() == "Set &Section (2,431)…"
    click_row(window, 3)
    assert not window.browser.all_chosen.active
    assert window.browser.selected_ids() == [listed_ids(window)[3]]
    assert not count.isVisible()
    third = listed_ids(window)[3]
    qtbot.waitUntil(lambda: window.article is not None and window.article.id == third)
    window.actions_by_name["export_selected"].trigger()
    qtbot.waitUntil(lambda: getattr(window, "export_dialog", None) is not None, timeout=10_000)
    assert window.export_dialog.this_article.isChecked()  # the one story, not all


def test_export_selected_after_ctrl_a_offers_every_matching_story(qtbot, make_window, library):
    many_stories(library, 120)
    window = make_window()
    qtbot.waitUntil(lambda: len(listed_ids(window)) == 100, timeout=10_000)
    focus_list(qtbot, window)
    QTest.keyClick(window.browser.view, Qt.Key.Key_A, CTRL)
    qtbot.waitUntil(lambda: window.browser.selected_count() == 120, timeout=10_000)
    window.export_dialog = None
    window.actions_by_name["export_selected"].trigger()
    qtbot.waitUntil(lambda: window.export_dialog is not None, timeout=10_000)
    dialog = window.export_dialog
    assert dialog.selected.isChecked()
    assert dialog.selected.text().startswith("The 120 stories selected in the list")
    assert len(dialog.selected_ids) == 120


def test_set_section_can_take_stories_out_of_their_section(qtbot, window, library):
    sample = window.article.id
    ids = stories(qtbot, window, library, ["Tide tables", "Ferry strike"], section="News")
    focus_list(qtbot, window)
    window.browser.view.clearSelection()
    for article_id in ids:
        click_row(window, window.browser.model.row_of(article_id), CTRL)
    # The story clicked last is open (read on a worker) before the command is given.
    qtbot.waitUntil(lambda: window.article.id == ids[-1], timeout=15_000)
    dialog = window.selection.ask_section()
    assert dialog.section.currentText() == "News"
    dialog.no_section.setChecked(True)
    assert not dialog.section.isEnabled()
    assert dialog.ok_button.isEnabled() and dialog.ok_button.text() == "Clear Section"
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: {library.get_article(i).section for i in ids} == {""}, timeout=15_000)
    qtbot.waitUntil(
        lambda: (
            window.statusBar().currentMessage().startswith("Took 2 stories out of their section.")
        ),
        timeout=15_000,
    )
    assert library.get_article(sample).section == "News"  # not chosen: kept
    qtbot.waitUntil(lambda: window.form.values()["section"] == "", timeout=15_000)
    # Ctrl+Z in the list puts each back in the section it had.
    focus_list(qtbot, window)
    seen: list[str] = []
    window.statusBar().messageChanged.connect(seen.append)
    QTest.keyClick(window.browser.view, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(
        lambda: {library.get_article(i).section for i in ids} == {"News"}, timeout=15_000
    )
    qtbot.waitUntil(lambda: "Put 2 stories back in their section." in seen, timeout=15_000)
    # The open story (one of them) takes the library's copy, read on a worker: waited for.
    qtbot.waitUntil(lambda: window.form.values()["section"] == "News", timeout=15_000)
    QThreadPool.globalInstance().waitForDone(15_000)
    QCoreApplication.processEvents()  # its answer, and anything it said, is handled
    # Our own change, not another window's: the status bar says only what moved.
    assert not [m for m in seen if "another window" in m]


def test_undoing_set_section_puts_each_story_back_in_its_own_section(qtbot, window, library):
    sample = window.article.id  # in News
    sport = library.create_article(headline="Cup final", body="Goals.", section="Sport").id
    bare = library.create_article(headline="Tide tables", body="Tides.").id
    window.browser.refresh()
    qtbot.waitUntil(lambda: len(listed_ids(window)) == 3, timeout=15_000)
    focus_list(qtbot, window)
    QTest.keyClick(window.browser.view, Qt.Key.Key_A, CTRL)
    window.selection.set_section([sample, sport, bare], "Harbour")
    qtbot.waitUntil(lambda: window.trash.undo_button.isVisible(), timeout=15_000)
    assert {library.get_article(i).section for i in (sample, sport, bare)} == {"Harbour"}
    window.trash.undo_button.click()
    qtbot.waitUntil(lambda: library.get_article(bare).section == "", timeout=15_000)
    assert library.get_article(sample).section == "News"
    assert library.get_article(sport).section == "Sport"
    qtbot.waitUntil(lambda: window.form.values()["section"] == "News", timeout=15_000)
    assert not window.trash.can_undo()  # once
