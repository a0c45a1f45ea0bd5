"""The stories an earlier export held back and this one did not check again, named from the record.

An incremental export checks only what changed. A story refused before (a
picture without credit, a page that could not be made) that nobody touched
since is still not on the site, and every run must say so, not only the
first: its verdict is in the folder's record (the "failed" part, uid ->
{fp, reasons}; export/manifest.py). The record names stories by uid, so
their slugs and headlines are read from the library, which also confirms
each is still a public story (one trashed or withdrawn is not held back:
it is not meant to be on the site).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from newsdesk.export.manifest import Record, RecordUnreadable
from newsdesk.export.report import NAMED, ArticleOutcome, ExportReport
from newsdesk.library.models import Article

_CHUNK = 500  # uids per query


def report_held_back(library, report: ExportReport, failed, exclude: set[str]) -> None:
    """Add to the report the stories the record holds back that this export did not check
    again (exclude), after those it refused itself: named up to NAMED in all, the rest counted."""
    named, more = held_back(library, failed, exclude, max(0, NAMED - len(report.failed)))
    report.failed.extend(named)
    report.failed_more = more


def report_held_back_in(
    folder: Path, token: str | None, library, report: ExportReport
) -> str | None:
    """The folder's state token (None without a record); when it is token (the folder is as
    the export state says), its held-back stories go into the report as well.

    Raises RecordUnreadable when the record is there but cannot be read.
    """
    record = Record(folder)
    try:
        if record.unreadable:
            raise RecordUnreadable(str(folder))
        if not record.found:
            return None
        if record.token == token:
            report_held_back(library, report, record.parts["failed"], set())
        return record.token
    finally:
        record.close()


def held_back(library, failed, exclude: set[str], limit: int) -> tuple[list[ArticleOutcome], int]:
    """Up to limit of the record's held-back stories not in exclude, by slug, and how many more
    there are (counted from the record, not named).

    failed is the record's "failed" part (a manifest.Part) as the export read it.
    """
    rows, total = failed.sample(exclude, limit)
    verdicts: dict[str, list[str]] = {uid: _reasons(entry) for uid, entry in rows}
    found: list[ArticleOutcome] = []
    uids = list(verdicts)
    with library.engine.connect() as conn:
        for i in range(0, len(uids), _CHUNK):
            chunk = uids[i : i + _CHUNK]
            for uid, slug, headline in conn.execute(
                select(Article.uid, Article.slug, Article.headline).where(
                    Article.uid.in_(chunk),
                    Article.status == "published",
                    Article.deleted_at.is_(None),
                )
            ):
                found.append(ArticleOutcome(slug, headline, verdicts[uid]))
    found.sort(key=lambda o: o.slug)
    # Those the record names but the library no longer holds as public stories are not
    # held back (the export that changed them forgets them from the record).
    return found, max(0, total - len(rows))


def _reasons(entry: Any) -> list[str]:
    reasons = entry.get("reasons") if isinstance(entry, dict) else None
    if isinstance(reasons, list) and reasons:
        return [str(r) for r in reasons]
    return ["an earlier export could not publish it"]
