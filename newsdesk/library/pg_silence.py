"""How long newsdesk waits on a shared library's server that stopped answering, and giving up on one at once.

A laptop whose network vanishes mid-sync must not wait for the operating
system's TCP timeouts (a quarter of an hour) nor hold the window open. Three
layers, each for its own kind of silence:

- libpq's TCP keepalives and `tcp_user_timeout` (every engine, `CLIENT_TCP`):
  a network that went away is noticed in about ten seconds, however long a
  statement runs, because the server's kernel answers keepalives while the
  server works.
- the server's own limits for the session (`Patience.options`): a statement
  that runs too long, or waits too long for another laptop's lock, ends with
  the server's error; a laptop that vanished while it held a transaction open
  has its session ended, and its locks freed, by the server.
- the client's own ear: a server that stops answering without closing
  anything — a hung machine, or one whose kernel still takes the packets — is
  given up on. Each round trip runs through `_Listening.wait`, which psycopg
  pokes every 0.1 s while it waits. A round trip silent for
  `Patience.probe_after_s` has the server asked, on a connection of its own,
  whether it is there (`_Probe`): a server that does not answer that within
  `Patience.probe_s` is given up on (about five seconds in all,
  `Patience.told_s`), while one that answers is busy, not gone, and its slow
  statement goes on (the server's statement_timeout bounds it). Whatever the
  probes say, `Patience.silent_s` without a byte ends the round trip (a
  connection whose own path broke while a new one gets through). When the
  round trip is given up (or the engine was abandoned: a window closing) the
  socket is shut, so libpq fails at once, and the failure carries one
  sentence (`ServerSilent`). A pooled connection found silent when it was
  checked (library/pg.py `_still_there`) is not replaced by waiting out a new
  connection's timeout on top: that one replacement fails at once, saying the
  same (`Listener.connect_no_more_now`).

Nothing here imports psycopg until a shared library is used.
"""

from __future__ import annotations

import math
import os
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

STOPPED_ANSWERING = (
    "The shared library stopped answering; your edits are kept and will be sent when it "
    "answers again."
)
ABANDONED = "The window closed while it synced; sync again to finish. Nothing was lost."
# A window opened on the shared library itself keeps no copy of its own: the
# words stay in the editor, and autosave tries again (ui/autosave.py).
STOPPED_ANSWERING_HERE = (
    "The shared library stopped answering; nothing was lost: what you wrote stays in the window "
    "and is saved when it answers again."
)

# libpq's TCP settings: keepalive probes after 5 s of quiet, every 2 s, 3 unanswered
# probes and the connection is dead; data the server has not acknowledged for
# 10 s, likewise. Ignored on a Unix socket (the tests' servers).
CLIENT_TCP = {
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
    "tcp_user_timeout": 10_000,
}


@dataclass(frozen=True, slots=True)
class Patience:
    """What one engine's sessions may take: the client's limit and the server's, in seconds.

    The server's limits sit below the client's, so a slow statement or a held
    lock ends with the server's own error, not with a connection cut short.
    """

    silent_s: float  # the client gives up after this long without a byte from the server
    statement_s: float  # statement_timeout
    lock_s: float  # lock_timeout: another laptop's transaction holding a row
    idle_in_transaction_s: float  # a vanished client's open transaction is ended after this
    silent_words: str = STOPPED_ANSWERING  # the one sentence when the client gives up
    # A round trip silent this long has the server asked, beside it, whether it is there;
    # a server that does not answer within probe_s is given up on.
    probe_after_s: float = 3.0
    probe_s: float = 2.0

    @property
    def told_s(self) -> float:
        """How soon a server that stopped answering mid-question is given up on (and the user told)."""
        return self.probe_after_s + self.probe_s

    @property
    def options(self) -> str:
        """The libpq `options` setting these for the session (and the server's side of TCP)."""
        settings = {
            "statement_timeout": f"{int(self.statement_s * 1000)}",
            "lock_timeout": f"{int(self.lock_s * 1000)}",
            "idle_in_transaction_session_timeout": f"{int(self.idle_in_transaction_s * 1000)}",
            # The server notices a laptop that vanished, and frees what it held.
            "tcp_keepalives_idle": "10",
            "tcp_keepalives_interval": "5",
            "tcp_keepalives_count": "3",
            "tcp_user_timeout": "20000",
        }
        return " ".join(f"-c {k}={v}" for k, v in settings.items())


