"""The newsroom's small shared records as snapshots that travel: authors, picture templates, codes.

Each kind is keyed by what people know it by — an author by slug, a
template by name, a code by its code — so the same author (template, code)
made on two laptops is one record everywhere, as a picture is one picture by
its SHA-256. Sync (newsdesk/sync/) merges these snapshots; writing them back
happens here, in one transaction with the caller's bookkeeping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from newsdesk.library.models import (
    TEMPLATE_FIELDS,
    Author,
    CodeReplacement,
    ImageTemplate,
    utcnow,
)

Snapshot = dict[str, Any]


@dataclass(frozen=True, slots=True)
class RecordKind:
    model: type
    key: str  # the column that names the record for people (unique)
    fields: tuple[str, ...]  # what travels besides the key


KINDS: dict[str, RecordKind] = {
    "author": RecordKind(Author, "slug", ("name", "role", "url", "bio")),
    "template": RecordKind(ImageTemplate, "name", tuple(TEMPLATE_FIELDS)),
    "code": RecordKind(CodeReplacement, "code", ("text",)),
}


def read_records(library, kind: str) -> dict[str, Snapshot]:
    """Every record of this kind: key -> snapshot (they are few: a newsroom's dozens)."""
    spec = KINDS[kind]
    columns = [getattr(spec.model, f) for f in spec.fields]
    with library.engine.connect() as conn:
        rows = conn.execute(select(getattr(spec.model, spec.key), *columns)).all()
    return {row[0]: dict(zip(spec.fields, row[1:], strict=True)) for row in rows}


def keys_of_uids(library, kind: str, uids: Iterable[str]) -> set[str]:
    """The keys of the records of this kind with these uids (those that still exist)."""
    spec = KINDS[kind]
    wanted = sorted(set(uids))
    if not wanted:
        return set()
    with library.engine.connect() as conn:
        stmt = select(getattr(spec.model, spec.key)).where(spec.model.uid.in_(wanted))
        return set(conn.execute(stmt).scalars())


def write_records(
    library,
    kind: str,
    upserts: dict[str, Snapshot],
    deletes: Iterable[str] = (),
    *,
    also: Callable[[Session], None] | None = None,
) -> None:
    """Insert or update records by key and delete others, in ONE transaction (with `also`)."""
    spec = KINDS[kind]
    key_column = getattr(spec.model, spec.key)
    deletes = set(deletes)
    with library._session() as s, s.begin():
        wanted = sorted(set(upserts) | deletes)
        existing = {
            getattr(r, spec.key): r
            for start in range(0, len(wanted), 500)
            for r in s.scalars(
                select(spec.model).where(key_column.in_(wanted[start : start + 500]))
            )
        }
        for key in deletes:
            if key in existing:
                s.delete(existing.pop(key))
        s.flush()
        for key, snap in upserts.items():
            record = existing.get(key)
            if record is None:
                record = spec.model(**{spec.key: key})
                s.add(record)
            changed = False
            for name in spec.fields:
                if name in snap and getattr(record, name) != (snap[name] or ""):
                    setattr(record, name, snap[name] or "")
                    changed = True
            if changed and record.id is not None:
                record.updated_at = utcnow()
        if also is not None:
            s.flush()
            also(s)
