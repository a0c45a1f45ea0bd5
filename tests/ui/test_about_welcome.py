"""Help > About states the version and where the library is; the welcome shows on the first run only."""

from __future__ import annotations

import tomllib
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QWidget

import newsdesk
from newsdesk import settings as user_settings
from newsdesk.sample import seed_if_new
from newsdesk.ui.about import AboutDialog
from newsdesk.ui.welcome import WelcomeDialog, maybe_show_welcome

ROOT = Path(__file__).resolve().parents[2]


def test_about_shows_the_version_licence_qt_and_the_library(qtbot, library):
    dialog = AboutDialog(library, None)
    qtbot.addWidget(dialog)
    dialog.show()

    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert newsdesk.__version__ == version  # installed from this tree: the metadata agrees
    assert f"Version {version}" in dialog.title_label.text()
    details = dialog.details_label.text()
    assert "Licence: MIT" in details
    assert f"Qt {dialog.facts.qt}" in details and dialog.facts.qt.startswith("6.")
    assert str(library.root) in details

    dialog.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert f"newsdesk {version}" in copied and str(library.root) in copied


def test_the_welcome_shows_on_the_first_run_and_never_again(qtbot, library, tmp_path):
    settings = QSettings(str(tmp_path / "first-run.ini"), QSettings.Format.IniFormat)

    first = maybe_show_welcome(library, None, settings=settings)
    assert first is not None
    qtbot.addWidget(first)
    qtbot.waitExposed(first)
    assert not first.isModal()
    assert set(first.buttons) == {"new", "import_images", "export"}
    first.close()

    assert maybe_show_welcome(library, None, settings=settings) is None
    # It is the remembered setting that stops it, read back from the file.
    stored = QSettings(str(tmp_path / "first-run.ini"), QSettings.Format.IniFormat)
    assert user_settings.read(stored, user_settings.WELCOME_SHOWN) is True


def test_the_welcome_names_the_sample_story_when_the_library_has_it(qtbot, library):
    seed_if_new(library)
    dialog = WelcomeDialog(library, None)
    qtbot.addWidget(dialog)
    assert "Night ferry crews rehearse for the winter storms" in dialog.intro_label.text()


def test_the_welcomes_buttons_run_the_windows_actions_and_close_it(qtbot, library):
    window = QWidget()
    qtbot.addWidget(window)
    new_article = QAction("New article", window)
    window.actions_by_name = {"new": new_article}
    dialog = WelcomeDialog(library, window)
    dialog.show()

    with qtbot.waitSignals([new_article.triggered, dialog.sig_new_article]):
        dialog.buttons["new"].click()
    qtbot.waitUntil(lambda: not dialog.isVisible())

    # A pointer whose action the window does not have still says what was chosen.
    again = WelcomeDialog(library, window)
    with qtbot.waitSignal(again.sig_export):
        again.buttons["export"].click()
