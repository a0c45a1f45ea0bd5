"""Opening a shared library whose server took the connection and never answered (stopped, or its
network gone) gives up within a few seconds with one sentence, on the command line, in sync and
in a window's library; a window already open says the server stopped answering."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from newsdesk.library import Library, pg_silence
from newsdesk.library.pg import CONNECT_TIMEOUT_S, ServerSilent, ServerUnreachable
from newsdesk.library.shared import SharedLibrary
from newsdesk.sync import Unreachable
from newsdesk.sync.server import open_server

pytestmark = pytest.mark.postgres

BOUND_S = CONNECT_TIMEOUT_S + 4  # a loaded machine


def test_opening_a_frozen_shared_library_gives_up_within_seconds_in_one_sentence(
    own_pg_url, tmp_path
):
    server, url = own_pg_url
    server.freeze()
    started = time.monotonic()
    with pytest.raises(ServerUnreachable) as refused:
        Library.open(url)
    assert time.monotonic() - started < BOUND_S
    sentence = str(refused.value)
    assert sentence.startswith("Cannot open the shared library postgres@")
    assert f"did not answer within {CONNECT_TIMEOUT_S} seconds" in sentence
    assert sentence.count(". ") == 0 and "\n" not in sentence

    started = time.monotonic()
    # Sync says what it says of a server that stops answering mid-way: the laptop keeps it all.
    with pytest.raises(Unreachable) as offline:
        open_server(url, tmp_path / "laptop")
    assert str(offline.value) == pg_silence.STOPPED_ANSWERING
    assert time.monotonic() - started < BOUND_S


def test_the_command_line_on_a_frozen_shared_library_says_so_and_exits_2(own_pg_url):
    server, url = own_pg_url
    server.freeze()
    done = subprocess.run(
        [sys.executable, "-m", "newsdesk", "--library", url, "list"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    # (How soon is the test above's to say: a loaded machine starts an interpreter slowly.)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert "did not answer within" in done.stderr and done.stderr.count("\n") == 1


def test_an_open_library_whose_server_freezes_says_it_stopped_answering_then_recovers(
    own_pg_url,
):
    server, url = own_pg_url
    lib = SharedLibrary.open_url(url, patience=pg_silence.WINDOW)
    try:
        lib.create_article(headline="Harbour reopens", body="Boats at nine.")
        server.freeze()
        started = time.monotonic()
        with pytest.raises(ServerSilent) as silent:
            lib.list_articles()
        # Told within about five seconds (a probe beside the question went unanswered), not
        # at the silence limit; a loaded machine may add a little.
        took = time.monotonic() - started
        assert pg_silence.WINDOW.probe_after_s <= took < pg_silence.WINDOW.told_s + 3
        assert str(silent.value) == pg_silence.STOPPED_ANSWERING_HERE
        # The next question needs a new connection: the same sentence, within seconds.
        started = time.monotonic()
        with pytest.raises(ServerSilent) as again:
            lib.list_articles()
        assert time.monotonic() - started < BOUND_S
        assert str(again.value) == pg_silence.STOPPED_ANSWERING_HERE
        server.thaw()
        assert [a.headline for a in lib.list_articles()] == ["Harbour reopens"]
    finally:
        server.thaw()
        lib.close()


def test_a_slow_question_to_a_server_that_answers_is_not_given_up(pg_url):
    """A statement the server works on longer than it takes to tell a silent server (a big
    export's read) goes on: the probe beside it is answered."""
    from sqlalchemy import text

    lib = SharedLibrary.open_url(pg_url, patience=pg_silence.WINDOW)
    try:
        slow_s = pg_silence.WINDOW.told_s + 2
        assert slow_s < pg_silence.WINDOW.statement_s  # within the server's own limit
        started = time.monotonic()
        with lib.engine.connect() as conn:
            conn.execute(text("SELECT pg_sleep(:s)"), {"s": slow_s})
        assert time.monotonic() - started >= slow_s
    finally:
        lib.close()
