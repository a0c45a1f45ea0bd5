"""The window's side of presence: say which story is open here, show who else has a story open.

Only while online with a shared library on PostgreSQL (a laptop linked to one,
or a window on one). A laptop's presence opens no connection of its own: it
borrows the one its background sync holds open (sync/held.py), so it is
online exactly when sync is, and a refused sign-in costs it nothing. Every
call to the server runs on a daemon thread of its own, one at a time, so a
server that stops answering never holds up the window, nor its closing. The
list marks stories others have open ("Open by Ana" in its tooltip); above the
open story a line says "Also open by Ana". Offline, or with a laptop alone,
nothing is shown.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel
from sqlalchemy.exc import SQLAlchemyError

from newsdesk.library import LibraryError
from newsdesk.library.changes import current_actor
from newsdesk.sync import presence
from newsdesk.ui.workers import DaemonLine, run_task

LEAVE_WAIT_S = 1.0  # closing waits this long for the server to drop this window's row


class PresenceController(QObject):
    """Heartbeats the open story to the shared library and keeps `others` (article id → names).

    `engine_source()` names the engine to use now, or None while there is none
    (a laptop whose sync has not reached the server yet, or never will); it is
    called on the GUI thread and must not touch the network.
    """

    sig_others = Signal(object)
    """Who else has which story open: {article id: [names]} ({} offline or alone)."""

    def __init__(
        self, library, engine_source: Callable[[], Any], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.engine_source = engine_source
        self.session = presence.new_session()
        self.name = current_actor()
        self.article_uid: str | None = None
        self.others: dict[int, list[str]] = {}
        self.online = False  # the last heartbeat reached the server
        self.paused = False  # the window's sync says the server is out of reach (or refused us)
        self._told: Any = None  # the engine the last heartbeat went through
        self._busy = False
        self._again = False
        self._stopped = False
        # Bumped when what the window shows must no longer follow the server (paused,
        # unlinked): a heartbeat already in flight then answers for a state that is gone.
        self._epoch = 0
        self.line = DaemonLine("newsdesk-presence")
        self.timer = QTimer(self, interval=presence.HEARTBEAT_S * 1000)
        self.timer.timeout.connect(self.beat)

    def start(self) -> None:
        self.timer.start()
        self.beat()

    def set_article(self, article) -> None:
        """The window opened this story (or None): say so now, not at the next heartbeat."""
        uid = getattr(article, "uid", None)
        if uid == self.article_uid:
            return
        self.article_uid = uid
        self.beat()

    def set_paused(self, paused: bool) -> None:
        """Offline (or sign-in refused): show nobody; back online: heartbeat again at once."""
        if paused != self.paused:
            self.paused = paused
            if paused:
                self._epoch += 1
                self._show({}, online=False)
            else:
                self.beat()
        elif not paused and self._usable() is not self._told:
            self.beat()  # sync has just reached the server (anew): say so now

    def _usable(self) -> Any:
        """The engine to heartbeat through now, or None (no network is touched)."""
        engine = self.engine_source()
        return engine if engine is not None and presence.supported(engine) else None

    def beat(self) -> None:
        if self._stopped or self.paused:
            return
        engine = self._usable()
        if engine is None:
            self._told = None
            self._show({}, online=False)  # nobody to tell now; sync says when there is
            return
        if self._busy:
            self._again = True
            return
        self._busy = True
        self._told = engine
        library, session, name, uid = self.library, self.session, self.name, self.article_uid

        def work() -> dict[int, list[str]]:
            others = presence.announce(engine, session, name, uid)
            return presence.ids_of(library, others)

        epoch = self._epoch
        run_task(
            work,
            on_done=lambda others: self._answered(others, epoch),
            on_error=self._lost,
            pool=self.line,
        )

    def _answered(self, others: dict[int, list[str]], epoch: int) -> None:
        self._busy = False
        if self._stopped:
            return
        if epoch == self._epoch and not self.paused:  # else offline or unlinked meanwhile
            self._show(others, online=True)
        self._next()

    def _lost(self, exc: BaseException) -> None:
        # Out of reach, refused, or an older server without the table: nobody is shown.
        self._busy = False
        if self._stopped:
            return
        if not isinstance(exc, SQLAlchemyError | LibraryError | OSError):
            print(f"newsdesk: presence failed:\n{getattr(exc, '__traceback_text__', repr(exc))}")
        self._show({}, online=False)
        self._next()

    def _next(self) -> None:
        if self._again:
            self._again = False
            self.beat()

    def _show(self, others: dict[int, list[str]], *, online: bool) -> None:
        self.online = online
        if others != self.others:
            self.others = others
            self.sig_others.emit(others)

    def relink(self) -> None:
        """The library was just linked to a shared library: heartbeat once sync holds it open."""
        self.timer.start()
        self.beat()

    def unlink(self) -> None:
        """The library is being unlinked: leave the server (on the daemon line), show nobody."""
        self.timer.stop()
        self._epoch += 1
        self._show({}, online=False)
        self._leave()

    def _leave(self) -> threading.Event:
        """Drop this window's row, after any heartbeat in flight (so it cannot come back)."""
        engine, session, left = self._told, self.session, threading.Event()
        self._told = None

        def leave() -> None:
            try:
                if engine is not None:
                    presence.leave(engine, session)
            finally:
                left.set()

        run_task(leave, on_error=lambda _exc: None, pool=self.line)
        return left

    def stop(self) -> None:
        """The window closes: its row goes now if the server answers within LEAVE_WAIT_S.

        Otherwise the row is left to go stale (FRESH_S) by itself: closing never
        waits on the network longer than that, even with a heartbeat stuck in flight.
        """
        if self._stopped:
            return
        self._stopped = True
        self.timer.stop()
        if self._told is not None or self._busy:  # else it never reached the server: no row
            self._leave().wait(LEAVE_WAIT_S)
        self.line.finish()


