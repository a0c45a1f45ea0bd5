"""Closing the window never waits on a shared library that stopped answering: its presence row
is dropped when the server answers within a second, else left to go stale by itself."""

from __future__ import annotations

import time

import pytest

from newsdesk.library import pg
from newsdesk.sync import presence, sync
from tests.ui.conftest import open_in_window

pytestmark = pytest.mark.postgres

CLOSE_BUDGET_S = 2.0  # LEAVE_WAIT_S (1 s) and the window's own closing, on a loaded machine


def _online(qtbot, window) -> None:
    window.presence.timer.setInterval(200)
    qtbot.waitUntil(lambda: window.presence.online, timeout=30_000)


def _rows(url: str) -> list[str]:
    engine = pg.make_engine(pg.parse_url(url))
    try:
        with engine.connect() as conn:
            return list(conn.exec_driver_sql("SELECT session FROM presence").scalars())
    finally:
        engine.dispose()


def _close_timed(window) -> float:
    started = time.monotonic()
    window.close()
    return time.monotonic() - started


def test_closing_while_the_server_freezes_mid_heartbeat_waits_about_a_second_not_the_timeout(
    qtbot, make_window, library, own_pg_url
):
    server, url = own_pg_url
    story = library.create_article(headline="Harbour dredging", body="Work begins.\n")
    sync(library, url)
    window = make_window()
    open_in_window(qtbot, window, story.id)
    _online(qtbot, window)
    session = window.presence.session
    assert _rows(url) == [session]

    server.freeze()  # the network goes away: nothing answers, nothing is refused either
    window.presence.beat()  # a heartbeat in flight, stuck
    qtbot.waitUntil(lambda: window.presence._busy, timeout=10_000)
    took = _close_timed(window)
    assert took < CLOSE_BUDGET_S, f"closing waited {took:.1f} s on a server that did not answer"

    # The server comes back: the stuck heartbeat ends, then the row this window left goes.
    server.thaw()
    qtbot.waitUntil(lambda: session not in _rows(url), timeout=30_000)
    qtbot.waitUntil(lambda: not window.presence.line._thread.is_alive(), timeout=10_000)


def test_closing_after_the_server_was_stopped_outright_is_quick_and_says_nothing(
    qtbot, make_window, library, own_pg_url, capsys
):
    server, url = own_pg_url
    story = library.create_article(headline="Ferry strike ends", body="Boats again.\n")
    sync(library, url)
    window = make_window()
    open_in_window(qtbot, window, story.id)
    _online(qtbot, window)

    server.stop_immediately()  # pg_ctl stop -m immediate: every connection cut
    window.presence.beat()
    qtbot.waitUntil(lambda: not window.presence.online, timeout=15_000)
    took = _close_timed(window)
    assert took < CLOSE_BUDGET_S, f"closing took {took:.1f} s with the server stopped"
    assert "Traceback" not in capsys.readouterr().out
    # With nobody to tell, the row (had the server kept it) would go stale in FRESH_S.
    assert presence.FRESH_S == 60
