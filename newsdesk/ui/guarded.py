"""Prompts that typing cannot answer: conflict and destructive dialogs ignore keys for a moment.

A dialog that appears while someone is typing would otherwise take the next
space or Enter as a press of its default button. Until the dialog has been
up for QUIET_MS and no key has arrived for QUIET_MS, keys aimed at it are
handed back to the widget the user was typing in, so the words land where
they were typed and the dialog waits for a deliberate answer. Mouse clicks
are always deliberate and always work.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

QUIET_MS = 1000
_KEY_EVENTS = (
    QEvent.Type.KeyPress,
    QEvent.Type.KeyRelease,
    QEvent.Type.ShortcutOverride,
    QEvent.Type.Shortcut,
)


class TypingGuard(QObject):
    """Filters the keys of one dialog for as long as it lives (see `guard_against_typing`)."""

    def __init__(self, dialog: QWidget, quiet_ms: int = QUIET_MS) -> None:
        super().__init__(dialog)
        self.dialog = dialog
        self.quiet_s = quiet_ms / 1000
        focus = QApplication.focusWidget()
        self.typing_into = focus if focus is not None and not dialog.isAncestorOf(focus) else None
        self.last_key_at = time.monotonic()  # the dialog's appearance counts as the first key
        self.held_back = 0  # keys handed back to where the user was typing
        # On the dialog and each of its widgets (the buttons that take the focus), not
        # on the whole application: keys reach a shown modal dialog's widgets only.
        dialog.installEventFilter(self)
        for child in dialog.findChildren(QWidget):
            child.installEventFilter(self)

    @property
    def armed(self) -> bool:
        """Whether keys are still ignored (the dialog is new, or keys are still arriving)."""
        return time.monotonic() - self.last_key_at < self.quiet_s

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() not in _KEY_EVENTS or not self.armed:
            return False
        if event.type() == QEvent.Type.KeyPress:
            self.last_key_at = time.monotonic()  # while keys keep arriving, the guard stays up
        target = self.typing_into
        typed = event.type() in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease)
        if target is not None and typed and isinstance(event, QKeyEvent):
            if event.type() == QEvent.Type.KeyPress:
                self.held_back += 1
            copy = QKeyEvent(
                event.type(),
                event.key(),
                event.modifiers(),
                event.text(),
                event.isAutoRepeat(),
                event.count(),
            )
            QApplication.sendEvent(target, copy)
        return True  # the dialog never sees it


def guard_against_typing(dialog: QWidget, quiet_ms: int = QUIET_MS) -> TypingGuard:
    """Make `dialog` deaf to keys until it has been up, and the keyboard quiet, for quiet_ms.

    Call it just before showing the dialog, while the widget being typed in
    still has the focus.
    """
    return TypingGuard(dialog, quiet_ms)
