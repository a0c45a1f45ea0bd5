"""File > Link to Shared Library… and Unlink, on a real PostgreSQL shared library."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt

from newsdesk.library import Library
from newsdesk.sync import linked_server, sync

pytestmark = pytest.mark.postgres


def _server_headlines(url: str) -> set[str]:
    with Library.open(url) as lib:
        return {a.headline for a in lib.list_articles()}


def test_a_laptop_links_from_the_window_after_testing_the_connection(
    qtbot, make_window, library, pg_url
):
    library.create_article(headline="Written before joining", body="Offline work.\n")
    window = make_window()
    assert window.actions_by_name["link_shared"].isEnabled()
    assert not window.actions_by_name["unlink_shared"].isEnabled()
    dialog = window.show_link_dialog()
    address = pg_url.replace("postgres@", "", 1)  # the login goes in its own field
    dialog.url.setText(address)
    dialog.login.setText("postgres")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "answers" in dialog.note.text(), timeout=20_000)
    assert "0 stories" in dialog.note.text()
    assert linked_server(library) is None  # testing writes nothing

    qtbot.mouseClick(dialog.link_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=30_000)
    assert linked_server(library) == pg_url
    assert "Written before joining" in _server_headlines(pg_url)
    qtbot.waitUntil(lambda: window.sync.label.text().startswith("Synced at"), timeout=20_000)
    assert not window.actions_by_name["link_shared"].isEnabled()
    assert window.actions_by_name["unlink_shared"].isEnabled()


def test_a_wrong_password_is_said_in_the_dialog_and_a_right_one_is_never_written(
    qtbot, make_window, library, password_login, tmp_path, monkeypatch
):
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    library.create_article(headline="Ferry timetable", body="Ferries at dawn.\n")
    window = make_window()
    dialog = window.show_link_dialog()
    dialog.url.setText(password_login)
    dialog.login.setText("pat")
    dialog.password.setText("not-it")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.note.text().startswith("Sign-in refused:"), timeout=20_000)
    assert "~/.pgpass" in dialog.note.text()

    dialog.password.setText("tide-table-9137")
    try:
        qtbot.mouseClick(dialog.link_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=30_000)
        assert linked_server(library) == password_login
        window.close()
        for folder in (library.root, tmp_path / "xdg-config", tmp_path / "xdg-data"):
            for path in folder.rglob("*"):
                if path.is_file():
                    assert b"tide-table-9137" not in path.read_bytes(), path
    finally:
        os.environ.pop("PGPASSWORD", None)


def test_cancel_stops_the_first_sync_between_steps_and_the_next_sync_goes_on(
    qtbot, make_window, library, pg_url
):
    for n in range(40):
        library.create_article(headline=f"Story number {n}", body=f"Paragraph {n}.\n")
    window = make_window()
    window.sync.after_save.setInterval(60_000)  # no background sync of its own meanwhile
    dialog = window.show_link_dialog()
    qtbot.keyClicks(dialog.url, pg_url)  # it names its login, which fills the login field
    assert dialog.login.text() == "postgres"
    dialog.batch = 5
    qtbot.mouseClick(dialog.link_button, Qt.MouseButton.LeftButton)
    assert dialog.running and dialog.bar.isVisible()
    # Cancel while the first sync runs: it stops after the step it is in.
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "Stopping" in dialog.note.text()
    qtbot.waitUntil(lambda: dialog.note.text().startswith("Stopped."), timeout=60_000)
    assert dialog.isVisible() and not dialog.running
    assert len(_server_headlines(pg_url)) == 5  # one step was sent, and is kept
    assert linked_server(library) == pg_url
    dialog.close()
    sync(library)  # the next sync goes on from there
    assert len(_server_headlines(pg_url)) == 40


def test_a_save_made_while_the_first_sync_runs_waits_for_a_batch_not_the_whole_sync(
    qtbot, make_window, library, pg_url
):
    for n in range(40):
        library.create_article(headline=f"Story number {n}", body=f"Paragraph {n}.\n")
    mine = library.create_article(headline="Typed during the link", body="First draft.\n")
    window = make_window()
    window.sync.after_save.setInterval(60_000)  # no background sync of its own meanwhile
    dialog = window.show_link_dialog()
    qtbot.keyClicks(dialog.url, pg_url)
    dialog.batch = 5
    saved_while: list[bool] = []
    asked: list[int] = []

    def save_once(done: int, _total: int) -> None:
        # the next step can arrive before the save's answer: ask for one save only
        if done and not asked and dialog.running:
            asked.append(done)
            window.ops.run_op(
                lambda lib: lib.update_article(mine.id, body="Second draft.\n"),
                on_success=lambda _result: saved_while.append(dialog.running),
            )

    dialog._progress.sig_step.connect(save_once)
    qtbot.mouseClick(dialog.link_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=60_000)
    assert saved_while == [True]  # the save landed while the first sync was still running
    assert library.get_article(mine.id).body == "Second draft.\n"
    sync(library)  # the save made during the link goes out with the next sync
    with Library.open(pg_url) as server:
        assert server.find_article(mine.slug).body == "Second draft.\n"


def test_unlink_keeps_every_story_and_stops_syncing(
    qtbot, make_window, library, pg_url, monkeypatch
):
    library.create_article(headline="Harbour dredging", body="Work begins.\n")
    sync(library, pg_url)
    window = make_window()
    qtbot.waitUntil(lambda: window.sync.label.text().startswith("Synced at"), timeout=20_000)
    monkeypatch.setattr("newsdesk.ui.link_dialog.confirm_unlink", lambda *a: True)
    window.actions_by_name["unlink_shared"].trigger()
    qtbot.waitUntil(lambda: not window.sync.label.isVisible(), timeout=20_000)
    assert linked_server(library) is None
    assert [a.headline for a in library.list_articles()] == ["Harbour dredging"]
    assert "Unlinked from" in window.statusBar().currentMessage()
    assert window.actions_by_name["link_shared"].isEnabled()
    assert not window.actions_by_name["unlink_shared"].isEnabled()

    # Linked again in the same window: its background sync works as before.
    dialog = window.show_link_dialog()
    qtbot.keyClicks(dialog.url, pg_url)
    qtbot.mouseClick(dialog.link_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=30_000)
    window.sync.sync_now(manual=True)
    qtbot.waitUntil(lambda: window.sync.label.text().startswith("Synced at"), timeout=20_000)
    assert not window.sync.failed and "closed" not in window.statusBar().currentMessage()
