"""A shared library that stops answering mid-sync (its processes stopped, as when the network
vanishes) ends the sync within seconds with one sentence; nothing is lost, and the next sync,
once it answers, sends it all. A server holding a lock, or a window giving up, ends it too."""

from __future__ import annotations

import threading
import time

import pytest

from newsdesk.library import Library, pg_silence
from newsdesk.library.pg import parse_url
from newsdesk.sync import Unreachable, sync
from newsdesk.sync.held import HeldServer
from newsdesk.sync.server import open_server
from newsdesk.sync.status import sync_status

pytestmark = pytest.mark.postgres

# Silent for SYNC.silent_s, then the failure itself; generous for a loaded machine.
BOUND_S = pg_silence.SYNC.silent_s + 10


def _linked_laptop(path, url, n: int = 6) -> Library:
    laptop = Library.open(path)
    for i in range(n):
        laptop.create_article(headline=f"Harbour story {i}", body=f"Paragraph {i}.\n")
    report = sync(laptop, url)
    assert report.clean, report.problems
    return laptop


def _edit_all(laptop: Library, words: str) -> None:
    for article in laptop.list_articles():
        laptop.update_article(article.id, body=f"{words} {article.headline}.\n")


def _server_bodies(url: str) -> set[str]:
    with Library.open(url) as lib:
        return {lib.get_article(a.id).body for a in lib.list_articles()}


def test_a_server_that_freezes_while_sync_writes_to_it_ends_the_sync_within_seconds(
    own_pg_url, tmp_path
):
    server, url = own_pg_url
    laptop = _linked_laptop(tmp_path / "laptop", url)
    _edit_all(laptop, "Edited offline:")
    turns = []

    def writer(turn):
        if not turns:
            server.freeze()  # the network goes: the write this turn makes gets no answer
        turns.append(turn)
        return turn()

    started = time.monotonic()
    with pytest.raises(Unreachable) as stopped:
        sync(laptop, writer=writer, batch=2)
    took = time.monotonic() - started
    assert str(stopped.value) == pg_silence.STOPPED_ANSWERING
    assert took < BOUND_S, f"sync waited {took:.1f} s on a silent server"
    assert sync_status(laptop).waiting == 6  # every edit kept, waiting to be sent

    server.thaw()
    report = sync(laptop)
    assert report.clean, report.problems
    assert _server_bodies(url) == {f"Edited offline: Harbour story {i}.\n" for i in range(6)}
    laptop.close()


def test_a_server_that_freezes_between_two_batches_ends_the_sync_while_it_reads(
    own_pg_url, tmp_path
):
    server, url = own_pg_url
    laptop = _linked_laptop(tmp_path / "laptop", url)
    _edit_all(laptop, "Second thoughts:")

    def progress(done: int, total: int) -> None:
        if done == 2:
            server.freeze()  # the next batch's read, beside the writer, gets no answer

    started = time.monotonic()
    with pytest.raises(Unreachable, match="stopped answering; your edits are kept"):
        sync(laptop, progress=progress, batch=2)
    assert time.monotonic() - started < BOUND_S
    server.thaw()
    assert sync(laptop).clean
    assert _server_bodies(url) == {f"Second thoughts: Harbour story {i}.\n" for i in range(6)}
    laptop.close()


def test_a_window_giving_up_on_a_silent_server_ends_the_sync_at_once(own_pg_url, tmp_path):
    server, url = own_pg_url
    laptop = _linked_laptop(tmp_path / "laptop", url)
    _edit_all(laptop, "Late change:")
    held = HeldServer()
    held.open(url, laptop.root)
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            sync(laptop, held=held)
        except Exception as exc:  # noqa: BLE001 - the test looks at it
            outcome.append(exc)

    server.freeze()
    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(1.0)  # the sync is waiting on the server now
    assert thread.is_alive()
    given_up = time.monotonic()
    held.abandon()
    thread.join(5)
    assert not thread.is_alive()
    assert time.monotonic() - given_up < 1.0
    assert isinstance(outcome[0], Unreachable) and "Traceback" not in str(outcome[0])
    server.thaw()
    assert sync(laptop).clean  # a new connection: the abandoned one is gone
    laptop.close()


def test_syncs_sessions_carry_the_servers_limits(pg_url, tmp_path):
    lib = open_server(pg_url, tmp_path / "laptop")
    try:
        with lib.engine.connect() as conn:
            shown = {
                name: conn.exec_driver_sql(f"SHOW {name}").scalar()
                for name in (
                    "statement_timeout",
                    "lock_timeout",
                    "idle_in_transaction_session_timeout",
                )
            }
    finally:
        lib.close()
    assert shown == {
        "statement_timeout": "12s",
        "lock_timeout": "5s",
        "idle_in_transaction_session_timeout": "1min",
    }


def test_a_story_locked_by_another_session_ends_the_sync_after_the_lock_timeout(
    pg_server, pg_url, tmp_path
):
    laptop = _linked_laptop(tmp_path / "laptop", pg_url, n=1)
    _edit_all(laptop, "Locked out:")
    database = parse_url(pg_url).database
    with pg_server.connect(database) as holder:  # a transaction left open, holding the row
        holder.execute("SELECT id FROM articles FOR UPDATE").fetchall()
        started = time.monotonic()
        with pytest.raises(Unreachable, match="lock timeout") as stopped:
            sync(laptop)
        took = time.monotonic() - started
        holder.rollback()
    assert "Traceback" not in str(stopped.value)
    assert pg_silence.SYNC.lock_s <= took < pg_silence.SYNC.lock_s + 10
    assert sync(laptop).clean
    laptop.close()
