"""The shared library's server ending a session in the middle of a save (a restart, an
administrator): one sentence, nothing half-written, and the next save connects anew."""

from __future__ import annotations

import threading
import time

import pytest

from newsdesk.library import Library, LibraryError
from newsdesk.library.pg import CONNECTION_LOST, SignInRefused, parse_url

pytestmark = pytest.mark.postgres


def test_a_save_cut_off_by_the_server_says_so_in_one_sentence_and_the_next_one_goes_through(
    pg_server, pg_url
):
    lib = Library.open(pg_url)
    try:
        story = lib.create_article(headline="Harbour reopens", body="Boats at nine.\n")
        database = parse_url(pg_url).database
        outcome: list[BaseException | None] = []
        with pg_server.connect(database) as holder:
            # The DBA's open transaction holds the story: the save waits on the server.
            holder.execute("SELECT id FROM articles FOR UPDATE").fetchall()

            def save() -> None:
                try:
                    lib.update_article(story.id, body="Boats at ten.\n", tags=["ferry"])
                    outcome.append(None)
                except BaseException as exc:  # noqa: BLE001 - the test looks at it
                    outcome.append(exc)

            thread = threading.Thread(target=save)
            thread.start()
            deadline = time.monotonic() + 20
            with pg_server.connect("postgres", autocommit=True) as dba:
                while time.monotonic() < deadline:
                    waiting = dba.execute(
                        "SELECT pid FROM pg_stat_activity WHERE application_name = 'newsdesk' "
                        "AND wait_event_type = 'Lock'"
                    ).fetchall()
                    if waiting:
                        break
                    time.sleep(0.05)
                assert waiting, "the save never reached the server"
                dba.execute("SELECT pg_terminate_backend(%s)", (waiting[0][0],))
            thread.join(20)
            holder.rollback()
        [failure] = outcome
        assert isinstance(failure, LibraryError)
        assert str(failure) == CONNECTION_LOST
        assert lib.get_article(story.id).body == "Boats at nine.\n"  # nothing half-written
        lib.update_article(story.id, body="Boats at ten.\n")
        assert lib.get_article(story.id).body == "Boats at ten.\n"
    finally:
        lib.close()


def test_a_password_changed_while_the_library_is_open_is_said_in_one_sentence(
    pg_server, password_login, monkeypatch, tmp_path
):
    passfile = tmp_path / "pgpass"
    passfile.write_text("*:*:*:pat:tide-table-9137\n")
    passfile.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    lib = Library.open(password_login)
    try:
        lib.create_article(headline="Harbour reopens", body="Boats at nine.\n")
        with pg_server.connect("postgres", autocommit=True) as dba:
            dba.execute("ALTER ROLE pat PASSWORD 'a-new-one-4411'")
            dba.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'pat'"
            )
            deadline = time.monotonic() + 20
            while (
                time.monotonic() < deadline
                and dba.execute("SELECT 1 FROM pg_stat_activity WHERE usename = 'pat'").fetchone()
            ):
                time.sleep(0.05)  # the sessions end a moment after they are told to
        with pytest.raises(SignInRefused) as refused:
            lib.list_articles()
        sentence = str(refused.value)
        assert sentence.startswith("Sign-in refused: the shared library pat@")
        assert "~/.pgpass" in sentence and "\n" not in sentence
        passfile.write_text("*:*:*:pat:a-new-one-4411\n")
        assert [a.headline for a in lib.list_articles()] == ["Harbour reopens"]
    finally:
        lib.close()
