"""A laptop library's sync state for people: linked or not, changes waiting, last sync, conflicts.

Read from the laptop alone (the change log and the sync bookkeeping), so it
costs no network and answers at once; whether the server is reachable is
known only to whoever last tried, and is passed in as `offline`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from newsdesk.library.models import Article, ChangeLogRow, Image, SyncConflict
from newsdesk.sync import state

LOCAL_SYNC_ORIGIN = "sync"  # engine.LOCAL_SYNC_ORIGIN: what sync itself wrote here
# Records whose changes travel, and how a waiting change is counted: one per
# story (its figures, notes… are part of it), picture or small record.
_CHILDREN = ("figure", "related", "update", "note")
_OWN = ("article", "image", "author", "template", "code")


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """What the status bar says about sync; `linked` False means the library syncs with nothing."""

    linked: bool
    server: str | None = None
    waiting: int = 0  # stories, pictures and records changed here since the last sync
    conflicts: int = 0
    synced_at: datetime | None = None  # when the last sync finished (this laptop's clock)
    conflicted_articles: frozenset[int] = frozenset()  # ids of stories with open conflicts

    def text(self, *, offline: bool = False, syncing: bool = False) -> str:
        """One short phrase: 'Offline', '3 changes waiting', 'Synced at 10:42' (conflicts apart)."""
        if not self.linked:
            return ""
        waiting = f"{self.waiting} change{'' if self.waiting == 1 else 's'} waiting"
        if syncing:
            return "Syncing…"
        if offline:
            return f"Offline · {waiting}" if self.waiting else "Offline"
        if self.waiting:
            return waiting
        if self.synced_at is None:
            return "Not synced yet"
        return f"Synced at {_clock(self.synced_at)}"

    @property
    def conflicts_text(self) -> str:
        if not self.conflicts:
            return ""
        return f"{self.conflicts} conflict{'' if self.conflicts == 1 else 's'}"


def _clock(when: datetime) -> str:
    local = when.astimezone()
    if local.date() == datetime.now().astimezone().date():
        return f"{local:%H:%M}"
    return f"{local.day} {local:%b %H:%M}"


def sync_status(library) -> SyncStatus:
    """The laptop library's sync state, from its own tables (no server is asked)."""
    known = state.read_state(library)
    server = known.get(state.SERVER)
    if not server:
        return SyncStatus(linked=False)
    pushed = int(known.get(state.PUSHED, 0) or 0)
    dirty = json.loads(known.get(state.DIRTY, "[]") or "[]")
    with library.engine.connect() as conn:
        rows = conn.execute(
            select(ChangeLogRow.record_type, ChangeLogRow.record_uid, ChangeLogRow.article_uid)
            .where(ChangeLogRow.id > pushed, ChangeLogRow.origin != LOCAL_SYNC_ORIGIN)
            .where(ChangeLogRow.record_type.in_(_CHILDREN + _OWN))
            .distinct()
        ).all()
        conflicted = set(conn.execute(select(SyncConflict.article_uid).distinct()).scalars())
        conflicts = conn.execute(select(func.count()).select_from(SyncConflict)).scalar_one()
        ids = (
            set(
                conn.execute(
                    select(Article.id).where(Article.uid.in_(sorted(conflicted)))
                ).scalars()
            )
            if conflicted
            else set()
        )
        # An image's log rows name its uid; sync's bookkeeping names its SHA-256.
        image_keys = {uid for kind, uid, _a in rows if kind == "image"}
        shas = (
            dict(conn.execute(select(Image.uid, Image.sha256).where(Image.uid.in_(image_keys))))
            if image_keys
            else {}
        )
    waiting: set[str] = set()
    for kind, uid, article_uid in rows:
        if kind in _CHILDREN:
            if article_uid:
                waiting.add(article_uid)
        elif kind == "image":
            waiting.add(f"image:{shas.get(uid, uid)}")
        elif kind == "article":
            waiting.add(uid)
        else:
            waiting.add(f"{kind}:{uid}")
    waiting |= set(dirty)
    synced_at = known.get(state.SYNCED_AT)
    return SyncStatus(
        linked=True,
        server=server,
        waiting=len(waiting),
        conflicts=conflicts,
        synced_at=datetime.fromisoformat(synced_at) if synced_at else None,
        conflicted_articles=frozenset(ids),
    )
