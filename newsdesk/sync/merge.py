"""The three-way merge of two snapshots of one record against the copy both started from.

Fields are merged independently: a field changed on one side takes that
side's value. A field changed on both sides is merged when it has structure
— the body by line with merge3 (so different paragraphs are both kept), tags
as a set, figures, related stories, update notes, desk notes and bylines as
lists by UUID (or slug) — and is otherwise a
conflict: the server keeps its value, the laptop keeps its own, and the base
keeps the value both started from until a person chooses. Nothing here looks
at a clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import merge3

from newsdesk.library.snapshots import Snapshot

MISSING: Any = object()  # a key one side does not have
# Ordered lists of uids (or author slugs), merged by element.
ORDERED_LISTS = ("figures", "related", "authors", "updates", "notes")
# Child records whose fields are keys "<prefix><uid>:<field>", and the list naming them.
CHILD_LISTS = {"figure:": "figures", "update:": "updates", "note:": "notes"}


@dataclass(slots=True)
class Clash:
    """One conflict found by a merge: a whole field, or one paragraph of the body."""

    field: str
    mine: Any
    theirs: Any
    base: Any
    paragraph: int | None = None
    theirs_whole: str | None = None  # the server's whole body, for a paragraph
    start_line: int | None = None  # where the laptop's side starts in the laptop's body


@dataclass(slots=True)
class Merged:
    """What each side should hold after a merge, and the new base."""

    local: Snapshot
    server: Snapshot
    base: Snapshot
    clashes: list[Clash] = field(default_factory=list)


def merge_records(
    base: Snapshot | None,
    mine: Snapshot | None,
    theirs: Snapshot | None,
    held: frozenset[str] = frozenset(),
) -> Merged:
    """Merge the laptop's copy (mine) and the server's (theirs) against base.

    `held` names fields with an open conflict: each side keeps its own value
    and the base is left as it was, so nothing is decided behind a person's back.
    """
    if mine is None and theirs is None:
        raise ValueError("nothing to merge")
    if mine is None:
        return Merged(local=dict(theirs), server=dict(theirs), base=dict(theirs))
    if theirs is None:
        return Merged(local=dict(mine), server=dict(mine), base=dict(mine))
    base = base or {}
    local: Snapshot = {}
    server: Snapshot = {}
    new_base: Snapshot = {}
    clashes: list[Clash] = []
    for key in sorted(base.keys() | mine.keys() | theirs.keys()):
        b, m, t = base.get(key, MISSING), mine.get(key, MISSING), theirs.get(key, MISSING)
        if key in held:
            _put(local, key, m)
            _put(server, key, t)
            _put(new_base, key, b)
            continue
        if m == t:
            value = m
        elif m == b:
            value = t
        elif t == b:
            value = m
        elif key == "body" and isinstance(m, str) and isinstance(t, str):
            value, mine_body, theirs_body, found = merge_text(b if isinstance(b, str) else "", m, t)
            if found:
                local[key], server[key] = mine_body, theirs_body
                _put(new_base, key, b)
                clashes += found
                continue
        elif key == "tags":
            value = merge_set(_list(b), _list(m), _list(t))
        elif key in ORDERED_LISTS:
            value = merge_order(_list(b), _list(m), _list(t))
        elif key == "updated_at":
            value = max(v for v in (m, t) if isinstance(v, str))  # shown, never decides
        elif key.startswith("related:"):
            value = t  # a copy of another story's headline, not anyone's edit
        elif key.startswith("note:") and key.endswith(":start"):
            value = m  # where the note's passage was last seen: found again from its words
        else:
            _put(local, key, m)
            _put(server, key, t)
            _put(new_base, key, b)
            clashes.append(Clash(key, _plain(m), _plain(t), _plain(b)))
            continue
        _put(local, key, value)
        _put(server, key, value)
        _put(new_base, key, value)
    _drop_removed_children(local, server, new_base, clashes)
    return Merged(local=local, server=server, base=new_base, clashes=clashes)


def _put(target: Snapshot, key: str, value: Any) -> None:
    if value is not MISSING:
        target[key] = value


def _plain(value: Any) -> Any:
    return None if value is MISSING else value


def _list(value: Any) -> list:
    return list(value) if isinstance(value, list) else []


def _drop_removed_children(
    local: Snapshot, server: Snapshot, base: Snapshot, clashes: list[Clash]
) -> None:
    """A figure (update, note) removed on one side takes its fields with it, and any clash over them."""
    for prefix, list_key in CHILD_LISTS.items():
        for snap in (local, server, base):
            kept = set(snap.get(list_key, []))
            for key in [k for k in snap if k.startswith(prefix)]:
                if key.split(":")[1] not in kept:
                    del snap[key]
        live = set(local.get(list_key, [])) & set(server.get(list_key, []))
        clashes[:] = [
            c for c in clashes if not c.field.startswith(prefix) or c.field.split(":")[1] in live
        ]


def merge_set(base: list, mine: list, theirs: list) -> list:
    """Additions and removals from both sides, in the laptop's order, then the server's additions."""
    b, t = set(base), set(theirs)
    out = [x for x in mine if x not in b or x in t]
    out += [x for x in theirs if x not in b and x not in out]
    return out


def merge_order(base: list, mine: list, theirs: list) -> list:
    """Lists merged by UUID: both sides' additions and removals; a reordering on one side is kept."""
    b = set(base)
    removed = (b - set(mine)) | (b - set(theirs))

    def order_changed(side: list) -> bool:
        common = [x for x in side if x in b]
        return common != [x for x in base if x in set(side)]

    primary, other = (mine, theirs) if order_changed(mine) else (theirs, mine)
    out = [x for x in primary if x not in removed]
    for i, x in enumerate(other):
        if x in b or x in out:
            continue
        before = next((other[j] for j in range(i - 1, -1, -1) if other[j] in out), None)
        out.insert(out.index(before) + 1 if before is not None else 0, x)
    return out


