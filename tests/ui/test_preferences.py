"""Preferences: the publication's details are saved in the library, and the library moves safely."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import pytest

from newsdesk import settings as user_settings
from newsdesk.images.library_import import import_image
from newsdesk.library import Library
from newsdesk.sample import SAMPLE_SLUG, seed_if_new
from newsdesk.ui.preferences import (
    LOGO_CHOICES,
    PreferencesDialog,
    remembered_library_dir,
    resolve_startup_library,
    show_preferences,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "images"
SIDE_FILES = {"library.sqlite-wal", "library.sqlite-shm", "library.sqlite"}


def file_hashes(root: Path) -> dict[str, str]:
    """Every file in a library folder (the database aside), by relative path, with its SHA-256."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name not in SIDE_FILES
    }


@pytest.fixture
def dialog(qtbot, library, settings):
    d = PreferencesDialog(library, None, settings=settings)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    return d


@pytest.fixture
def full_library(library):
    """The sample library (articles, images, thumbnails) plus a template override."""
    seed_if_new(library)
    library.templates_dir.mkdir(exist_ok=True)
    (library.templates_dir / "footer.html").write_text("<footer>Our own footer</footer>")
    return library


def test_the_publication_details_typed_are_saved_in_the_library(qtbot, dialog, library):
    dialog.name_edit.setText("  Harrow   Island Gazette ")
    dialog.url_edit.setText("https://gazette.example.org/news")
    dialog.language_combo.setCurrentText("en-GB")
    dialog.timezone_combo.setCurrentText("Europe/London")

    with qtbot.waitSignal(dialog.sig_publication_saved) as saved:
        dialog.accept()

    pub = library.publication()
    assert (pub.name, pub.base_url, pub.language, pub.timezone) == (
        "Harrow Island Gazette",
        "https://gazette.example.org/news/",
        "en-GB",
        "Europe/London",
    )
    assert saved.args[0].name == "Harrow Island Gazette"
    assert dialog.result() == PreferencesDialog.DialogCode.Accepted
    with Library.open(library.root) as again:  # it is in the file, not only in this session
        assert again.publication().timezone == "Europe/London"


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("timezone", "Mars/Olympus_Mons", "not a time zone"),
        ("url", "gazette.example.org", "must start with https://"),
        ("language", "English please", "not a language tag"),
        ("name", "   ", "needs a name"),
    ],
)
def test_a_wrong_value_is_refused_with_the_reason_and_nothing_is_saved(
    dialog, library, field, value, reason
):
    before = library.publication()
    widget = {
        "timezone": dialog.timezone_combo,
        "language": dialog.language_combo,
        "url": dialog.url_edit,
        "name": dialog.name_edit,
    }[field]
    if hasattr(widget, "setCurrentText"):
        widget.setCurrentText(value)
    else:
        widget.setText(value)

    dialog.accept()

    assert dialog.isVisible()  # still open, so the user can fix it
    assert dialog.error_label.isVisible()
    assert reason in dialog.error_label.text()
    after = library.publication()
    assert (after.name, after.base_url, after.language, after.timezone) == (
        before.name,
        before.base_url,
        before.language,
        before.timezone,
    )


def test_a_logo_imported_from_a_file_becomes_the_publications_logo(qtbot, dialog, library):
    dialog.import_logo(FIXTURES / "exiftool-IPTC.jpg")
    qtbot.waitUntil(lambda: dialog.logo_combo.currentData() is not None, timeout=10_000)

    assert dialog.logo_preview.pixmap() is not None and not dialog.logo_preview.pixmap().isNull()
    dialog.accept()
    logo_id = library.publication().logo_image_id
    assert logo_id == dialog.logo_combo.currentData()
    assert library.media_path(library.get_image(logo_id)).is_file()


