"""The window's keyboard map: the regions F6 cycles, keys the window keeps, the shortcuts dialog."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

# The regions of the window in F6 order; Ctrl+1…5 jump to each.
REGIONS: tuple[tuple[str, str], ...] = (
    ("list", "Article list"),
    ("form", "Article fields"),
    ("body", "Body"),
    ("images", "Images panel"),
    ("related", "Related stories panel"),
)


class RegionCycler:
    """Knows which widget each region starts at, and which region holds the focus.

    `targets` maps a region name to a function returning (container, first
    widget to focus): the container tells where the focus is, the widget is
    where a jump lands. `reveal` is called before a jump, so a region hidden
    behind a dock tab or a closed dock is shown first.
    """

    def __init__(
        self,
        targets: dict[str, Callable[[], tuple[QWidget | None, QWidget | None]]],
        reveal: Callable[[str], None],
    ) -> None:
        self.targets = targets
        self.reveal = reveal

    def region_of(self, widget: QWidget | None) -> str | None:
        while widget is not None:
            for name, target in self.targets.items():
                container, _first = target()
                if container is not None and widget is container:
                    return name
            widget = widget.parentWidget()
        return None

    def go(self, name: str) -> bool:
        """Put the focus in this region; False when it has nothing to focus now."""
        self.reveal(name)
        _container, first = self.targets[name]()
        if first is None or not first.isEnabled():
            return False
        first.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return first.hasFocus() or first.isAncestorOf(_focus())

    def cycle(self, current: QWidget | None, step: int) -> str | None:
        """F6 (+1) / Shift+F6 (-1): the next region that can take the focus."""
        names = [name for name, _title in REGIONS if name in self.targets]
        here = self.region_of(current)
        start = names.index(here) if here in names else (-1 if step > 0 else 0)
        for i in range(1, len(names) + 1):
            name = names[(start + step * i) % len(names)]
            if self.go(name):
                return name
        return None


def _focus() -> QWidget | None:
    from PySide6.QtWidgets import QApplication

    return QApplication.focusWidget()


TEXT_INPUTS = (QLineEdit, QComboBox, QAbstractSpinBox, QPlainTextEdit, QTextEdit)


class WindowKeys(QObject):
    """Keeps the window's navigation keys (Ctrl+E, F6, Ctrl+1…) from the fields.

    A line edit claims Ctrl+E (end of line) and similar keys for itself before
    the window's shortcuts see them. For the keys listed here the field never
    gets the chance: the ShortcutOverride is stopped, so the window's action runs
    wherever the focus is inside `window`.
    """

    def __init__(self, window: QWidget, sequences: Iterable[QKeySequence]) -> None:
        super().__init__(window)
        self.window = window
        self.sequences = {QKeySequence(s).toString() for s in sequences if not s.isEmpty()}

    def watch(self, root: QWidget) -> None:
        """Guard the text fields inside `root` (a filter per field: an application-wide
        Python filter would see every event of the web preview too)."""
        for widget in [root, *root.findChildren(QWidget)]:
            if isinstance(widget, TEXT_INPUTS):
                widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() != QEvent.Type.ShortcutOverride or not isinstance(event, QKeyEvent):
            return False
        if not isinstance(watched, QWidget) or not self._inside(watched):
            return False
        combo = QKeySequence(event.keyCombination()).toString()
        return combo in self.sequences  # True: the field never claims it; the shortcut runs

    def _inside(self, widget: QWidget) -> bool:
        while widget is not None:
            if widget is self.window:
                return True
            widget = widget.parentWidget()
        return False


def shortcut_rows(menus: Iterable[tuple[str, Iterable[QAction]]]) -> list[tuple[str, str, str]]:
    """(menu, command, keys) for every action that has a shortcut, in menu order."""
    rows = []
    for menu_title, actions in menus:
        for action in actions:
            keys = action.shortcuts()
            if not keys or action.isSeparator():
                continue
            text = action.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
            shown = ", ".join(
                k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys if not k.isEmpty()
            )
            rows.append((menu_title.replace("&", ""), text.rstrip("…").strip(), shown))
    return rows


class ShortcutsDialog(QDialog):
    """Help > Keyboard Shortcuts: every shortcut, read from the window's actions."""

    def __init__(self, rows: list[tuple[str, str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.table = QTableWidget(len(rows), 3, self)
        self.table.setObjectName("shortcuts-table")
        self.table.setHorizontalHeaderLabels(["Menu", "Command", "Keys"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        # Rows as tall as a line of text: the style's default left the list twice as long.
        rows_header = self.table.verticalHeader()
        rows_header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows_header.setMinimumSectionSize(1)
        rows_header.setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(text))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(560, 520)

    def rows(self) -> list[tuple[str, str, str]]:
        return [
            tuple(self.table.item(r, c).text() for c in range(3))  # type: ignore[misc]
            for r in range(self.table.rowCount())
        ]
