"""Linking a laptop library to a shared library, and unlinking it: what File > Link… and Unlink do.

Linking itself is the first sync (`sync(library, url)` remembers the address
before anything moves); here are the questions asked before it (does the
server answer, will it let this login in) and the way back: unlinking keeps
every story and picture on the laptop and forgets only the sync bookkeeping.
The password is never an argument here: libpq finds it (~/.pgpass,
PGPASSFILE, PGSERVICE, or PGPASSWORD for this session only).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from sqlalchemy import delete, func, select

from newsdesk.library.models import Article, SyncBase, SyncConflict, SyncState
from newsdesk.sync import state
from newsdesk.sync.server import SyncError, normalise, open_server

# The laptop's sync bookkeeping: forgotten on unlink (the stories stay).
_STATE_KEYS = (
    state.SERVER,
    state.LAPTOP_ID,
    state.PULLED,
    state.PUSHED,
    state.DIRTY,
    state.SYNCED_AT,
    state.RECORDS,
)


def with_login(url: str, login: str) -> str:
    """The address with this PostgreSQL login in it (replacing one it named), otherwise as typed."""
    url, login = url.strip(), login.strip()
    if not login or "://" not in url or url.lower().startswith("file:"):
        return url
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]  # a password in the old userinfo goes with it
    return urlunsplit(parts._replace(netloc=f"{quote(login, safe='')}@{host}"))


def login_in(url: str) -> str:
    """The login an address names ('' when it names none)."""
    if "://" not in url:
        return ""
    userinfo, at, _host = urlsplit(url.strip()).netloc.rpartition("@")
    return unquote(userinfo.partition(":")[0]) if at else ""


def check_link(url: str, laptop_root: Path) -> str:
    """Ask the shared library whether it answers and lets this login in; the sentence saying so.

    Raises SyncError (Unreachable, SignInRefused, an older or newer schema) in
    one sentence; nothing is written anywhere.
    """
    target = normalise(url)
    server = open_server(target, laptop_root)
    try:
        with server.engine.connect() as conn:
            stories = conn.execute(
                select(func.count()).select_from(Article).where(Article.deleted_at.is_(None))
            ).scalar_one()
    finally:
        server.close()
    where = server.location if getattr(server, "dialect", "") == "postgresql" else target
    return (
        f"The shared library {where} answers and lets you in "
        f"({stories} stor{'y' if stories == 1 else 'ies'}); link to it to sync."
    )


def unlink(library) -> str:
    """Forget the link and its bookkeeping in ONE transaction; every story and picture stays.

    Changes not yet sent stay on this laptop only; open conflicts are dropped
    (the laptop keeps its own values, which it already shows).
    """
    known = state.read_state(library)
    server = known.get(state.SERVER)
    if not server:
        raise SyncError("This library is not linked to a shared library.")
    with library._session() as s, s.begin():
        s.execute(delete(SyncState).where(SyncState.key.in_(_STATE_KEYS)))
        s.execute(delete(SyncBase))
        s.execute(delete(SyncConflict))
    return (
        f"Unlinked from {server}: every story stays on this laptop, and nothing syncs until "
        "you link it again."
    )
