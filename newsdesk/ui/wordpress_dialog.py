"""Article > Publish to WordPress…: the open story into a WordPress site, on the writer, with progress.

The site and user are remembered in the library's settings. The application
password is asked for here and kept only in this process's memory (for the
rest of the session, per site and user); it is never written anywhere.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from newsdesk.publish.wordpress import (
    SITE_SETTING,
    USER_SETTING,
    NotPublishable,
    Outcome,
    check_login,
    publish_story,
)
from newsdesk.publish.wp_api import WordPressAPI, WordPressError, clean_site_url
from newsdesk.ui.ops import failure_message

# (site, user) -> application password, for this session only: never saved.
_SESSION_PASSWORDS: dict[tuple[str, str], str] = {}
FORCE_HINT = "tick “Overwrite changes made in WordPress”"
STATUS_CHOICES = (
    ("As the story is (scheduled under embargo)", None),
    ("Draft", "draft"),
    ("Published", "publish"),
    ("Scheduled for its embargo", "future"),
)


def forget_passwords() -> None:
    """Drop every password typed this session."""
    _SESSION_PASSWORDS.clear()


class _Progress(QObject):
    """Carries progress sentences from the writer thread to the dialog (a queued signal)."""

    sig_step = Signal(str)


class WordPressDialog(QDialog):
    """Site, user and password; Publish runs on the library's writer and ends in one sentence."""

    sig_finished = Signal(object)
    """The publish ended: an Outcome, or the exception that stopped it."""

    def __init__(self, window, article_id: int, slug: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Publish to WordPress")
        self.window_ = window
        self.library = window.library
        self.article_id = article_id
        self.slug = slug
        self.running = False
        self.outcome: Outcome | None = None

        self.site = QLineEdit(str(self.library.get_setting(SITE_SETTING, "") or ""))
        self.site.setPlaceholderText("https://news.example.org/")
        self.site.setAccessibleName("WordPress site address")
        self.user = QLineEdit(str(self.library.get_setting(USER_SETTING, "") or ""))
        self.user.setAccessibleName("WordPress user name")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Application password")
        self.password.setPlaceholderText("WordPress > Users > Profile > Application Passwords")
        self.password.setText(self._remembered_password())
        self.status_choice = QComboBox()
        for text, value in STATUS_CHOICES:
            self.status_choice.addItem(text, value)
        self.status_choice.setAccessibleName("Post status")
        self.force = QCheckBox("Overwrite changes made in WordPress")

        form = QFormLayout()
        form.addRow("&Site:", self.site)
        form.addRow("&User:", self.user)
        form.addRow("&Password:", self.password)
        form.addRow("S&tatus:", self.status_choice)
        form.addRow("", self.force)
        note = QLabel("The password is kept in memory until you quit; newsdesk never stores it.")
        note.setWordWrap(True)

        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setTextVisible(False)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.buttons = QDialogButtonBox()
        self.publish_button = self.buttons.addButton(
            "Publish", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.publish_button.clicked.connect(self.start)
        self.close_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Publish <b>{_escape(slug)}</b> to a WordPress site."))
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(520, 300)
        self._relay = _Progress(self)
        self._relay.sig_step.connect(self.status.setText)
        if self.password.text() or not self.site.text():
            self.site.setFocus()
        else:
            self.password.setFocus()

    def _remembered_password(self) -> str:
        try:
            site = clean_site_url(self.site.text())
        except WordPressError:
            return ""
        return _SESSION_PASSWORDS.get((site, self.user.text().strip()), "")

    def start(self) -> None:
        """Check what was typed, then publish on the library's writer."""
        if self.running:
            return
        try:
            site = clean_site_url(self.site.text())
        except WordPressError as exc:
            self._say(str(exc), self.site)
            return
        user, password = self.user.text().strip(), self.password.text().strip()
        if not user:
            self._say("Type the WordPress user who publishes.", self.user)
            return
        if not password:
            self._say(
                "Type an application password (WordPress > Users > Profile > Application "
                "Passwords).",
                self.password,
            )
            return
        self.window_.save_everything()  # the words on screen are the words published
        status, force = self.status_choice.currentData(), self.force.isChecked()
        article_id, relay = self.article_id, self._relay

        def work(library) -> Outcome:
            api = WordPressAPI(site, user, password)
            check_login(api)
            library.set_setting(SITE_SETTING, site)
            library.set_setting(USER_SETTING, user)
            _SESSION_PASSWORDS[(site, user)] = password  # accepted: kept for the session
            article = library.get_article(article_id)
            return publish_story(
                library,
                api,
                article,
                status=status,
                force=force,
                progress=relay.sig_step.emit,
                force_hint=FORCE_HINT,
            )

        self.running = True
        self.publish_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.status.setText(f"Connecting to {site}…")
        self.window_.ops.run_op(
            work, on_success=self._on_done, on_failure=self._on_error, initiator=self
        )

    def _say(self, text: str, field: QWidget) -> None:
        self.status.setText(text)
        field.setFocus()

    def _finish(self) -> None:
        self.running = False
        self.publish_button.setEnabled(True)
        self.progress.setRange(0, 1)

    def _on_done(self, outcome: Outcome) -> None:
        self._finish()
        self.outcome = outcome
        self.progress.setValue(1 if outcome.ok else 0)
        self.status.setText(outcome.message)
        self.sig_finished.emit(outcome)

    def _on_error(self, exc: BaseException) -> None:
        self._finish()
        self.progress.setValue(0)
        if isinstance(exc, WordPressError | NotPublishable):
            self.status.setText(str(exc))
        else:
            self.status.setText(failure_message(exc))
        self.sig_finished.emit(exc)

    def reject(self) -> None:
        if self.running:  # the publish finishes on the writer; the answer needs this dialog
            self.status.setText("Publishing… the dialog closes when WordPress has answered.")
            return
        super().reject()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self.running:
            event.ignore()
            return
        super().closeEvent(event)


def _escape(text: str) -> str:
    import html

    return html.escape(text)


def show_publish_wordpress(window) -> WordPressDialog | None:
    """Open the dialog over the main window for its open story; None when no story is open."""
    article = getattr(window, "article", None)
    if article is None:
        window.statusBar().showMessage("Open a story to publish it to WordPress.", 6000)
        return None
    dialog = WordPressDialog(window, article.id, article.slug, window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
