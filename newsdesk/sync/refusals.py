"""What sync does with the changes the shared library's server refuses to this login's role.

The server decides who may publish (migration 0009) and who may move a story
to the trash, restore it or empty it (0021). A refused story refuses its
whole batch; these functions find which stories of the batch were refused
and take the refused change out of each, so the batch can be written again
and the rest of every story still arrives. Each returns the sentence sync
reports for it (`newsdesk sync` exits 1, the window counts it "not accepted").
"""

from __future__ import annotations

from sqlalchemy import bindparam, text

from newsdesk.library.snapshots import Snapshot

# What a story's publishing is made of, and how a story new to the server
# arrives when it may not be published there.
PUBLISHING = ("status", "published_at")
UNPUBLISHED = {"status": "ready", "published_at": None}
# What a story's place in the trash is made of (its tombstone).
TRASH = ("deleted_at", "deleted_by", "purged_at")

PUBLISH_REFUSED = "Only an editor may publish on the shared library."
TAKE_DOWN_REFUSED = "Only an editor may take a published story down on the shared library."


def is_refusal(exc: BaseException) -> bool:
    """Whether the shared library's server refused a write to this login's role."""
    return getattr(exc.__cause__, "sqlstate", None) == "42501"


def publishing_refused(server, to_server, theirs) -> list[tuple[str, Snapshot]]:
    """The stories of the batch whose publishing (or taking down) the server refuses to this login.

    The server's rule (migration 0009): only an editor may set a story to
    published or take a published one down; any other change of status is
    anyone's, so it is never held back.
    """
    changed = []
    for uid, snap, _v in to_server:
        now = (theirs[uid][1] if uid in theirs else {}).get("status")
        if snap.get("status") != now and "published" in (snap.get("status"), now):
            changed.append((uid, snap))
    if not changed:
        return []
    with server.engine.connect() as conn:
        if conn.execute(text("SELECT newsdesk_is_editor()")).scalar():
            return []
    return changed


def trash_refused(server, to_server, theirs) -> list[tuple[str, Snapshot]]:
    """The stories of the batch whose trash changes the server refuses to this login.

    Asked of the server with its own rule (migration 0021): the login owns the
    story, or is an editor. A story new to the server is this login's own.
    """
    changed = {
        uid: snap
        for uid, snap, _v in to_server
        if uid in theirs
        and any(snap.get(k) != theirs[uid][1].get(k) for k in ("deleted_at", "purged_at"))
    }
    if not changed:
        return []
    with server.engine.connect() as conn:
        not_theirs = set(
            conn.execute(
                text(
                    "SELECT uid FROM articles WHERE uid IN :uids"
                    " AND created_by IS DISTINCT FROM current_user::text"
                    " AND NOT newsdesk_is_editor()"
                ).bindparams(bindparam("uids", expanding=True)),
                {"uids": sorted(changed)},
            ).scalars()
        )
    return [(uid, snap) for uid, snap in changed.items() if uid in not_theirs]


def hold_trash(snap: Snapshot, merge, server_now: Snapshot) -> str:
    """Undo on the laptop a trash (or restore, or emptying) the server refused.

    Not kept to be tried again, as a refused publishing is: only the story's
    owner or an editor may trash it, so this login never could; and a story
    kept in this laptop's trash would hide, here only, a story the whole
    newsroom still has (and emptying the trash would then lose it from this
    laptop). So the laptop takes the server's trash state back — a story it
    emptied comes back whole, since the server still has it — and says so,
    and every other change to the story still goes.
    """
    before = merge.local
    mine_trashed = before.get("deleted_at") is not None
    emptied = before.get("purged_at") is not None and server_now.get("purged_at") is None
    for record in (snap, merge.local, merge.base):
        if record is None:
            continue
        if emptied:  # nothing of it is left here to merge: the server's copy comes back
            record.clear()
            record.update(server_now)
        else:
            record.update({key: server_now.get(key) for key in TRASH})
    if emptied:
        what = "emptying it from the trash"
    elif mine_trashed:
        what = "moving it to the trash"
    else:
        what = "taking it out of the trash"
    if server_now.get("deleted_at") is None:
        outcome = "it is back in this laptop's list"
    elif mine_trashed:
        outcome = "it stays in the trash"
    else:
        outcome = "it is back in this laptop's trash"
    return (
        f"{snap.get('slug')}: {what} was not accepted: only its owner or an editor may do that "
        f"on the shared library; {outcome}, and the rest of the story was synced."
    )


def hold_publishing(snap: Snapshot, merge, server_now: Snapshot | None, said: str) -> str:
    """Send the status as the server has it; the laptop keeps its own, to be tried again.

    The rest of the story still goes; the base keeps the server's status, so
    the next sync, perhaps by an editor, tries the change again. `said` is the
    server's sentence, which names only the first refusal of the batch.
    """
    for key in PUBLISHING:
        value = server_now.get(key) if server_now else UNPUBLISHED.get(key)
        snap[key] = value
        if merge.base is not None:
            merge.base[key] = value
    if merge.local.get("status") == "published":
        said = PUBLISH_REFUSED
    elif server_now and server_now.get("status") == "published":
        said = TAKE_DOWN_REFUSED
    return (
        f"{snap.get('slug')}: {said} Its status stays {merge.local.get('status')!r} "
        "on this laptop only; the rest of the story was synced."
    )
