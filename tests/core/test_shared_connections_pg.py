"""The shared library's pooled connections: one the server ended is replaced before it is used,
and checking a connection out costs no round trip of its own (a search is one question and its
end)."""

from __future__ import annotations

import time

import pytest

from newsdesk.library import Library
from newsdesk.library.pg import parse_url
from newsdesk.library.related import suggest_related

pytestmark = pytest.mark.postgres


def _end_newsdesk_sessions(pg_server) -> int:
    with pg_server.connect("postgres", autocommit=True) as con:
        ended = len(
            con.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'newsdesk' AND pid <> pg_backend_pid()"
            ).fetchall()
        )
        deadline = time.monotonic() + 20
        while (
            time.monotonic() < deadline
            and con.execute(
                "SELECT 1 FROM pg_stat_activity WHERE application_name = 'newsdesk'"
            ).fetchone()
        ):
            time.sleep(0.05)  # the sessions end a moment after they are told to
    return ended


def test_a_connection_the_server_ended_is_replaced_before_the_next_search(pg_server, pg_url):
    with Library.open(pg_url) as lib:
        lib.create_article(headline="Harbour dredging begins", body="Work starts.\n")
        assert [h.slug for h in lib.search("harbour")] == ["harbour-dredging-begins"]
        assert _end_newsdesk_sessions(pg_server) >= 1  # a restart, an administrator, a timeout
        assert [h.slug for h in lib.search("harbour")] == ["harbour-dredging-begins"]
        assert lib.get_article("harbour-dredging-begins").headline == "Harbour dredging begins"


def _log_statements(pg_server, pg_url) -> None:
    """The server logs every statement of the sessions that start from now on."""
    database = parse_url(pg_url).database
    with pg_server.connect("postgres", autocommit=True) as con:
        con.execute(f"ALTER DATABASE \"{database}\" SET log_statement = 'all'")


def _asked(pg_server, run) -> list[str]:
    """What the server was asked while run() ran, one line per statement (from its log)."""
    start = pg_server.log.stat().st_size
    run()
    with pg_server.connect("postgres", autocommit=True) as con:
        con.execute("SELECT 1")  # the statements before it are in the log by now
    with pg_server.log.open("rb") as log:
        log.seek(start)
        lines = log.read().decode(errors="replace").splitlines()
    return [
        line.split("LOG:", 1)[1].strip()
        for line in lines
        if "LOG:" in line and ("statement: " in line or "execute " in line)
    ]


def test_a_search_and_a_suggestion_ask_the_server_no_more_than_they_need(pg_server, pg_url):
    _log_statements(pg_server, pg_url)
    with Library.open(pg_url) as lib:
        ids = [
            lib.create_article(headline=f"Ferry timetable {i}", body="Boats at nine.\n").id
            for i in range(3)
        ]
        lib.search("ferry")
        suggest_related(lib, ids[0])
        searched = _asked(pg_server, lambda: lib.search("ferry"))
        suggested = _asked(pg_server, lambda: suggest_related(lib, ids[1]))
    # The question alone: no ping before it, no BEGIN nor ROLLBACK around it (a round
    # trip each; a search took three).
    assert len(searched) == 1 and searched[0].startswith("execute"), searched
    assert not any(s.endswith(("BEGIN", "ROLLBACK")) for s in searched + suggested), suggested
    assert len(suggested) <= 3, suggested
