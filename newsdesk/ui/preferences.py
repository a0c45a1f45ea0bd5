"""The Preferences dialog: the publication's details, and where the library folder lives.

Moving the folder itself (copy, verify, switch, remove) is Qt-free and lives in
newsdesk/library/relocate.py; this dialog asks where, shows progress and reports.
"""

from __future__ import annotations

import os
import shutil
import zoneinfo
from pathlib import Path

import shiboken6
from PySide6.QtCore import QSettings, QSize, Qt, QThreadPool, Signal
from PySide6.QtGui import QImageReader, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from newsdesk import paths
from newsdesk import settings as user_settings
from newsdesk.library import Image, Library, LibraryError, Publication
from newsdesk.library import publication as publication_settings
from newsdesk.library.library import DB_NAME
from newsdesk.library.relocate import (
    CopiedLibrary,
    MoveError,
    MoveProgress,
    copy_library,
    remove_old_library,
    switch_library,
    target_for,
)
from newsdesk.paths import LIBRARY_ENV, default_library_dir
from newsdesk.text import counted
from newsdesk.ui.ops import Operations, failure_message
from newsdesk.ui.workers import run_task

# Languages offered first; any BCP 47 tag can be typed.
COMMON_LANGUAGES = (
    "en", "en-GB", "en-US", "de", "fr", "es", "it", "nl", "pt", "pt-BR",
    "sv", "da", "nb", "fi", "pl", "cs", "el", "tr", "ja", "zh",
)  # fmt: skip
LOGO_PREVIEW = QSize(96, 64)
LOGO_CHOICES = 500  # the newest pictures offered as the logo (and the logo itself, however old)
BUSY_WAIT_MS = 3_000


# ---- where the library lives (remembered per user) -------------------------------------
def _settings(settings: QSettings | None) -> QSettings:
    return settings if settings is not None else QSettings()


def remembered_library_dir(settings: QSettings | None = None) -> Path | None:
    """The folder the user moved the library to, or None."""
    value = user_settings.read(_settings(settings), user_settings.LIBRARY_LOCATION)
    return Path(str(value)) if value else None


def remember_library_dir(path: Path, settings: QSettings | None = None) -> None:
    s = _settings(settings)
    user_settings.write(s, user_settings.LIBRARY_LOCATION, str(path))
    s.sync()
    paths.remember_library_dir(path)  # the command line follows the move too


def resolve_startup_library(library_dir: Path, settings: QSettings | None = None) -> Path:
    """The folder to open at start: a moved library wins over the per-user default.

    --library and NEWSDESK_LIBRARY still win: the remembered place only
    replaces the appdirs default, and only while a library is there.
    """
    if os.environ.get(LIBRARY_ENV) or Path(library_dir) != default_library_dir():
        return Path(library_dir)
    remembered = remembered_library_dir(settings)
    if remembered is not None and (remembered / DB_NAME).is_file():
        return remembered
    return Path(library_dir)


