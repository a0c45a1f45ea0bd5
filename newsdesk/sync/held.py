"""The shared library a window keeps open between its background syncs, shared with presence."""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsdesk.sync.server import open_server

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from newsdesk.library import Library


class HeldServer:
    """The shared library kept open between syncs, so each sync does not connect anew.

    Opened and closed by one sync at a time (the window runs one at a time);
    the schema is still checked by every sync, in the same query that asks for
    news. Presence borrows its engine (`engine()`) from another thread: an
    Engine is safe to share between threads, since each caller checks out a
    connection of its own from the pool — a heartbeat and a sync in flight
    never share one connection, and one after the other they reuse the same.
    """

    def __init__(self) -> None:
        self._target: str | None = None
        self._server: Library | None = None

    def open(self, target: str, laptop_root) -> Library:
        if self._server is None or self._target != target:
            self.close()
            self._server = open_server(target, laptop_root)
            self._target = target
        return self._server

    def engine(self) -> Engine | None:
        """The open shared library's engine, or None while none is open (never connects).

        Closing disposes of the engine's pool; a connection checked out at that
        moment (a heartbeat in flight) is closed when it is given back.
        """
        server = self._server
        return server.engine if server is not None else None

    def abandon(self) -> None:
        """Give up on the shared library now (the window is closing): a sync or heartbeat
        waiting on it fails within a moment instead of holding the window open."""
        server = self._server
        if server is not None and getattr(server, "dialect", "") == "postgresql":
            from newsdesk.library.pg import abandon

            abandon(server.engine)

    def close(self) -> None:
        server, self._server, self._target = self._server, None, None
        if server is not None:
            server.close()
