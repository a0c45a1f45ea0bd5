"""The photo desk's two small dialogs: Templates (named sets of picture fields) and Code Replacements."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from newsdesk.library import Library
from newsdesk.library.image_templates import FIELD_LABELS, VARIABLES
from newsdesk.library.models import TEMPLATE_FIELDS
from newsdesk.ui.ops import Operations, failure_message

MULTILINE = frozenset({"usage_terms", "instructions", "keywords"})
TEMPLATE_HINT = (
    "Empty fields leave each picture's own value; keywords are added to the picture's. "
    "Variables: " + ", ".join("{" + v + "}" for v in VARIABLES) + " (the picture's own year, "
    "date, creator, file name and city)."
)


class _Box(QPlainTextEdit):
    def __init__(self) -> None:
        super().__init__()
        self.setTabChangesFocus(True)
        self.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 14)

    def text(self) -> str:
        return self.toPlainText()

    def setText(self, text: str) -> None:  # noqa: N802 (mirrors QLineEdit)
        self.setPlainText(text)


class TemplatesDialog(QDialog):
    """Create, edit and delete the library's photo-desk templates; each save is one operation."""

    def __init__(self, library: Library, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Photo-desk templates")
        self.library, self.ops = library, ops
        self.templates: list = []
        self.editing_id: int | None = None
        self.list = QListWidget()
        self.list.setAccessibleName("Templates")
        self.list.currentItemChanged.connect(lambda cur, _prev: self._show(cur))
        self.name = QLineEdit()
        self.name.setObjectName("template-name")
        self.name.setAccessibleName("Template name")
        self.fields: dict[str, QLineEdit | _Box] = {}
        form = QFormLayout()
        form.addRow("&Name", self.name)
        for field in TEMPLATE_FIELDS:
            editor: QLineEdit | _Box = _Box() if field in MULTILINE else QLineEdit()
            editor.setObjectName(f"template-{field}")
            editor.setAccessibleName(FIELD_LABELS[field])
            self.fields[field] = editor
            form.addRow(FIELD_LABELS[field], editor)
        self.fields["copyright"].setPlaceholderText("© {year} {creator}")
        self.fields["keywords"].setPlaceholderText("One keyword per line")
        hint = QLabel(TEMPLATE_HINT)
        hint.setWordWrap(True)
        self.message = QLabel("")
        self.message.setObjectName("template-message")
        self.message.setWordWrap(True)
        self.new_button = QPushButton("&New")
        self.save_button = QPushButton("&Save")
        self.delete_button = QPushButton("&Delete")
        self.new_button.clicked.connect(self.new_template)
        self.save_button.clicked.connect(self.save)
        self.delete_button.clicked.connect(self.delete)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        row = QHBoxLayout()
        row.addWidget(self.new_button)
        row.addWidget(self.delete_button)
        left.addLayout(row)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addWidget(hint)
        right.addWidget(self.message)
        right.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignRight)
        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(body)
        layout.addWidget(close)
        self.resize(720, 520)
        self.reload()

    def reload(self, select: str | None = None) -> None:
        self.ops.run_op(
            lambda lib: lib.list_templates(), on_success=lambda t: self._listed(t, select)
        )

    def _listed(self, templates: list, select: str | None) -> None:
        self.templates = templates
        self.list.clear()
        for t in templates:
            item = QListWidgetItem(t.name)
            item.setData(Qt.ItemDataRole.UserRole, t.id)
            self.list.addItem(item)
            if t.name == select:
                self.list.setCurrentItem(item)
        if select is None and templates:
            self.list.setCurrentRow(0)
        if not templates:
            self.new_template()

    def _show(self, item: QListWidgetItem | None) -> None:
        template = None
        if item is not None:
            tid = item.data(Qt.ItemDataRole.UserRole)
            template = next((t for t in self.templates if t.id == tid), None)
        self.editing_id = template.id if template is not None else None
        self.name.setText(template.name if template else "")
        for field, editor in self.fields.items():
            editor.setText(getattr(template, field) if template else "")
        self.delete_button.setEnabled(template is not None)

    def new_template(self) -> None:
        self.list.setCurrentItem(None)
        self._show(None)
        self.name.setFocus()

    def values(self) -> dict[str, str]:
        return {field: editor.text() for field, editor in self.fields.items()}

    def save(self) -> None:
        name, values, tid = self.name.text(), self.values(), self.editing_id
        self.ops.run_op(
            lambda lib: lib.save_template(name, values, template_id=tid),
            on_success=lambda t: (self.message.setText(f"Saved “{t.name}”."), self.reload(t.name)),
            on_failure=lambda exc: self.message.setText(failure_message(exc)),
            initiator=self,
        )

    def delete(self) -> None:
        tid = self.editing_id
        if tid is None:
            return
        self.ops.run_op(
            lambda lib: lib.delete_template(tid),
            on_success=lambda _r: (self.message.setText("Deleted."), self.reload()),
            on_failure=lambda exc: self.message.setText(failure_message(exc)),
            initiator=self,
        )