def test_a_logo_can_be_picked_from_the_library_and_removed_again(qtbot, library, settings):
    image = import_image(library, FIXTURES / "pillow-iptc.jpg")
    d = PreferencesDialog(library, None, settings=settings)
    qtbot.addWidget(d)

    d.logo_combo.setCurrentIndex(d.logo_combo.findData(image.id))
    assert d.apply()
    assert library.publication().logo_image_id == image.id

    d.logo_combo.setCurrentIndex(d.logo_combo.findData(None))
    assert d.logo_preview.text() == "No logo"
    assert d.apply()
    assert library.publication().logo_image_id is None


def test_a_logo_older_than_the_newest_pictures_stays_the_logo_when_saving(qtbot, library, settings):
    logo = import_image(library, FIXTURES / "pillow-iptc.jpg")
    library.update_publication(logo_image_id=logo.id)
    library.add_images(
        [
            {"sha256": f"{n:064x}", "ext": ".jpg", "original_name": f"newer-{n}.jpg"}
            for n in range(1, LOGO_CHOICES + 2)
        ]
    )
    d = PreferencesDialog(library, None, settings=settings)
    qtbot.addWidget(d)

    assert d.logo_combo.currentData() == logo.id
    assert d.logo_preview.pixmap() is not None and not d.logo_preview.pixmap().isNull()
    d.name_edit.setText("The Harbour Times")
    assert d.apply()
    assert library.publication().logo_image_id == logo.id


def test_moving_the_library_moves_every_file_and_the_next_start_opens_it_there(
    qtbot, full_library, settings, tmp_path
):
    library = full_library
    old_root = library.root
    files_before = file_hashes(old_root)
    articles_before = library.count_articles()
    assert any(name.startswith("media/") for name in files_before)
    assert any(name.startswith("cache/") for name in files_before)
    d = PreferencesDialog(library, None, settings=settings)
    qtbot.addWidget(d)
    d.show()
    new_place = tmp_path / "Documents" / "Newsroom"

    with qtbot.waitSignal(d.sig_library_moved, timeout=30_000) as moved:
        d.move_library_to(new_place)

    assert moved.args[0] == new_place
    assert not old_root.exists(), "the old folder is removed once the copy is verified"
    assert file_hashes(new_place) == files_before
    assert library.root == new_place
    assert library.count_articles() == articles_before
    assert d.location_label.text() == str(new_place)
    assert "now lives in" in d.move_status.text()
    assert remembered_library_dir(settings) == new_place

    # The open library writes to the new place...
    article = library.get_article(SAMPLE_SLUG)
    library.update_article(article.id, headline="Written after the move")
    # ...and the moved library opens on its own with every article.
    with Library.open(new_place, create=False) as reopened:
        assert reopened.count_articles() == articles_before
        assert reopened.get_article(SAMPLE_SLUG).headline == "Written after the move"
        hero = next(f for f in reopened.get_article(SAMPLE_SLUG).figures if f.role == "hero")
        assert reopened.media_path(hero.image).is_file()


def test_a_folder_with_things_in_it_gets_the_library_as_a_subfolder(
    qtbot, full_library, settings, tmp_path
):
    busy = tmp_path / "Shared"
    busy.mkdir()
    (busy / "notes.txt").write_text("someone else's file")
    d = PreferencesDialog(full_library, None, settings=settings)
    qtbot.addWidget(d)

    with qtbot.waitSignal(d.sig_library_moved, timeout=30_000) as moved:
        d.move_library_to(busy)

    assert moved.args[0] == busy / "library"
    assert (busy / "notes.txt").read_text() == "someone else's file"
    assert (busy / "library" / "library.sqlite").is_file()


def _assert_untouched(library: Library, root: Path, files_before: dict, articles: int) -> None:
    assert library.root == root
    assert file_hashes(root) == files_before
    assert library.count_articles() == articles
    library.create_article(headline="Still writing to the old place")
    with Library.open(root, create=False) as again:
        assert again.count_articles() == articles + 1


