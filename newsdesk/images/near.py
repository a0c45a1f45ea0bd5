"""Near-duplicates at import: which incoming files look like a picture already in the library.

The library stores each picture's difference hash (images/similar.py) when it
is imported; pictures recorded before hashes were stored get theirs here, the
first time an import looks, from their thumbnails (a small decode each).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from newsdesk.library import Image, Library

from .model import ImageError
from .pixels import sha256_file
from .similar import NEAR, dhash
from .thumbnails import thumbnail_for


@dataclass(frozen=True, slots=True)
class LookAlike:
    """An incoming file and the library picture it looks like (`distance` bits of 64 differ)."""

    path: Path
    existing: Image
    distance: int

    @property
    def existing_name(self) -> str:
        return self.existing.original_name or self.existing.sha256[:12]

    @property
    def message(self) -> str:
        return f"{self.path.name} looks like a picture already in the library: {self.existing_name}"


def backfill_dhashes(library: Library, *, chunk: int = 500) -> int:
    """Hash every picture that has no hash yet; returns how many got one.

    A picture whose file and thumbnail cannot be read keeps an empty hash (it
    is never offered as a look-alike) and is tried again next time.
    """
    done = 0
    tried: set[int] = set()
    while True:
        batch = [
            i for i in library.images_without_dhash(limit=chunk + len(tried)) if i.id not in tried
        ]
        if not batch:
            return done
        hashes: dict[int, str] = {}
        for image in batch[:chunk]:
            tried.add(image.id)
            thumb = thumbnail_for(image.sha256, library.thumbs_dir)
            for source in (thumb, library.media_path(image)):
                try:
                    hashes[image.id] = dhash(source)
                    break
                except (OSError, ValueError, SyntaxError, ImageError):
                    continue
        if hashes:
            library.set_dhashes(hashes)
            done += len(hashes)


def find_look_alikes(
    library: Library, paths: Sequence[str | Path], *, limit: int = NEAR
) -> list[LookAlike]:
    """For each file that is NOT already in the library byte for byte, the nearest look-alike.

    Files that cannot be read are left to the import to report.
    """
    backfill_dhashes(library)
    # As integers once: a 100,000-picture library is then one XOR and popcount per picture.
    index = [(image_id, int(h, 16), sha) for image_id, h, sha in library.dhash_index()]
    if not index:
        return []
    found: list[tuple[Path, int, int]] = []
    for raw in paths:
        path = Path(raw)
        try:
            own = int(dhash(path), 16)
        except (OSError, ValueError, SyntaxError, ImageError):
            continue
        near = [
            (d, image_id, other_sha)
            for image_id, other, other_sha in index
            if (d := (own ^ other).bit_count()) <= limit
        ]
        if not near:
            continue  # the usual case: a new photograph, and its bytes are never read twice
        # Only a file that looks like one we hold is hashed whole: if it IS one we hold,
        # importing it again is one picture, not two.
        try:
            sha = sha256_file(path)
        except OSError:
            continue
        if any(other_sha == sha for _d, _i, other_sha in near):
            continue
        d, image_id, _sha = min(near)
        found.append((path, image_id, d))
    if not found:
        return []
    by_id = {i.id: i for i in library.images_by_ids([image_id for _p, image_id, _d in found])}
    return [LookAlike(path, by_id[image_id], d) for path, image_id, d in found if image_id in by_id]


__all__ = ["LookAlike", "backfill_dhashes", "find_look_alikes"]
