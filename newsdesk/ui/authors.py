"""Authors in the window: the Manage Authors window (list, add, edit, delete an unused one, merge
one person recorded twice) and byline completion from the author records.

Every write is an operation (ui/ops.run_op); lists are read on a worker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtCore import QObject, QStringListModel, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from newsdesk.bylines import BYLINE_PREFIXES
from newsdesk.library import Library
from newsdesk.library.changes import Changes
from newsdesk.ui.ops import Operations, failure_message
from newsdesk.ui.workers import run_task

# What each role is called here, and how the page's JSON-LD marks it up.
ROLES = (
    ("person", "Person"),
    ("staff", "Staff (the newsroom; an Organization)"),
    ("agency", "Agency (an Organization)"),
)


# Which author the form edits (None: a new one) and the values in its fields.
FormState = tuple[int | None, tuple[tuple[str, str], ...]]


@dataclass(frozen=True, slots=True)
class AuthorRow:
    """One author as the window lists it (plain data, read on a worker)."""

    id: int
    name: str
    role: str
    url: str
    bio: str
    stories: int


def author_rows(library: Library) -> list[AuthorRow]:
    counts = library.author_story_counts()
    return [
        AuthorRow(a.id, a.name, a.role, a.url, a.bio, counts.get(a.id, 0))
        for a in library.list_authors()
    ]


class AuthorsDialog(QDialog):
    """Manage Authors: the newsroom's people, staff and agencies that bylines name."""

    def __init__(self, library: Library, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library, self.ops = library, ops
        self.rows: list[AuthorRow] = []
        self.current_id: int | None = None  # None: a new author is being typed
        # After a save or merge: (the author to show, the form it was asked from). The reload
        # that follows arrives later; it shows the author only if the form is still as it was,
        # so a user who has moved on (New Author, another row, typing) keeps what they typed.
        self._select_after_load: tuple[int, FormState] | None = None
        self._generation = 0
        self.setWindowTitle("Authors")
        self.setObjectName("authors-dialog")
        self.resize(760, 480)

        self.search = QLineEdit(placeholderText="Find an author…")
        self.search.setAccessibleName("Find an author")
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.list.setAccessibleName("Authors")
        self.list.setSpacing(2)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.search)
        ll.addWidget(self.list, 1)
        self.new_button = QPushButton("&New Author")
        ll.addWidget(self.new_button)

        self.name = QLineEdit(placeholderText="e.g. Ana Ruiz, or Newsdesk Staff")
        self.role = QComboBox()
        for value, text in ROLES:
            self.role.addItem(text, value)
        self.url = QLineEdit(placeholderText="https://… (their page or profile)")
        self.bio = QPlainTextEdit()
        self.bio.setPlaceholderText("One or two sentences for their author page.")
        self.bio.setTabChangesFocus(True)
        self.used = QLabel("")
        self.used.setWordWrap(True)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setObjectName("authors-message")
        form = QFormLayout()
        for text, widget in (
            ("&Name", self.name),
            ("&Kind", self.role),
            ("&URL", self.url),
            ("B&io", self.bio),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            form.addRow(label, widget)
        form.addRow("", self.used)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addLayout(form, 1)
        row = QHBoxLayout()
        self.save_button = QPushButton("&Save")
        self.delete_button = QPushButton("&Delete")
        self.merge_button = QPushButton("&Merge into…")
        row.addWidget(self.save_button)
        row.addStretch(1)
        row.addWidget(self.merge_button)
        row.addWidget(self.delete_button)
        rl.addLayout(row)
        rl.addWidget(self.message)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Bylines name these records: a person is marked up as a Person with their "
            "URL; staff and agencies as an Organization. Names not listed stay free text."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(splitter, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.close)
        layout.addWidget(close)

        self.search.textChanged.connect(self._show_rows)
        self.list.currentItemChanged.connect(self._on_current)
        self.new_button.clicked.connect(self.new_author)
        self.save_button.clicked.connect(self.save)
        self.name.returnPressed.connect(self.save)
        self.delete_button.clicked.connect(self.delete_current)
        self.merge_button.clicked.connect(self.ask_merge)
        ops.sig_library_changed.connect(self._on_library_changed)
        self.read_only = bool(getattr(library, "read_only", False))
        self.new_author()
        self.reload()

    # ---- reading -------------------------------------------------------------------
    def reload(self) -> None:
        self._generation += 1
        library, generation = self.library, self._generation
        run_task(lambda: author_rows(library), on_done=lambda rows: self._loaded(generation, rows))

    def _loaded(self, generation: int, rows: list[AuthorRow]) -> None:
        if generation != self._generation:
            return  # an older read, overtaken by a newer one
        self.rows = rows
        self._show_rows()
        wanted, self._select_after_load = self._select_after_load, None
        if wanted is not None and wanted[1] == self.form_state():
            self.select(wanted[0])  # just saved or merged into: show it as stored
        else:
            # A change from elsewhere: keep what is being typed, refresh the counts.
            self._update_state(self.row(self.current_id))

    def _show_rows(self) -> None:
        query = self.search.text().strip().casefold()
        self.list.blockSignals(True)
        self.list.clear()
        for row in self.rows:
            if query and query not in row.name.casefold():
                continue
            kind = dict(ROLES)[row.role].split(" (")[0] if row.role in dict(ROLES) else row.role
            stories = f"{row.stories} stor{'y' if row.stories == 1 else 'ies'}"
            item = QListWidgetItem(f"{row.name}  ·  {kind}, {stories}")
            item.setToolTip(row.url or row.name)
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            self.list.addItem(item)
            if row.id == self.current_id:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)

    def _on_library_changed(self, changes: Changes, _initiator: object) -> None:
        if changes.authors or changes.article_list_changed:
            self.reload()

    def row(self, author_id: int | None) -> AuthorRow | None:
        return next((r for r in self.rows if r.id == author_id), None)

    # ---- choosing ---------------------------------------------------------------------
    def select(self, author_id: int) -> None:
        """Show this author in the list and the form."""
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == author_id:
                self.list.blockSignals(True)
                self.list.setCurrentRow(i)
                self.list.blockSignals(False)
                break
        row = self.row(author_id)
        if row is not None:
            self._edit(row)

    def _on_current(self, item: QListWidgetItem | None, _previous=None) -> None:
        if item is None:
            return
        row = self.row(item.data(Qt.ItemDataRole.UserRole))
        if row is not None:
            self._edit(row)

    def _edit(self, row: AuthorRow | None) -> None:
        self.current_id = row.id if row else None
        self.name.setText(row.name if row else "")
        self.role.setCurrentIndex(max(self.role.findData(row.role if row else "person"), 0))
        self.url.setText(row.url if row else "")
        self.bio.setPlainText(row.bio if row else "")
        self._update_state(row)

    def _update_state(self, row: AuthorRow | None) -> None:
        """What the buttons allow and the line saying where the author is used."""
        if row is None:
            self.used.setText("A new author: type their name and press Save.")
        elif row.stories:
            self.used.setText(
                f"On the byline of {row.stories} stor{'y' if row.stories == 1 else 'ies'}: "
                "it can be merged into another author, not deleted."
            )
        else:
            self.used.setText("On no byline yet.")
        editable = not self.read_only
        self.save_button.setEnabled(editable)
        self.delete_button.setEnabled(editable and row is not None and row.stories == 0)
        self.merge_button.setEnabled(editable and row is not None and len(self.rows) > 1)

    def new_author(self) -> None:
        self.list.clearSelection()
        self.list.setCurrentItem(None)
        self._edit(None)
        self.name.setFocus()

    # ---- writing ---------------------------------------------------------------------------
    def values(self) -> dict[str, str]:
        return {
            "name": self.name.text(),
            "role": self.role.currentData(),
            "url": self.url.text(),
            "bio": self.bio.toPlainText().strip(),
        }

    def form_state(self) -> FormState:
        """Which author the form shows and what it holds: a late result compares it with the
        state it was asked from before it changes the form."""
        return self.current_id, tuple(sorted(self.values().items()))

    def save(self) -> None:
        values, author_id, asked_from = self.values(), self.current_id, self.form_state()

        def write(library: Library):
            fields = dict(values)
            if author_id is None:
                name = fields.pop("name")
                return library.add_author(name, **fields)
            return library.update_author(author_id, **fields)

        def done(author) -> None:
            self.message.setText(f"Saved {author.name}.")
            if self.form_state() == asked_from:
                # Still the form that was saved: it now edits the stored author.
                self.current_id = author.id
                self._select_after_load = (author.id, self.form_state())
            self.reload()

        self.ops.run_op(write, on_success=done, on_failure=self._failed, initiator=self)

    def delete_current(self) -> None:
        row, asked_from = self.row(self.current_id), self.form_state()
        if row is None:
            return
        self.ops.run_op(
            lambda library: library.delete_author(row.id),
            on_success=lambda _r: self._after_delete(f"Deleted {row.name}.", asked_from),
            on_failure=self._failed,
            initiator=self,
        )

    def ask_merge(self) -> None:
        row = self.row(self.current_id)
        if row is None:
            return
        others = [r for r in self.rows if r.id != row.id]
        names = [r.name for r in others]
        name, ok = QInputDialog.getItem(
            self,
            "Merge author",
            f"Every byline naming {row.name} will name this author instead, "
            f"and {row.name} is removed:",
            names,
            0,
            False,
        )
        if ok and name in names:
            self.merge_into(others[names.index(name)].id)

    def merge_into(self, into_id: int) -> None:
        row, into = self.row(self.current_id), self.row(into_id)
        asked_from = self.form_state()
        if row is None or into is None:
            return
        self.ops.run_op(
            lambda library: library.merge_authors(row.id, into.id),
            on_success=lambda _a: self._after_delete(
                f"Merged {row.name} into {into.name}; their bylines now name {into.name}.",
                asked_from,
                select=into.id,
            ),
            on_failure=self._failed,
            initiator=self,
        )

    def _after_delete(self, message: str, asked_from: FormState, select: int | None = None) -> None:
        self.message.setText(message)
        if self.form_state() == asked_from:  # the user has not moved on since asking
            self.current_id = None
            if select is None:
                self._edit(None)
            else:
                self._select_after_load = (select, self.form_state())
        elif self.current_id == asked_from[0]:
            # Typing on in the removed author's form: what is typed becomes a new author.
            self.current_id = None
            self._update_state(None)
        self.reload()

    def _failed(self, exc: BaseException) -> None:
        self.message.setText(failure_message(exc))


