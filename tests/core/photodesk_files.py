"""Real picture files for photo-desk tests: the corpus fixtures, and many distinct small JPEGs."""

from __future__ import annotations

import shutil
from pathlib import Path

from PIL import Image

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "images"


def fixture_copies(folder: Path) -> list[Path]:
    """The corpus pictures (real metadata written by other tools), copied into folder."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for path in sorted(FIXTURES.iterdir()):
        out.append(Path(shutil.copy2(path, folder / path.name)))
    return out


def distinct_jpegs(folder: Path, n: int, *, size: tuple[int, int] = (48, 32)) -> list[Path]:
    """n different JPEG files (different pixels, so different pictures to the library)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        image = Image.new("RGB", size, ((i * 37) % 256, (i * 11) % 256, (i // 256) * 40 % 256))
        image.putpixel((i % size[0], (i // size[0]) % size[1]), (255 - (i % 256), 0, 0))
        path = folder / f"photo-{i:04d}.jpg"
        image.save(path, quality=90)
        out.append(path)
    return out
