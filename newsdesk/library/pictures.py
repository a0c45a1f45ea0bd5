"""The Library's pictures: adding images (one, or a batch all or nothing), finding them by id,
uid, content hash or body reference, and editing their photo-desk fields.

A mixin of the Library facade (library.py): it uses the facade's sessions, so
every write is one transaction and lands in the change log like any other.
A picture placed in a story (a figure) is figures.py; batch edits are photodesk.py.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from newsdesk.library.errors import NotFound
from newsdesk.library.models import Image, utcnow
from newsdesk.picture_refs import ref_digits

# The photo-desk fields of an Image, in the order the forms show them.
IMAGE_FIELDS = (
    "caption",
    "alt_text",
    "title",
    "instructions",
    "keywords",  # one keyword per line
    "credit",
    "creator",
    "copyright",
    "source",
    "usage_terms",
    "date_created",
    "city",
    "country",
    "headline",
)


class PictureRecords:
    """Images: add, find, update, list, credits in use (part of Library)."""

    def _session(self) -> Session:  # provided by Library
        raise NotImplementedError

    def _connect(self) -> contextlib.AbstractContextManager:  # provided by Library
        raise NotImplementedError

    def add_image(self, *, sha256: str, **fields: Any) -> Image:
        """Record an image whose file is already in media/; the same file twice is one image."""
        with self._session() as s, s.begin():
            image = s.scalar(select(Image).where(Image.sha256 == sha256))
            if image is None:
                self._store_media(s, sha256, fields.get("ext", ""))
                image = Image(sha256=sha256, **fields)
                s.add(image)
            s.flush()
            return image

    def _store_media(self, s: Session, sha256: str, ext: str) -> None:
        """A new picture's bytes, stored with its record: here they stay in media/ (a
        shared library keeps them in the database too; library/shared.py)."""

    def _forget_media(self, s: Session, sha256: str) -> None:
        """A picture's stored bytes beside its record, when it is discarded (shared.py keeps
        them in the database); here they are only the file in media/, removed after commit."""

    def add_images(self, records: Sequence[dict[str, Any]]) -> list[Image]:
        """Record many images in ONE transaction (all or none); each dict holds sha256 and fields.

        The same file twice (in the batch or already in the library) is one image.
        """
        out: list[Image] = []
        with self._session() as s, s.begin():
            by_sha: dict[str, Image] = {}
            shas = [r["sha256"] for r in records]
            for i in range(0, len(shas), 500):
                chunk = shas[i : i + 500]
                for image in s.scalars(select(Image).where(Image.sha256.in_(chunk))):
                    by_sha[image.sha256] = image
            for fields in records:
                image = by_sha.get(fields["sha256"])
                if image is None:
                    self._store_media(s, fields["sha256"], fields.get("ext", ""))
                    image = by_sha[fields["sha256"]] = Image(**fields)
                    s.add(image)
                out.append(image)
            s.flush()
        return out

    def get_image(self, key: int | str) -> Image:
        with self._session() as s:
            stmt = select(Image)
            stmt = (
                stmt.where(Image.id == key)
                if isinstance(key, int)
                else stmt.where(or_(Image.uid == key, Image.sha256 == key))
            )
            image = s.scalars(stmt).first()
            if image is None:
                raise NotFound(f"No image {key!r} in this library.")
            return image

    def find_image_by_ref(self, ref: str) -> Image | None:
        """The picture a body reference names: its UUID, or a readable `harbour-dawn-3f2a9c1e`."""
        digits = ref_digits(ref)
        if digits is None:
            return None
        with self._session() as s:
            if len(digits) == 32:
                return s.scalar(select(Image).where(Image.uid == ref.strip().lower()))
            stmt = select(Image).where(func.replace(Image.uid, "-", "").like(f"{digits}%"))
            found = list(s.scalars(stmt.limit(2)))
        return found[0] if len(found) == 1 else None

    def update_image(self, image_id: int, **fields: Any) -> Image:
        unknown = fields.keys() - IMAGE_FIELDS
        if unknown:
            raise TypeError(f"unknown image fields: {', '.join(sorted(unknown))}")
        with self._session() as s, s.begin():
            image = s.get(Image, image_id)
            if image is None:
                raise NotFound(f"Image {image_id} is no longer in the library.")
            for key, value in fields.items():
                setattr(image, key, value)
            image.updated_at = utcnow()
            s.flush()
            return image

    def list_images(self, *, query: str = "", limit: int | None = None) -> list[Image]:
        """Newest first; the query matches caption, credit, creator, headline, title, keywords, file name."""
        stmt = select(Image).order_by(Image.created_at.desc(), Image.id.desc())
        for term in query.split():
            like = f"%{term}%"
            stmt = stmt.where(
                or_(
                    Image.caption.ilike(like),
                    Image.credit.ilike(like),
                    Image.creator.ilike(like),
                    Image.headline.ilike(like),
                    Image.title.ilike(like),
                    Image.keywords.ilike(like),
                    Image.original_name.ilike(like),
                )
            )
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._session() as s:
            return list(s.scalars(stmt))

    def credits_in_use(self) -> list[str]:
        """Credit lines and creators already used, most used first, for completion."""
        with self._connect() as conn:
            names: dict[str, int] = {}
            for column in (Image.credit, Image.creator):
                for value, n in conn.execute(
                    select(column, func.count()).where(column != "").group_by(column)
                ):
                    names[value] = names.get(value, 0) + n
        return sorted(names, key=lambda k: (-names[k], k.casefold()))
