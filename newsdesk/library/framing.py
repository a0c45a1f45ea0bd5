"""The Library's framing and look-alike methods: focal points and crop boxes, stored difference hashes.

A mixin of the Library facade: every write is one transaction and lands in the
change log like any other picture edit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from newsdesk.crops import ALL_RATIOS, Box, clamp_focal, dump_crops, parse_crops, valid_box
from newsdesk.library.errors import LibraryError, NotFound
from newsdesk.library.models import Image, utcnow

CHUNK = 500


@dataclass(frozen=True, slots=True)
class Framing:
    """A picture's focal point and its own crop boxes: what an undo writes back."""

    focal_x: float = 0.5
    focal_y: float = 0.5
    crops: str = ""

    @classmethod
    def of(cls, image: Image) -> Framing:
        return cls(image.focal_x, image.focal_y, image.crops or "")


class FramingError(LibraryError):
    """A crop box that does not fit the picture: one sentence for the user."""


class FramingMixin:
    """Focal points, crop boxes and difference hashes (part of Library)."""

    def _session(self) -> Session:  # provided by Library
        raise NotImplementedError

    def set_framing(
        self,
        image_id: int,
        *,
        focal: tuple[float, float] | None = None,
        crops: Mapping[str, Box | None] | None = None,
        replace: bool = False,
    ) -> Framing:
        """Set the focal point and/or crop boxes of one picture; returns what it had before.

        `crops` maps a ratio name to its box, or to None to go back to the
        automatic crop; `replace` makes it the whole set (an undo). A box that
        does not fit the picture or its ratio changes nothing and raises
        FramingError.
        """
        with self._session() as s, s.begin():
            image = s.get(Image, image_id)
            if image is None:
                raise NotFound(f"Picture {image_id} is no longer in the library.")
            before = Framing.of(image)
            changed = False
            if focal is not None:
                fx, fy = clamp_focal(*focal)
                if (fx, fy) != (image.focal_x, image.focal_y):
                    image.focal_x, image.focal_y = fx, fy
                    changed = True
            if crops is not None:
                boxes = {} if replace else parse_crops(image.crops)
                for name, box in crops.items():
                    if name not in ALL_RATIOS:
                        raise FramingError(
                            f"There is no crop ratio called {name!r}; "
                            f"use one of {', '.join(ALL_RATIOS)}."
                        )
                    if box is None:
                        boxes.pop(name, None)
                    elif not valid_box(box, image.width, image.height, ALL_RATIOS[name]):
                        raise FramingError(
                            f"The {name} crop does not fit inside the picture "
                            f"({image.width}x{image.height}); draw it again."
                        )
                    else:
                        boxes[name] = box
                text = dump_crops(boxes)
                if text != (image.crops or ""):
                    image.crops = text
                    changed = True
            if changed:
                image.updated_at = utcnow()
            return before

    def restore_framing(self, image_id: int, framing: Framing) -> Framing:
        """Write back what set_framing returned (an undo); returns what it replaced."""
        return self.set_framing(
            image_id,
            focal=(framing.focal_x, framing.focal_y),
            crops=parse_crops(framing.crops),
            replace=True,
        )

    def discard_new_image(self, image_id: int) -> str:
        """Take a picture that no story uses out of the library again (an import the user
        chose not to keep, because the library already had it); returns its file name.

        Refused (LibraryError) once any story shows it. Its media file goes after
        the record is gone, so a failure never leaves a record without its file.
        """
        from newsdesk.library.models import Figure

        with self._session() as s, s.begin():
            image = s.get(Image, image_id)
            if image is None:
                raise NotFound(f"Picture {image_id} is no longer in the library.")
            used = s.scalar(select(Figure.id).where(Figure.image_id == image_id).limit(1))
            if used is not None:
                raise LibraryError(
                    f"{image.original_name or image.sha256[:12]} is already in a story, "
                    "so it stays in the library."
                )
            name, filename = image.original_name, image.filename
            self._forget_media(s, image.sha256)  # type: ignore[attr-defined]  (the facade's)
            s.delete(image)
        path = self.media_dir / filename  # type: ignore[attr-defined]  (the facade's)
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError:
            pass  # left for `newsdesk repair`: a file without a record harms nothing
        return name

    # ---- difference hashes ------------------------------------------------------------
    def images_without_dhash(self, limit: int | None = None) -> list[Image]:
        """Pictures recorded before hashes were stored (or whose hash could not be made)."""
        stmt = select(Image).where(Image.dhash == "").order_by(Image.id)
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._session() as s:
            return list(s.scalars(stmt))

    def set_dhashes(self, hashes: Mapping[int, str]) -> None:
        """Store computed hashes by picture id, in one transaction (a cache: not a user edit)."""
        ids = list(hashes)
        with self._session() as s, s.begin():
            for i in range(0, len(ids), CHUNK):
                for image in s.scalars(select(Image).where(Image.id.in_(ids[i : i + CHUNK]))):
                    image.dhash = hashes[image.id]

    def dhash_index(self) -> list[tuple[int, str, str]]:
        """(id, dhash, sha256) of every picture with a hash: what a near-duplicate search scans."""
        with self._session() as s:
            rows = s.execute(select(Image.id, Image.dhash, Image.sha256).where(Image.dhash != ""))
            return [tuple(r) for r in rows]


__all__ = ["Framing", "FramingError", "FramingMixin"]
