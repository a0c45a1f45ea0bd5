"""Presence on the shared library: fresh rows only, the server's clock, each login writes its own."""

from __future__ import annotations

import pytest

from newsdesk.library import LibraryError, pg
from newsdesk.sync import presence

pytestmark = pytest.mark.postgres


@pytest.fixture
def logins(pg_url):
    """Two reporters' connections (reza, sol) and the DBA's."""
    engines = {}
    for user in ("reza", "sol"):
        pg.grant_role(pg_url, user, "reporter")
        engines[user] = pg.make_engine(pg.parse_url(pg_url.replace("postgres@", f"{user}@", 1)))
    engines["dba"] = pg.make_engine(pg.parse_url(pg_url))
    yield engines
    for engine in engines.values():
        engine.dispose()


def test_each_window_sees_the_others_not_itself_and_stale_rows_show_nobody(logins):
    reza, sol, dba = logins["reza"], logins["sol"], logins["dba"]
    assert presence.announce(reza, "reza-1", "Reza", "story-a") == {}
    assert presence.announce(sol, "sol-1", "", "story-a") == {"story-a": ["Reza"]}
    # A name left empty shows as the login; a second window of Reza's counts once.
    presence.announce(reza, "reza-2", "Reza", "story-a")
    assert presence.announce(dba, "desk", "Desk", "story-b") == {"story-a": ["Reza", "sol"]}
    # Reza's first window dies silently: a minute later (server time) it is stale.
    with dba.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE presence SET seen_at = now() - interval '61 seconds' "
            "WHERE session IN ('reza-1', 'reza-2')"
        )
    assert presence.announce(sol, "sol-1", "", "story-a") == {"story-b": ["Desk"]}
    presence.leave(sol, "sol-1")
    assert presence.announce(dba, "desk", "Desk", "story-b") == {}


def test_a_login_cannot_move_or_remove_another_logins_presence(logins):
    reza, sol = logins["reza"], logins["sol"]
    presence.announce(reza, "reza-1", "Reza", "story-a")
    with sol.begin() as conn:
        gone = conn.exec_driver_sql("DELETE FROM presence WHERE session = 'reza-1'").rowcount
        moved = conn.exec_driver_sql(
            "UPDATE presence SET article_uid = 'story-z' WHERE session = 'reza-1'"
        ).rowcount
    assert (gone, moved) == (0, 0)
    with pytest.raises(LibraryError, match="row-level security"), sol.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO presence (session, login, name, article_uid) "
            "VALUES ('fake', 'reza', 'Reza', 'story-q')"
        )
    assert presence.announce(sol, "sol-1", "Sol", None) == {"story-a": ["Reza"]}
