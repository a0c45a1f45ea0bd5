"""The shared library's PostgreSQL side: URLs, connections, errors in one sentence, `server init` and `server grant`.

A shared library is named by a URL, `postgresql+psycopg://USER@HOST/DB` (or
`postgresql://…`). Credentials follow libpq's conventions (~/.pgpass,
PGPASSFILE, PGSERVICE, sslmode in the URL's query) and never enter a URL
newsdesk is given, nor the library: a URL carrying a password is refused.
Nothing here imports psycopg until a shared library is actually used.
"""

from __future__ import annotations

import re
import select
import time
import weakref

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, DisconnectionError

from newsdesk.library import pg_silence
from newsdesk.library.errors import LibraryError

REPORTER_ROLE, EDITOR_ROLE = "newsdesk_reporter", "newsdesk_editor"
ROLES = {"reporter": REPORTER_ROLE, "editor": EDITOR_ROLE}
# A server that does not answer a new connection within this is given up on (libpq's
# minimum is 2 s): long enough for a loaded server to start a session, short enough
# that the user is told within moments (it was 10 s).
CONNECT_TIMEOUT_S = 4
# The server's refusals that the articles trigger raises carry this hint
# (migration 0009): their message is already the sentence to show.
_OWN_HINT = "newsdesk"


def parse_url(value: str) -> URL:
    """The URL as SQLAlchemy reads it, on psycopg 3; refused in one sentence if it holds a password."""
    try:
        url = make_url(value.strip())
    except ArgumentError:
        raise LibraryError(
            "The shared library's address is not a valid URL; "
            "write it as postgresql+psycopg://USER@HOST/DATABASE."
        ) from None
    if url.password is not None or "password" in url.query:
        raise LibraryError(
            "The shared library's URL carries a password; newsdesk never stores one: remove it and "
            "put it in ~/.pgpass (or the file PGPASSFILE names), or use a PGSERVICE entry."
        )
    if not url.database and "service" not in url.query:
        raise LibraryError(
            "The shared library's URL names no database; "
            "write it as postgresql+psycopg://USER@HOST/DATABASE."
        )
    return url.set(drivername="postgresql+psycopg")


def display_url(url: URL) -> str:
    """user@host/database, for messages (no query, never a password)."""
    host = url.host or url.query.get("host") or "localhost"
    if isinstance(host, tuple):
        host = host[0]
    user = f"{url.username}@" if url.username else ""
    return f"{user}{host}/{url.database or ''}"


def _server_words(exc: BaseException) -> str:
    """libpq's message without its prefixes, as one line."""
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    words = primary or str(exc)
    lines = [ln.strip() for ln in words.splitlines() if ln.strip()]
    words = lines[-1] if lines else "no answer"
    words = re.sub(r"^(connection failed:\s*|FATAL:\s*|ERROR:\s*)+", "", words)
    words = re.sub(r"^connection to server .*? failed:\s*(FATAL:\s*)?", "", words)
    return words.rstrip(".")


def refusal_sentence(original: BaseException) -> str | None:
    """The sentence to show for a server refusal (insufficient privilege), or None for other errors."""
    if getattr(original, "sqlstate", None) != "42501":
        return None
    diag = original.diag
    if diag.message_hint == _OWN_HINT and diag.message_primary:
        return diag.message_primary
    words = (diag.message_primary or "").lower()
    if "publications" in words:
        return "Only an editor may change the publication settings on the shared library."
    return (
        "The shared library's server refused this to your role "
        f"({_server_words(original)}); ask an editor or the database administrator."
    )


def _explain_failure(context) -> None:
    """Turn the server's refusals, and its silence, into one LibraryError sentence.

    The transaction is rolled back; a connection that went silent is thrown
    away (SQLAlchemy sees it broken), so the next use connects anew.
    """
    original = context.original_exception
    if isinstance(original, pg_silence.server_silent_error()):
        context.is_disconnect = True
        raise ServerSilent(str(original)) from original
    if context.connection is None and getattr(original, "sqlstate", None) is None:
        # A new connection failed (the pool replacing one the server dropped, or the
        # first): one sentence. To an engine that knows the server went silent, the
        # server is still silent; to any other, out of reach or refusing the login.
        listener = _listeners.get(context.engine) if context.engine is not None else None
        if listener is not None and _TIMED_OUT.search(str(original)):
            raise ServerSilent(listener.words) from original
        if context.engine is not None:
            raise unreachable(context.engine.url, original) from original
    if context.is_disconnect and getattr(original, "sqlstate", None) in _ENDED:
        # The server ended the session mid-way (restarting, or an administrator): the
        # transaction is gone whole, and the pool connects anew for the next try.
        raise ConnectionLost(CONNECTION_LOST) from original
    sentence = refusal_sentence(original)
    if sentence is not None:
        raise LibraryError(sentence) from original