# Sync (and presence, which borrows its connection): short questions and
# batches of 200 stories or one 1 MiB piece of a picture each.
SYNC = Patience(silent_s=15, statement_s=12, lock_s=5, idle_in_transaction_s=60)
# A window opened on the shared library itself (and its presence): the same limits —
# each save, read and heartbeat is one short question — with its own sentence.
WINDOW = Patience(
    silent_s=15,
    statement_s=12,
    lock_s=5,
    idle_in_transaction_s=60,
    silent_words=STOPPED_ANSWERING_HERE,
)


class Listener:
    """One engine's ear on its connections: how long they may be silent, and whether to stop now."""

    def __init__(
        self,
        silent_s: float,
        words: str = STOPPED_ANSWERING,
        *,
        probe_after_s: float | None = None,
        probe_s: float = 2.0,
    ) -> None:
        self.silent_s = silent_s
        self.words = words  # what the user reads when this engine's server goes silent
        self.probe_after_s = probe_after_s  # None: never ask the server whether it is there
        self.probe_s = probe_s
        self.abandoned = threading.Event()
        self._no_connect = threading.local()  # this thread's next connect fails at once
        self._reach: tuple[tuple, dict[str, Any]] | None = None  # how the last connection was made

    @classmethod
    def for_patience(cls, patience: Patience) -> Listener:
        return cls(
            patience.silent_s,
            patience.silent_words,
            probe_after_s=patience.probe_after_s,
            probe_s=patience.probe_s,
        )

    def abandon(self) -> None:
        """Give up on every round trip of this engine now and from now on (a window closing)."""
        self.abandoned.set()

    def connect_no_more_now(self) -> None:
        """The server was just found silent on this thread: the connection the pool opens at
        once to replace the one given up fails at once too (within the next second)."""
        self._no_connect.until = time.monotonic() + 1.0

    def _connect_refused_now(self) -> bool:
        until = getattr(self._no_connect, "until", 0.0)
        self._no_connect.until = 0.0
        return time.monotonic() < until

    def probe(self) -> _Probe | None:
        """Ask the server, on a connection of its own, whether it is there (None: cannot ask)."""
        if self.probe_after_s is None or self._reach is None:
            return None
        return _Probe(*self._reach, self.probe_s)


class _Probe:
    """One question, on a thread and a connection of its own: does the server answer at all?

    Alive when it answered `SELECT 1`, or refused with a reason of its own (too
    many connections, say: busy, not gone). Not alive when it did not answer
    within `probe_s`, or could not be reached. The thread ends by itself: the
    connect waits at most libpq's connect_timeout, the question `probe_s`.
    """

    def __init__(self, cargs: tuple, cparams: dict[str, Any], probe_s: float) -> None:
        self.started = time.monotonic()
        self.probe_s = probe_s
        self.answered = threading.Event()
        self.alive = False
        params = {**cparams, "connect_timeout": max(2, math.ceil(probe_s)), "autocommit": True}
        threading.Thread(
            target=self._ask, args=(cargs, params), name="newsdesk-probe", daemon=True
        ).start()

    def _ask(self, cargs: tuple, params: dict[str, Any]) -> None:
        import psycopg

        try:
            conn = _classes()[1].connect(*cargs, **params)
            conn.listener = Listener(self.probe_s)  # the question itself is bounded too
            try:
                conn.execute("SELECT 1")
            finally:
                conn.close()
            self.alive = True
        except psycopg.Error as exc:
            self.alive = getattr(exc, "sqlstate", None) is not None  # the server said no
        except Exception:  # noqa: BLE001 - anything else: no answer from the server
            self.alive = False
        finally:
            self.answered.set()

    def verdict(self, now: float) -> bool | None:
        """True: the server answered; False: it did not, in time; None: still asking."""
        if self.answered.is_set():
            return self.alive
        return False if now - self.started > self.probe_s else None


def server_silent_error() -> type[Exception]:
    return _classes()[0]


