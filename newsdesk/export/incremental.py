"""Incremental export: republish exactly the pages an edit touches, from the change log and the export state.

A full export (site.py) leaves, with the library, one row per story of the
site (export/state.py) and the change-log id it was current with. The next
export of that folder reads the change log since then and works out what
the changes touch:

- each changed story (its own row, figures, related list, or a picture it
  shows) is checked and, if it is in the site, its page is rendered again;
- stories whose related cards show a story whose card changed (headline,
  date, hero, folder, or whether it is in the site at all) are rendered again;
- the listings, feeds and sitemaps are rebuilt from the state rows by the
  same code as a full export (export/listings.py), which carries over every
  file whose signature did not change: only the listing pages (and their
  page 2…N), tag and archive pages, author pages and section feeds a changed
  row appears on are rendered again.

Nothing else is loaded, rendered or hashed. Whenever the state cannot be
trusted (no state, another export wrote the folder, the templates or the
publication changed, the change log was trimmed, the site's sections were
renamed or added, which every page's navigation shows) it falls back to the full
export, which checks everything and records a fresh state.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import text

from newsdesk.export.assets import SiteImage
from newsdesk.export.fingerprint import (
    RecordedFingerprints,
    _fingerprint,
    _iso_or_raw,
    story_folder,
)
from newsdesk.export.held import report_held_back, report_held_back_in
from newsdesk.export.listings import (
    NO_BASE_URL_WARNING,
    ROWS_FORMAT,
    ListingRow,
    Listings,
    card_fingerprint,
    row_of,
    to_us,
)
from newsdesk.export.listings_update import ListingUpdate
from newsdesk.export.manifest import RecordUnreadable
from newsdesk.export.site import (
    EXPORT_FORMAT,
    ArticleOutcome,
    CancelFlag,
    ExportReport,
    Progress,
    _Export,
    _images_of,
    export_site,
    section_segment,
)
from newsdesk.export.sitemap_parts import summary_of
from newsdesk.export.state import ExportState
from newsdesk.export.story import _Candidate, preflight_messages
from newsdesk.export.writer import SiteWriter, load_journal
from newsdesk.library import Library
from newsdesk.render.page import is_public


def publish(
    library: Library,
    out_dir: str | Path,
    *,
    progress: Progress | None = None,
    cancel: CancelFlag | None = None,
    workers: int | None = None,
) -> ExportReport:
    """Bring the whole site at out_dir up to date, rendering only what changed since its last export."""
    job = _Incremental(library, out_dir, progress=progress, cancel=cancel, workers=workers)
    why = job.full_check_reason()
    if not why:
        report = job.run_incremental()
        if report is not None:
            return report
        why = job.full_reason
    report = export_site(library, out_dir, progress=progress, cancel=cancel, workers=workers)
    report.mode = f"full ({why})"
    return report


class _Incremental(_Export):
    def __init__(self, library, out_dir, **kw) -> None:
        super().__init__(library, out_dir, **kw)
        self.folder = str(Path(out_dir).expanduser().absolute())
        self.state = ExportState(
            library.engine, str(Path(self.folder).resolve()), self.publication.timezone or "UTC"
        )
        self.target = self.state.target()
        self.rendered = 0  # article pages rendered, for the report (and the tests)
        self._drop: set[str] = set()  # files of the previous site this export removes
        self.full_reason = ""  # why run_incremental() left the work to a full check

    def full_check_reason(self) -> str:
        t = self.target
        if getattr(self.library, "read_only", False):
            return "the library is open read-only, so it cannot keep what this export did"
        if t is None:
            return "no earlier export of this library to this folder"
        meta = t.meta
        self._env_digest = self._environment_digest()
        if meta.get("format") != EXPORT_FORMAT or meta.get("env") != self._env_digest:
            return "the templates or the publication changed"
        if meta.get("rows") != ROWS_FORMAT:
            return "the export state was kept by an older version"
        since = int(meta.get("change_id", -1))
        with self.library.engine.connect() as conn:
            lo, hi = conn.execute(text("SELECT min(id), max(id) FROM change_log")).one()
        if hi is not None and (since > hi or (lo is not None and lo > since + 1 and since < hi)):
            return "the change log was trimmed"
        if hi is None and since > 0:
            return "the change log was trimmed"
        return ""

    # ---- the incremental run ----------------------------------------------
    def run_incremental(self) -> ExportReport | None:
        """The site brought up to date; None when a change needs the full check instead.

        An author's name, bio or address shows on every page of theirs and on
        their author page, and the change log names the author, not the
        stories: such a change is left to the full check (which renders only
        the pages whose inputs changed).
        """
        started = time.perf_counter()
        meta = self.target.meta
        tid = self.target.target_id
        self._change_id = self.library.last_change_id()
        changes, _last = self.library.changes_since(int(meta["change_id"]))
        if changes.authors:
            self.full_reason = "an author changed"
            return None
        dirty = self._dirty_ids(changes, int(meta["checked_us"]))
        old_cutoff = int(meta["checked_us"]) - (to_us(self.now) - self._news_cutoff())
        news_moved = bool(
            meta.get("feeds") and self._rows_between(tid, old_cutoff, self._news_cutoff())
        )
        deleted = set(changes.deleted_articles)
        if not dirty and not deleted and not news_moved:
            # Nothing to write, but never report a folder as current while another export writes it.
            try:
                with SiteWriter.held(self.report.out_dir):
                    token = report_held_back_in(
                        Path(self.folder), self.target.meta.get("token"), self.library, self.report
                    )
                    interrupted = load_journal(Path(self.folder)) is not None
            except RecordUnreadable:
                self.full_reason = _NO_RECORD
                return None
            if token is None:
                self.full_reason = _NO_FOLDER_RECORD
                return None
            if token != self.target.meta.get("token"):
                self.full_reason = _OTHER_EXPORT
                return None
            if not interrupted:
                self.report.mode = "incremental"
                self.report.rendered_pages = 0
                self.state.update({**meta, "change_id": self._change_id}, [], [])
                self.report.seconds = time.perf_counter() - started
                return self.report
            # A killed export left its journal (and perhaps files beside their targets):
            # the folder is opened as for an edit, which clears them.
        if not meta.get("listings"):
            # A state kept before listing membership was: recorded once, from its rows.
            self.state.record_listings(tid)
        writer = SiteWriter(self.out_dir)
        self.report.out_dir = writer.out
        if not self._same_token(writer.previous):
            writer.abort()
            self.full_reason = (
                _NO_RECORD
                if writer.record_unreadable
                else _OTHER_EXPORT
                if writer.previous
                else _NO_FOLDER_RECORD
            )
            return None
        try:
            self._incremental(writer, tid, meta, dirty, deleted, news_moved)
        except _FullCheck as exc:
            writer.abort()
            self.full_reason = str(exc)
            return None
        except RecordUnreadable:
            writer.abort()
            self.full_reason = _NO_RECORD
            return None
        except BaseException:
            writer.abort()
            raise
        self.report.changed_files.extend(writer.changed_rels())  # sorted by path
        self.report.reused_files = writer.file_count - writer.changed_count
        self.report.mode = "incremental"
        self.report.rendered_pages = self.rendered
        self.report.seconds = time.perf_counter() - started
        return self.report

    def _same_token(self, manifest) -> bool:
        """True when the folder's manifest is the one the export state was kept with."""
        return bool(manifest) and manifest.get("state_token") == self.target.meta.get("token")

    def _news_cutoff(self) -> int:
        from newsdesk.export.listings import NEWS_SITEMAP_WINDOW

        return to_us(self.now - NEWS_SITEMAP_WINDOW)

    def _rows_between(self, tid: int, lo: int, hi: int) -> bool:
        with self.library.engine.connect() as conn:
            return (
                conn.execute(
                    text(
                        "SELECT 1 FROM export_state WHERE target_id = :t AND when_us >= :lo "
                        "AND when_us < :hi LIMIT 1"
                    ),
                    {"t": tid, "lo": lo, "hi": hi},
                ).first()
                is not None
            )

    def _dirty_ids(self, changes, checked_us: int) -> set[int]:
        """Articles whose own page may differ: changed, showing a changed picture, or out of embargo."""
        ids = set(changes.articles)
        with self.library.engine.connect() as conn:
            on_server = conn.dialect.name == "postgresql"
            if changes.images:
                img_ids = sorted(changes.images)
                marks = ",".join(str(int(i)) for i in img_ids)
                ids |= {
                    r[0]
                    for r in conn.execute(
                        text(f"SELECT article_id FROM figures WHERE image_id IN ({marks})")
                    )
                }
                uids = [
                    r[0]
                    for r in conn.execute(text(f"SELECT uid FROM images WHERE id IN ({marks})"))
                ]
                for uid in uids:
                    ids |= {
                        r[0]
                        for r in conn.execute(
                            text(
                                "SELECT id FROM articles WHERE "
                                f"{'strpos' if on_server else 'instr'}(body, :ref) > 0"
                            ),
                            {"ref": f"image:{uid}"},
                        )
                    }
            # Embargoes that ended since the last export: no change is logged for them.
            from newsdesk.export.listings import from_us

            for (aid,) in conn.execute(
                text(
                    # (+status: SQLite takes the embargo index, not the status one, which holds
                    # most stories; PostgreSQL plans from its statistics)
                    f"SELECT id FROM articles WHERE {'' if on_server else '+'}status = 'published'"
                    " AND embargo_until IS NOT NULL"
                    " AND embargo_until > :since AND embargo_until <= :now"
                ),
                {
                    "since": from_us(checked_us).replace(tzinfo=None),
                    "now": self.now.replace(tzinfo=None),
                },
            ):
                ids.add(aid)
        return ids

    def _incremental(
        self, writer, tid, meta, dirty: set[int], deleted: set[str], news_moved
    ) -> None:
        # The record's parts, read row by row and changed in place (export/manifest.py).
        self._inputs = writer.previous.changes("inputs")
        self._rendition_keys: dict[str, SiteImage] = {}
        self._fps = RecordedFingerprints(writer.previous.get("articles"))
        processed: dict[str, Any] = {}  # uid -> Article (loaded)
        new_rows: dict[str, ListingRow] = {}  # uid -> row, for processed stories in the site
        site_images: dict[str, SiteImage] = {}
        extra: dict[str, Any] = {}
        old_rows: dict[str, ListingRow] = self.state.rows(tid, deleted)
        to_load = set(dirty)
        card_changed: set[str] = set(deleted)
        while True:
            batch = [a for a in self.library.articles_by_ids(to_load) if a.uid not in processed]
            for a in batch:
                processed[a.uid] = a
            old_rows.update(self.state.rows(tid, [a.uid for a in batch]))
            extra.update(self._extra_images(batch))
            selected = self._select(batch, extra)
            images, failures = self._renditions(writer, selected, extra)
            site_images.update(images)
            for cand in selected:
                a = cand.article
                reasons = [failures[i.sha256] for i in _images_of(a, extra) if i.sha256 in failures]
                if reasons:
                    self._refuse(a.uid, ArticleOutcome(a.slug, a.headline, reasons))
                    continue
                new_rows[a.uid] = row_of(
                    a, cand.folder, section_segment(a.section), site_images, _images_of(a, extra)
                )
            for a in batch:
                if card_fingerprint(old_rows.get(a.uid)) != card_fingerprint(
                    new_rows.get(a.uid)
                ) or (a.uid not in old_rows or a.uid not in new_rows):
                    card_changed.add(a.uid)
            to_load = self._referrers(card_changed) - {a.id for a in processed.values()}
            card_changed = set()
            if not to_load:
                break
        self._check_cancel()
        self._processed, self._site_images_now, self._extra = processed, site_images, extra

        # Every page names the site's sections: when they change, every page changes.
        touched = set(processed) | deleted
        names_before = meta.get("names")
        if not isinstance(names_before, dict):  # kept by an older version
            names_before = Listings.section_names(self.state.section_heads(tid))
        names = self._names_after(tid, names_before, touched, old_rows, new_rows)
        if names != names_before and self.state.count(tid, "h", touched):
            raise _FullCheck("the site's sections changed")
        self._section_names = list(names.values())
        self._names_now = names
        self._sitemap_summary = meta.get("sitemap")  # unless the sitemaps are written again
        # Every listing page's sitemap entry, by folder: read row by row (all only for sitemaps).
        listing_pages = writer.previous.changes("listing_pages")

        # Article pages: every processed story in the site; one whose page fails
        # leaves the site, and the stories linking to it are rendered again.
        to_render = [uid for uid in processed if uid in new_rows]
        rendered_ok: set[str] = set()
        while to_render:
            pages = self._pages_for([processed[u] for u in to_render], new_rows, tid, processed)
            images = dict(site_images)
            for row in self._target_rows(
                tid, [processed[u] for u in to_render], new_rows, processed
            ):
                if row.hero is not None:
                    images.setdefault(row.hero[0], SiteImage(tuple(tuple(f) for f in row.hero[2])))
            cands = [
                _Candidate(processed[u], new_rows[u].folder, "") for u in to_render if u in new_rows
            ]
            failed = self._render_pages(writer, cands, pages, images, extra)
            self.rendered += len(cands)
            rendered_ok |= {c.article.uid for c in cands} - set(failed)
            if not failed:
                break
            for uid, reason in failed.items():
                a = processed[uid]
                new_rows.pop(uid, None)
                rendered_ok.discard(uid)
                self._refuse(uid, ArticleOutcome(a.slug, a.headline, [reason]))
            again = self._referrers(set(failed))
            missing = {i for i in again if i not in {a.id for a in processed.values()}}
            for a in self.library.articles_by_ids(missing):
                processed[a.uid] = a
            to_render = [a.uid for a in processed.values() if a.id in again and a.uid in new_rows]
        self.report.written.extend(
            ArticleOutcome(
                processed[u].slug, processed[u].headline, path=f"{new_rows[u].folder}/index.html"
            )
            for u in sorted(rendered_ok, key=lambda u: new_rows[u].folder)
        )

        # Listings, feeds, sitemaps: from the state rows, with the changed ones replaced.
        changed = {
            uid
            for uid in set(processed) | deleted
            if (old_rows.get(uid).fingerprint() if uid in old_rows else None)
            != (new_rows[uid].fingerprint() if uid in new_rows else None)
        }
        drop_files: set[str] = set()
        for uid in changed:
            old = old_rows.get(uid)
            if old is not None and (uid not in new_rows or new_rows[uid].folder != old.folder):
                drop_files.add(f"{old.folder}/index.html")
        if changed or news_moved or rendered_ok:
            # A story's text changes its feeds even when its row does not (a caption).
            if len(touched) <= _FEW and "listing_pages" in writer.previous:
                listings = self._listing_renderer(writer)
                listings.set_section_names(names)
                update = ListingUpdate(
                    listings, self.state, tid, touched, old_rows, new_rows, summary_of(meta)
                )
                update.write(self._inputs, listing_pages)
                self._sitemap_summary = listings.sitemap_summary
                self._drop |= set(update.dropped)
                if not self.base_url:
                    self.report.warnings.append(NO_BASE_URL_WARNING)
            else:  # many stories changed: the listings are made again from every row
                inputs = self._inputs
                previous_inputs = set(inputs)
                self._inputs = {}
                store = self._row_store(writer)
                try:
                    store.add(self._site_rows(tid, processed, deleted, new_rows))
                    self._listings(writer, store)
                    entries = {e[1]: e for e in store.pages()}
                finally:
                    store.close()
                # A listing, page, tag, month, author, feed or sitemap part no longer made goes.
                self._drop |= previous_inputs - set(self._inputs)
                inputs.clear()
                inputs.update(self._inputs)
                self._inputs = inputs
                listing_pages.clear()
                listing_pages.update(entries)
        drop_files |= self._orphan_renditions(tid, changed, old_rows, new_rows)
        writer.keep_rest(drop_files)
        self._check_cancel()

        token = secrets.token_hex(8)
        articles = writer.previous.changes("articles")
        failed = writer.previous.changes("failed")
        for uid in processed:
            articles.discard(uid)
            failed.discard(uid)
        for uid in deleted:
            failed.discard(uid)
        # Each story refused now is remembered, so the next exports name it too.
        for uid, verdict in self._failures.items():
            failed[uid] = verdict
        # And those refused before that this export did not check again (export/held.py).
        report_held_back(
            self.library, self.report, writer.previous.get("failed"), set(processed) | deleted
        )
        # What each republished story was made from, so later exports know its feed text.
        for u in rendered_ok:
            articles[u] = {"fp": self._fps[u], "page": new_rows[u].folder}
        renditions = writer.previous.changes("renditions")
        for key, img in self._rendition_keys.items():
            entries = img.entries()
            if renditions.get(key) != entries:
                renditions[key] = entries
        writer.commit(
            {
                "articles": articles,
                "failed": failed,
                "inputs": self._inputs,
                "renditions": renditions,
                "state_token": token,
                "listing_pages": listing_pages,
            }
        )
        gone = [u for u in set(processed) | deleted if u not in new_rows]
        put = [new_rows[u] for u in changed if u in new_rows]
        self.state.update(self.state_meta(token), put, gone)

    def _names_after(self, tid, before, touched, old_rows, new_rows) -> dict[str, str]:
        """The section names once the touched stories are replaced: a section's newest story names it."""
        names = dict(before)
        segs = {old_rows[u].seg for u in touched if u in old_rows} | {
            r.seg for r in new_rows.values()
        }
        for seg in segs:
            heads = self.state.slice(tid, f"s:{seg}", touched, 0, 1)
            heads += [r for r in new_rows.values() if r.seg == seg]
            if heads:
                head = max(heads, key=lambda r: r.sort_key)
                names[seg] = head.section or "News"
            else:
                names.pop(seg, None)
        return {seg: names[seg] for seg in sorted(names)}

    def _select(self, batch, extra) -> list[_Candidate]:
        """The stories of batch that belong in the site (public, a usable folder, preflight passed)."""
        selected = []
        for a in batch:
            if a.status != "published" or a.deleted_at is not None:
                continue  # a draft, or a story in the trash: not in the site
            outcome = ArticleOutcome(a.slug, a.headline)
            if not is_public(a, now=self.now):
                until = a.embargo_until
                outcome.reasons.append(
                    f"under embargo until {_iso_or_raw(until, self.publication.timezone)}"
                )
                self.report.skipped.append(outcome)
                continue
            try:
                folder = story_folder(a)
            except ValueError as exc:
                outcome.reasons.append(f"its slug or section cannot be a folder name ({exc})")
                self._refuse(a.uid, outcome)
                continue
            try:
                self._probe_dates(a)
                fp = self._fps[a.uid] = _fingerprint(a, extra, self.now, self._env_digest)
                problems = preflight_messages(self.library, a, now=self.now)
            except Exception as exc:  # one story never stops the whole site
                outcome.reasons.append(self._describe_failure(exc))
                self._refuse(a.uid, outcome)
                continue
            if problems:
                outcome.reasons += problems
                self._refuse(a.uid, outcome, fp)
                continue
            selected.append(_Candidate(a, folder, fp))
        return selected

    def _referrers(self, uids: set[str]) -> set[int]:
        """Ids of the stories whose related list names any of these stories."""
        out: set[int] = set()
        ordered = sorted(uids)
        with self.library.engine.connect() as conn:
            for i in range(0, len(ordered), 500):
                chunk = ordered[i : i + 500]
                marks = ",".join(f":u{n}" for n in range(len(chunk)))
                out |= {
                    r[0]
                    for r in conn.execute(
                        text(
                            f"SELECT DISTINCT article_id FROM related_stories WHERE target_uid IN ({marks})"
                        ),
                        {f"u{n}": u for n, u in enumerate(chunk)},
                    )
                }
        return out

    def _target_rows(self, tid, articles, new_rows, processed) -> list[ListingRow]:
        """The current rows of the stories these articles' related cards show."""
        targets = {link.target_uid for a in articles for link in a.related}
        rows = [new_rows[u] for u in targets if u in new_rows]
        rest = [u for u in targets if u not in processed]
        rows += list(self.state.rows(tid, rest).values())
        return rows

    def _pages_for(self, articles, new_rows, tid, processed) -> dict[str, str]:
        pages = {a.uid: new_rows[a.uid].folder for a in articles if a.uid in new_rows}
        for row in self._target_rows(tid, articles, new_rows, processed):
            pages[row.uid] = row.folder
        return pages

    def _site_rows(self, tid, processed, deleted, new_rows) -> Iterator[ListingRow]:
        """The site's rows after this export: the state's, with the processed stories' replaced."""
        for row in self.state.each_row(tid):
            if row.uid not in processed and row.uid not in deleted:
                yield row
        yield from new_rows.values()

    def _renditions(self, writer, selected, extra):
        """As the full export's, keeping the rendition keys of every batch for the manifest."""
        kept = dict(self._rendition_keys)
        out = super()._renditions(writer, selected, extra)
        self._rendition_keys = {**kept, **self._rendition_keys}
        return out

    def _feed_source(self, writer, row: ListingRow):
        """A feed entry's article: the processed one, or loaded with the renditions it shows."""
        article = self._processed.get(row.uid)
        if article is not None:
            return article, self._site_images_now, self._extra
        (article,) = self.library.articles_by_ids({row.article_id})
        extra = self._extra_images([article])
        images, _failures = self._renditions(writer, [_Candidate(article, row.folder, "")], extra)
        return article, images, extra

    def _orphan_renditions(self, tid, changed, old_rows, new_rows) -> set[str]:
        from newsdesk.export.assets import IMG_DIR

        before = {f for u in changed if u in old_rows for f in old_rows[u].files}
        after = {f for r in new_rows.values() for f in r.files}
        out = set(self._drop)
        for name in before - after:
            if not self.state.uses_file(tid, name, exclude=changed):
                out.add(f"{IMG_DIR}/{name}")
        return out


_OTHER_EXPORT = "the folder was written by another export"
# Up to this many stories changed, the listings read only what holds them (listings_update);
# beyond, reading every row once is cheaper than a few queries per story.
_FEW = 300


_NO_RECORD = "the folder's record of its last export could not be read"
_NO_FOLDER_RECORD = "the folder holds no record of an earlier export"


class _FullCheck(Exception):
    """This change is left to the full export (the message says why)."""