# ---- the dialog -------------------------------------------------------------------------
class PreferencesDialog(QDialog):
    """Publication name, base URL, language, time zone and logo; and the library's folder."""

    sig_publication_saved = Signal(object)
    """The publication's details were saved (the Publication record)."""
    sig_before_library_move = Signal()
    """A move is about to start: save any pending edits now."""
    sig_library_moved = Signal(object)
    """The library now lives in this folder (a Path); the open Library already points there."""
    sig_move_failed = Signal(str)
    """Moving the library failed; the message says why (the library is where it was)."""

    def __init__(
        self,
        library: Library,
        parent: QWidget | None = None,
        *,
        settings: QSettings | None = None,
        ops: Operations | None = None,
    ) -> None:
        super().__init__(parent)
        self.library = library
        # Saves go through the window's serial writer (or one of the dialog's own).
        self.ops = ops if ops is not None else Operations(library, self)
        self.settings = settings
        self.moving = False
        self.setWindowTitle("Preferences")
        self.setObjectName("preferences")

        # ---- publication
        pub_box = QGroupBox("Publication")
        form = QFormLayout(pub_box)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("The name on every page")
        self.url_edit = QLineEdit()
        # Empty is a real setting (pages that work from files, without absolute links),
        # so the placeholder says so instead of looking like an address already set.
        self.url_edit.setPlaceholderText("Not set: e.g. https://news.example.org/")
        self.url_edit.setClearButtonEnabled(True)
        self.url_edit.setToolTip(
            "Where the site is published. Canonical links, Open Graph addresses and sitemaps "
            "start with it; until it is set, exported pages have none of them."
        )
        self.url_note = QLabel(
            "No base URL yet: exported pages have no canonical links or sitemaps."
        )
        self.url_note.setObjectName("base-url-note")
        self.url_note.setWordWrap(True)
        self.url_note.setEnabled(False)  # drawn in the muted colour of a hint
        self.language_combo = QComboBox()
        self.language_combo.setEditable(True)
        self.language_combo.addItems(COMMON_LANGUAGES)
        self.language_combo.setToolTip("The pages' language, as a tag such as en, en-GB or de.")
        self.timezone_combo = QComboBox()
        self.timezone_combo.setEditable(True)
        self.timezone_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.timezone_combo.addItems(sorted(zoneinfo.available_timezones()))
        self.timezone_combo.setMaxVisibleItems(15)
        completer = QCompleter(self.timezone_combo.model(), self.timezone_combo)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.timezone_combo.setCompleter(completer)
        self.timezone_combo.setToolTip("Dates on the pages are shown in this time zone.")

        self.logo_preview = QLabel()
        self.logo_preview.setObjectName("logo-preview")
        self.logo_preview.setFixedSize(LOGO_PREVIEW)
        self.logo_preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.logo_preview.setFrameShape(QLabel.Shape.StyledPanel)
        self.logo_combo = QComboBox()
        self.logo_combo.setMinimumContentsLength(24)
        self.logo_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.import_logo_button = QPushButton("Import image…")
        logo_row = QHBoxLayout()
        logo_row.addWidget(self.logo_preview)
        logo_pick = QVBoxLayout()
        logo_pick.addWidget(self.logo_combo)
        logo_pick.addWidget(self.import_logo_button, 0, Qt.AlignmentFlag.AlignLeft)
        logo_row.addLayout(logo_pick, 1)

        form.addRow("&Name:", self.name_edit)
        form.addRow("&Base URL:", self.url_edit)
        form.addRow("", self.url_note)
        form.addRow("&Language:", self.language_combo)
        form.addRow("&Time zone:", self.timezone_combo)
        logo_label = QLabel("Lo&go:")
        logo_label.setBuddy(self.logo_combo)  # a row holding a layout has no buddy of its own
        form.addRow(logo_label, logo_row)

        # ---- library folder
        lib_box = QGroupBox("Library")
        lib_layout = QVBoxLayout(lib_box)
        row = QHBoxLayout()
        self.location_label = QLabel()
        self.location_label.setObjectName("library-location")
        self.location_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.location_label.setWordWrap(True)
        self.move_button = QPushButton("Move library…")
        self.move_button.setToolTip(
            "Copy the library to another folder, check every file, then remove the old one."
        )
        row.addWidget(self.location_label, 1)
        row.addWidget(self.move_button)
        lib_layout.addLayout(row)
        self.move_progress = QProgressBar()
        self.move_progress.setRange(0, 1000)
        self.move_progress.hide()
        self.move_status = QLabel()
        self.move_status.setObjectName("move-status")
        self.move_status.setWordWrap(True)
        self.move_status.hide()
        lib_layout.addWidget(self.move_progress)
        lib_layout.addWidget(self.move_status)

        # ---- errors and buttons
        self.error_label = QLabel()
        self.error_label.setObjectName("error")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.Apply
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Apply).clicked.connect(self.apply)

        layout = QVBoxLayout(self)
        layout.addWidget(pub_box)
        layout.addWidget(lib_box)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        self.logo_combo.currentIndexChanged.connect(self._show_logo)
        self.url_edit.textChanged.connect(self._show_url_note)
        self.import_logo_button.clicked.connect(self.choose_logo_file)
        self.move_button.clicked.connect(self.choose_library_folder)
        self.load()
        self.resize(560, self.sizeHint().height())

    # ---- publication -----------------------------------------------------------------
    def load(self) -> None:
        """Fill the fields from the library."""
        # On the writer: the first look at a new library's publication records its defaults,
        # and no read of the library runs on the GUI thread (the pictures offered as a logo too).
        pub, images = self.ops.call(_publication_and_logos)
        self._logo_images = {image.id: image for image in images}
        self.name_edit.setText(pub.name)
        self.url_edit.setText(pub.base_url)
        self._show_url_note()
        self.language_combo.setCurrentText(pub.language)
        self.timezone_combo.setCurrentText(pub.timezone)
        self._fill_logos(pub.logo_image_id)
        self.location_label.setText(str(self.library.root))
        if getattr(self.library, "dialect", "sqlite") != "sqlite":
            # A shared library lives in the newsroom's database, not in a folder of this computer.
            self.location_label.setText(f"Shared library {self.library.location}")
            self.move_button.setEnabled(False)
            self.move_button.setToolTip(
                "A shared library lives in the newsroom's database; its administrator moves it."
            )

    def _show_url_note(self) -> None:
        self.url_note.setVisible(not self.url_edit.text().strip())

    def _fill_logos(self, selected: int | None) -> None:
        self.logo_combo.blockSignals(True)
        self.logo_combo.clear()
        self.logo_combo.addItem("No logo", None)
        for image in self._logo_images.values():
            label = image.headline or image.original_name or image.caption[:40] or image.filename
            self.logo_combo.addItem(label, image.id)
        index = self.logo_combo.findData(selected) if selected is not None else 0
        self.logo_combo.setCurrentIndex(max(index, 0))
        self.logo_combo.blockSignals(False)
        self._show_logo()

    def _show_logo(self) -> None:
        image_id = self.logo_combo.currentData()
        self.logo_preview.clear()
        if image_id is None:
            self.logo_preview.setText("No logo")
            return
        image = self._logo_images.get(image_id)
        if image is None:
            self.logo_preview.setText("Missing")
            return
        reader = QImageReader(str(self.library.media_path(image)))
        reader.setAutoTransform(True)
        size = reader.size()
        if size.isValid():
            reader.setScaledSize(size.scaled(LOGO_PREVIEW, Qt.AspectRatioMode.KeepAspectRatio))
        picture = reader.read()
        if picture.isNull():
            self.logo_preview.setText("Unreadable")
        else:
            self.logo_preview.setPixmap(QPixmap.fromImage(picture))

    def values(self) -> dict:
        """The publication fields as typed, checked and tidied; raises ValueError with why."""
        # The same checks as `newsdesk publication`, so both accept the same values.
        return {
            "name": publication_settings.clean_name(self.name_edit.text()),
            "base_url": publication_settings.clean_base_url(self.url_edit.text()),
            "language": publication_settings.clean_language(self.language_combo.currentText()),
            "timezone": publication_settings.clean_timezone(self.timezone_combo.currentText()),
            "logo_image_id": self.logo_combo.currentData(),
        }

    def apply(self) -> bool:
        """Save the publication fields; False (and the reason shown) when one is wrong."""
        try:
            fields = self.values()
            # Waits for the writer: OK closes the dialog only once the save is in the file.
            pub = self.ops.call(
                lambda library: library.update_publication(**fields), initiator=self
            )
        except ValueError as exc:
            self._show_error(str(exc))
            return False
        except LibraryError as exc:
            self._show_error(failure_message(exc))
            return False
        self._show_error("")
        self.url_edit.setText(pub.base_url)
        self.sig_publication_saved.emit(pub)
        return True

    def accept(self) -> None:
        if self.moving:
            return
        if self.apply():
            super().accept()

    def reject(self) -> None:
        if not self.moving:  # a move in progress finishes before the dialog can close
            super().reject()

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    # ---- logo --------------------------------------------------------------------------
    def choose_logo_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import a logo", "", "Images (*.png *.jpg *.jpeg *.webp *.gif *.tif *.tiff)"
        )
        if path:
            self.import_logo(Path(path))

    def import_logo(self, path: Path) -> None:
        """Import an image file into the library on a worker and make it the logo."""
        from newsdesk.images.library_import import import_image

        self.import_logo_button.setEnabled(False)
        self._show_error("")
        library, chosen = self.library, self.logo_combo.currentData()

        def done(image) -> None:
            if not shiboken6.isValid(
                self
            ):  # closed while importing: the image stays in the library
                return
            self.import_logo_button.setEnabled(True)
            self._logo_images = {image.id: image, **self._logo_images}  # the newest first
            # It becomes the logo, unless another was picked while it was imported.
            now = self.logo_combo.currentData()
            self._fill_logos(image.id if now == chosen else now)

        def failed(exc: BaseException) -> None:
            if not shiboken6.isValid(self):
                return
            self.import_logo_button.setEnabled(True)
            self._show_error(f"The logo was not imported: {exc}")

        run_task(lambda: import_image(library, path), done, failed)

    # ---- library folder ----------------------------------------------------------------------
    def choose_library_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Move the library to…", str(self.library.root.parent)
        )
        if folder:
            self.move_library_to(Path(folder))

    def move_library_to(self, chosen: Path) -> None:
        """Move the open library into this folder (or a new subfolder of it), on a worker."""
        if self.moving:
            return
        source = self.library.root
        target = target_for(source, chosen)
        self.sig_before_library_move.emit()
        # Work still running (an import, an export) could write to the old folder after
        # it was copied; give it a moment to finish, and do not move while it runs.
        pool = QThreadPool.globalInstance()
        busy = pool.activeThreadCount() and not pool.waitForDone(BUSY_WAIT_MS)
        if busy or not self.ops.wait(BUSY_WAIT_MS):  # queued saves land in the old folder first
            self._move_failed(
                MoveError(
                    "Other work (an import or an export) is still running; "
                    "wait for it to finish, then move the library."
                )  # fmt: skip
            )
            return
        self.moving = True
        self._set_busy(True)
        self.move_status.setText(f"Copying the library to {target}…")
        run_task(
            lambda progress: copy_library(source, target, progress),
            self._copied,
            self._move_failed,
            self._move_progress,
        )

    def _set_busy(self, busy: bool) -> None:
        self.move_button.setEnabled(not busy)
        self.buttons.setEnabled(not busy)
        self.move_progress.setVisible(busy)
        self.move_status.show()
        if busy:
            self.move_progress.setValue(0)

    def _move_progress(self, p: MoveProgress) -> None:
        self.move_progress.setValue(int(1000 * p.done / p.total) if p.total else 1000)
        if p.name:
            self.move_status.setText(f"Copying {p.name}…")

    def _copied(self, copied: CopiedLibrary) -> None:
        if not shiboken6.isValid(self):
            # The dialog went away mid-copy: keep using the original, which is untouched;
            # the finished copy stays where it is.
            copied.release()
            return
        try:
            switch_library(self.library, copied)
        except MoveError as exc:
            shutil.rmtree(copied.target, ignore_errors=True)
            self._move_failed(exc)
            return
        remember_library_dir(copied.target, self.settings)
        self.location_label.setText(str(copied.target))
        self.move_status.setText("Checked every file; removing the old folder…")
        run_task(lambda: remove_old_library(copied), lambda left: self._moved(copied, left),
                 lambda exc: self._moved(copied, [copied.source], str(exc)))  # fmt: skip

    def _moved(self, copied: CopiedLibrary, leftovers: list[Path], why: str = "") -> None:
        if not shiboken6.isValid(self):
            return
        self.moving = False
        self._set_busy(False)
        text = f"The library now lives in {copied.target} ({len(copied.files) + 1} files checked)."
        if leftovers:
            text += (
                f" {counted(len(leftovers), 'file')} "
                f"{'was' if len(leftovers) == 1 else 'were'} left in the old folder {copied.source}"
                + (f" ({why})" if why else "")
                + "; they were not part of the copy. Look them over, then delete that folder."
            )
        self.move_status.setText(text)
        self.sig_library_moved.emit(copied.target)

    def _move_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self.moving = False
        self._set_busy(False)
        message = str(exc) if isinstance(exc, MoveError) else f"The library was not moved: {exc}"
        self.move_status.hide()
        self._show_error(message)
        self.sig_move_failed.emit(message)