def test_a_target_that_cannot_be_created_leaves_the_library_where_it_was(
    qtbot, full_library, settings, tmp_path
):
    library = full_library
    root, files_before, articles = library.root, file_hashes(library.root), library.count_articles()
    a_file = tmp_path / "not-a-folder.txt"
    a_file.write_text("a file, so nothing can be created under it (even as root)")
    d = PreferencesDialog(library, None, settings=settings)
    qtbot.addWidget(d)

    with qtbot.waitSignal(d.sig_move_failed, timeout=30_000) as failed:
        d.move_library_to(a_file / "Newsroom")

    message = failed.args[0]
    assert "not moved" in message and str(root) in message
    assert not d.error_label.isHidden() and d.error_label.text() == message
    assert d.move_button.isEnabled() and not d.moving
    assert settings.value(user_settings.LIBRARY_LOCATION.key) is None
    _assert_untouched(library, root, files_before, articles)


def test_a_disk_that_fills_up_mid_copy_leaves_the_original_whole(
    qtbot, full_library, settings, tmp_path, monkeypatch
):
    library = full_library
    root, files_before, articles = library.root, file_hashes(library.root), library.count_articles()
    target_parent = tmp_path / "External"
    target_parent.mkdir()
    real_fsync, calls = os.fsync, []

    def fsync_until_full(fd):
        calls.append(fd)
        if len(calls) == 3:  # the third file copied: the disk is full
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync_until_full)
    d = PreferencesDialog(library, None, settings=settings)
    qtbot.addWidget(d)

    with qtbot.waitSignal(d.sig_move_failed, timeout=30_000) as failed:
        d.move_library_to(target_parent / "Newsroom")
    monkeypatch.setattr(os, "fsync", real_fsync)

    assert "No space left on device" in failed.args[0]
    assert list(target_parent.iterdir()) == [], "the half-made copy is cleaned away"
    _assert_untouched(library, root, files_before, articles)


def test_a_library_cannot_be_moved_into_itself(qtbot, full_library, settings):
    d = PreferencesDialog(full_library, None, settings=settings)
    qtbot.addWidget(d)
    with qtbot.waitSignal(d.sig_move_failed, timeout=10_000) as failed:
        d.move_library_to(full_library.root / "media" / "deeper")
    assert "inside itself" in failed.args[0]
    assert not (full_library.root / "media" / "deeper").exists()


def test_the_next_start_opens_the_moved_library_unless_told_otherwise(
    tmp_path, monkeypatch, settings
):
    from newsdesk.paths import default_library_dir

    monkeypatch.delenv("NEWSDESK_LIBRARY")
    default = default_library_dir()
    moved = tmp_path / "Moved"
    Library.open(moved).close()

    assert resolve_startup_library(default, settings) == default  # nothing remembered yet
    user_settings.write(settings, user_settings.LIBRARY_LOCATION, str(moved))
    assert resolve_startup_library(default, settings) == moved
    other = tmp_path / "Chosen"
    assert resolve_startup_library(other, settings) == other  # --library wins
    monkeypatch.setenv("NEWSDESK_LIBRARY", str(other))
    assert resolve_startup_library(other, settings) == other  # so does the variable
    monkeypatch.delenv("NEWSDESK_LIBRARY")
    (moved / "library.sqlite").unlink()
    assert resolve_startup_library(default, settings) == default  # gone: back to the default


def test_preferences_opened_over_a_window_refresh_it_after_saving(qtbot, library):
    from PySide6.QtWidgets import QWidget

    class Window(QWidget):
        """Stands in for the main window: the two methods Preferences calls on it."""

        def __init__(self) -> None:
            super().__init__()
            self.library = library
            self.calls: list[str] = []

        def save_everything(self) -> None:
            self.calls.append("save")

        def reload_article(self) -> None:
            self.calls.append("reload")

    window = Window()
    qtbot.addWidget(window)
    window.show()
    dialog = show_preferences(window)

    assert dialog.isVisible() and dialog.isModal()
    dialog.name_edit.setText("The Evening Ferry")
    dialog.accept()
    assert window.calls == ["reload"]
    assert library.publication().name == "The Evening Ferry"