class CodesDialog(QDialog):
    """The newsroom's code replacements: `=code=` and the text it becomes; saved as one table."""

    def __init__(self, library: Library, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Code replacements")
        self.ops = ops
        self.table = QTableWidget(0, 2)
        self.table.setObjectName("codes-table")
        self.table.setAccessibleName("Code replacements")
        self.table.setHorizontalHeaderLabels(["Code (between = signs)", "Becomes"])
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        hint = QLabel(
            "Type =code= in a caption, credit, alt text or the body and it becomes the text, "
            "for example =jd= → Jane Doe / Harbour Agency."
        )
        hint.setWordWrap(True)
        self.message = QLabel("")
        self.message.setObjectName("codes-message")
        self.message.setWordWrap(True)
        add = QPushButton("&Add")
        remove = QPushButton("&Remove")
        add.clicked.connect(lambda: self.add_row("", ""))
        remove.clicked.connect(self.remove_selected)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        # Saving writes the whole table: not before the table is in (it would drop the rest).
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setEnabled(False)
        self.loaded = False
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(560, 420)
        ops.run_op(
            lambda lib: lib.code_replacements(),
            on_success=self._loaded,
            on_failure=lambda exc: self.message.setText(
                f"The codes could not be read, so none can be saved: {failure_message(exc)}"
            ),
        )

    def _loaded(self, table: dict[str, str]) -> None:
        # Rows added while the table was read stay, after the newsroom's codes.
        for row, (code, text) in enumerate(table.items()):
            self.table.insertRow(row)
            self.table.setItem(row, 0, QTableWidgetItem(code))
            self.table.setItem(row, 1, QTableWidgetItem(text))
        self.loaded = True
        self.save_button.setEnabled(True)

    def add_row(self, code: str, text: str) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(code))
        self.table.setItem(row, 1, QTableWidgetItem(text))
        if not code:
            self.table.setCurrentCell(row, 0)
            self.table.editItem(self.table.item(row, 0))

    def remove_selected(self) -> None:
        for row in sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True):
            self.table.removeRow(row)

    def rows(self) -> list[tuple[str, str]]:
        out = []
        for row in range(self.table.rowCount()):
            code, text = (self.table.item(row, c) for c in (0, 1))
            pair = (code.text() if code else "", text.text() if text else "")
            if pair[0].strip() or pair[1].strip():
                out.append(pair)
        return out

    def save(self) -> None:
        if not self.loaded:
            return  # (Return in a cell, before the table is in)
        rows = self.rows()
        codes = [c.strip().strip("=") for c, _ in rows]
        twice = next((c for c in codes if codes.count(c) > 1), None)
        if twice is not None:
            self.message.setText(f"The code ={twice}= is in the table twice; keep one of them.")
            return
        table = dict(rows)
        self.ops.run_op(
            lambda lib: lib.set_code_replacements(table),
            on_success=lambda _t: self.accept(),
            on_failure=lambda exc: self.message.setText(failure_message(exc)),
            initiator=self,
        )
