"""The first-run welcome: a small window that points to New Article, Import Images and Export."""

from __future__ import annotations

import html

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from newsdesk import settings as user_settings
from newsdesk.library import Library

# What each pointer says, and the main window's action (by its name) its button triggers.
POINTERS = (
    (
        "new",
        "New article",
        "File › New article (Ctrl+N). Just start typing: every change is saved as you go, "
        "and the preview beside the editor is the page you will publish.",
    ),
    (
        "import_images",
        "Import images",
        "Drop photos on the Images panel, or use its Import button. Captions and credits "
        "already in the files are read for you.",
    ),
    (
        "export",
        "Export",
        "File › Export writes the finished pages to a folder that any web host can serve.",
    ),
)


class WelcomeDialog(QDialog):
    """Shown once, beside the main window; it never blocks it."""

    sig_new_article = Signal()
    """The reader chose New article."""
    sig_import_images = Signal()
    """The reader chose Import images."""
    sig_export = Signal()
    """The reader chose Export."""

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to newsdesk")
        self.setObjectName("welcome")
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        intro = "<h3>Welcome to newsdesk</h3>An editor for writing the news offline."
        try:
            from newsdesk.sample import SAMPLE_SLUG

            sample = library.find_article(SAMPLE_SLUG)
        except ImportError:
            sample = None
        if sample is not None:
            intro += (
                f" The library opens on a sample story, <i>{html.escape(sample.headline)}</i>, "
                "with its picture, credit and a related story: change it, or start your own."
            )
        self.intro_label = QLabel(intro)
        self.intro_label.setWordWrap(True)

        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setVerticalSpacing(10)
        self.buttons: dict[str, QPushButton] = {}
        self._signals = {
            "new": self.sig_new_article,
            "import_images": self.sig_import_images,
            "export": self.sig_export,
        }
        for row, (name, title, text) in enumerate(POINTERS):
            button = QPushButton(title)
            button.setObjectName(f"welcome-{name}")
            button.setProperty("pointer", name)
            # A bound method, not a lambda holding self: the dialog deletes itself on close.
            button.clicked.connect(self._on_pointer)
            label = QLabel(text)
            label.setWordWrap(True)
            grid.addWidget(button, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(label, row, 1)
            self.buttons[name] = button

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText("Got it")
        close.rejected.connect(self.close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro_label)
        layout.addSpacing(6)
        layout.addLayout(grid)
        layout.addWidget(close)
        self.setMinimumWidth(460)

    def _on_pointer(self) -> None:
        """Emit the choice; when the parent window has an action of that name, run it too."""
        name = self.sender().property("pointer")
        self._signals[name].emit()
        actions = getattr(self.parent(), "actions_by_name", {})
        action = actions.get(name)
        if isinstance(action, QAction) and action.isEnabled():
            action.trigger()
        self.close()


def maybe_show_welcome(
    library: Library, parent: QWidget | None = None, *, settings: QSettings | None = None
) -> WelcomeDialog | None:
    """Show the welcome on the first run only; returns it, or None when it was seen before."""
    s = settings if settings is not None else QSettings()
    if user_settings.read(s, user_settings.WELCOME_SHOWN):
        return None
    dialog = WelcomeDialog(library, parent)
    dialog.show()
    # Remembered as soon as it is shown: a welcome that nags at every start is no welcome.
    user_settings.write(s, user_settings.WELCOME_SHOWN, True)
    s.sync()
    return dialog
