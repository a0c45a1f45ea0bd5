"""The change log: every facade write logs its changed records in its own transaction; `Changes` says what changed.

Writes are noticed by SQLAlchemy session events on the Library's sessions,
so no write method has to remember to log: after each flush the new, changed
and deleted records are noted; just before the commit one executemany INSERT
writes a row per record into `change_log` in the same transaction (so a
rolled-back write leaves no row, and a committed one always has its rows).
After the commit the transaction's `Changes` is handed to whoever is
recording on that thread (the UI's serial writer does). Other processes'
writes are read back from the log with `changes_since` or a `ChangeWatch`.
"""

from __future__ import annotations

import getpass
import json
import os
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from typing import Any

from sqlalchemy import Engine, event, insert, inspect, select, text
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import get_history

from newsdesk import settings
from newsdesk.library.models import (
    Article,
    ArticleAuthor,
    ArticleNote,
    ArticleTag,
    ArticleUpdate,
    Author,
    ChangeLogRow,
    CodeReplacement,
    Figure,
    Image,
    ImageTemplate,
    Publication,
    RelatedStory,
    Revision,
    Setting,
    Tag,
    utcnow,
)

RECORD_TYPES: dict[type, str] = {
    Article: "article",
    Image: "image",
    Figure: "figure",
    RelatedStory: "related",
    Tag: "tag",
    Publication: "publication",
    Setting: "setting",
    Revision: "revision",
    ArticleUpdate: "update",
    ArticleNote: "note",
    Author: "author",
    ImageTemplate: "template",
    CodeReplacement: "code",
}
# Records that belong to one article: their log rows name it.
CHILD_TYPES = ("figure", "related", "revision", "update", "note")
# Link rows that are a field of their article (no uid of their own).
_ARTICLE_LINKS: dict[type, str] = {ArticleTag: "tags", ArticleAuthor: "authors"}
# Which Changes set names the article a child record belongs to.
_CHILD_SETS = {
    "figure": "figures_of",
    "related": "related_of",
    "revision": "revisions_of",
    "update": "updates_of",
    "note": "notes_of",
}
_PENDING = "newsdesk_pending_changes"
_WRITTEN = "newsdesk_written_changes"  # noted and already in the log (write_log_now)
_TRACKER = "newsdesk_change_tracker"
_FLUSHED = "newsdesk_flushed_articles"  # articles inserted by the flush being logged, by id
_CHUNK = 500  # uids per IN (...) when a log is read back


def current_actor() -> str:
    """Who is writing: NEWSDESK_USER, else the operating system's user name."""
    name = os.environ.get(settings.ENV_USER.key, "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers) and no USER variable
        return "unknown"


@dataclass(frozen=True, slots=True)
class Changes:
    """What one or more committed transactions changed; empty (false) when nothing did.

    `articles` holds the ids of articles whose own row or whose tags, figures,
    related stories or revisions changed (deleted ones excepted: their uids are
    in `deleted_articles`). `last_id` is the newest change-log row it covers.
    """

    articles: frozenset[int] = frozenset()
    article_uids: frozenset[str] = frozenset()
    created_articles: frozenset[int] = frozenset()
    deleted_articles: frozenset[str] = frozenset()
    images: frozenset[int] = frozenset()
    figures_of: frozenset[int] = frozenset()  # article ids whose figures changed
    related_of: frozenset[int] = frozenset()  # article ids whose related stories changed
    revisions_of: frozenset[int] = frozenset()  # article ids whose history changed
    updates_of: frozenset[int] = frozenset()  # article ids whose update notes changed
    notes_of: frozenset[int] = frozenset()  # article ids whose editors' notes changed
    tags: bool = False  # the tag vocabulary changed
    authors: bool = False  # an author record changed
    publication: bool = False
    templates: bool = False  # the photo desk's templates changed
    codes: bool = False  # the code replacements changed
    settings: frozenset[str] = frozenset()
    last_id: int = 0

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self) if f.name != "last_id")

    def __or__(self, other: Changes) -> Changes:
        merged: dict[str, Any] = {}
        for f in fields(self):
            a, b = getattr(self, f.name), getattr(other, f.name)
            merged[f.name] = max(a, b) if f.name == "last_id" else (a | b)
        return Changes(**merged)

    def touches_article(self, article_id: int | None, uid: str | None = None) -> bool:
        """The article (by id, or by uid when it was deleted) changed in any way."""
        return (article_id is not None and article_id in self.articles) or (
            uid is not None and (uid in self.article_uids or uid in self.deleted_articles)
        )

    @property
    def article_list_changed(self) -> bool:
        """Something a list of articles shows may differ (rows added, removed or edited)."""
        return bool(self.articles or self.deleted_articles)


