"""Imports are all or nothing, files included: a full disk, a refusal or a kill leaves no media file
without a record, no record without its file, and no worker process behind."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PIL import Image

from newsdesk.images.library_import import import_image, import_images
from newsdesk.importing import ImportProblem, import_markdown_files
from newsdesk.library import Library
from newsdesk.library.media import STAGING_DIR
from tests.processes import descendants, survivors_after

REPO = Path(__file__).resolve().parents[2]


def _noise_jpeg(path: Path, size=(800, 600), quality=92) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(
        path, "JPEG", quality=quality
    )
    return path


def _copies(src: Path, folder: Path, n: int) -> list[Path]:
    """n distinct files (different bytes after the JPEG end marker) of one picture."""
    folder.mkdir(parents=True, exist_ok=True)
    data = src.read_bytes()
    out = []
    for i in range(n):
        p = folder / f"photo-{i:03d}.jpg"
        p.write_bytes(data + f"copy {i}".encode())
        out.append(p)
    return out


def _assert_media_matches_records(root: Path) -> None:
    """media/ holds exactly the records' files; no import is left in staging."""
    with Library.open(root) as library:
        images = library.list_images()
        names = {img.filename for img in images}
        files = {p.name for p in library.media_dir.iterdir()}
        assert files == names, f"files without records: {files - names}; missing: {names - files}"
    staging = root / STAGING_DIR
    assert not staging.exists() or not any(staging.iterdir())


# ---------------------------------------------------------------- a full disk, for real
@pytest.fixture
def small_disk(tmp_path: Path):
    """A 3 MiB tmpfs: a real ENOSPC. Falls back to nothing when mounting is impossible."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        yield None
        return
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _inject_enospc(monkeypatch: pytest.MonkeyPatch, after: int) -> None:
    """Where no tmpfs can be mounted: the OS call that stores a file's bytes fails with ENOSPC."""
    import newsdesk.images.importer as importer

    calls = {"n": 0}
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] > after:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(importer.os, "fsync", fsync)


