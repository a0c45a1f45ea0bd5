"""The window's side of presence: say which story is open here, show who else has a story open.

Only while online with a shared library on PostgreSQL (a laptop linked to one,
or a window on one): every call to the server runs on a worker, one at a
time, with the window's own connection to it. The list marks stories others
have open ("Open by Ana" in its tooltip); above the open story a line says
"Also open by Ana". Offline, or with a laptop alone, nothing is shown.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QLabel
from sqlalchemy.exc import SQLAlchemyError

from newsdesk.library import LibraryError
from newsdesk.library.changes import current_actor
from newsdesk.sync import presence
from newsdesk.ui.workers import run_task


def server_engine(library) -> Any:
    """On a worker: the engine presence is written through, or None when there is nobody to tell.

    A window on the shared library uses the library's own; a laptop makes one
    for the PostgreSQL library it is linked to (never for a library folder).
    """
    if getattr(library, "dialect", "sqlite") == "postgresql":
        return library.engine
    from newsdesk.paths import is_shared_url
    from newsdesk.sync import linked_server

    target = linked_server(library)
    if not is_shared_url(target):
        return None
    from newsdesk.library import pg

    return pg.make_engine(pg.parse_url(target))


class PresenceController(QObject):
    """Heartbeats the open story to the shared library and keeps `others` (article id → names)."""

    sig_others = Signal(object)
    """Who else has which story open: {article id: [names]} ({} offline or alone)."""

    def __init__(self, library, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.session = presence.new_session()
        self.name = current_actor()
        self.article_uid: str | None = None
        self.others: dict[int, list[str]] = {}
        self.online = False  # the last heartbeat reached the server
        self.paused = False  # the window's sync says the server is out of reach (or refused us)
        self._engine: Any = None
        self._none = False  # there is no server to tell (a laptop alone, a folder)
        self._busy = False
        self._again = False
        self._stopped = False
        # A thread of its own: a server out of reach may hold a call for the
        # connect timeout, and the window's other background work must not wait.
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
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
        if paused == self.paused:
            return
        self.paused = paused
        if paused:
            self._show({}, online=False)
        else:
            self.beat()

    def beat(self) -> None:
        if self._stopped or self._none or self.paused:
            return
        if self._busy:
            self._again = True
            return
        self._busy = True
        library, session, name, uid = self.library, self.session, self.name, self.article_uid

        def work() -> dict[int, list[str]] | None:
            if self._engine is None:
                self._engine = server_engine(library)
                if self._engine is None:
                    return None
            others = presence.announce(self._engine, session, name, uid)
            return presence.ids_of(library, others)

        run_task(work, on_done=self._answered, on_error=self._lost, pool=self.pool)

    def _answered(self, others: dict[int, list[str]] | None) -> None:
        self._busy = False
        if others is None:
            self._none = True  # a laptop alone: nothing to do, ever, in this window
            self.timer.stop()
            return
        self._show(others, online=True)
        self._next()

    def _lost(self, exc: BaseException) -> None:
        # Out of reach, refused, or an older server without the table: nobody is shown.
        self._busy = False
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
        """The library was just linked to a shared library: look for one again."""
        self._none = False
        self._engine = None
        self.timer.start()
        self.beat()

    def unlink(self) -> None:
        """The library is being unlinked: leave the server (on the worker) and show nobody."""
        self._none = True
        self.timer.stop()
        engine, session, own = self._engine, self.session, getattr(self.library, "engine", None)
        self._engine = None
        self._show({}, online=False)
        if engine is None:
            return

        def leave() -> None:
            try:
                presence.leave(engine, session)
            finally:
                if engine is not own:
                    engine.dispose()

        run_task(leave, on_error=lambda _exc: None, pool=self.pool)

    def stop(self) -> None:
        """The window closes: its row goes now (quickly, and only when the server answered)."""
        if self._stopped:
            return
        self._stopped = True
        self.timer.stop()
        self.pool.waitForDone(2000)  # a heartbeat in flight must not bring the row back
        engine, online = self._engine, self.online
        if engine is None or not online:
            return
        try:
            presence.leave(engine, self.session)
        except Exception:  # noqa: BLE001 - the row goes stale by itself within a minute
            pass
        if engine is not getattr(self.library, "engine", None):
            engine.dispose()


class PresenceActions:
    """Mixed into MainWindow: the list's markers and the "Also open by" line above the story."""

    def _build_presence(self) -> None:
        self.presence = PresenceController(self.library, self)  # type: ignore[attr-defined]
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
