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