@dataclass(slots=True)
class _Entry:
    """One record's pending log row, merged over the flushes of one transaction."""

    record_type: str
    record_uid: str
    action: str
    fields: set[str]
    record_id: int | None = None
    article_uid: str | None = None
    article_id: int | None = None
    base_version: int | None = None


def _merge(old: _Entry, new: _Entry) -> _Entry | None:
    """The net effect of two changes to one record in one transaction (None: no change at all)."""
    if old.action == "insert":
        if new.action == "delete":
            return None
        old.fields |= new.fields
        return old
    if new.action == "delete":
        new.base_version = old.base_version if old.base_version is not None else new.base_version
        return new
    if old.action == "delete" and new.action == "update":
        return old  # a deleted article's tag links go with it
    # update then update, or delete then insert again (a link replaced by an equal one)
    old.action = "update"
    old.fields |= new.fields
    old.record_id = new.record_id or old.record_id
    return old


class ChangeTracker:
    """Logs every write made through one Library's sessions and reports each commit's Changes."""

    def __init__(self, origin: str | None = None, actor: str | None = None) -> None:
        self.origin = origin or str(uuid.uuid4())
        self.actor = actor if actor is not None else current_actor()
        self._local = threading.local()

    def attach(self, session_target: Any) -> None:
        """Listen to the sessions a sessionmaker makes (and mark them as this tracker's)."""
        session_target.kw.setdefault("info", {})[_TRACKER] = self
        event.listen(session_target, "after_flush", self._after_flush)
        event.listen(session_target, "before_commit", self._before_commit)
        event.listen(session_target, "after_commit", self._after_commit)
        event.listen(session_target, "after_rollback", self._forget)

    # ---- recording (what the caller hears) --------------------------------
    @contextmanager
    def recording(self) -> Iterator[ChangeRecorder]:
        """Collect the Changes of every commit made on this thread inside the block."""
        stack = self._recorders()
        recorder = ChangeRecorder()
        stack.append(recorder)
        try:
            yield recorder
        finally:
            stack.remove(recorder)

    def _recorders(self) -> list[ChangeRecorder]:
        stack = getattr(self._local, "recorders", None)
        if stack is None:
            stack = self._local.recorders = []
        return stack

    # ---- session events ----------------------------------------------------
    def _after_flush(self, session: Session, _flush_context: Any) -> None:
        # Still the pre-flush view: session.new/dirty/deleted and attribute
        # histories describe what this flush wrote; ids are assigned by now.
        notes: list[_Entry] = []
        # Articles this flush inserted are not in the identity map until it
        # ends; their links and figures find them here rather than by a query
        # each (a sync batch of 200 new stories made 400 of them).
        session.info[_FLUSHED] = {o.id: o for o in session.new if isinstance(o, Article)}
        try:
            for obj in session.new:
                notes += self._notes(session, obj, "insert")
            for obj in session.dirty:
                if session.is_modified(obj, include_collections=False):
                    notes += self._notes(session, obj, "update")
        finally:
            session.info.pop(_FLUSHED, None)
        # Deletions are noted as they happen (_on_delete): orphans removed from a
        # collection are deleted by the flush without ever being in session.deleted.
        self._add(session, notes)

    def note_deleted(self, session: Session, obj: Any) -> None:
        self._add(session, self._notes(session, obj, "delete"))

    def note_article_updates(
        self, session: Session, updates: Iterable[tuple[int, str, int, set[str]]]
    ) -> None:
        """Log stories changed by a set-based UPDATE (library/bulk.py), which the session's
        flush never sees: (id, uid, version before, changed fields) each, written with the
        rest of the transaction's log as it commits, as the flush's own notes are."""
        self._add(
            session,
            [
                _Entry(
                    "article",
                    uid,
                    "update",
                    set(changed),
                    record_id=article_id,
                    article_uid=uid,
                    article_id=article_id,
                    base_version=version,
                )
                for article_id, uid, version, changed in updates
            ],
        )

    @staticmethod
    def _add(session: Session, notes: list[_Entry]) -> None:
        pending: dict[tuple[str, str], _Entry] = session.info.setdefault(_PENDING, {})
        for note in notes:
            key = (note.record_type, note.record_uid)
            old = pending.get(key)
            merged = note if old is None else _merge(old, note)
            if merged is None:
                del pending[key]
            else:
                pending[key] = merged

    def _notes(self, session: Session, obj: Any, action: str) -> list[_Entry]:
        link_field = _ARTICLE_LINKS.get(type(obj))
        if link_field is not None:
            # A tag or author link is part of its article: that field of the article changed.
            article = self._article(session, obj.article_id)
            if article is None:
                return []
            return [
                _Entry(
                    "article",
                    article[0],
                    "update",
                    {link_field},
                    record_id=obj.article_id,
                    base_version=article[1],
                )
            ]
        record_type = RECORD_TYPES.get(type(obj))
        if record_type is None:
            return []
        state = inspect(obj)
        columns = [a.key for a in state.mapper.column_attrs]
        if action == "insert":
            changed = {k for k in columns if k != "id"}
        elif action == "update":
            # Only the attributes set since the last flush can have changed; reading
            # their history alone keeps a 500-picture batch edit cheap (state.attrs
            # builds an accessor for every attribute of every record).
            changed = {
                k
                for k in state.committed_state
                if k in columns and get_history(obj, k).has_changes()
            }
            if not changed:
                return []
        else:
            changed = set()
        uid = obj.key if record_type == "setting" else obj.uid
        entry = _Entry(record_type, uid, action, changed, record_id=getattr(obj, "id", None))
        if record_type == "article":
            entry.article_uid = obj.uid
            entry.article_id = obj.id
            if action != "insert":
                old = state.attrs["version"].history.deleted
                entry.base_version = old[0] if old else obj.version
        elif record_type in CHILD_TYPES:
            entry.article_id = obj.article_id
            article = self._article(session, obj.article_id)
            entry.article_uid = article[0] if article else None
        return [entry]

    @staticmethod
    def _article(session: Session, article_id: int | None) -> tuple[str, int] | None:
        """(uid, version before this flush) of an article, from the session or the database."""
        if article_id is None:
            return None
        obj = session.identity_map.get(inspect(Article).identity_key_from_primary_key([article_id]))
        if obj is None:
            obj = session.info.get(_FLUSHED, {}).get(article_id)
        if obj is not None:
            old = inspect(obj).attrs["version"].history.deleted
            return obj.uid, (old[0] if old else obj.version)
        row = (
            session.connection()
            .execute(select(Article.uid, Article.version).where(Article.id == article_id))
            .first()
        )
        return (row[0], row[1]) if row else None

    def write_log_now(
        self, session: Session, chunk: int, progress: Callable[[int, int], None]
    ) -> None:
        """Write the transaction's log rows now, chunk rows a statement, calling
        progress(written, total) after each (it may raise to roll everything back).

        For a bulk change (library/bulk.py), whose log is as long as its list of stories:
        written at the commit, it was a long last step no progress bar could show. What is
        noted after this is written as the transaction commits, as usual.
        """
        session.flush()
        pending: dict[tuple[str, str], _Entry] = session.info.get(_PENDING) or {}
        rows = self._log_rows(pending.values())
        written: dict[tuple[str, str], _Entry] = session.info.setdefault(_WRITTEN, {})
        written.update(pending)
        session.info[_PENDING] = {}
        for start in range(0, len(rows), chunk):
            session.connection().execute(
                insert(ChangeLogRow.__table__), rows[start : start + chunk]
            )
            progress(min(start + chunk, len(rows)), len(rows))

    def _before_commit(self, session: Session) -> None:
        session.flush()  # the commit flushes after this event; flush now so the log is complete
        pending: dict[tuple[str, str], _Entry] = session.info.get(_PENDING) or {}
        if not pending:
            return
        # The table's own INSERT (not the ORM's bulk insert): a 100,000-story bulk change
        # writes as many rows.
        session.connection().execute(
            insert(ChangeLogRow.__table__), self._log_rows(pending.values())
        )

    def _log_rows(self, entries: Iterable[_Entry]) -> list[dict[str, Any]]:
        """The change_log rows of these notes, stamped now."""
        at = utcnow()
        words: dict[frozenset[str], str] = {}  # the same fields' JSON, made once per set

        def fields_json(names: set[str]) -> str:
            key = frozenset(names)
            found = words.get(key)
            if found is None:
                found = words[key] = json.dumps(sorted(key))
            return found

        rows = [
            {
                "at": at,
                "origin": self.origin,
                "actor": self.actor,
                "record_type": e.record_type,
                "record_uid": e.record_uid,
                "article_uid": e.article_uid,
                "action": e.action,
                "fields": fields_json(e.fields),
                "base_version": e.base_version,
            }
            for e in entries
        ]
        return rows

    def _after_commit(self, session: Session) -> None:
        pending = session.info.pop(_PENDING, None) or {}
        written = session.info.pop(_WRITTEN, None) or {}
        if not pending and not written:
            return
        changes = changes_from_entries([*written.values(), *pending.values()])
        for recorder in self._recorders():
            recorder.changes = recorder.changes | changes

    @staticmethod
    def _forget(session: Session) -> None:
        session.info.pop(_PENDING, None)
        session.info.pop(_WRITTEN, None)


