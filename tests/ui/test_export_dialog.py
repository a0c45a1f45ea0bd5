"""File > Export… from the main window: the site is written in the background and the report shown."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QAbstractButton, QLabel

from newsdesk.sample import SAMPLE_SLUG, seed_if_new


def test_exporting_the_site_from_the_file_menu(qtbot, make_window, library, settings, tmp_path):
    seed_if_new(library)
    library.update_publication(base_url="https://news.example/")
    window = make_window()
    window.actions_by_name["export"].trigger()
    dialog = window.export_dialog
    dialog.settings = settings
    out = tmp_path / "site"
    dialog.folder.setText(str(out))
    with qtbot.waitSignal(dialog.sig_finished, timeout=120_000) as finished:
        dialog.start_button.click()
        assert dialog.running and not dialog.start_button.isEnabled()
    report = finished.args[0]
    assert report.ok, report.problem_lines()
    page = out / "local" / SAMPLE_SLUG / "index.html"
    assert page.is_file()
    assert "Night ferry crews rehearse" in page.read_text(encoding="utf-8")
    assert "2" in dialog.status.text()  # the summary names what was written
    assert not dialog.running and dialog.cancel_button.text() == "Close"


def test_a_bad_target_is_reported_in_the_dialog(qtbot, make_window, library, settings, tmp_path):
    seed_if_new(library)
    window = make_window()
    window.actions_by_name["export"].trigger()
    dialog = window.export_dialog
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    dialog.folder.setText(str(blocker / "site"))
    with qtbot.waitSignal(dialog.sig_finished, timeout=60_000) as finished:
        dialog.start_button.click()
    assert isinstance(finished.args[0], Exception)
    assert dialog.status.text().startswith("The export failed:")
    assert blocker.read_text() == "not a folder"


def test_export_needs_a_folder(qtbot, make_window, library):
    window = make_window()
    window.actions_by_name["export"].trigger()
    dialog = window.export_dialog
    dialog.folder.setText("")
    dialog.start_button.click()
    assert not dialog.running and "Choose a folder" in dialog.status.text()


class Opened(QObject):
    """Catches the file URLs the dialog asks the desktop to open (Qt's own hook for them)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def test_a_finished_export_offers_to_open_the_site_and_show_the_folder(
    qtbot, make_window, library, settings, tmp_path
):
    seed_if_new(library)
    window = make_window()
    window.actions_by_name["export"].trigger()
    dialog = window.export_dialog
    dialog.settings = settings
    assert not dialog.open_button.isVisible() and not dialog.folder_button.isVisible()
    out = tmp_path / "site"
    dialog.folder.setText(str(out))
    with qtbot.waitSignal(dialog.sig_finished, timeout=120_000):
        dialog.start_button.click()
    assert dialog.open_button.isVisible() and dialog.open_button.text() == "&Open the Site"
    assert dialog.folder_button.isVisible()
    letters = [
        w.text().replace("&&", "").split("&")[1][0].lower()
        for w in dialog.findChildren(QAbstractButton) + dialog.findChildren(QLabel)
        if w.isVisible() and "&" in w.text().replace("&&", "")
    ]
    assert len(letters) == len(set(letters)) >= 3  # Folder, Open, Show: each its own Alt-letter
    opened = Opened()
    QDesktopServices.setUrlHandler("file", opened, "open")
    try:
        dialog.open_button.click()
        dialog.folder_button.click()
        # Just the open story, exported alone: Open shows its page.
        dialog.this_article.setChecked(True)
        with qtbot.waitSignal(dialog.sig_finished, timeout=120_000):
            dialog.start_button.click()
        assert dialog.open_button.text() == "&Open the Page"
        dialog.open_button.click()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    paths = [Path(url.toLocalFile()) for url in opened.urls]
    assert paths == [out / "index.html", out, out / "local" / SAMPLE_SLUG / "index.html"]


def test_open_shows_the_story_exported_alone_though_the_choice_changed_while_it_ran(
    qtbot, make_window, library, settings, tmp_path
):
    seed_if_new(library)
    window = make_window()
    window.actions_by_name["export"].trigger()
    dialog = window.export_dialog
    dialog.settings = settings
    out = tmp_path / "site"
    dialog.folder.setText(str(out))
    dialog.this_article.setChecked(True)
    with qtbot.waitSignal(dialog.sig_finished, timeout=120_000):
        dialog.start_button.click()
        dialog.whole_site.setChecked(True)  # for the next export, chosen while this one runs
    assert dialog.open_button.isVisible() and dialog.open_button.text() == "&Open the Page"
    assert dialog.page_to_open() == out / "local" / SAMPLE_SLUG / "index.html"


def test_a_failed_export_offers_nothing_to_open(qtbot, make_window, library, tmp_path):
    window = make_window()
    window.actions_by_name["export"].trigger()
    dialog = window.export_dialog
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    dialog.folder.setText(str(blocker / "site"))
    with qtbot.waitSignal(dialog.sig_finished, timeout=60_000):
        dialog.start_button.click()
    assert not dialog.open_button.isVisible() and not dialog.folder_button.isVisible()
