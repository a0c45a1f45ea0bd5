"""Opening an older library in the editor: the upgrade runs off the GUI thread and a window says so."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog

from newsdesk.app import open_library
from newsdesk.library import database
from newsdesk.ui import upgrade_window
from tests.core.test_search_prefix_upgrade import _old_library


def test_an_older_library_upgrades_under_a_window_that_says_so_while_the_app_keeps_drawing(
    qtbot, tmp_path, monkeypatch
):
    # This small library upgrades in well under the wait before the window shows: show it at once.
    monkeypatch.setattr(upgrade_window, "SHOW_AFTER_MS", 0)
    root = tmp_path / "lib"
    _old_library(root, 2_400)  # its search index is rebuilt by the upgrade: a long step
    assert database.needs_upgrade(root)
    ticks: list[int] = []
    seen: list[str] = []

    def tick() -> None:
        ticks.append(1)
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QProgressDialog) and widget.isVisible():
                seen.append(widget.labelText())

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    try:
        library = open_library(root)
    finally:
        timer.stop()
    assert library is not None
    try:
        assert not database.needs_upgrade(root)
        assert library.search("reporter")  # the rebuilt index answers
    finally:
        library.close()
    # The GUI thread went on turning while the library upgraded (it used to stop dead)...
    assert len(ticks) >= 5
    # ...and what it showed said what was going on.
    assert seen and "Upgrading the library" in seen[0]
    assert list(root.glob("library.before-*.sqlite"))  # the copy from before, as always
    assert database.NOTICE_LISTENERS == []


def test_the_upgrade_window_names_the_long_step_the_migration_reports(qtbot, tmp_path):
    root = tmp_path / "lib"
    _old_library(root, 2_400)
    window = upgrade_window.upgrade_with_window(root)
    # The migration's own lines (the index rebuilt, and how long it took) reach the window.
    assert "search index was rebuilt" in window.labelText(), window.labelText()
    assert not window.isVisible()
    assert not database.needs_upgrade(root)
    assert database.NOTICE_LISTENERS == []


def test_a_current_library_opens_without_an_upgrade_window(qtbot, tmp_path):
    root = tmp_path / "lib"
    open_library(root).close()  # a new library
    assert not database.needs_upgrade(root)
    assert not database.needs_upgrade(tmp_path / "nothing-here")
    library = open_library(root)
    assert library is not None
    library.close()
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog)]