def _on_delete(_mapper: Any, _connection: Any, target: Any) -> None:
    """A row was deleted by a flush (explicitly, by cascade or as an orphan): log it."""
    session = object_session(target)
    tracker = session.info.get(_TRACKER) if session is not None else None
    if tracker is not None:
        tracker.note_deleted(session, target)


for _model in (*RECORD_TYPES, *_ARTICLE_LINKS):
    event.listen(_model, "after_delete", _on_delete)


@dataclass(slots=True)
class ChangeRecorder:
    """The combined Changes of the commits made while it was recording."""

    changes: Changes = field(default_factory=Changes)


def changes_from_entries(entries: Iterable[_Entry]) -> Changes:
    """Changes from log entries whose record and article ids are known."""
    sets: dict[str, set] = {
        k: set()
        for k in (
            "articles",
            "article_uids",
            "created_articles",
            "deleted_articles",
            "images",
            "figures_of",
            "related_of",
            "revisions_of",
            "updates_of",
            "notes_of",
            "settings",
        )
    }
    flags = dict.fromkeys(("tags", "publication", "authors", "templates", "codes"), False)
    for e in entries:
        kind = e.record_type
        if kind == "article":
            if e.action == "delete":
                sets["deleted_articles"].add(e.record_uid)
                continue
            sets["article_uids"].add(e.record_uid)
            if e.record_id is not None:
                sets["articles"].add(e.record_id)
                if e.action == "insert":
                    sets["created_articles"].add(e.record_id)
        elif kind in CHILD_TYPES:
            if e.article_uid is not None:
                sets["article_uids"].add(e.article_uid)
            if e.article_id is not None:
                sets["articles"].add(e.article_id)
                sets[_CHILD_SETS[kind]].add(e.article_id)
        elif kind == "image":
            if e.record_id is not None:
                sets["images"].add(e.record_id)
        elif kind == "setting":
            sets["settings"].add(e.record_uid)
        elif kind == "tag":
            flags["tags"] = True
        elif kind == "publication":
            flags["publication"] = True
        elif kind == "author":
            flags["authors"] = True
        elif kind == "template":
            flags["templates"] = True
        elif kind == "code":
            flags["codes"] = True
    for uid in sets["deleted_articles"]:
        sets["article_uids"].discard(uid)
    return Changes(**{k: frozenset(v) for k, v in sets.items()}, **flags)


