"""Listing and settling sync conflicts on the laptop; the next sync shares the choice."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select

from newsdesk.library.models import ARTICLE_STATUSES, Article, Image, SyncConflict
from newsdesk.library.record_snapshots import KINDS, read_records, write_records
from newsdesk.library.snapshots import TIME_FIELDS, read_articles, read_images, write_articles
from newsdesk.sync import state
from newsdesk.sync.server import SyncError


def _names(library, keys: set[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for key in keys:
        kind, _sep, rest = key.partition(":")
        if kind in KINDS and rest:
            names[key] = f"{kind} {rest}"
    with library.engine.connect() as conn:
        uids = sorted(k for k in keys if ":" not in k)
        if uids:
            stmt = select(Article.uid, Article.slug).where(Article.uid.in_(uids))
            names.update(conn.execute(stmt).all())
        shas = sorted(k[6:] for k in keys if k.startswith("image:"))
        if shas:
            for sha, name in conn.execute(
                select(Image.sha256, Image.original_name).where(Image.sha256.in_(shas))
            ):
                names[f"image:{sha}"] = f"picture {name or sha[:12]}"
    return names


def list_conflicts(library) -> list[dict[str, Any]]:
    """Open conflicts as {id, slug, field, paragraph, mine, theirs, base}, oldest first."""
    rows = state.open_conflicts(library)
    names = _names(library, {c.article_uid for c in rows})
    return [
        {
            "id": c.id,
            "slug": names.get(c.article_uid, c.article_uid),
            "field": c.field,
            "paragraph": c.paragraph,
            "mine": c.mine,
            "theirs": c.theirs,
            "base": c.base,
        }
        for c in rows
    ]


def find_conflict(library, *, conflict_id: int | None, slug: str | None, field: str | None):
    rows = state.open_conflicts(library)
    if conflict_id is not None:
        hit = [c for c in rows if c.id == conflict_id]
        if not hit:
            raise SyncError(f"There is no open conflict {conflict_id}; see `newsdesk conflicts`.")
        return hit[0]
    names = _names(library, {c.article_uid for c in rows})
    hit = [c for c in rows if names.get(c.article_uid) == slug and c.field == field]
    if not hit:
        raise SyncError(f"{slug} has no open conflict in {field}; see `newsdesk conflicts`.")
    if len(hit) > 1:
        ids = ", ".join(str(c.id) for c in hit)
        raise SyncError(
            f"{slug} has {len(hit)} conflicts in {field} (ids {ids}); settle each with --id N."
        )
    return hit[0]


def _checked(field: str, value: str | None) -> Any:
    if field in TIME_FIELDS:
        if not value:
            return None
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            raise SyncError(
                f"{value!r} is not a date and time; give one like 2026-05-01T09:00+00:00."
            ) from None
        if when.tzinfo is None:
            raise SyncError("The time has no time zone; add one, e.g. +00:00.")
        return when.isoformat()
    if field == "status" and value not in ARTICLE_STATUSES:
        raise SyncError(f"Unknown status {value!r}; use one of {', '.join(ARTICLE_STATUSES)}.")
    return value or ""


def publishes(conflict: SyncConflict, choice: str, value: str | None = None) -> bool:
    """Whether settling this way makes a story published that the shared library has not published.

    Such a choice must pass the publishing gate first (preflight.settle_conflict).
    Taking theirs never does: the shared library published it already.
    """
    if conflict.field != "status" or conflict.paragraph is not None:
        return False
    if ":" in conflict.article_uid or choice == "theirs":
        return False  # not a story; or the newsroom's own value
    chosen = conflict.mine if choice == "mine" else value
    return (chosen or "").strip() == "published" and conflict.theirs != "published"


def resolve(library, conflict: SyncConflict, choice: str, value: str | None = None) -> str:
    """Settle one conflict on the laptop (mine, theirs, or a new value); a sentence saying what."""
    key = conflict.article_uid
    if conflict.paragraph is not None:
        return _resolve_paragraph(library, conflict, choice, value)
    if choice == "mine":
        chosen = conflict.mine
    elif choice == "theirs":
        chosen = conflict.theirs
    else:
        chosen = value
    kind, _sep, record_key = key.partition(":")
    if kind in KINDS and record_key:
        snap = read_records(library, kind).get(record_key)
        if snap is None:
            raise SyncError(f"The {kind} {record_key} is no longer in this library.")
        snap[conflict.field] = chosen or ""

        def bookkeeping(s) -> None:
            base = state.read_bases(library, kind, [record_key]).get(record_key, {})
            base[conflict.field] = conflict.theirs
            state.put_bases(s, kind, {record_key: base})
            state.forget_conflict(s, conflict.id)
            _mark_dirty(library, s, key)

        write_records(library, kind, {record_key: snap}, also=bookkeeping)
        return f"Settled {conflict.field} of the {kind} {record_key}; the next sync shares it."
    if key.startswith("image:"):
        sha = key[6:]
        snap = read_images(library, [sha]).get(sha)
        if snap is None:
            raise SyncError("The picture is no longer in this library.")
        current = snap.get(conflict.field)
        if isinstance(current, int):
            try:
                chosen = int(chosen or 0)
            except ValueError:
                raise SyncError(f"{conflict.field} takes a whole number.") from None
        snap[conflict.field] = chosen
        _write(library, conflict, "image", sha, [], {sha: snap}, conflict.theirs)
        return f"Settled {conflict.field} of the picture; the next sync shares it."
    found = read_articles(library, [key]).get(key)
    if found is None:
        raise SyncError("The story is no longer in this library.")
    version, snap = found
    snap[conflict.field] = _checked(conflict.field, chosen)
    _write(library, conflict, "article", key, [(key, snap, version)], None, conflict.theirs)
    return f"Settled {conflict.field} of {snap.get('slug')}; the next sync shares it."


def _write(library, conflict, kind, key, items, images, base_value) -> None:
    def bookkeeping(s, _written) -> None:
        base = state.read_bases(library, kind, [key]).get(key, {})
        base[conflict.field] = base_value  # the server's side: the next sync sends ours over it
        state.put_bases(s, kind, {key: base})
        state.forget_conflict(s, conflict.id)
        _mark_dirty(library, s, key)

    write_articles(library, items, images=images, also=bookkeeping)


def _mark_dirty(library, s, key: str) -> None:
    keys = set(json.loads(state.read_state(library).get(state.DIRTY, "[]")))
    keys.add(key)
    state.put_state(s, {state.DIRTY: json.dumps(sorted(keys))})


def _resolve_paragraph(library, conflict: SyncConflict, choice: str, value: str | None) -> str:
    key = conflict.article_uid
    found = read_articles(library, [key]).get(key)
    if found is None:
        raise SyncError("The story is no longer in this library.")
    version, snap = found
    lines = snap.get("body", "").splitlines(keepends=True)
    mine = (conflict.mine or "").splitlines(keepends=True)
    start = conflict.start_line if conflict.start_line is not None else -1
    if not (0 <= start <= len(lines) and lines[start : start + len(mine)] == mine):
        text = "".join(lines)
        at = text.find(conflict.mine or "\0") if conflict.mine else -1
        if at < 0:
            raise SyncError(
                f"Paragraph {conflict.paragraph} of {snap.get('slug')} was edited since the "
                "conflict was found; edit it by hand, then settle it with --mine."
            )
        start = text[:at].count("\n")
    chosen = {"mine": conflict.mine, "theirs": conflict.theirs}.get(choice, value) or ""
    if chosen and not chosen.endswith("\n") and start + len(mine) < len(lines):
        chosen += "\n"
    replacement = chosen.splitlines(keepends=True)
    lines[start : start + len(mine)] = replacement
    snap["body"] = "".join(lines)
    shift = len(replacement) - len(mine)
    others = [
        c for c in state.open_conflicts(library, [key]) if c.field == "body" and c.id != conflict.id
    ]

    def bookkeeping(s, _written) -> None:
        state.forget_conflict(s, conflict.id)
        for other in others:
            row = s.get(SyncConflict, other.id)
            if row.start_line is not None and row.start_line > start:
                row.start_line += shift
        if not others:
            # Every paragraph is settled: the server's body becomes the base, so
            # the next sync sends the laptop's body (and merges any newer edits).
            base = state.read_bases(library, "article", [key]).get(key, {})
            base["body"] = conflict.theirs_whole or ""
            state.put_bases(s, "article", {key: base})
            _mark_dirty(library, s, key)

    write_articles(library, [(key, snap, version)], also=bookkeeping)
    return f"Settled paragraph {conflict.paragraph} of {snap.get('slug')}; the next sync shares it."
