"""What a person sees walking through the window on a laptop: nothing cut off, every field labelled,
nothing that looks stuck, every command within reach of the keyboard."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from newsdesk.sample import seed_if_new


def test_the_story_lists_columns_show_their_whole_words_once_the_stories_arrive(
    qtbot, make_window, library
):
    seed_if_new(library)  # published stories: "published" is the widest status
    window = make_window()
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: len(window.browser.model.rows) == 2, timeout=10_000)
    view, header = window.browser.view, window.browser.view.horizontalHeader()
    # Measured on the empty list, the columns fit only their titles ("publi…").
    qtbot.waitUntil(lambda: header.sectionSize(1) >= view.sizeHintForColumn(1), timeout=10_000)
    for column in (2, 3):  # (the section leaves a narrow list: see below)
        if not view.isColumnHidden(column):
            assert header.sectionSize(column) >= view.sizeHintForColumn(column)


def test_the_export_dialog_labels_its_folder_and_shows_progress_only_while_exporting(
    qtbot, make_window, library, settings, tmp_path
):
    window = make_window()
    window.actions_by_name["export"].trigger()
    dialog = window.export_dialog
    dialog.settings = settings
    qtbot.waitExposed(dialog)
    label = next(w for w in dialog.findChildren(type(dialog.status)) if w.buddy() is dialog.folder)
    assert label.text() == "&Folder:" and label.isVisible()
    assert not dialog.progress.isVisible()  # an idle "0%" reads as an export that is stuck
    dialog.folder.setText(str(tmp_path / "site"))
    with qtbot.waitSignal(dialog.sig_finished, timeout=120_000):
        dialog.start_button.click()
        assert dialog.progress.isVisible()
    assert dialog.progress.isVisible()  # full at the end, with the report below it
    assert "(s)" not in dialog.status.text()


def test_preferences_has_a_shortcut_on_every_platform(window):
    keys = window.actions_by_name["preferences"].shortcuts()
    assert QKeySequence("Ctrl+,") in keys  # Qt binds the standard key only on macOS
    assert len(keys) == len(set(k.toString() for k in keys))  # listed once where it is both


def test_a_window_with_no_story_open_never_marks_its_title_modified(qtbot, window, qtlog):
    window.trash.delete_article(window.article.id)  # saved, then closed: nothing open
    qtbot.waitUntil(lambda: window.article is None, timeout=10_000)
    for state in ("saving", "unsaved", "saved"):
        window._show_save_state(state)
    assert window.windowTitle() == "newsdesk" and not window.isWindowModified()
    assert not [r for r in qtlog.records if "[*]" in r.message]  # Qt's warning on stderr


def test_importing_an_empty_markdown_file_is_a_warning_naming_the_file(qtbot, window, tmp_path):
    empty = tmp_path / "notes.md"
    empty.write_bytes(b"")
    window.import_articles([empty])
    qtbot.waitUntil(lambda: window.import_box is not None, timeout=10_000)
    box = window.import_box
    assert box.icon() == box.Icon.Warning
    assert box.text() == "Nothing was imported: notes.md is empty; there is nothing to import."


def test_a_narrow_story_list_gives_the_headline_the_room_and_a_wide_one_shows_the_section(
    qtbot, make_window, library
):
    seed_if_new(library)
    window = make_window()
    window.resize(1366, 768)  # the first-run layout on a laptop: the list about 260 pixels
    window.default_layout()
    browser, view = window.browser, window.browser.view
    qtbot.waitUntil(lambda: len(browser.model.rows) == 2, timeout=10_000)
    qtbot.waitUntil(lambda: view.isColumnHidden(2), timeout=10_000)
    header = view.horizontalHeader()
    assert header.sectionSize(0) >= view.viewport().width() * 0.4  # was a third, cut to "Night…"
    window.resizeDocks([window.library_dock], [520], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: not view.isColumnHidden(2), timeout=10_000)


def test_every_panel_closed_can_be_opened_again_from_the_view_menu(qtbot, window):
    view_menu = dict(window.menus)["&View"]
    for name, dock in window.docks.items():
        assert dock.toggleViewAction() in view_menu.actions(), name
    notes = window.docks["notes"]
    notes.close()
    assert notes.isHidden()
    notes.toggleViewAction().trigger()  # View > Notes
    qtbot.waitUntil(lambda: not notes.isHidden())