def _publication_and_logos(library: Library) -> tuple[Publication, list[Image]]:
    """The publication and the pictures offered as its logo: the newest, and the logo itself."""
    pub = library.publication()
    images = library.list_images(limit=LOGO_CHOICES)
    if pub.logo_image_id is not None and all(i.id != pub.logo_image_id for i in images):
        try:
            images.append(library.get_image(pub.logo_image_id))
        except LibraryError:
            pass  # gone from the library: "No logo" is what the page shows too
    return pub, images


def show_preferences(window: QWidget) -> PreferencesDialog:
    """Open Preferences over a main window (window-modal), wired to what it offers.

    Pending edits are saved before a move (its save_everything), and the open
    article is re-read after the publication changes or the library moves (its
    reload_article), so the preview shows the new name, logo and file paths.
    """
    dialog = PreferencesDialog(
        window.library,  # type: ignore[attr-defined]
        window,
        ops=getattr(window, "ops", None),
    )
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    wiring = (
        (dialog.sig_before_library_move, "save_everything"),
        (dialog.sig_publication_saved, "reload_article"),
        (dialog.sig_library_moved, "reload_article"),
    )
    for signal, name in wiring:
        slot = getattr(window, name, None)
        if callable(slot):
            # The bound method itself, not a lambda around it: a lambda would hold the
            # window alive from inside its own child dialog.
            signal.connect(slot)
    dialog.open()
    return dialog


__all__ = [
    "CopiedLibrary",
    "MoveError",
    "MoveProgress",
    "PreferencesDialog",
    "copy_library",
    "remember_library_dir",
    "remembered_library_dir",
    "remove_old_library",
    "resolve_startup_library",
    "show_preferences",
    "switch_library",
    "target_for",
]