def merge_text(base: str, mine: str, theirs: str) -> tuple[str, str, str, list[Clash]]:
    """(merged, laptop's body, server's body, clashes): a line-by-line three-way merge.

    Paragraphs are lines separated by blank lines, so edits to different
    paragraphs merge cleanly; where both sides changed the same lines, the
    laptop's body keeps its own lines and the server's keeps theirs.
    """
    b, m, t = (_lines(x) for x in (base, mine, theirs))
    local: list[str] = []
    server: list[str] = []
    clashes: list[Clash] = []
    for region in merge3.Merge3(b, m, t).merge_regions():
        kind = region[0]
        if kind == "unchanged":
            chunk = b[region[1] : region[2]]
        elif kind in ("a", "same"):
            chunk = m[region[1] : region[2]]
        elif kind == "b":
            chunk = t[region[1] : region[2]]
        else:
            _, zs, ze, ms, me, ts, te = region
            clashes.append(
                Clash(
                    "body",
                    "".join(m[ms:me]),
                    "".join(t[ts:te]),
                    "".join(b[zs:ze]),
                    paragraph=_paragraph_number(b, zs),
                    start_line=len(local),
                )
            )
            local += m[ms:me]
            server += t[ts:te]
            continue
        local += chunk
        server += chunk
    merged_server = "".join(server)
    for clash in clashes:
        clash.theirs_whole = merged_server
    return "".join(local), "".join(local), merged_server, clashes


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _paragraph_number(lines: list[str], index: int) -> int:
    """1-based number of the paragraph (blank-line separated block) that line `index` starts in."""
    number, in_block = 0, False
    for line in lines[: index + 1] if index < len(lines) else lines:
        if line.strip():
            if not in_block:
                number += 1
            in_block = True
        else:
            in_block = False
    if index >= len(lines):
        number += 1
    return max(number, 1)