def last_change_id(conn: Any) -> int:
    return conn.execute(text("SELECT coalesce(max(id), 0) FROM change_log")).scalar_one()


def read_changes_since(
    conn: Any, log_id: int, *, skip_origin: str | None = None
) -> tuple[Changes, int]:
    """The combined Changes of the log rows after log_id (not those of skip_origin), and the last id."""
    stmt = select(
        ChangeLogRow.id,
        ChangeLogRow.origin,
        ChangeLogRow.record_type,
        ChangeLogRow.record_uid,
        ChangeLogRow.article_uid,
        ChangeLogRow.action,
    ).where(ChangeLogRow.id > log_id)
    rows = conn.execute(stmt.order_by(ChangeLogRow.id)).all()
    if not rows:
        return Changes(last_id=log_id), log_id
    last = rows[-1][0]
    rows = [r for r in rows if skip_origin is None or r[1] != skip_origin]
    article_uids = {r[3] for r in rows if r[2] == "article"} | {r[4] for r in rows if r[4]}
    image_uids = {r[3] for r in rows if r[2] == "image"}
    article_ids = _ids_by_uid(conn, Article, article_uids)
    image_ids = _ids_by_uid(conn, Image, image_uids)
    entries = []
    for _id, _origin, kind, uid, article_uid, action in rows:
        entry = _Entry(kind, uid, action, set(), article_uid=article_uid)
        if kind == "article":
            entry.record_id = article_ids.get(uid)
        elif kind == "image":
            entry.record_id = image_ids.get(uid)
        if article_uid:
            entry.article_id = article_ids.get(article_uid)
        entries.append(entry)
    return replace(changes_from_entries(entries), last_id=last), last