# ---- byline completion ------------------------------------------------------------------
# Where the name being typed starts: after the last comma, "&" or "and" (and their
# equivalents, as bylines.split_byline reads them), or after a leading "By".
_LAST_SEPARATOR = re.compile(r".*(?:,|&|\s(?:and|und|et|y|e)\s)\s*", re.IGNORECASE | re.DOTALL)
_LEADING_BY = re.compile(
    r"^\s*(?:" + "|".join(re.escape(p) for p in BYLINE_PREFIXES) + r")(?:\s*[:\-–—]\s*|\s+)",
    re.IGNORECASE,
)


def name_being_typed(text: str) -> tuple[int, str]:
    """Where the name under the cursor starts in the byline, and what is typed of it."""
    m = _LAST_SEPARATOR.match(text)
    start = m.end() if m else 0
    if start == 0:
        by = _LEADING_BY.match(text)
        start = by.end() if by else len(text) - len(text.lstrip())
    return start, text[start:]


class BylineCompleter(QObject):
    """Offers the newsroom's authors while a byline is typed; several names may be chained
    ("By Ana Ruiz and Tom Lee", "Ana Ruiz, Reuters"), and anything else stays free text."""

    MIN_CHARS = 2

    def __init__(self, field: QLineEdit, library: Library, ops: Operations) -> None:
        super().__init__(field)
        self.field, self.library = field, library
        self._inserting = False
        self._reads = 0  # only the newest read's names are offered
        self.model = QStringListModel(self)
        self.completer = QCompleter(self.model, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        # Not field.setCompleter: that would replace the whole byline with one name.
        self.completer.setWidget(field)
        self.completer.activated[str].connect(self.insert)
        field.textEdited.connect(self._on_edited)
        ops.sig_library_changed.connect(
            lambda changes, _i: self.reload() if changes.authors else None
        )
        self.reload()

    def reload(self) -> None:
        self._reads += 1
        library, read = self.library, self._reads

        def arrived(names: list[str]) -> None:
            # Reads run side by side: one begun before an author was added can answer last.
            if read == self._reads:
                self.model.setStringList(names)

        run_task(lambda: [a.name for a in library.list_authors()], on_done=arrived)

    def _on_edited(self, text: str) -> None:
        if self._inserting:
            return
        cursor = self.field.cursorPosition()
        if cursor != len(text):  # completing only at the end of what is typed
            self.completer.popup().hide()
            return
        _start, typed = name_being_typed(text)
        typed = typed.strip()
        if len(typed) < self.MIN_CHARS:
            self.completer.popup().hide()
            return
        self.completer.setCompletionPrefix(typed)
        if self.completer.completionCount() == 0:
            self.completer.popup().hide()
            return
        self.completer.complete()

    def insert(self, name: str) -> None:
        """Put the chosen author's name in place of what was typed of it."""
        text = self.field.text()
        start, _typed = name_being_typed(text)
        new = text[:start] + name
        self.field.setText(new)
        self.field.setCursorPosition(len(new))
        self.completer.popup().hide()
        self._inserting = True
        try:
            self.field.textEdited.emit(new)  # the form saves it as if typed
        finally:
            self._inserting = False


def install_authors(window, menu) -> None:
    """Article > Manage Authors…, and completion in the form's byline field."""
    from PySide6.QtGui import QAction

    window.byline_completer = BylineCompleter(window.form.byline, window.library, window.ops)
    window.authors_dialog = None

    def show() -> AuthorsDialog:
        if window.authors_dialog is None:
            dialog = AuthorsDialog(window.library, window.ops, window)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.finished.connect(lambda _r: setattr(window, "authors_dialog", None))
            window.authors_dialog = dialog
        window.authors_dialog.show()
        window.authors_dialog.raise_()
        window.authors_dialog.activateWindow()
        return window.authors_dialog

    action = QAction("Manage &Authors…", window)
    action.triggered.connect(show)
    menu.addAction(action)
    window.actions_by_name["authors"] = action
    window.show_authors = show
