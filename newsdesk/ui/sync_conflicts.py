"""The sync conflict dialog: each conflicting field side by side (mine, theirs, base), and a choice.

Settling one uses the same core call as `newsdesk resolve` (sync/conflicts.py),
as an operation on the window's one writer; the next sync shares the choice.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from newsdesk.library.errors import PublishRefused
from newsdesk.preflight import settle_conflict
from newsdesk.sync import SyncError
from newsdesk.sync.conflicts import find_conflict, list_conflicts
from newsdesk.ui.newsroom import PublishRefusedDialog
from newsdesk.ui.ops import Operations, failure_message
from newsdesk.ui.workers import run_task

CONFLICT_ROLE = Qt.ItemDataRole.UserRole + 1
NONE_SHOWN = "(empty)"


def describe(row: dict[str, Any]) -> str:
    """The list's line for one conflict: which story, which field (and paragraph)."""
    where = row["field"].replace("_", " ")
    if row["paragraph"]:
        where += f", paragraph {row['paragraph']}"
    return f"{row['slug']} — {where}"


class ConflictDialog(QDialog):
    """Lists the open sync conflicts; shows one side by side; keeps mine, takes theirs, or merges."""

    sig_resolved = Signal(str)
    """A conflict was settled; the sentence saying what."""

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.rows: list[dict[str, Any]] = []
        self._shown: dict[str, Any] | None = None  # the conflict whose values the boxes hold
        self._want_uid_slug: str | None = None
        self._said = ""  # what the last choice did
        # Only the newest read of the list is shown, and none while a choice is saved: a
        # read made before the choice went in would list its conflict again, open to choose.
        self._reads = 0
        self._saving = False
        self.publish_dialog = None  # preflight's refusal of a choice that publishes, when shown
        self.setObjectName("sync-conflicts-dialog")
        self.setWindowTitle("Sync conflicts")
        self.resize(980, 560)
        outer = QVBoxLayout(self)
        intro = QLabel(
            "These were changed both on this laptop and in the shared library. Nothing was "
            "overwritten: choose what to keep for each. The next sync shares your choice."
        )
        intro.setWordWrap(True)
        outer.addWidget(intro)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.list = QListWidget()
        self.list.setAccessibleName("Conflicts")
        self.list.setObjectName("conflict-list")
        split.addWidget(self.list)

        right = QWidget()
        grid = QGridLayout(right)
        grid.setContentsMargins(6, 0, 0, 0)
        self.mine = self._side("Mine (this laptop)")
        self.theirs = self._side("Theirs (shared library)")
        self.base = self._side("Base (before both changed it)")
        for column, (title, box) in enumerate(
            (
                ("Mine (this laptop)", self.mine),
                ("Theirs (shared library)", self.theirs),
                ("Base (before both changed it)", self.base),
            )
        ):
            label = QLabel(f"<b>{title}</b>")
            label.setBuddy(box)
            grid.addWidget(label, 0, column)
            grid.addWidget(box, 1, column)
        merged_label = QLabel("<b>Merged value</b> (edit it, then use it):")
        self.merged = QPlainTextEdit()
        self.merged.setObjectName("merged-value")
        self.merged.setAccessibleName("Merged value")
        merged_label.setBuddy(self.merged)
        grid.addWidget(merged_label, 2, 0, 1, 3)
        grid.addWidget(self.merged, 3, 0, 1, 3)
        grid.setRowStretch(1, 3)
        grid.setRowStretch(3, 2)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([280, 700])
        outer.addWidget(split, 1)

        self.note = QLabel("")
        self.note.setObjectName("conflict-note")
        self.note.setWordWrap(True)
        outer.addWidget(self.note)
        buttons = QDialogButtonBox()
        self.mine_button = QPushButton("Keep &mine")
        self.theirs_button = QPushButton("Take &theirs")
        self.merged_button = QPushButton("&Use merged value")
        for b in (self.mine_button, self.theirs_button, self.merged_button):
            buttons.addButton(b, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.clicked.connect(self.reject)
        outer.addWidget(buttons)
        self.mine_button.clicked.connect(lambda: self.choose("mine"))
        self.theirs_button.clicked.connect(lambda: self.choose("theirs"))
        self.merged_button.clicked.connect(lambda: self.choose("value"))
        self.list.currentRowChanged.connect(self._show)
        self._set_enabled(False)

    @staticmethod
    def _side(name: str) -> QPlainTextEdit:
        box = QPlainTextEdit()
        box.setReadOnly(True)
        box.setAccessibleName(name)
        return box

    def _set_enabled(self, on: bool) -> None:
        for b in (self.mine_button, self.theirs_button, self.merged_button, self.merged):
            b.setEnabled(on)

    # ---- loading ---------------------------------------------------------------
    def reload(self, select_slug: str | None = None) -> None:
        """Read the open conflicts (off the GUI thread); select the first of select_slug's."""
        self._want_uid_slug = select_slug
        self._reads += 1
        library, asked = self.ops.library, self._reads

        def arrived(rows: list[dict[str, Any]]) -> None:
            if asked == self._reads and not self._saving:
                self._fill(rows)

        run_task(lambda: list_conflicts(library), on_done=arrived)

    def _fill(self, rows: list[dict[str, Any]]) -> None:
        current = self.current_id()
        self.rows = rows
        self.list.blockSignals(True)
        self.list.clear()
        pick = 0
        for i, row in enumerate(rows):
            item = QListWidgetItem(describe(row))
            item.setData(CONFLICT_ROLE, row["id"])
            self.list.addItem(item)
            if row["id"] == current or (self._want_uid_slug and row["slug"] == self._want_uid_slug):
                pick = i
                self._want_uid_slug = None
        if rows and rows[pick] == self._shown:
            # Still the conflict on show, unchanged (read again after another was settled):
            # what is typed in its merged box stays.
            self.list.setCurrentRow(pick)
            self.list.blockSignals(False)
            self._set_enabled(True)
            return
        self.list.blockSignals(False)
        if rows:
            self.list.setCurrentRow(pick)
            self._show(pick)
        else:
            self._show(-1)
            self.note.setText(f"{self._said} No more conflicts are waiting.".strip())

    def current_id(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None else item.data(CONFLICT_ROLE)

    def _show(self, index: int) -> None:
        row = self.rows[index] if 0 <= index < len(self.rows) else None
        self._shown = row
        self._set_enabled(row is not None)
        if row is None:
            for box in (self.mine, self.theirs, self.base, self.merged):
                box.setPlainText("")
            return
        self.mine.setPlainText(_shown(row["mine"]))
        self.theirs.setPlainText(_shown(row["theirs"]))
        self.base.setPlainText(_shown(row["base"]))
        self.merged.setPlainText(row["mine"] or "")

    # ---- choosing ----------------------------------------------------------------
    def choose(self, choice: str, override_reason: str = "") -> None:
        """Settle the selected conflict: 'mine', 'theirs' or 'value' (the merged box).

        A choice that publishes the story passes preflight first, as publishing
        does anywhere else; refused, the reasons show and a reason publishes anyway.
        """
        conflict_id = self.current_id()
        if conflict_id is None:
            return
        value = self.merged.toPlainText() if choice == "value" else None
        self._set_enabled(False)
        self._saving = True
        self._reads += 1  # a read already under way predates the choice
        self.note.setText("Saving your choice…")

        def settle(library) -> str:
            conflict = find_conflict(library, conflict_id=conflict_id, slug=None, field=None)
            return settle_conflict(
                library, conflict, choice, value, override_reason=override_reason
            )

        # initiator None: the views take the settled value as a change arriving from elsewhere.
        self.ops.run_op(
            settle,
            on_success=self._settled,
            on_failure=lambda exc: self._refused(exc, choice),
        )

    def _settled(self, sentence: str) -> None:
        self._saving = False
        self._said = sentence
        self.note.setText(sentence)
        self.sig_resolved.emit(sentence)
        self.reload()

    def _refused(self, exc: BaseException, choice: str = "") -> None:
        self._saving = False
        self._set_enabled(self.current_id() is not None)
        if isinstance(exc, PublishRefused):
            self.note.setText("Not published: preflight found problems; the conflict stays open.")
            self._ask_to_publish_anyway(exc, choice)
            return
        self.note.setText(str(exc) if isinstance(exc, SyncError) else failure_message(exc))

    def _ask_to_publish_anyway(self, exc: PublishRefused, choice: str) -> None:
        dialog = PublishRefusedDialog([p.message for p in exc.problems], "it is", self)
        dialog.keep_button.setText("Leave it open")
        dialog.accepted.connect(lambda: self.choose(choice, dialog.reason.text()))
        dialog.finished.connect(lambda _r: setattr(self, "publish_dialog", None))
        self.publish_dialog = dialog
        dialog.open()


def _shown(value: str | None) -> str:
    return NONE_SHOWN if value is None or value == "" else value