def _ids_by_uid(conn: Any, model: type, uids: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    ordered = sorted(uids)
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        found.update(conn.execute(select(model.uid, model.id).where(model.uid.in_(chunk))).all())
    return dict(found)


class ChangeWatch:
    """Notices other writers' commits cheaply, on a connection of its own.

    SQLite's `PRAGMA data_version` changes on a connection when another
    connection commits; only then is the log read. Use it from one thread.
    """

    def __init__(self, engine: Engine, origin: str, last_id: int | None = None) -> None:
        self.engine = engine
        self.origin = origin
        self._conn = engine.connect()
        self._data_version: int | None = None
        # The first poll always reads the log from last_id; later ones only after a commit.
        self.last_id = last_id if last_id is not None else self._read_last()

    def _version(self) -> int:
        value = self._conn.exec_driver_sql("PRAGMA data_version").scalar_one()
        self._conn.rollback()  # end the read so the next poll sees new commits
        return value

    def _read_last(self) -> int:
        value = last_change_id(self._conn)
        self._conn.rollback()
        return value

    def poll(self) -> Changes | None:
        """Others' Changes since the last poll, or None when nobody else wrote."""
        version = self._version()
        if version == self._data_version:
            return None
        self._data_version = version
        try:
            changes, self.last_id = read_changes_since(
                self._conn, self.last_id, skip_origin=self.origin
            )
        finally:
            self._conn.rollback()
        return changes or None

    def close(self) -> None:
        self._conn.close()
