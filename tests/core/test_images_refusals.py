"""Refusals in the app's words: a damaged picture, a lost media file, and a picture's instructions."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin

from newsdesk.images import ImageError, ImportFailure, prepare_image, prepare_many, read_metadata
from newsdesk.images.library_import import import_image
from newsdesk.library import Library
from newsdesk.preflight import preflight, preflight_warnings

from .picture_files import iim, jpeg

REPO = Path(__file__).resolve().parents[2]
PILLOW_WORDS = ("Pillow", "MAX_TEXT_CHUNK", "Truncated File Read", "Error", "Errno", "errno")


def _text_bomb_png(path: Path) -> Path:
    """A PNG whose compressed text chunk inflates past what Pillow reads (its MAX_TEXT_CHUNK)."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "x" * (2 * 1024 * 1024), zip=True)
    Image.new("RGB", (10, 10)).save(path, "PNG", pnginfo=info)
    return path


def _cut_png(path: Path) -> Path:
    buf = io.BytesIO()
    Image.frombytes("RGB", (300, 200), os.urandom(300 * 200 * 3)).save(buf, "PNG")
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    return path


def _assert_our_words(message: str, name: str) -> None:
    assert name in message
    assert not [w for w in PILLOW_WORDS if w in message], message
    assert message.count(".") >= 1 and "\n" not in message
    assert "import" in message or "save it again" in message  # says what to do


@pytest.mark.parametrize("make", [_text_bomb_png, _cut_png], ids=["text-chunk", "truncated-png"])
def test_a_damaged_picture_is_refused_in_the_apps_words(tmp_path: Path, make) -> None:
    src = make(tmp_path / "damaged.png")
    with pytest.raises(ImageError) as caught:
        prepare_image(src, tmp_path / "media", tmp_path / "thumbs")
    _assert_our_words(str(caught.value), "damaged.png")
    with pytest.raises(ImageError) as caught:
        read_metadata(src)
    _assert_our_words(str(caught.value), "damaged.png")
    (result,) = prepare_many([src], tmp_path / "media", tmp_path / "thumbs", workers=1)
    assert isinstance(result, ImportFailure)
    _assert_our_words(result.message, "damaged.png")
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").iterdir())


def _story_with_hero(library: Library, src: Path):
    image = library.update_image(
        import_image(library, src).id, credit="Agency", alt_text="A quiet harbour at dawn"
    )
    article = library.create_article(
        headline="Harbour", dek="A dek.", byline="Ana", body="Body text.", slug="harbour"
    )
    library.add_figure(article.id, image.id, role="hero")
    return image, library.get_article(article.id)


def test_a_picture_whose_file_was_deleted_fails_preflight_and_check(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    with Library.open(root) as library:
        image, article = _story_with_hero(library, jpeg(tmp_path / "harbour.jpg"))
        assert [p for p in preflight(library, article) if p.is_error] == []
        library.media_path(image).unlink()
        problems = [p for p in preflight(library, library.get_article(article.id)) if p.is_error]
        assert [p.code for p in problems] == ["hero-file-missing"]
        assert "harbour.jpg" in problems[0].message and "import the picture again" in (
            problems[0].message
        )
    done = subprocess.run(
        [sys.executable, "-m", "newsdesk", "--library", str(root), "check", "harbour"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "ready to publish" not in done.stdout
    assert "lost its file" in done.stdout
    assert "Traceback" not in done.stderr


def test_a_pictures_instructions_are_a_warning_not_a_failure(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    block = iim((2, 40, b"MANDATORY CREDIT: Port Authority. No sales."))
    with Library.open(root) as library:
        _image, article = _story_with_hero(library, jpeg(tmp_path / "h.jpg", iim_block=block))
        assert [p for p in preflight(library, article) if p.is_error] == []
        (warning,) = preflight_warnings(library, article)
        assert warning.message == (
            "The hero's instructions say: MANDATORY CREDIT: Port Authority. No sales."
        )
    done = subprocess.run(
        [sys.executable, "-m", "newsdesk", "--library", str(root), "check", "harbour"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "warning: The hero's instructions say: MANDATORY CREDIT" in done.stderr
    assert "ready to publish" in done.stdout


def test_a_picture_the_system_cannot_read_just_now_is_not_called_damaged(tmp_path):
    """Out of file handles (a big batch), the system refuses to open the file: that is no
    damage to the picture, and saving it again would not help."""
    import resource

    from newsdesk.images.pixels import open_image

    photo = jpeg(tmp_path / "harbour.jpg")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    open_fds = set()
    for fd in map(int, os.listdir("/proc/self/fd")):  # (the listing's own handle is closed now)
        try:
            os.fstat(fd)
            open_fds.add(fd)
        except OSError:
            pass
    lowest_free = next(n for n in range(len(open_fds) + 2) if n not in open_fds)
    resource.setrlimit(resource.RLIMIT_NOFILE, (lowest_free, hard))  # no handle left to open
    try:
        with pytest.raises(ImageError) as refused:
            open_image(photo)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    said = str(refused.value)
    assert said.startswith("harbour.jpg could not be read (Too many open files); try again")
    assert "damaged" not in said
    with open_image(photo) as im:  # the same file, once handles are free again
        assert im.format == "JPEG"