def test_a_bulk_import_that_fills_the_disk_keeps_nothing(
    small_disk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = (small_disk or tmp_path) / "lib"
    Library.open(root).close()
    photos = _copies(_noise_jpeg(tmp_path / "src" / "noise.jpg"), tmp_path / "batch", 24)
    assert sum(p.stat().st_size for p in photos) > 6 * 2**20  # twice what the disk holds
    workers = 2
    if small_disk is None:
        _inject_enospc(monkeypatch, after=5)
        workers = 1  # the injection lives in this process
    with Library.open(root) as library:
        report = import_images(library, photos, workers=workers)
        assert report.imported == []
        assert "Nothing was imported" in report.error and "full" in report.error
        assert "Errno" not in report.error and "OSError" not in report.error
        assert len(report.failed) == len(photos)
        assert library.list_images() == []
    _assert_media_matches_records(root)
    # The space the batch took is free again: one picture still fits afterwards.
    monkeypatch.undo()
    with Library.open(root) as library:
        image = import_image(library, photos[0])
        assert library.media_path(image).is_file()
    _assert_media_matches_records(root)


def test_a_single_import_on_a_full_disk_is_refused_in_one_sentence(
    small_disk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = (small_disk or tmp_path) / "lib"
    Library.open(root).close()
    big = _noise_jpeg(tmp_path / "big.jpg", size=(2000, 1600), quality=95)
    if small_disk is None:
        _inject_enospc(monkeypatch, after=0)
    else:
        assert big.stat().st_size > 3 * 2**20
    from newsdesk.images import ImageError

    with Library.open(root) as library, pytest.raises(ImageError) as caught:
        import_image(library, big)
    message = str(caught.value)
    assert "big.jpg" in message and "full" in message and "Errno" not in message
    _assert_media_matches_records(root)


# ---------------------------------------------------------------- refused Markdown batch
def test_a_refused_markdown_batch_leaves_nothing_in_media(tmp_path: Path) -> None:
    src = tmp_path / "stories"
    _noise_jpeg(src / "good.jpg", size=(200, 150))
    (src / "broken.jpg").write_bytes(_noise_jpeg(tmp_path / "x.jpg").read_bytes()[:3000])
    (src / "a.md").write_text("---\nheadline: A\nhero:\n  file: good.jpg\n---\nBody A.\n")
    (src / "b.md").write_text("---\nheadline: B\nhero:\n  file: broken.jpg\n---\nBody B.\n")
    with Library.open(tmp_path / "lib") as library:
        with pytest.raises(ImportProblem) as caught:
            import_markdown_files(library, [src / "a.md", src / "b.md"])
        assert "broken.jpg" in str(caught.value)
        assert library.list_images() == []
        assert library.list_articles() == []
    _assert_media_matches_records(tmp_path / "lib")


def test_an_accepted_markdown_batch_moves_its_pictures_into_media(tmp_path: Path) -> None:
    src = tmp_path / "stories"
    _noise_jpeg(src / "good.jpg", size=(200, 150))
    (src / "a.md").write_text(
        "---\nheadline: A\nhero:\n  file: good.jpg\n---\nBody ![Boats](good.jpg).\n"
    )
    with Library.open(tmp_path / "lib") as library:
        (result,) = import_markdown_files(library, [src / "a.md"])
        (figure,) = result.article.figures
        assert library.media_path(figure.image).is_file()
    _assert_media_matches_records(tmp_path / "lib")


# ---------------------------------------------------------------- recovery at open
def test_opening_a_library_adopts_recorded_staged_files_and_removes_the_rest(
    tmp_path: Path,
) -> None:
    root = tmp_path / "lib"
    photo = _noise_jpeg(tmp_path / "p.jpg", size=(120, 90))
    with Library.open(root) as library:
        image = import_image(library, photo)
    # A crash after the commit, before the move: the recorded file is still staged;
    # beside it, a file whose batch never committed.
    media_file = root / "media" / image.filename
    batch = root / STAGING_DIR / "deadbeef"
    batch.mkdir(parents=True)
    os.replace(media_file, batch / image.filename)
    (batch / ("f" * 64 + ".jpg")).write_bytes(b"never recorded")
    (batch / ".import-123.tmp").write_bytes(b"half a copy")
    (batch / ".lock").write_bytes(b"")
    with Library.open(root) as library:
        assert library.media_path(library.get_image(image.id)).is_file()
    assert not batch.exists()
    _assert_media_matches_records(root)


def test_a_running_import_is_not_settled_by_another_open(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    with Library.open(root) as library, library.stage() as batch:
        staged = batch.dir / ("a" * 64 + ".jpg")
        staged.write_bytes(b"being imported")
        # Another process (the command line, say) opens the same library meanwhile.
        Library.open(root).close()
        assert staged.exists(), "a live import's files must be left alone"
    assert not staged.exists()  # never recorded: removed when the import settles


# ---------------------------------------------------------------- killed import
KILL_SCRIPT = textwrap.dedent(
    """
    import sys
    from newsdesk.library import Library
    from newsdesk.images.library_import import import_images

    library = Library.open(sys.argv[1])

    def progress(done, total):
        if done == 2:
            print("started", flush=True)

    import_images(library, sys.argv[2:], workers=2, progress=progress)
    print("finished", flush=True)
    """
)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the workers")
def test_a_killed_bulk_import_leaves_no_worker_and_no_orphan_file(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    Library.open(root).close()
    photos = _copies(_noise_jpeg(tmp_path / "noise.jpg", size=(1600, 1200)), tmp_path / "in", 40)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, str(root), *map(str, photos)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = proc.stdout.readline()
        assert line.strip() == "started", proc.stderr.read()
        workers = descendants(proc.pid)
        assert workers, "the import should be running on worker processes"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        survivors = survivors_after(workers, 5)
        assert not survivors, f"workers outlived the killed import by 5 s: {survivors}"
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in descendants(proc.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    _assert_media_matches_records(root)
    with Library.open(root) as library:
        assert library.list_images() == []  # the batch never committed
