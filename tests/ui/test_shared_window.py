"""The editor window opened directly on a newsroom's shared library (PostgreSQL)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from newsdesk.library import Library
from newsdesk.sync import SyncError
from newsdesk.ui.sync_window import shared_library_command


def test_opening_a_shared_library_refuses_a_folder_or_a_password_in_one_sentence():
    with pytest.raises(SyncError, match="starts postgresql"):
        shared_library_command("/home/ana/library")
    with pytest.raises(SyncError, match="password"):
        shared_library_command("postgresql+psycopg://ana:secret@db.example.org/news")
    command = shared_library_command("  postgresql+psycopg://ana@db.example.org/news ")
    assert command[-2:] == ["--library", "postgresql+psycopg://ana@db.example.org/news"]


def test_a_window_on_a_folder_that_asks_for_a_bad_address_says_so(qtbot, window):
    assert not window.open_shared_library("not a database")
    assert "postgresql+psycopg://" in window.statusBar().currentMessage()


@pytest.mark.postgres
def test_the_window_edits_a_shared_library_directly_and_sees_another_desks_story(
    qtbot, make_window, pg_url
):
    lib = Library.open(pg_url)
    desk = Library.open(pg_url)  # another desk on the same database
    try:
        article = lib.create_article(headline="Ferry service resumes", body="Boats at nine.\n")
        window = make_window(lib)
        assert window.article is not None and window.article.id == article.id
        # What only a laptop has is off, with the reason shown.
        for name in ("sync_now", "sync_conflicts"):
            action = window.actions_by_name[name]
            assert not action.isEnabled()
            assert "shared library itself" in action.toolTip()
        assert window.sync.label.text().startswith("Shared library ")
        assert "secret" not in window.sync.label.text()

        window.form.headline.end(False)
        qtbot.keyClicks(window.form.headline, " on Monday")
        assert window.autosave.flush()
        assert desk.get_article(article.id).headline == "Ferry service resumes on Monday"

        desk.create_article(headline="Harbour dredging starts", body="Work begins.\n")
        model = window.browser.model
        qtbot.waitUntil(
            lambda: any(r.headline == "Harbour dredging starts" for r in model.rows), timeout=20_000
        )
    finally:
        desk.close()


@pytest.mark.postgres
def test_the_editor_opens_a_shared_library_by_its_url_in_a_process_of_its_own(pg_url, tmp_path):
    with Library.open(pg_url) as lib:
        lib.create_article(headline="Council votes on the budget", body="Late.\n")
    out = tmp_path / "shared.png"
    done = subprocess.run(
        [sys.executable, "-m", "newsdesk", "--library", pg_url, "screenshot", str(out)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert out.stat().st_size > 10_000
    with Library.open(
        pg_url
    ) as lib:  # nothing (no sample story) was added to the newsroom's library
        assert [a.headline for a in lib.list_articles()] == ["Council votes on the budget"]
