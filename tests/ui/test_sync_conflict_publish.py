"""The conflict dialog publishes a story only through preflight, as the window's status field does."""

from __future__ import annotations

from PySide6.QtCore import Qt

from newsdesk.library import Library
from newsdesk.sync import sync


def test_settling_a_status_conflict_to_published_in_the_dialog_asks_preflight_first(
    qtbot, make_window, library, tmp_path
):
    server = tmp_path / "server"
    Library.open(server).close()
    mine = library.create_article(headline="Ferry strike", dek="Crossings stop.", body="Text.\n")
    sync(library, str(server))  # no byline: preflight refuses to publish it
    other = Library.open(tmp_path / "laptop-b")
    try:
        sync(other, str(server))
        other.update_article(other.get_article(mine.uid).id, status="editing")
        sync(other)
        library.update_article(mine.id, status="ready")
        sync(library)
    finally:
        other.close()
    window = make_window()
    dialog = window.show_sync_conflicts()
    qtbot.waitUntil(lambda: dialog.list.count() == 1, timeout=10_000)
    assert dialog.list.item(0).text().endswith("— status")

    dialog.merged.setPlainText("published")
    qtbot.mouseClick(dialog.merged_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.publish_dialog is not None, timeout=10_000)
    refusal = dialog.publish_dialog
    assert "The byline is empty." in refusal.reasons.toPlainText()
    assert library.get_article(mine.id).status == "ready"  # nothing settled yet
    assert dialog.list.count() == 1

    refusal.reason.setText("The ferry company asked for it now")
    qtbot.mouseClick(refusal.publish_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.list.count() == 0, timeout=10_000)
    assert library.get_article(mine.id).status == "published"
    kept = [r.note for r in library.revisions(mine.id) if r.reason == "published over preflight"]
    assert len(kept) == 1 and kept[0].startswith("The ferry company asked for it now")
