"""A window whose shared library stops answering mid-sync: the sync ends within seconds saying
edits are kept, the window's writer is free again, and closing the window never waits for it."""

from __future__ import annotations

import sys
import threading
import time

import pytest

from newsdesk.library import pg_silence
from newsdesk.sync import sync

pytestmark = pytest.mark.postgres

BOUND_S = pg_silence.SYNC.silent_s + 10  # silent that long, then the failure; a loaded machine
CLOSE_BUDGET_S = 2.0


def _thread_in(function: str) -> bool:
    """Whether some thread is inside a function of this name now (where a sync waits)."""
    for frame in sys._current_frames().values():
        while frame is not None:
            if frame.f_code.co_name == function:
                return True
            frame = frame.f_back
    return False


def _mid_sync_on_a_frozen_server(qtbot, make_window, library, server, url):
    """A window whose sync has its first batch on the writer, writing to a server that froze."""
    for i in range(6):
        library.create_article(headline=f"Harbour story {i}", body=f"Paragraph {i}.\n")
    sync(library, url)
    window = make_window()
    qtbot.waitUntil(lambda: window.sync.label.text().startswith("Synced at"), timeout=30_000)

    def edit_all(lib) -> None:
        for article in lib.list_articles():
            lib.update_article(article.id, body=f"Edited offline: {article.headline}.\n")

    window.ops.call(edit_all)
    gate = threading.Event()
    window.ops.run_op(lambda _lib: gate.wait(60))  # the writer is busy: sync's turn queues
    window.sync.sync_now(manual=True)
    qtbot.waitUntil(lambda: _thread_in("_on_writer"), timeout=30_000)
    server.freeze()  # the network goes away with the batch about to be written
    gate.set()
    qtbot.waitUntil(lambda: _thread_in("_write_to_server"), timeout=10_000)
    return window


def test_a_sync_cut_off_by_a_silent_server_says_so_and_frees_the_writer(
    qtbot, make_window, library, own_pg_url
):
    server, url = own_pg_url
    window = _mid_sync_on_a_frozen_server(qtbot, make_window, library, server, url)
    started = time.monotonic()
    qtbot.waitUntil(lambda: not window.sync.running, timeout=int(BOUND_S * 1000))
    assert time.monotonic() - started < BOUND_S
    assert window.sync.problem == pg_silence.STOPPED_ANSWERING
    qtbot.waitUntil(
        lambda: window.sync.label.text() == "Offline · 6 changes waiting", timeout=10_000
    )
    assert pg_silence.STOPPED_ANSWERING in window.sync.label.toolTip()
    # The writer is free: a save goes through while the server is still silent.
    took = time.monotonic()
    window.ops.call(lambda lib: lib.create_article(headline="Written meanwhile", body="Here.\n"))
    assert time.monotonic() - took < 5

    server.thaw()
    window.actions_by_name["sync_now"].trigger()
    qtbot.waitUntil(lambda: window.sync.label.text().startswith("Synced at"), timeout=60_000)


def test_closing_the_window_while_its_sync_waits_on_a_silent_server_is_prompt(
    qtbot, make_window, library, own_pg_url
):
    server, url = own_pg_url
    window = _mid_sync_on_a_frozen_server(qtbot, make_window, library, server, url)
    started = time.monotonic()
    window.close()
    took = time.monotonic() - started
    assert took < CLOSE_BUDGET_S, f"closing waited {took:.1f} s on a server that did not answer"
    # The sync itself gave up with the window, not after the server's silence ran out.
    qtbot.waitUntil(lambda: not window.sync.running, timeout=int(CLOSE_BUDGET_S * 1000))
    assert not _thread_in("_write_to_server")
