"""A library on a read-only disk in the window: the picture and related-story panels offer no edit
they could not save (what was typed would look saved and was not), and an import says why not."""

from __future__ import annotations

import subprocess

import pytest
from PIL import Image as PILImage

from newsdesk.library import Library
from newsdesk.sample import seed_if_new


@pytest.fixture
def read_only_library(tmp_path):
    """The sample library on a tmpfs remounted read-only, opened as the editor opens it (a real
    read-only disk, mounted as the fault suite mounts one)."""
    mount = tmp_path / "mnt"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], check=True)
    try:
        with Library.open(mount / "library") as library:
            seed_if_new(library)
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        library = Library.open(mount / "library")
        assert library.read_only
        yield library
        library.close()
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_read_only_library_offers_no_picture_or_related_edit_and_refuses_imports_in_a_sentence(
    qtbot, make_window, read_only_library, tmp_path
):
    window = make_window(read_only_library)
    window.install_standard_panels()
    panel, picker = window.panels["images"], window.panels["related"]
    qtbot.waitUntil(lambda: panel.article_id is not None and bool(panel.figures), timeout=10_000)
    hero = panel.figures[0].image_id
    panel.select_image(hero)
    qtbot.waitUntil(lambda: panel.current is not None and panel.current.id == hero)
    form = panel.form
    editors = [*form.editors.values(), form.story_caption, form.story_alt]
    assert all(e.isReadOnly() for e in editors)  # readable and copyable, never typed into
    buttons = (panel.hero_button, panel.add_button, panel.insert_button, panel.remove_button)
    assert not any(b.isEnabled() for b in (*buttons, panel.crop_button, panel.import_button))
    assert not picker.isEnabled()
    assert not window.actions_by_name["import_articles"].isEnabled()

    picture = tmp_path / "new.jpg"
    PILImage.new("RGB", (64, 48), (30, 90, 160)).save(picture, "JPEG")
    before = len(read_only_library.list_images())
    panel.import_files([picture])
    said = panel.report_row.label.text()
    assert "read-only" in said and "no picture was imported" in said
    assert not panel.importing and len(read_only_library.list_images()) == before