def make_engine(
    url: URL, *, pool_size: int = 5, patience: pg_silence.Patience | None = None
) -> Engine:
    """An engine on the shared library; `pool_size` connections are kept open between uses
    (more may open while needed at once, and are closed when given back).

    With `patience` (sync's), each session carries the server's limits and the
    client gives up on a server silent for longer (`abandon` gives up at once).
    """
    import psycopg  # noqa: F401  (a clear ImportError here rather than deep in SQLAlchemy)

    # newsdesk asks short questions: starting parallel workers for one
    # cost more than the answer (100 ms of a 5 ms suggestion, measured).
    options = "-c max_parallel_workers_per_gather=0"
    if patience is not None:
        options += " " + patience.options
    engine = create_engine(
        url,
        # Not pool_pre_ping: it cost three round trips of a search's five (measured).
        # `_still_there` checks a connection at checkout for free, pinging only an idle one.
        pool_size=pool_size,
        connect_args={
            "connect_timeout": CONNECT_TIMEOUT_S,
            "application_name": "newsdesk",
            # Never prepared: psycopg forgets its prepared statements at every ROLLBACK
            # (each read's end), and one kept (a read outside a transaction) gets a
            # generic plan that cost a search 80% more of the server's time (measured).
            "prepare_threshold": None,
            "options": options,
            **pg_silence.CLIENT_TCP,
        },
    )
    event.listen(engine, "handle_error", _explain_failure)
    event.listen(engine, "checkout", _still_there)
    event.listen(engine, "checkin", _used_now)
    if patience is not None:
        listener = pg_silence.Listener.for_patience(patience)
        _listeners[engine] = listener
        event.listen(
            engine,
            "do_connect",
            lambda _dialect, _record, cargs, cparams: pg_silence.connect(listener, cargs, cparams),
        )
    return engine


IDLE_PING_S = 30  # a connection given back longer ago than this is asked once before use
_USED = "newsdesk_used_at"


def _used_now(_dbapi_conn, record) -> None:
    record.info[_USED] = time.monotonic()


def _still_there(dbapi_conn, record, _proxy) -> None:
    """A pooled connection that the server ended is replaced before anyone uses it.

    Free in the usual case: a connection the server closed (restarted, or its
    session ended) has something to read while idle — the server's last words,
    or the end of the stream — and psycopg knows one that already failed. Only
    a connection idle for a while (a laptop that slept; a network that changed)
    is asked with one empty statement. The pool then opens another.
    """
    if dbapi_conn.closed or dbapi_conn.broken or _readable(dbapi_conn):
        raise DisconnectionError("the shared library closed this connection")
    idle = time.monotonic() - record.info.get(_USED, time.monotonic())
    if idle > IDLE_PING_S:
        try:
            dbapi_conn.execute(";")
            dbapi_conn.rollback()
        except Exception as exc:  # any failure: this connection is not to be used
            listener = getattr(dbapi_conn, "listener", None)
            if listener is not None and isinstance(exc, pg_silence.server_silent_error()):
                # The server is silent now: the pool's replacement would only wait out
                # its connect timeout before saying the same (pg_silence).
                listener.connect_no_more_now()
            raise DisconnectionError(str(exc)) from exc


