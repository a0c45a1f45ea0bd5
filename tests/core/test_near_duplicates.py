"""Near-duplicates: the hash is stored at import, and importing the same photograph in another format is offered the library's picture."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PIL import Image as PILImage

from benchmarks.generate import sample_photo
from newsdesk.images.library_import import import_image, import_images
from newsdesk.images.near import backfill_dhashes, find_look_alikes
from newsdesk.images.similar import dhash, distance
from newsdesk.library import Library


def run(lib: Path, *args) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "newsdesk", "--library", str(lib), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def _as_png(src: Path, dest: Path, width: int) -> Path:
    with PILImage.open(src) as im:
        im.resize((width, round(im.height * width / im.width))).save(dest, "PNG")
    return dest


def test_the_hash_is_stored_at_import_and_matches_the_files_own(tmp_path):
    lib = Library.open(tmp_path / "lib")
    photo = sample_photo(tmp_path / "dawn.jpg", 2400, 1600, seed=11)
    image = import_image(lib, photo)
    assert len(image.dhash) == 16
    assert distance(image.dhash, dhash(photo)) <= 4
    # A picture turned by EXIF (orientation 6) is hashed upright, like its thumbnail.
    turned = import_image(lib, Path("/work/shared/corpus/images/pillow-hopper_orientation_6.jpg"))
    thumb = lib.thumbs_dir / f"{turned.sha256}-256.jpg"
    if not thumb.exists():
        thumb = next(lib.thumbs_dir.glob(f"{turned.sha256}-*.jpg"))
    assert distance(turned.dhash, dhash(thumb)) <= 6


def test_pictures_from_before_hashes_get_theirs_from_the_thumbnail(tmp_path):
    lib = Library.open(tmp_path / "lib")
    image = import_image(lib, sample_photo(tmp_path / "a.jpg", 800, 600, seed=5))
    kept = image.dhash
    lib.set_dhashes({image.id: ""})  # as a library upgraded from 0013 holds it
    assert backfill_dhashes(lib) == 1
    assert distance(lib.get_image(image.id).dhash, kept) <= 4
    assert backfill_dhashes(lib) == 0


def test_the_same_photo_as_png_is_offered_the_library_picture(tmp_path):
    lib_dir = tmp_path / "lib"
    photo = sample_photo(tmp_path / "harbour.jpg", 2400, 1600, seed=21)
    other = sample_photo(tmp_path / "hills.jpg", 2400, 1600, seed=99)
    assert run(lib_dir, "images", "import", photo, other).returncode == 0
    png = _as_png(photo, tmp_path / "harbour-copy.png", 1000)

    # Default: both are kept, with a warning naming the look-alike.
    kept = run(lib_dir, "images", "import", png)
    assert kept.returncode == 0, kept.stderr
    assert (
        "warning: harbour-copy.png looks like a picture already in the library: harbour.jpg"
        in kept.stderr
    )
    assert "kept both" in kept.stderr
    assert "imported harbour-copy.png" in kept.stdout

    # --use-existing: the library's picture is used and the file is not imported.
    webp = tmp_path / "harbour-small.webp"
    with PILImage.open(photo) as im:
        im.resize((600, 400)).save(webp, "WEBP", quality=70)
    used = run(lib_dir, "images", "import", "--use-existing", webp, "--json")
    assert used.returncode == 0, used.stderr
    assert "looks like a picture already in the library" in used.stderr
    assert "was not imported" in used.stderr
    assert used.stdout.strip() == "[]"
    with Library.open(lib_dir) as lib:
        names = sorted(i.original_name for i in lib.list_images())
    assert names == ["harbour-copy.png", "harbour.jpg", "hills.jpg"]


def test_the_same_file_again_and_a_different_photo_are_not_look_alikes(tmp_path):
    lib = Library.open(tmp_path / "lib")
    photo = sample_photo(tmp_path / "harbour.jpg", 1200, 800, seed=21)
    import_images(lib, [photo])
    other = sample_photo(tmp_path / "market.jpg", 1200, 800, seed=3)
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8 not really a jpeg")
    assert find_look_alikes(lib, [photo, other, broken, tmp_path / "gone.jpg"]) == []


def test_a_picture_in_a_story_is_never_discarded_as_a_look_alike(tmp_path):
    import pytest

    from newsdesk.library import LibraryError

    lib = Library.open(tmp_path / "lib")
    image = import_image(lib, sample_photo(tmp_path / "a.jpg", 800, 600, seed=5))
    article = lib.create_article(headline="Quay", body="Text.")
    lib.add_figure(article.id, image.id, role="hero")
    with pytest.raises(LibraryError, match="already in a story, so it stays in the library"):
        lib.discard_new_image(image.id)
    assert lib.get_image(image.id) and lib.media_path(image).is_file()