class PresenceActions:
    """Mixed into MainWindow: the list's markers and the "Also open by" line above the story."""

    def _build_presence(self) -> None:
        library = self.library  # type: ignore[attr-defined]
        if getattr(library, "dialect", "sqlite") == "postgresql":
            source = lambda: library.engine  # noqa: E731 - a window on the shared library itself
        else:
            source = self.sync.held.engine  # type: ignore[attr-defined]  # what sync holds open
        self.presence = PresenceController(library, source, self)
        self.presence_banner = QLabel("")
        self.presence_banner.setObjectName("presence-banner")
        self.presence_banner.setAccessibleName("Who else has this story open")
        self.presence_banner.setMargin(4)
        self.presence_banner.setStyleSheet("background: palette(tool-tip-base);")
        self.presence_banner.hide()
        pane = self.form.parentWidget()  # type: ignore[attr-defined]
        layout = pane.layout()
        layout.insertWidget(layout.indexOf(self.form), self.presence_banner)  # type: ignore[attr-defined]
        self.presence.sig_others.connect(self._show_presence)
        self.sig_article_opened.connect(self.presence.set_article)  # type: ignore[attr-defined]
        # The line above the story follows it at once; the server hears of it on a worker.
        self.sig_article_opened.connect(lambda _a: self._show_presence(self.presence.others))  # type: ignore[attr-defined]
        self.sync.sig_status.connect(lambda _s: self._presence_follows_sync())  # type: ignore[attr-defined]

    def _presence_follows_sync(self) -> None:
        sync = self.sync  # type: ignore[attr-defined]
        self.presence.set_paused(bool(sync.offline or sync.refused))

    def _show_presence(self, others: dict[int, list[str]]) -> None:
        self.browser.model.set_present(others)  # type: ignore[attr-defined]
        article = self.article  # type: ignore[attr-defined]
        names = others.get(article.id) if article is not None else None
        self.presence_banner.setText(f"Also open by {presence.describe(names)}" if names else "")
        self.presence_banner.setVisible(bool(names))
