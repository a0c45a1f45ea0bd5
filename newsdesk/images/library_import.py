"""Putting prepared images into a library: the one place image files become Image records."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from newsdesk.images.model import ImportFailure, PreparedImage
from newsdesk.library import Image, Library


def record_prepared(library: Library, prepared: PreparedImage) -> Image:
    """Record an image already copied into media/; the same file twice stays one image."""
    m = prepared.metadata
    return library.add_image(
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
    )


def import_image(library: Library, path: str | Path) -> Image:
    """Import one file (hash, metadata, thumbnail); raises ImageError with a clear message."""
    from newsdesk.images.importer import prepare_image

    return record_prepared(library, prepare_image(path, library.media_dir, library.thumbs_dir))


@dataclass
class ImportReport:
    """What a bulk import did: the images it recorded and every file that failed, with why."""

    imported: list[Image] = field(default_factory=list)
    failed: list[ImportFailure] = field(default_factory=list)

    @property
    def summary(self) -> str:
        text = f"Imported {len(self.imported)} image(s)"
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
) -> ImportReport:
    """Bulk import on every core; a file that fails never stops the rest."""
    from newsdesk.images.bulk import prepare_many

    report = ImportReport()
    results = prepare_many(
        [Path(p) for p in paths],
        library.media_dir,
        library.thumbs_dir,
        workers=workers,
        progress=progress,
        cancel=cancel,
    )
    for result in results:
        if isinstance(result, ImportFailure):
            report.failed.append(result)
        else:
            report.imported.append(record_prepared(library, result))
    return report