def connect(listener: Listener, cargs: tuple, cparams: dict[str, Any]):
    """A psycopg connection whose round trips `listener` bounds (SQLAlchemy's do_connect)."""
    server_silent, listening = _classes()
    if listener.abandoned.is_set():
        raise server_silent(ABANDONED)
    if listener._connect_refused_now():
        raise server_silent(listener.words)  # found silent a moment ago: not asked again yet
    # libpq's connect waits out its connect_timeout whatever happens meanwhile; it runs
    # beside, so a window giving up (abandon) is not held for it. A connection that
    # arrives after nobody waits for it any more is closed there.
    lock, done = threading.Lock(), threading.Event()
    box: dict[str, Any] = {}

    def attempt() -> None:
        try:
            made = listening.connect(*cargs, **cparams)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller below
            box["error"] = exc
            made = None
        with lock:
            if box.get("given_up"):
                if made is not None:
                    made.close()
                return
            box["conn"] = made
            done.set()

    threading.Thread(target=attempt, name="newsdesk-connect", daemon=True).start()
    while not done.wait(0.1):
        if listener.abandoned.is_set():
            with lock:
                if not done.is_set():
                    box["given_up"] = True
                    raise server_silent(ABANDONED)
    if "error" in box:
        raise box["error"]
    conn = box["conn"]
    conn.listener = listener
    listener._reach = (cargs, cparams)  # a probe asks the same server the same way
    return conn


_made: tuple[type[Exception], type] | None = None


def _classes() -> tuple[type[Exception], type]:
    """(ServerSilent, _Listening), made on first use so psycopg is imported only then."""
    global _made
    if _made is None:
        import psycopg

        class ServerSilent(psycopg.OperationalError):
            """The server stopped answering (or the window gave up on it); the message is the sentence."""

        class _Listening(psycopg.Connection):
            listener: Listener | None = None

            def wait(self, gen, interval: float = 0.1, timeout: float | None = None):
                listener = self.listener
                if listener is None:
                    return super().wait(gen, interval, timeout)
                why: list[str] = []
                try:
                    return super().wait(_listen(gen, self, listener, why), interval, timeout)
                except psycopg.OperationalError as exc:
                    if why:
                        raise ServerSilent(why[0]) from exc
                    raise

        _made = (ServerSilent, _Listening)
    return _made


def _listen(gen, conn, listener: Listener, why: list[str]):
    """Pass psycopg's waiting generator through, ending it when the server is silent too long.

    psycopg sends READY_NONE each 0.1 s nothing happened, and the readiness
    otherwise; any readiness means the server (or the network) moved. A silence
    longer than the listener's probe_after_s starts a probe; a probe the server
    answered lets the round trip wait on (and another is asked after as long
    again), one it did not ends it.
    """
    from psycopg.waiting import Ready

    heard = time.monotonic()
    reassured = heard  # when the server last answered (here, or a probe)
    probe: _Probe | None = None
    try:
        wanted = next(gen)
        while True:
            ready = yield wanted
            now = time.monotonic()
            if ready:
                heard = reassured = now
                probe = None  # its answer no longer matters
            else:
                gone = listener.abandoned.is_set() or now - heard > listener.silent_s
                if not gone and listener.probe_after_s is not None:
                    if probe is None and now - reassured > listener.probe_after_s:
                        probe = listener.probe()
                    verdict = probe.verdict(now) if probe is not None else None
                    if verdict is True:
                        reassured, probe = now, None  # busy, not gone: wait on
                    elif verdict is False:
                        gone = True
                if gone:
                    why.append(ABANDONED if listener.abandoned.is_set() else listener.words)
                    _shut(conn)
                    ready = Ready(int(wanted))  # libpq tries the shut socket and fails at once
            wanted = gen.send(ready)
    except StopIteration as done:
        return done.value


def _shut(conn) -> None:
    """Shut the connection's socket both ways: every read and write on it fails at once."""
    try:
        fd = os.dup(conn.pgconn.socket)
    except Exception:  # noqa: BLE001 - already closed: nothing left to shut
        return
    sock = socket.socket(fileno=fd)
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    finally:
        sock.close()
