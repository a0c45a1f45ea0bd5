"""Putting prepared images into a library: the one place image files become Image records.

Every import goes through a staging batch (Library.stage): files are copied
into the batch, recorded, and only then moved into media/. A batch that fails
or is killed leaves no media file without a record.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from newsdesk.images.model import ImageError, ImportFailure, PreparedImage, StorageError
from newsdesk.library import Image, Library
from newsdesk.library.errors import LibraryError
from newsdesk.library.image_templates import applied_values
from newsdesk.text import counted


def image_fields(prepared: PreparedImage) -> dict[str, Any]:
    """The Image record's fields for a prepared image (its sha256 included)."""
    m = prepared.metadata
    return dict(
        sha256=prepared.sha256,
        ext=prepared.ext,
        original_name=prepared.original_name,
        format=prepared.format,
        mime=prepared.mime,
        width=prepared.width,
        height=prepared.height,
        size_bytes=prepared.size_bytes,
        caption=m.caption,
        credit=m.credit,
        creator=m.creator,
        copyright=m.copyright,
        source=m.source,
        usage_terms=m.usage_terms,
        alt_text=m.alt_text,
        headline=m.headline,
        title=m.title,
        instructions=m.instructions,
        keywords="\n".join(m.keywords),
        date_created=m.date_created,
        city=m.city,
        country=m.country,
        dhash=prepared.dhash,
    )


def record_prepared(library: Library, prepared: PreparedImage) -> Image:
    """Record an image already copied into media/ or a staging batch; one file twice is one image."""
    return library.add_image(**image_fields(prepared))


def _refusal(what: str) -> str:
    """'Nothing was imported: <what>' plus what to do about it, as one message."""
    if "full" in what:
        advice = "Free some space on that disk and import again."
    elif "read-only" in what or "may not write" in what:
        advice = (
            "Open a library you may write to, or fix the folder's permissions, and import again."
        )
    else:
        advice = "Check the library folder and import again."
    return f"Nothing was imported: {what} {advice}"


def _nothing_stored(reason: str) -> StorageError:
    return StorageError(_refusal(reason))


def import_image(library: Library, path: str | Path) -> Image:
    """Import one file (hash, metadata, thumbnail); raises ImageError with a clear message."""
    from newsdesk.images.importer import prepare_image

    with library.stage() as batch:
        prepared = prepare_image(
            path, batch.dir, library.thumbs_dir, existing_dir=library.media_dir
        )
        try:
            return record_prepared(library, prepared)
        except (SQLAlchemyError, LibraryError) as exc:
            raise _nothing_stored(
                f"the library could not record {prepared.original_name} ({_db_reason(exc)})."
            ) from exc


def _db_reason(exc: Exception) -> str:
    text = str(getattr(exc, "orig", None) or exc).lower()
    if "full" in text:
        return "the disk holding the library is full"
    if "readonly" in text or "read-only" in text:
        return "the library is read-only"
    return "the database refused the change"


@dataclass
class ImportReport:
    """What a bulk import did: the images it recorded and every file that failed, with why."""

    imported: list[Image] = field(default_factory=list)
    failed: list[ImportFailure] = field(default_factory=list)
    # Set when the whole batch was refused (nothing imported): one sentence.
    error: str = ""
    # New pictures that look like one the library already had: (new, existing) Images.
    look_alikes: list[tuple[Image, Image]] = field(default_factory=list)

    @property
    def summary(self) -> str:
        if self.error:
            return self.error
        text = f"Imported {counted(len(self.imported), 'image')}"
        if self.failed:
            text += f"; {len(self.failed)} failed"
        return text + "."


def import_images(
    library: Library,
    paths: Sequence[str | Path],
    *,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel=None,
    template: str | int | None = None,
    today: date | None = None,
) -> ImportReport:
    """Bulk import on every core; a bad file never stops the rest, a full disk stops them all.

    All or nothing for storage: when the library cannot store a file (full
    disk, read-only) or record the batch, nothing of the batch is kept and
    every file is reported with that one reason.

    template: a photo-desk template (name or id) applied to each NEW picture
    as it is recorded, in the same transaction; a picture already in the
    library keeps its fields. An unknown template raises NotFound before
    anything is read or stored.
    """
    from newsdesk.images.bulk import prepare_many

    template_values = library.get_template(template).values() if template is not None else None
    report = ImportReport()
    ps = [Path(p) for p in paths]
    with library.stage() as batch:
        results = prepare_many(
            ps,
            batch.dir,
            library.thumbs_dir,
            workers=workers,
            progress=progress,
            cancel=cancel,
            existing_dir=library.media_dir,
        )
        storage = next((r for r in results if isinstance(r, ImportFailure) and r.storage), None)
        error = ""
        if storage is not None:
            error = _refusal(storage.message)
        else:
            prepared = [r for r in results if isinstance(r, PreparedImage)]
            records = [image_fields(p) for p in prepared]
            if template_values is not None:
                records = _with_template(library, records, template_values, today)
            try:
                images = library.add_images(records)
            except (SQLAlchemyError, LibraryError) as exc:
                error = _refusal(
                    f"the library could not record the pictures because {_db_reason(exc)}."
                )
            else:
                by_sha = {img.sha256: img for img in images}
                for result in results:
                    if isinstance(result, ImportFailure):
                        report.failed.append(result)
                    else:
                        report.imported.append(by_sha[result.sha256])
        if error:
            report.error = error
            report.failed = [ImportFailure(p, error, storage=True) for p in ps]
    return report


def _with_template(
    library: Library, records: list[dict[str, Any]], values: dict[str, str], today: date | None
) -> list[dict[str, Any]]:
    """The records with the template applied to the pictures that are new to the library."""
    known = library.recorded_shas(r["sha256"] for r in records)
    return [
        r if r["sha256"] in known else {**r, **applied_values(values, r, today=today)}
        for r in records
    ]


__all__ = [
    "ImageError",
    "ImportReport",
    "image_fields",
    "import_image",
    "import_images",
    "record_prepared",
]
