"""Who has which story open, on a shared library on PostgreSQL: one row per open window, kept fresh.

Each window that is online says which story it has open (`announce`) when
it opens or closes one and then every HEARTBEAT_S seconds; a row not
refreshed for FRESH_S seconds is stale (its window closed, crashed or went
offline) and nobody is shown for it. Times are the server's own (`now()`),
never a laptop's clock. The table exists only on PostgreSQL (migration 0018):
a laptop alone, or a library folder shared as a server, has nobody to show.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy import Engine, text

HEARTBEAT_S = 20  # how often an open window says it is still there
FRESH_S = 60  # a row older than this is stale: nobody is shown for it
FORGET_S = 3600  # stale rows older than this are cleared away by whoever passes


def new_session() -> str:
    """An id for one window's presence (the same person may have two windows open)."""
    return str(uuid.uuid4())


def supported(engine: Engine) -> bool:
    """Whether this library can hold presence (a shared library on PostgreSQL)."""
    return engine.dialect.name == "postgresql"


def announce(
    engine: Engine, session: str, name: str, article_uid: str | None
) -> dict[str, list[str]]:
    """Say this window has article_uid open (None: no story) and return who else has what open.

    The answer maps each story's uid to the names of the OTHER windows that
    have it open (fresh rows only), sorted; this window's own row is left out.
    One short transaction: the heartbeat and the question cost one round trip each.
    """
    with engine.begin() as conn:
        if article_uid is None:
            conn.execute(text("DELETE FROM presence WHERE session = :s"), {"s": session})
        else:
            conn.execute(
                text(
                    "INSERT INTO presence (session, name, article_uid) VALUES (:s, :n, :a) "
                    "ON CONFLICT (session) DO UPDATE SET name = excluded.name, "
                    "article_uid = excluded.article_uid, seen_at = now()"
                ),
                {"s": session, "n": (name or "").strip()[:200], "a": article_uid},
            )
        # Rows only the server's owner could clear (row-level security lets each
        # login delete its own): stale ones of this login go now.
        conn.execute(
            text(
                "DELETE FROM presence WHERE login = current_user "
                "AND seen_at < now() - make_interval(secs => :forget)"
            ),
            {"forget": FORGET_S},
        )
        rows = conn.execute(
            text(
                "SELECT article_uid, CASE WHEN name = '' THEN login ELSE name END "
                "FROM presence WHERE session <> :s AND seen_at > now() - make_interval(secs => :fresh)"
            ),
            {"s": session, "fresh": FRESH_S},
        ).all()
    return _by_story(rows)


def leave(engine: Engine, session: str) -> None:
    """This window closed (or went offline): its row goes at once, not a minute later."""
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM presence WHERE session = :s"), {"s": session})


def _by_story(rows) -> dict[str, list[str]]:
    found: dict[str, set[str]] = {}
    for article_uid, name in rows:
        found.setdefault(article_uid, set()).add(name)
    return {uid: sorted(names) for uid, names in found.items()}


def describe(names: list[str] | tuple[str, ...]) -> str:
    """'Ana', 'Ana and Ben', 'Ana, Ben and Cy': for "Open by …" and "Also open by …"."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def ids_of(library, others: Mapping[str, list[str]]) -> dict[int, list[str]]:
    """The same answer keyed by this library's article ids (stories it does not have are left out)."""
    if not others:
        return {}
    from sqlalchemy import select

    from newsdesk.library.models import Article

    with library.engine.connect() as conn:
        found = conn.execute(select(Article.uid, Article.id).where(Article.uid.in_(sorted(others))))
        ids = dict(found.all())
    return {ids[uid]: names for uid, names in others.items() if uid in ids}
