"""Naming and opening the library a laptop syncs with: a PostgreSQL URL or another library folder."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import unquote, urlsplit

from newsdesk.library import Library, LibraryError, database, pg_silence
from newsdesk.library.pg import ServerUnreachable
from newsdesk.library.pg import SignInRefused as _PgSignInRefused


class SyncError(Exception):
    """Sync could not run (or stopped); the message is one sentence for the user."""


class Unreachable(SyncError):
    """The shared library is not there or stopped answering: the laptop is offline, for now."""


class SignInRefused(SyncError):
    """The shared library answered but refused this login (its password): not offline, fixable."""


def _is_url(value: str) -> bool:
    return "://" in value


def normalise(value: str) -> str:
    """The form remembered in the laptop's settings: a URL as given, a folder made absolute.

    A URL carrying a password is refused: credentials come from libpq's
    conventions (~/.pgpass, PGPASSWORD, a service file), never from the library.
    """
    value = value.strip()
    if not value:
        raise SyncError("Name the shared library to sync with: a PostgreSQL URL or a folder.")
    if _is_url(value):
        parts = urlsplit(value)
        if parts.password is not None or "password=" in parts.query.lower():
            raise SyncError(
                "The URL carries a password; newsdesk never stores one. Remove it and put the "
                "password in ~/.pgpass or PGPASSWORD (libpq's conventions)."
            )
        if parts.scheme == "file":
            return str(Path(unquote(parts.path)).resolve())
        if not parts.scheme.startswith("postgres"):
            raise SyncError(f"newsdesk cannot sync with a {parts.scheme}:// address.")
        return value
    return str(Path(value).expanduser().resolve())


def _folder_revision(db_path: Path) -> str | None:
    con = sqlite3.connect(f"{db_path.absolute().as_uri()}?mode=ro", uri=True)
    try:
        return con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    except sqlite3.Error:
        return None
    finally:
        con.close()


def open_server(target: str, laptop_root: Path) -> Library:
    """Open the shared library, refusing one whose schema this newsdesk does not match."""
    if not _is_url(target):
        root = Path(target)
        if root.resolve() == laptop_root.resolve():
            raise SyncError("A library cannot sync with itself; name the shared library.")
        db_path = root / "library.sqlite"
        if not db_path.is_file():
            raise Unreachable(
                f"There is no shared library at {root}; check the address (or that the "
                "server is reachable) and sync again. Nothing was changed."
            )
        revision = _folder_revision(db_path)
        if revision != database.SCHEMA_HEAD:
            raise SyncError(schema_sentence(revision))
    try:
        if _is_url(target):
            from newsdesk.library.shared import SharedLibrary

            # Sync asks one question at a time: one connection is kept open between
            # them. The window's presence borrows the engine (sync/held.py); a
            # heartbeat that comes while sync asks gets a second, closed afterwards.
            # Sync's patience: a server that stops answering is given up on within
            # seconds, and the window can give up on it at once (HeldServer.abandon).
            lib = SharedLibrary.open_url(target, pool_size=1, patience=pg_silence.SYNC)
        else:
            lib = Library.open(target, create=False)
    except ServerUnreachable as exc:
        raise Unreachable(str(exc)) from None
    except _PgSignInRefused as exc:
        raise SignInRefused(str(exc)) from None
    except LibraryError as exc:
        raise SyncError(f"Could not open the shared library: {exc} Nothing was changed.") from None
    except Exception as exc:  # a driver's failure to connect: one sentence, no trace
        raise Unreachable(f"Could not reach the shared library ({_first_line(exc)}).") from None
    return lib


def schema_sentence(revision: str | None) -> str:
    from newsdesk.library.database import alembic_config

    known = set()
    try:
        from alembic.script import ScriptDirectory

        known = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    except Exception:  # noqa: BLE001 - the refusal still stands without the detail
        pass
    if revision is not None and revision not in known:
        return (
            f"The shared library was written by a newer newsdesk (schema {revision}); "
            "update newsdesk on this laptop to sync with it. Nothing was changed."
        )
    return (
        f"The shared library uses an older format (schema {revision or 'unknown'}); "
        "upgrade it first, then sync again. Nothing was changed."
    )


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0] if text else "no answer"


def sign_in_key(target: str | None) -> tuple:
    """What a sign-in to `target` depends on, so a refused one is tried again only once it changed.

    The login in the address, and libpq's places for the password: PGPASSWORD
    (as a digest: the password itself is not kept), the password file
    (PGPASSFILE or ~/.pgpass) and the service file, by size and time of change.
    Reading it costs a few stat calls and no network.
    """
    import hashlib
    import os

    def stamp(path: str) -> tuple[int, int] | None:
        try:
            st = os.stat(os.path.expanduser(path))
        except (OSError, ValueError):
            return None
        return st.st_mtime_ns, st.st_size

    env = os.environ
    password = env.get("PGPASSWORD")
    return (
        target,
        hashlib.sha256(password.encode()).hexdigest() if password is not None else None,
        tuple(env.get(k) for k in ("PGUSER", "PGPASSFILE", "PGSERVICE", "PGSERVICEFILE")),
        stamp(env.get("PGPASSFILE") or "~/.pgpass"),
        stamp(env.get("PGSERVICEFILE") or "~/.pg_service.conf"),
    )
