"""Who else has a story open: the list's mark and "Open by …", the line above the open story,
on a real PostgreSQL shared library, with a second person writing presence through the core API."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from newsdesk.library import Library, pg
from newsdesk.sync import presence, sync
from newsdesk.ui.presence import PresenceController
from tests.ui.conftest import open_in_window

pytestmark = pytest.mark.postgres
SHOTS = Path(os.environ["NEWSDESK_SHOTS"]) if os.environ.get("NEWSDESK_SHOTS") else None


@pytest.fixture
def desk(pg_url):
    """The second person: a plain connection to the shared library (Ben at the desk)."""
    engine = pg.make_engine(pg.parse_url(pg_url))
    yield engine
    engine.dispose()


def _row(window, article_id):
    model = window.browser.model
    return model.index(model.row_of(article_id), 0)


def _tip(window, article_id) -> str:
    return window.browser.model.data(_row(window, article_id), Qt.ItemDataRole.ToolTipRole) or ""


def test_a_laptop_online_shows_who_else_has_a_story_open_and_says_its_own(
    qtbot, make_window, library, pg_url, desk, monkeypatch
):
    monkeypatch.setenv("NEWSDESK_USER", "Ana Ruiz")
    council = library.create_article(headline="Council votes on the budget", body="Late.\n")
    ferry = library.create_article(headline="Ferry strike ends", body="Boats again.\n")
    sync(library, pg_url)
    window = make_window()
    window.presence.timer.setInterval(200)  # the heartbeat, quicker than in use
    open_in_window(qtbot, window, ferry.id)
    me = window.presence.session

    # Ben opens the council story; Cy the ferry story (the one open here).
    presence.announce(desk, "ben-window", "Ben Okafor", council.uid)
    seen = presence.announce(desk, "cy-window", "Cy Lam", ferry.uid)
    qtbot.waitUntil(lambda: "Open by Ben Okafor" in _tip(window, council.id), timeout=20_000)
    model = window.browser.model
    assert model.data(_row(window, council.id), Qt.ItemDataRole.DecorationRole) is not None
    assert "open by Ben Okafor" in model.data(
        _row(window, council.id), Qt.ItemDataRole.AccessibleTextRole
    )
    qtbot.waitUntil(lambda: window.presence_banner.isVisible(), timeout=10_000)
    assert window.presence_banner.text() == "Also open by Cy Lam"
    # …and the others see this window's story under this person's name.
    seen = presence.announce(desk, "cy-window", "Cy Lam", ferry.uid)
    assert seen.get(ferry.uid) == ["Ana Ruiz"] and me

    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(SHOTS / "presence.png"))

    # Opening the council story here: the line names Ben at once, and the server hears of it.
    open_in_window(qtbot, window, council.id)
    assert window.presence_banner.text() == "Also open by Ben Okafor"
    qtbot.waitUntil(
        lambda: (
            presence.announce(desk, "cy-window", "Cy Lam", ferry.uid).get(council.uid)
            == ["Ana Ruiz", "Ben Okafor"]
        ),
        timeout=10_000,
    )

    # Ben closes it; Cy's window dies without a word (its row goes stale after a minute).
    presence.leave(desk, "ben-window")
    with desk.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE presence SET seen_at = now() - interval '2 minutes' WHERE session = 'cy-window'"
        )
    qtbot.waitUntil(lambda: not window.presence_banner.isVisible(), timeout=10_000)
    qtbot.waitUntil(lambda: "Open by" not in _tip(window, ferry.id), timeout=10_000)
    assert model.data(_row(window, council.id), Qt.ItemDataRole.DecorationRole) is None

    # The window closes: its row goes with it, not a minute later.
    window.close()
    assert council.uid not in presence.announce(desk, "dan-window", "Dan", None)


def test_offline_nobody_is_shown_and_a_laptop_alone_asks_no_server(
    qtbot, make_window, library, pg_url, desk, tmp_path
):
    story = library.create_article(headline="Harbour dredging", body="Work begins.\n")
    alone = make_window()
    qtbot.wait(500)
    # Nothing to tell, nobody shown: no call to any server was even started.
    assert alone.presence.line._thread is None and not alone.presence.online
    alone.close()

    sync(library, pg_url)
    window = make_window()
    window.presence.timer.setInterval(200)
    presence.announce(desk, "ben-window", "Ben Okafor", story.uid)
    qtbot.waitUntil(lambda: "Open by Ben Okafor" in _tip(window, story.id), timeout=20_000)
    # The window's sync finds the server out of reach: the marks go, nothing is claimed.
    window.sync.offline = True
    window.sync._show(window.sync.status)
    qtbot.waitUntil(lambda: "Open by" not in _tip(window, story.id), timeout=10_000)
    assert not window.presence_banner.isVisible() and window.presence.paused


def test_a_window_on_the_shared_library_itself_shows_who_else_is_there(
    qtbot, make_window, pg_url, desk
):
    lib = Library.open(pg_url)
    article = lib.create_article(headline="Ferry service resumes", body="Boats at nine.\n")
    window = make_window(lib)
    window.presence.timer.setInterval(200)
    presence.announce(desk, "ben-window", "Ben Okafor", article.uid)
    qtbot.waitUntil(lambda: window.presence_banner.isVisible(), timeout=20_000)
    assert window.presence_banner.text() == "Also open by Ben Okafor"
    assert "Open by Ben Okafor" in _tip(window, article.id)


def test_presence_goes_through_the_connection_the_background_sync_holds_open(
    qtbot, make_window, library, pg_url, pg_server
):
    story = library.create_article(headline="Tide tables", body="High water at six.\n")
    sync(library, pg_url)
    window = make_window()
    open_in_window(qtbot, window, story.id)
    window.presence.timer.setInterval(200)
    qtbot.waitUntil(lambda: window.presence.online, timeout=30_000)
    assert window.presence._told is window.sync.held.engine()
    qtbot.wait(1000)  # a few heartbeats more
    database = pg.parse_url(pg_url).database
    with pg_server.connect("postgres") as con:  # a plain connection, not one of newsdesk's
        windows = con.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
            "AND application_name = 'newsdesk'",
            (database,),
        ).fetchone()[0]
    assert windows == 1  # sync and presence share one connection
    # A sync while heartbeats go on: still one connection kept open afterwards.
    window.sync.sync_now(manual=True)
    qtbot.waitUntil(lambda: not window.sync.running, timeout=30_000)
    qtbot.wait(600)
    with pg_server.connect("postgres") as con:
        windows = con.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
            "AND application_name = 'newsdesk'",
            (database,),
        ).fetchone()[0]
    assert windows == 1


def _hold_the_line(controller) -> threading.Event:
    """Queue a task ahead on the presence line that waits for the returned event: a heartbeat
    started now is in flight until the test lets it go."""
    from newsdesk.ui.workers import run_task

    go = threading.Event()
    run_task(lambda: go.wait(30), pool=controller.line)
    return go


@pytest.mark.parametrize("how", ["offline", "unlinked"])
def test_a_heartbeat_answering_after_the_window_went_offline_shows_nobody(
    qtbot, library, desk, how
):
    story = library.create_article(headline="Harbour dredging", body="Work begins.\n")
    presence.announce(desk, "ben-window", "Ben Okafor", story.uid)
    controller = PresenceController(library, lambda: desk)
    seen: list[dict] = []
    controller.sig_others.connect(seen.append)
    go = _hold_the_line(controller)
    controller.beat()  # in flight behind the held task: its answer will name Ben
    assert controller._busy
    # Meanwhile sync finds the server out of reach (or the user unlinks the library).
    if how == "offline":
        controller.set_paused(True)
    else:
        controller.unlink()
    go.set()
    assert controller.line.wait_idle(30)
    qtbot.waitUntil(lambda: not controller._busy, timeout=10_000)
    assert controller.others == {} and not controller.online
    assert all(others == {} for others in seen)
    controller.stop()
