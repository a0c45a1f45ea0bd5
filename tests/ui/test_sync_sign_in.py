"""The window on a laptop whose shared library refuses its sign-in: said so, never "Offline"."""

from __future__ import annotations

import pytest

from newsdesk.sync import sync

pytestmark = pytest.mark.postgres


def test_a_wrong_password_shows_sign_in_refused_not_offline(
    qtbot, make_window, library, password_login, tmp_path, monkeypatch
):
    passfile = tmp_path / "pgpass"
    passfile.write_text("*:*:*:pat:tide-table-9137\n")
    passfile.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    library.create_article(headline="Ferry timetable", body="Ferries at dawn.\n")
    sync(library, password_login)  # linked while the password was right
    # Then the password in the pass file goes stale.
    passfile.write_text("*:*:*:pat:last-years-password\n")

    window = make_window()
    window.sync.sync_now(manual=True)
    qtbot.waitUntil(lambda: window.sync.label.text() == "Sign-in refused", timeout=30_000)
    tip = window.sync.label.toolTip()
    assert "Sign-in refused:" in tip and "~/.pgpass" in tip and "PGPASSFILE" in tip
    message = window.statusBar().currentMessage()
    assert message.startswith("Sign-in refused:") and "Offline" not in message

    # Put right, the next sync goes through and the state says so.
    passfile.write_text("*:*:*:pat:tide-table-9137\n")
    window.sync.sync_now(manual=False)
    qtbot.waitUntil(lambda: window.sync.label.text().startswith("Synced at"), timeout=30_000)


def _refusals(pg_server) -> int:
    """How many sign-ins the server has turned away (it logs each one)."""
    return pg_server.log.read_text(errors="replace").count("password authentication failed")


def test_a_refused_sign_in_is_not_retried_until_sync_now_or_the_password_changes(
    qtbot, make_window, library, password_login, pg_server, tmp_path, monkeypatch
):
    passfile = tmp_path / "pgpass"
    passfile.write_text("*:*:*:pat:tide-table-9137\n")
    passfile.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    story = library.create_article(headline="Ferry timetable", body="Ferries at dawn.\n")
    sync(library, password_login)
    passfile.write_text("*:*:*:pat:last-years-password\n")
    before = _refusals(pg_server)

    window = make_window()
    window.presence.timer.setInterval(100)  # presence asks often: it must not sign in itself
    qtbot.waitUntil(lambda: window.sync.label.text() == "Sign-in refused", timeout=30_000)
    assert "tries again when the password" in window.sync.label.toolTip()
    # Saves, the five-minute timer and the after-save timer all come and go: no retry storm.
    for n in range(5):
        library.update_article(story.id, body=f"Ferries at dawn, take {n}.\n")
        window.sync.sync_now(manual=False)
        qtbot.wait(100)
    window.sync.after_save.start(10)
    qtbot.wait(1000)
    assert _refusals(pg_server) == before + 1  # the window's first try, and nothing else
    assert window.sync.label.text() == "Sign-in refused" and not window.presence.online

    # Sync Now asks again, once.
    window.sync.sync_now(manual=True)
    qtbot.waitUntil(lambda: _refusals(pg_server) == before + 2, timeout=30_000)
    qtbot.waitUntil(lambda: not window.sync.running, timeout=30_000)
    qtbot.wait(500)
    assert _refusals(pg_server) == before + 2

    # The password put right in the pass file: the next background sync goes through.
    passfile.write_text("*:*:*:pat:tide-table-9137\n")
    window.sync.sync_now(manual=False)
    qtbot.waitUntil(lambda: window.sync.label.text().startswith("Synced at"), timeout=30_000)
    assert _refusals(pg_server) == before + 2
    qtbot.waitUntil(lambda: window.presence.online, timeout=30_000)  # presence follows sync
