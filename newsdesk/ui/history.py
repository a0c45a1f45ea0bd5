"""The History dialog: an article's revisions, a diff against the current text, and restore."""

from __future__ import annotations

import difflib
import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from newsdesk.library import Library, Revision, SlugTaken
from newsdesk.ui.ops import Operations, failure_message
from newsdesk.ui.workers import run_task

REASONS = {
    "save": "Saved",
    "timed": "Autosave",
    "before restore": "Before a restore",
    "published over preflight": "Published although preflight failed",
}


def revision_text(headline: str, dek: str, body: str) -> str:
    """What the diff compares: the headline and dek on top, then the body."""
    return f"# {headline}\n{dek}\n\n{body}"


def _mix(a: QColor, b: QColor, t: float) -> str:
    r = a.redF() * (1 - t) + b.redF() * t
    g = a.greenF() * (1 - t) + b.greenF() * t
    bl = a.blueF() * (1 - t) + b.blueF() * t
    return QColor.fromRgbF(r, g, bl).name()


def diff_html(current: str, revision: str, palette: QPalette) -> str:
    """A line diff from the current text to the revision, as HTML tinted from the palette.

    Lines marked − are in the current text only (restoring removes them);
    lines marked + are in the revision only (restoring brings them back).
    """
    base = palette.color(QPalette.ColorRole.Base)
    ink = palette.color(QPalette.ColorRole.Text).name()
    muted = palette.color(QPalette.ColorRole.PlaceholderText).name()
    added = _mix(base, QColor("#2e7d32"), 0.28)
    removed = _mix(base, QColor("#c62828"), 0.28)
    lines = list(
        difflib.unified_diff(
            current.splitlines(), revision.splitlines(), "current", "revision", lineterm="", n=2
        )
    )
    if not lines:
        return f"<p style='color:{muted}'>This revision is the same as the current text.</p>"
    out = [f"<div style='font-family:monospace; white-space:pre-wrap; color:{ink}'>"]
    for line in lines[2:]:  # skip the ---/+++ file header
        text = html.escape(line[1:]) or "&nbsp;"
        if line.startswith("@@"):
            out.append(f"<div style='color:{muted}; margin-top:6px'>⋯</div>")
        elif line.startswith("+"):
            out.append(f"<div style='background-color:{added}'>+ {text}</div>")
        elif line.startswith("-"):
            out.append(f"<div style='background-color:{removed}'>− {text}</div>")
        else:
            out.append(f"<div>&nbsp; {text}</div>")
    out.append("</div>")
    return "".join(out)


class HistoryDialog(QDialog):
    """Lists an article's revisions newest first; shows what restoring one would change."""

    sig_restored = Signal(object)
    """A revision was restored; carries the article as the library now holds it."""

    def __init__(
        self,
        library: Library,
        article_id: int,
        *,
        headline: str,
        dek: str,
        body: str,
        parent: QWidget | None = None,
        ops: Operations | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"History — {headline or 'Untitled'}")
        self.library = library
        # The restore is an operation on the window's serial writer.
        self.ops = ops if ops is not None else Operations(library, self)
        self.article_id = article_id
        self.current = revision_text(headline, dek, body)
        self.revisions: list[Revision] = []

        self.list = QListWidget()
        self.list.setAccessibleName("Revisions")
        self.diff = QTextBrowser()
        self.diff.setAccessibleName("Changes")
        self.diff.setOpenLinks(False)
        explain = QLabel("− only in the current text   + only in this revision")
        explain.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(explain)
        rl.addWidget(self.diff, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.list)
        splitter.addWidget(right)
        splitter.setSizes([260, 520])

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.restore_button = QPushButton("&Restore this revision")
        self.restore_button.setEnabled(False)
        self.buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.reject)
        self.restore_button.clicked.connect(self.restore_selected)

        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.buttons)
        self.resize(820, 520)

        self.list.currentRowChanged.connect(self._show_diff)
        self.load()

    def load(self) -> None:
        library, article_id = self.library, self.article_id
        run_task(lambda: library.revisions(article_id), on_done=self._set_revisions)

    def _set_revisions(self, revisions: list[Revision]) -> None:
        self.revisions = revisions
        self.list.clear()
        for rev in revisions:
            when = rev.created_at.astimezone().strftime("%d %b %Y %H:%M:%S")
            reason = REASONS.get(rev.reason, rev.reason.capitalize())
            item = QListWidgetItem(f"{when}\n{reason} · {rev.word_count:,} words")
            if rev.note:  # why it was published over preflight, in the person's words
                item.setText(f"{item.text()}\n{rev.note}")
                item.setToolTip(rev.note)
            item.setData(Qt.ItemDataRole.UserRole, rev.id)
            self.list.addItem(item)
        if not revisions:
            self.diff.setHtml(
                "<p>No revisions yet. Press Ctrl+S to record one; one is also kept "
                "every few minutes while you write.</p>"
            )
        else:
            self.list.setCurrentRow(0)
        self.list.setFocus()

    def _show_diff(self, row: int) -> None:
        self.restore_button.setEnabled(row >= 0)
        if row < 0 or row >= len(self.revisions):
            return
        rev = self.revisions[row]
        self.diff.setHtml(
            diff_html(self.current, revision_text(rev.headline, rev.dek, rev.body), self.palette())
        )

    def selected_revision(self) -> Revision | None:
        row = self.list.currentRow()
        return self.revisions[row] if 0 <= row < len(self.revisions) else None

    def restore_selected(self) -> None:
        """Restore the selected revision; the text it replaces is kept as a revision first."""
        rev = self.selected_revision()
        if rev is None:
            return
        self.restore_button.setEnabled(False)  # one restore at a time
        self.ops.run_op(
            lambda library: library.restore_revision(rev.id),
            on_success=self._restored,
            on_failure=lambda exc: self._restore_failed(exc, rev),
            initiator=self,
        )

    def _restored(self, article) -> None:
        self.sig_restored.emit(article)
        self.accept()

    def _restore_failed(self, exc: BaseException, rev: Revision) -> None:
        """The restore of `rev` failed (the one asked for, even if another row is selected now)."""
        self.restore_button.setEnabled(True)
        if isinstance(exc, SlugTaken):
            # The old address is another story's now: ask, rather than restore half.
            box = QMessageBox(
                QMessageBox.Icon.Question,
                "Restore revision",
                f"{exc}",
                QMessageBox.StandardButton.Cancel,
                self,
            )
            keep = box.addButton("Restore, keep current address", QMessageBox.ButtonRole.AcceptRole)
            box.buttonClicked.connect(
                lambda button: button is keep and self._restore_keeping_slug(rev)
            )
            self.slug_box = box
            box.open()
            return
        QMessageBox.warning(self, "Restore failed", failure_message(exc))

    def _restore_keeping_slug(self, rev: Revision) -> None:
        self.restore_button.setEnabled(False)
        self.ops.run_op(
            lambda library: library.restore_revision(rev.id, keep_slug=True),
            on_success=self._restored,
            on_failure=lambda exc: self._restore_failed(exc, rev),
            initiator=self,
        )
