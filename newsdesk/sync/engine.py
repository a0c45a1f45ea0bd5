"""One sync run: find what changed on each side, merge each record three-way, write both sides.

For each batch of records the server is written first (one transaction),
then the laptop: its records, their new bases and any conflicts in ONE
transaction. A sync killed at any moment leaves every record either synced
(its base says so) or not yet (the next sync merges it again, and a record
already on the server merges to itself), so nothing arrives twice and
nothing is lost. Records are matched by uid (images by SHA-256); every
write carries the version it read, so two laptops syncing at once never
overwrite each other — the later one reads again and merges.

Sync never holds the laptop's one writer (the window's, ui/ops.py) for long:
what it reads from the shared library, and the pictures it copies, it reads
and copies beside it; only each batch's short turn — read the laptop's copy,
merge, write both sides — runs on the writer (`writer=`), so a save made
during a long pull waits for one batch at most, and no save can slip in
between reading the laptop's copy of a story and writing it back.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import column, exists, func, select, table
from sqlalchemy.exc import SQLAlchemyError

from newsdesk.library import Library, LibraryError
from newsdesk.library.database import SCHEMA_HEAD
from newsdesk.library.models import ChangeLogRow
from newsdesk.library.pg import ConnectionLost, ServerSilent
from newsdesk.library.record_snapshots import KINDS, read_records, write_records
from newsdesk.library.snapshots import (
    Snapshot,
    VersionMoved,
    all_article_uids,
    all_image_shas,
    figure_shas_of_articles,
    image_shas_of_uids,
    read_articles,
    read_images,
    write_articles,
)
from newsdesk.sync import refusals, state
from newsdesk.sync.held import HeldServer
from newsdesk.sync.media import PictureProblem, pull_picture, push_picture
from newsdesk.sync.merge import merge_records
from newsdesk.sync.server import SyncError, Unreachable, normalise, open_server, schema_sentence
from newsdesk.text import counted

LOCAL_SYNC_ORIGIN = "sync"  # what sync writes on the laptop; never sent back
BATCH = 200
RETRIES = 8


@dataclass(slots=True)
class SyncReport:
    server: str
    pushed: int = 0
    pulled: int = 0
    new_conflicts: int = 0
    open_conflicts: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.open_conflicts and not self.problems

    def summary(self) -> str:
        text = f"Synced with {self.server}: {self.pushed} sent, {self.pulled} received"
        if self.open_conflicts:
            text += (
                f"; {counted(self.open_conflicts, 'conflict')} "
                f"{'waits' if self.open_conflicts == 1 else 'wait'} for you "
                "(newsdesk conflicts, then newsdesk resolve)"
            )
        return text + "."


def sync(
    laptop: Library,
    url: str | None = None,
    *,
    batch: int = BATCH,
    progress: Callable[[int, int], None] | None = None,
    writer: Writer | None = None,
    held: HeldServer | None = None,
) -> SyncReport:
    """Sync the laptop library with its shared library (linking it first when url is given).

    `writer(fn)` runs fn() where the laptop may be written (the window's one
    writer) and returns its result; without it sync writes where it runs.
    `held` keeps the shared library open from one sync to the next (the
    window's background sync): no new connection for each.
    """
    known = state.read_state(laptop)
    remembered = known.get(state.SERVER)
    target = normalise(url) if url else remembered
    if not target:
        raise SyncError(
            "This library is not linked to a shared library yet; run `newsdesk sync URL` once."
        )
    if remembered and target != remembered:
        raise SyncError(
            f"This library already syncs with {remembered}; it cannot switch to another "
            "shared library."
        )
    server = held.open(target, laptop.root) if held else open_server(target, laptop.root)
    try:
        return _Run(laptop, server, target, known, batch, progress, writer).run()
    except (SyncError, PictureProblem):
        raise
    except (ServerSilent, ConnectionLost) as exc:  # already one sentence, saying nothing is lost
        if held:
            held.close()
        raise Unreachable(str(exc)) from None
    except (LibraryError, SQLAlchemyError, OSError) as exc:
        if held:
            held.close()  # a connection that failed is not kept for the next sync
        raise Unreachable(
            f"Sync stopped before it finished ({_reason(exc)}); everything synced so far is "
            "kept and nothing was lost. Run `newsdesk sync` again."
        ) from None
    finally:
        if not held:
            server.close()


_ALEMBIC = table("alembic_version", column("version_num"))


def _news(lib, after: int, skip_origin: str, *, schema: bool = False) -> tuple[int, bool]:
    """(the newest change id, whether anyone but skip_origin changed anything after `after`).

    One query, so a sync with nothing to do costs one round trip per side
    here; with schema, the same query checks the library's schema is this
    newsdesk's (a shared library kept open may have been upgraded since).
    """
    log = ChangeLogRow.__table__
    newest = select(func.coalesce(func.max(log.c.id), 0)).scalar_subquery()
    news = exists().where(log.c.id > after, log.c.origin != skip_origin)
    asked = [newest, news]
    if schema:
        asked.append(select(_ALEMBIC.c.version_num).limit(1).scalar_subquery())
    with lib.engine.connect() as conn:
        row = conn.execute(select(*asked)).one()
    if schema and row[2] != SCHEMA_HEAD:
        raise SyncError(schema_sentence(row[2]))
    return int(row[0]), bool(row[1])


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(getattr(orig, "strerror", None) or orig).strip().splitlines()
    return (text[0] if text else "the shared library stopped answering").rstrip(".")


Writer = Callable[[Callable[[], Any]], Any]


class _Run:
    def __init__(self, laptop, server, target, known, batch, progress, writer) -> None:
        self.laptop, self.server, self.target = laptop, server, target
        self.writer = writer
        self.root = laptop.root
        self.known = known
        self.batch = max(1, batch)
        self.progress = progress
        self.laptop_id = known.get(state.LAPTOP_ID) or str(uuid.uuid4())
        # Writes made by sync are marked, so neither side sends them back as news.
        # (36 characters at most: the change log's origin column, enforced by PostgreSQL.)
        self.server_origin = "sync-" + self.laptop_id.replace("-", "")[:31]
        server.tracker.origin = self.server_origin
        self.report = SyncReport(server=target)
        self.refused: set[str] = set()

    def _local(self, fn: Callable[[], Any]) -> Any:
        """fn() on the laptop's writer, its writes marked as sync's (never sent back as news).

        Marked only meanwhile: the window's own saves, made on the same writer
        between two batches, must go out with the next sync.
        """

        def turn() -> Any:
            if self.laptop.root != self.root:  # the window switched libraries meanwhile
                raise SyncError(
                    "The window opened another library; sync stopped. Nothing was lost."
                )
            own = self.laptop.tracker.origin
            self.laptop.tracker.origin = LOCAL_SYNC_ORIGIN
            try:
                return fn()
            finally:
                self.laptop.tracker.origin = own

        return turn() if self.writer is None else self.writer(turn)

    # ---- what changed -------------------------------------------------------
    def _changed(
        self, lib, after: int, upto: int, skip_origin: str
    ) -> tuple[set[str], set[str], set[str]]:
        """(article uids, image uids, kinds of small records) touched by the log rows in (after, upto]."""
        stmt = select(
            ChangeLogRow.record_type, ChangeLogRow.record_uid, ChangeLogRow.article_uid
        ).where(
            ChangeLogRow.id > after, ChangeLogRow.id <= upto, ChangeLogRow.origin != skip_origin
        )
        articles: set[str] = set()
        images: set[str] = set()
        records: set[str] = set()
        with lib.engine.connect() as conn:
            for kind, uid, article_uid in conn.execute(stmt):
                if kind == "article":
                    articles.add(uid)
                elif kind in ("figure", "related", "update", "note") and article_uid:
                    articles.add(article_uid)
                elif kind == "image":
                    images.add(uid)
                elif kind in KINDS:
                    records.add(kind)
        return articles, images, records

    def run(self) -> SyncReport:
        if self.known.get(state.SERVER) != self.target:
            # Linked before anything moves, so a first sync that stops half way
            # is resumed by a plain `newsdesk sync`.
            self._local(
                lambda: self._put_state(
                    {state.SERVER: self.target, state.LAPTOP_ID: self.laptop_id}
                )
            )
        first = state.PULLED not in self.known
        pushed = 0 if first else int(self.known.get(state.PUSHED, 0))
        pulled = 0 if first else int(self.known[state.PULLED])
        local_upto, local_news = _news(self.laptop, pushed, LOCAL_SYNC_ORIGIN)
        server_upto, server_news = _news(self.server, pulled, self.server_origin, schema=True)
        resolved = json.loads(self.known.get(state.DIRTY, "[]"))
        if not (first or local_news or server_news or resolved or state.RECORDS not in self.known):
            # Nothing to do (the usual background sync): only the cursors and the time move.
            self._finish(local_upto, server_upto)
            return self.report
        if first:
            articles = all_article_uids(self.laptop) | all_article_uids(self.server)
            shas = all_image_shas(self.laptop) | all_image_shas(self.server)
            kinds = set(KINDS)
        else:
            la, li, lk = self._changed(self.laptop, pushed, local_upto, LOCAL_SYNC_ORIGIN)
            sa, si, sk = self._changed(self.server, pulled, server_upto, self.server_origin)
            articles = la | sa
            shas = set(image_shas_of_uids(self.laptop, li).values())
            shas |= set(image_shas_of_uids(self.server, si).values())
            kinds = lk | sk
        if state.RECORDS not in self.known:
            kinds = set(KINDS)  # a laptop linked before authors, templates and codes travelled
        for key in resolved:
            prefix, _sep, rest = key.partition(":")
            if prefix == "image" and rest:
                shas.add(rest)
            elif prefix in KINDS and rest:
                kinds.add(prefix)
            else:
                articles.add(key)
        # Authors first: the stories' bylines name them.
        for kind in sorted(kinds, key=lambda k: k != "author"):
            self._sync_records(kind)
        self._sync_images(sorted(shas))
        ordered = sorted(articles)
        for start in range(0, len(ordered), self.batch):
            self._sync_articles(ordered[start : start + self.batch])
            if self.progress:
                self.progress(min(start + self.batch, len(ordered)), len(ordered))
        self._finish(local_upto, server_upto)
        return self.report

    def _finish(self, local_upto: int, server_upto: int) -> None:
        """Move the cursors past what was merged (only the values that changed), count conflicts."""
        values = {
            state.SERVER: self.target,
            state.LAPTOP_ID: self.laptop_id,
            state.PUSHED: local_upto,
            state.PULLED: server_upto,
            # Stories whose publishing the server refused, and records a picture that could
            # not be copied held back, go again next time.
            state.DIRTY: json.dumps(sorted(self.refused)),
            state.RECORDS: "1",
            # For people only ("Synced at 10:42"): this laptop's clock decides nothing.
            state.SYNCED_AT: datetime.now(UTC).isoformat(timespec="seconds"),
        }
        values = {k: v for k, v in values.items() if self.known.get(k) != str(v)}
        self.report.open_conflicts = self._local(lambda: self._put_state(values))

    def _put_state(self, values: dict[str, Any]) -> int:
        """Store sync state values in one transaction; the number of open conflicts."""
        with self.laptop._session() as s, s.begin():
            state.put_state(s, values)
            return state.count_conflicts(s)

    # ---- authors, templates, codes -------------------------------------------
    def _sync_records(self, kind: str) -> None:
        theirs = read_records(self.server, kind)  # beside the writer: the network read
        self._local(lambda: self._records_once(kind, theirs))

    def _records_once(self, kind: str, theirs: dict[str, Snapshot]) -> None:
        """Merge every record of one small kind (they are few); deletions by their bases.

        Without tombstones of their own, a record missing on one side that
        the base remembers was deleted there: it goes on the other side too,
        unless it was changed there meanwhile — then the change wins and the
        record comes back, so no one's words are lost.
        """
        mine = read_records(self.laptop, kind)
        bases = state.read_all_bases(self.laptop, kind)
        prefix = f"{kind}:"
        held = state.held_fields(
            state.open_conflicts(self.laptop, [prefix + k for k in mine.keys() | theirs.keys()])
        )
        to_server: dict[str, Snapshot] = {}
        to_laptop: dict[str, Snapshot] = {}
        drop_server: set[str] = set()
        drop_laptop: set[str] = set()
        new_bases: dict[str, Snapshot] = {}
        gone_bases: set[str] = set()
        clashes = {}
        for key in sorted(mine.keys() | theirs.keys() | bases.keys()):
            m, t, b = mine.get(key), theirs.get(key), bases.get(key)
            if m is None and t is None:
                gone_bases.add(key)
                continue
            if m is None and b is not None:  # deleted here
                if t == b:
                    drop_server.add(key)
                    gone_bases.add(key)
                else:
                    to_laptop[key] = new_bases[key] = t
                continue
            if t is None and b is not None:  # deleted in the shared library
                if m == b:
                    drop_laptop.add(key)
                    gone_bases.add(key)
                else:
                    to_server[key] = new_bases[key] = m
                continue
            merged = merge_records(b, m, t, held.get(prefix + key, frozenset()))
            if t is None or merged.server != t:
                to_server[key] = merged.server
            if m is None or merged.local != m:
                to_laptop[key] = merged.local
            new_bases[key] = merged.base
            clashes[key] = (merged.clashes, t)
        if to_server or drop_server:
            write_records(self.server, kind, to_server, drop_server)
            self.report.pushed += len(to_server) + len(drop_server)

        def bookkeeping(s) -> None:
            state.put_bases(s, kind, new_bases)
            state.forget_bases(s, kind, gone_bases)
            for key, (found, t) in clashes.items():
                state.record_conflicts(
                    s, prefix + key, found, t, held.get(prefix + key, frozenset())
                )
                self.report.new_conflicts += len(found)

        write_records(self.laptop, kind, to_laptop, drop_laptop, also=bookkeeping)
        self.report.pulled += len(to_laptop) + len(drop_laptop)

    # ---- pictures ---------------------------------------------------------
    def _sync_images(self, shas: list[str]) -> None:
        for start in range(0, len(shas), self.batch):
            chunk = shas[start : start + self.batch]
            # Beside the writer: the records' network read and the pictures' bytes.
            theirs = read_images(self.server, chunk)
            self._copy_pictures(read_images(self.laptop, chunk).keys() - theirs.keys(), True)
            self._copy_pictures(theirs.keys() - read_images(self.laptop, chunk).keys(), False)
            self._local(lambda chunk=chunk, theirs=theirs: self._images_once(chunk, theirs))

    def _images_once(self, chunk: list[str], theirs: dict[str, Snapshot]) -> None:
        """On the writer: merge one chunk of picture records, write the server, then the laptop."""
        mine = read_images(self.laptop, chunk)
        bases = state.read_bases(self.laptop, "image", chunk)
        held = state.held_fields(state.open_conflicts(self.laptop, [f"image:{s}" for s in chunk]))
        to_server: dict[str, Snapshot] = {}
        to_laptop: dict[str, Snapshot] = {}
        new_bases: dict[str, Snapshot] = {}
        clashes = {}
        for sha in chunk:
            m, t = mine.get(sha), theirs.get(sha)
            if m is None and t is None:
                continue
            merged = merge_records(bases.get(sha), m, t, held.get(f"image:{sha}", frozenset()))
            try:
                if t is None or merged.server != t:
                    if t is None:  # copied beside the writer already, unless it failed there
                        push_picture(self.laptop, self.server, sha, m["ext"])
                    to_server[sha] = merged.server
                if m is None or merged.local != m:
                    if m is None:
                        pull_picture(self.laptop, self.server, sha, t["ext"])
                    to_laptop[sha] = merged.local
            except PictureProblem as exc:
                self.report.problems.append(str(exc))
                to_server.pop(sha, None)
                self.refused.add(f"image:{sha}")  # the cursor moves on: try it again next time
                continue
            new_bases[sha] = merged.base
            clashes[sha] = (merged.clashes, t)
        if to_server:
            write_articles(self.server, [], images=to_server)

        def bookkeeping(s, _written) -> None:
            state.put_bases(s, "image", new_bases)
            for sha, (found, t) in clashes.items():
                key = f"image:{sha}"
                state.record_conflicts(s, key, found, t, held.get(key, frozenset()))
                self.report.new_conflicts += len(found)

        write_articles(self.laptop, [], images=to_laptop, also=bookkeeping)

    def _copy_pictures(self, shas: Iterable[str], to_server: bool) -> None:
        """Beside the writer: copy the bytes of pictures one side lacks (records follow on the writer).

        A picture that cannot be copied here is tried again on the writer, which says why.
        """
        shas = set(shas)
        if not shas:
            return
        source, dest = (self.laptop, self.server) if to_server else (self.server, self.laptop)
        for sha, snap in read_images(source, shas - read_images(dest, shas).keys()).items():
            try:
                if to_server:
                    push_picture(self.laptop, self.server, sha, snap["ext"])
                else:
                    pull_picture(self.laptop, self.server, sha, snap["ext"])
            except PictureProblem:
                continue

    def _ensure_pictures(self, snaps: Iterable[Snapshot], on_server: bool) -> dict[str, Snapshot]:
        """Pictures the written stories name that the other side lacks, copied over first."""
        needed = _figure_shas(snaps)
        if not needed:
            return {}
        source, dest = (self.laptop, self.server) if on_server else (self.server, self.laptop)
        have = read_images(dest, needed)
        missing = read_images(source, needed - have.keys())
        for sha, snap in missing.items():
            if on_server:
                push_picture(self.laptop, self.server, sha, snap["ext"])
            else:
                pull_picture(self.laptop, self.server, sha, snap["ext"])
        return missing

    # ---- stories ------------------------------------------------------------
    def _sync_articles(self, uids: list[str]) -> None:
        for _attempt in range(RETRIES):
            try:
                # Beside the writer: the server's copies (the network read) and the
                # bytes of the pictures either side's stories name and the other lacks.
                theirs = read_articles(self.server, uids)
                self._copy_pictures(_figure_shas(s for _v, s in theirs.values()), False)
                self._copy_pictures(figure_shas_of_articles(self.laptop, uids), True)
                self._local(lambda theirs=theirs: self._articles_once(uids, theirs))
                return
            except VersionMoved:
                continue  # someone saved meanwhile: read both sides again and merge again
        self.report.problems.append(
            f"{len(uids)} stories kept changing while they were synced; sync again to finish them."
        )

    def _articles_once(self, uids: list[str], theirs: dict[str, tuple[int, Snapshot]]) -> None:
        """On the writer: read the laptop's copies, merge, write the server, then the laptop.

        The server's copies were read beside the writer; if one changed since,
        the server refuses the write (VersionMoved) and the batch is read again.
        """
        mine = read_articles(self.laptop, uids)
        bases = state.read_bases(self.laptop, "article", uids)
        held = state.held_fields(state.open_conflicts(self.laptop, uids))
        merges = {}
        for uid in uids:
            m, t = mine.get(uid), theirs.get(uid)
            if m is None and t is None:
                continue
            merges[uid] = merge_records(
                bases.get(uid),
                m[1] if m else None,
                t[1] if t else None,
                held.get(uid, frozenset()),
            )
        to_server = [
            (uid, mg.server, theirs[uid][0] if uid in theirs else None)
            for uid, mg in merges.items()
            if uid not in theirs or _differs(mg.server, theirs[uid][1])
        ]
        if to_server:
            try:
                images = self._ensure_pictures((s for _u, s, _v in to_server), on_server=True)
            except PictureProblem as exc:
                self.report.problems.append(str(exc))
                self.refused.update(merges)  # nothing of this batch went: all of it goes again
                return
            written = self._write_to_server(to_server, images, merges, theirs)
            for uid, snap in written.items():
                mg = merges[uid]
                # The server may have given the story another slug (one already taken there).
                # …and a shared library names the login that trashed it (migration 0025).
                for key in ("slug", "deleted_by"):
                    if snap.get(key) != mg.server.get(key) and key not in held.get(uid, ()):
                        mg.local[key] = mg.base[key] = snap[key]
            self.report.pushed += len(to_server)
        to_laptop = [
            (uid, mg.local, mine[uid][0] if uid in mine else None)
            for uid, mg in merges.items()
            if uid not in mine or _differs(mg.local, mine[uid][1])
        ]
        try:
            images = self._ensure_pictures((s for _u, s, _v in to_laptop), on_server=False)
        except PictureProblem as exc:
            self.report.problems.append(str(exc))
            self.refused.update(merges)  # merged again next time, when the picture may arrive
            return

        def bookkeeping(s, _written) -> None:
            state.put_bases(s, "article", {uid: mg.base for uid, mg in merges.items()})
            for uid, mg in merges.items():
                server_now = theirs[uid][1] if uid in theirs else None
                state.record_conflicts(s, uid, mg.clashes, server_now, held.get(uid, frozenset()))
                self.report.new_conflicts += len(mg.clashes)

        write_articles(self.laptop, to_laptop, images=images, also=bookkeeping)
        self.report.pulled += len(to_laptop)

    def _write_to_server(self, to_server, images, merges, theirs) -> dict[str, Snapshot]:
        """Write the batch to the server; what it refuses to this login is held back, the rest goes.

        The shared library's server decides who may publish (migration 0009)
        and who may trash a story (0021); one refused story refuses the whole
        transaction, so the refused changes are taken out (sync/refusals.py)
        and the batch is written again.
        """
        try:
            return write_articles(self.server, to_server, images=images)
        except LibraryError as exc:
            if not refusals.is_refusal(exc):
                raise
            trash = refusals.trash_refused(self.server, to_server, theirs)
            publishing = refusals.publishing_refused(self.server, to_server, theirs)
            if not (trash or publishing):
                raise
            for uid, snap in trash:
                self.report.problems.append(refusals.hold_trash(snap, merges[uid], theirs[uid][1]))
            for uid, snap in publishing:
                server_now = theirs[uid][1] if uid in theirs else None
                self.report.problems.append(
                    refusals.hold_publishing(snap, merges[uid], server_now, str(exc))
                )
                self.refused.add(uid)  # tried again next time, perhaps by an editor
            return write_articles(self.server, to_server, images=images)


def _figure_shas(snaps: Iterable[Snapshot]) -> set[str]:
    """The pictures these story snapshots' figures show, by SHA-256."""
    return {
        snap[k] for snap in snaps for k in snap if k.startswith("figure:") and k.endswith(":image")
    }


def _differs(a: Snapshot, b: Snapshot) -> bool:
    """Whether writing a would change b (the time shown as "updated" alone is no change)."""
    return {k: v for k, v in a.items() if k != "updated_at"} != {
        k: v for k, v in b.items() if k != "updated_at"
    }


def linked_server(library: Library) -> str | None:
    return state.read_state(library).get(state.SERVER)
