"""A laptop's sync state in its own library: the server link, cursors, bases and conflicts."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from newsdesk import settings
from newsdesk.library.models import SyncBase, SyncConflict, SyncState
from newsdesk.library.snapshots import Snapshot
from newsdesk.sync.merge import Clash

SERVER = settings.SYNC_SERVER.key  # the shared library's URL or folder (never a password)
LAPTOP_ID = settings.SYNC_LAPTOP_ID.key  # this laptop's name in the server's change log
PULLED = settings.SYNC_PULLED.key  # the server's last change id already merged here
PUSHED = settings.SYNC_PUSHED.key  # this library's last change id already sent
DIRTY = settings.SYNC_RESOLVED.key  # records a resolution changed: merged again by the next sync
SYNCED_AT = settings.SYNC_SYNCED_AT.key  # when the last sync finished, by this laptop's clock
RECORDS = settings.SYNC_RECORDS.key  # authors, templates and codes have been merged once


def read_state(library) -> dict[str, str]:
    with library.engine.connect() as conn:
        return dict(conn.execute(select(SyncState.key, SyncState.value)).all())


def put_state(s: Session, values: dict[str, Any]) -> None:
    """Store these values, replacing older ones: one statement, however many keys."""
    if not values:
        return
    stmt = _upsert(s, SyncState)
    stmt = stmt.on_conflict_do_update(index_elements=["key"], set_={"value": stmt.excluded.value})
    s.connection().execute(stmt, [{"key": k, "value": str(v)} for k, v in values.items()])


def _upsert(s: Session, model):
    dialect = s.get_bind().dialect.name
    return (postgresql_insert if dialect == "postgresql" else sqlite_insert)(model)


def read_bases(library, kind: str, keys: Iterable[str]) -> dict[str, Snapshot]:
    keys = sorted(set(keys))
    out: dict[str, Snapshot] = {}
    with library.engine.connect() as conn:
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            stmt = select(SyncBase.key, SyncBase.data).where(
                SyncBase.kind == kind, SyncBase.key.in_(chunk)
            )
            out.update((k, json.loads(d)) for k, d in conn.execute(stmt))
    return out


def read_all_bases(library, kind: str) -> dict[str, Snapshot]:
    """Every base of one kind (for the small kinds: authors, templates, codes)."""
    with library.engine.connect() as conn:
        stmt = select(SyncBase.key, SyncBase.data).where(SyncBase.kind == kind)
        return {k: json.loads(d) for k, d in conn.execute(stmt)}


def forget_bases(s: Session, kind: str, keys: Iterable[str]) -> None:
    keys = sorted(set(keys))
    for start in range(0, len(keys), 500):
        s.execute(
            delete(SyncBase).where(
                SyncBase.kind == kind, SyncBase.key.in_(keys[start : start + 500])
            )
        )


def put_bases(s: Session, kind: str, bases: dict[str, Snapshot]) -> None:
    """Store these bases, replacing older ones: one statement for a whole batch."""
    if not bases:
        return
    rows = [
        {"kind": kind, "key": key, "data": json.dumps(snap, sort_keys=True)}
        for key, snap in bases.items()
    ]
    stmt = _upsert(s, SyncBase)
    stmt = stmt.on_conflict_do_update(
        index_elements=["kind", "key"], set_={"data": stmt.excluded.data}
    )
    s.connection().execute(stmt, rows)


def open_conflicts(library, keys: Iterable[str] | None = None) -> list[SyncConflict]:
    with library._session() as s:
        stmt = select(SyncConflict).order_by(SyncConflict.id)
        if keys is not None:
            stmt = stmt.where(SyncConflict.article_uid.in_(sorted(set(keys))))
        return list(s.scalars(stmt))


def count_conflicts(s: Session) -> int:
    return s.scalar(select(func.count()).select_from(SyncConflict))


def held_fields(conflicts: Iterable[SyncConflict]) -> dict[str, frozenset[str]]:
    held: dict[str, set[str]] = {}
    for c in conflicts:
        held.setdefault(c.article_uid, set()).add(c.field)
    return {k: frozenset(v) for k, v in held.items()}


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value)


def record_conflicts(
    s: Session, key: str, clashes: list[Clash], theirs_now: Snapshot | None, held: frozenset[str]
) -> None:
    """Store new clashes; refresh what the server says in conflicts still open."""
    for c in clashes:
        s.add(
            SyncConflict(
                article_uid=key,
                field=c.field,
                paragraph=c.paragraph,
                mine=_text(c.mine),
                theirs=_text(c.theirs),
                base=_text(c.base),
                theirs_whole=c.theirs_whole,
                start_line=c.start_line,
            )
        )
    if not held or theirs_now is None:
        return
    for c in s.scalars(select(SyncConflict).where(SyncConflict.article_uid == key)):
        now = theirs_now.get(c.field)
        if c.paragraph is None:
            if _text(now) != c.theirs:
                c.theirs = _text(now)
        elif isinstance(now, str) and now != c.theirs_whole:
            c.theirs_whole = now


def forget_conflict(s: Session, conflict_id: int) -> None:
    s.execute(delete(SyncConflict).where(SyncConflict.id == conflict_id))
