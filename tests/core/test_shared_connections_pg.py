"""The shared library's pooled connections: one the server ended is replaced before it is used,
and checking a connection out costs no round trip of its own (a search is one question and its
end)."""

from __future__ import annotations

import psycopg
import pytest

from newsdesk.library import Library
from newsdesk.library.related import suggest_related

pytestmark = pytest.mark.postgres


def _end_newsdesk_sessions(pg_server) -> int:
    with pg_server.connect("postgres", autocommit=True) as con:
        return len(
            con.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'newsdesk' AND pid <> pg_backend_pid()"
            ).fetchall()
        )


def test_a_connection_the_server_ended_is_replaced_before_the_next_search(pg_server, pg_url):
    with Library.open(pg_url) as lib:
        lib.create_article(headline="Harbour dredging begins", body="Work starts.\n")
        assert [h.slug for h in lib.search("harbour")] == ["harbour-dredging-begins"]
        assert _end_newsdesk_sessions(pg_server) >= 1  # a restart, an administrator, a timeout
        assert [h.slug for h in lib.search("harbour")] == ["harbour-dredging-begins"]
        assert lib.get_article("harbour-dredging-begins").headline == "Harbour dredging begins"


def test_a_search_and_a_suggestion_ask_the_server_no_more_than_they_need(pg_url, monkeypatch):
    trips = [0]
    wait = psycopg.Connection.wait

    def counted(self, gen, *args, **kwargs):
        trips[0] += 1
        return wait(self, gen, *args, **kwargs)

    with Library.open(pg_url) as lib:
        ids = [
            lib.create_article(headline=f"Ferry timetable {i}", body="Boats at nine.\n").id
            for i in range(3)
        ]
        lib.search("ferry")
        suggest_related(lib, ids[0])
        monkeypatch.setattr(psycopg.Connection, "wait", counted)
        lib.search("ferry")
        searched, trips[0] = trips[0], 0
        suggest_related(lib, ids[1])
        suggested = trips[0]
    # The question, and the transaction's end: no ping before each (it cost three more).
    assert searched == 2
    assert suggested <= 4