def _readable(dbapi_conn) -> bool:
    """Whether an idle connection's socket has bytes (or its end) waiting: the server spoke unasked."""
    try:
        ready, _w, _x = select.select([dbapi_conn.fileno()], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(ready)


_listeners: weakref.WeakKeyDictionary[Engine, pg_silence.Listener] = weakref.WeakKeyDictionary()


def abandon(engine: Engine) -> None:
    """Give up on this engine's server now: what waits on it fails within 0.1 s, and so does
    anything asked of it afterwards (a window closing while sync waits on a silent server)."""
    listener = _listeners.get(engine)
    if listener is not None:
        listener.abandon()


class ServerUnreachable(LibraryError):
    """The shared library's server could not be reached: the laptop is offline, for now."""


class ServerSilent(ServerUnreachable):
    """The server stopped answering mid-way (or the window gave up on it); the message says so."""


class ConnectionLost(ServerUnreachable):
    """The server ended this session in the middle of a question (it restarted, or was told to)."""


CONNECTION_LOST = (
    "The shared library's server ended the connection (it may have restarted); nothing was "
    "half-saved, and the next try connects anew."
)
# No SQLSTATE (the connection simply closed), or the server's own words as it ends a
# session: an administrator's command, a crash of another session, a shutdown.
_ENDED = (None, "57P01", "57P02", "57P03")


class SignInRefused(LibraryError):
    """The server answered but would not let this login in (a wrong or missing password…)."""


# libpq's words when the server (or libpq itself) refuses the login rather than
# being out of reach; a failed connection carries no SQLSTATE to tell them apart.
_SIGN_IN_WORDS = re.compile(
    r"authentication failed|no password supplied|pg_hba\.conf|role \".*\" does not exist"
    r"|password is required|permission denied for database|not permitted to log in",
    re.IGNORECASE,
)


_TIMED_OUT = re.compile(r"timeout expired", re.IGNORECASE)


def unreachable(url: URL, exc: BaseException) -> LibraryError:
    """The one sentence for a connection that failed: refused sign-in, or out of reach."""
    words = _server_words(exc)
    if _TIMED_OUT.search(str(exc)):
        # libpq says only "connection timeout expired": a server that took the
        # connection and never answered (stopped, or its network gone).
        return ServerUnreachable(
            f"Cannot open the shared library {display_url(url)}: its server did not answer "
            f"within {CONNECT_TIMEOUT_S} seconds; check the network (or ask whether the server "
            "is running) and try again."
        )
    if _SIGN_IN_WORDS.search(str(exc)):
        who = url.username or "your login"
        return SignInRefused(
            f"Sign-in refused: the shared library {display_url(url)} would not let {who} in "
            f"({words}); check the password in ~/.pgpass (or the file PGPASSFILE names) "
            "and try again."
        )
    # libpq often ends with its own question ("…accepting TCP/IP connections?"): no "?." then.
    end = "" if words.endswith(("?", "!")) else "."
    return ServerUnreachable(f"Cannot open the shared library {display_url(url)}: {words}{end}")


def current_revision(conn) -> str | None:
    if conn.execute(text("SELECT to_regclass('alembic_version')")).scalar() is None:
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from newsdesk.library.database import alembic_config

    return {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def check_schema(conn, url: URL) -> None:
    """Opening needs the current schema; making or upgrading it is `newsdesk server init`'s job."""
    from newsdesk.library.database import SCHEMA_HEAD

    current = current_revision(conn)
    where = display_url(url)
    if current == SCHEMA_HEAD:
        return
    if current is None:
        raise LibraryError(
            f"The database {where} holds no newsdesk library yet; "
            "run `newsdesk server init URL` there first."
        )
    if current not in known_revisions():
        raise LibraryError(
            f"The shared library {where} was upgraded by a newer newsdesk "
            f"(schema {current}); update newsdesk to open it."
        )
    raise LibraryError(
        f"The shared library {where} has an older schema ({current}); "
        "ask whoever runs it to run `newsdesk server init URL` to upgrade it."
    )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _ensure_roles_and_privileges(conn) -> None:
    """The two group roles and what each may touch, on every table the schema has now."""
    for role in (REPORTER_ROLE, EDITOR_ROLE):
        exists = conn.execute(
            text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}
        ).first()
        if exists is None:
            conn.exec_driver_sql(f"CREATE ROLE {role} NOLOGIN")
    schema = _quote(conn.execute(text("SELECT current_schema()")).scalar_one())
    both = f"{REPORTER_ROLE}, {EDITOR_ROLE}"
    for statement in (
        f"GRANT USAGE ON SCHEMA {schema} TO {both}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {both}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {both}",
        # The schema version is the DBA's to change (server init), nobody else's.
        f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {both}",
        # The history is added to, never rewritten (and the server names who wrote it: 0027).
        f"REVOKE UPDATE, DELETE ON change_log FROM {both}",
        # Publication settings are an editor's decision; the server says so.
        f"REVOKE INSERT, UPDATE, DELETE ON publications FROM {REPORTER_ROLE}",
    ):
        conn.exec_driver_sql(statement)


def _ensure_publication(conn) -> None:
    """A reporter may not create the publication row, so the first one is made here."""
    if conn.execute(text("SELECT 1 FROM publications LIMIT 1")).first() is None:
        from newsdesk.library import publication
        from newsdesk.library.models import Publication, new_uid

        # The same defaults as a laptop's library: no base URL until someone sets one (an
        # invented address would put canonical links on a domain the newsroom does not own).
        conn.execute(
            Publication.__table__.insert().values(
                uid=new_uid(),
                name=publication.DEFAULT_NAME,
                base_url="",
                language=publication.DEFAULT_LANGUAGE,
                timezone=publication.DEFAULT_TIMEZONE,
            )
        )


def init_server(value: str) -> tuple[str | None, str]:
    """Create or upgrade the shared schema in ONE transaction; (revision before, revision now).

    PostgreSQL's DDL is transactional, so a failed upgrade rolls back whole and
    the old schema stays usable. A schema newer than this newsdesk is refused.
    """
    from newsdesk.library.database import SCHEMA_HEAD, alembic_config

    url = parse_url(value)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            # One upgrade at a time, even if two DBAs run init at once.
            conn.execute(text("SELECT pg_advisory_xact_lock(7307001)"))
            before = current_revision(conn)
            if before is not None and before not in known_revisions():
                raise LibraryError(
                    f"The shared library {display_url(url)} was upgraded by a newer newsdesk "
                    f"(schema {before}); this newsdesk cannot manage it: update it first."
                )
            if before != SCHEMA_HEAD:
                from alembic import command

                cfg = alembic_config()
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
            _ensure_roles_and_privileges(conn)
            _ensure_publication(conn)
    except DBAPIError as exc:
        if exc.connection_invalidated or getattr(exc.orig, "sqlstate", None) is None:
            raise unreachable(url, exc.orig) from None
        raise LibraryError(
            f"Setting up the shared library {display_url(url)} failed, and nothing was changed: "
            f"{_server_words(exc.orig)}."
        ) from None
    finally:
        engine.dispose()
    return before, SCHEMA_HEAD


def grant_role(value: str, user: str, role: str) -> bool:
    """Give a PostgreSQL login its newsdesk role (the other one is taken away); True if the login was made.

    A missing login is created WITHOUT a password: setting one is the DBA's business.
    """
    if role not in ROLES:
        raise LibraryError(f"Unknown role {role!r}; use reporter or editor.")
    user = user.strip()
    if not user or len(user.encode()) > 63 or "\x00" in user:
        raise LibraryError("Give a PostgreSQL user name of 1 to 63 bytes.")
    if user.lower().startswith("pg_") or user in ROLES.values():
        raise LibraryError(f"{user!r} is a reserved role name; choose a person's login.")
    url = parse_url(value)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            check_schema(conn, url)
            missing = conn.execute(
                text("SELECT count(*) FROM pg_roles WHERE rolname IN (:r, :e)"),
                {"r": REPORTER_ROLE, "e": EDITOR_ROLE},
            ).scalar_one()
            if missing != 2:
                raise LibraryError(
                    f"The shared library {display_url(url)} has no newsdesk roles yet; "
                    "run `newsdesk server init URL` first."
                )
            created = (
                conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :u"), {"u": user}).first()
                is None
            )
            if created:
                conn.exec_driver_sql(f"CREATE ROLE {_quote(user)} LOGIN")
            other = EDITOR_ROLE if role == "reporter" else REPORTER_ROLE
            conn.exec_driver_sql(f"REVOKE {other} FROM {_quote(user)}")
            conn.exec_driver_sql(f"GRANT {ROLES[role]} TO {_quote(user)}")
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) is None:
            raise unreachable(url, exc.orig) from None
        raise LibraryError(
            f"Could not give {user} a role on {display_url(url)}: {_server_words(exc.orig)}."
        ) from None
    finally:
        engine.dispose()
    return created
