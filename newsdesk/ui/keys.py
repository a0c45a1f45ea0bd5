"""Panel keys: a dock panel claims the keys it handles before the window's shortcuts see them."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent
from PySide6.QtGui import QKeyEvent

KeyAction = Callable[[], None]


def claim_key(event: QEvent, action: KeyAction | None) -> bool:
    """Run `action` for a key press, or claim its ShortcutOverride; True when the key was ours.

    Qt first offers a key as a ShortcutOverride: accepting it keeps the
    window's Edit menu (Ctrl+Z, Delete…) from taking a key the panel means to
    handle, and the KeyPress that follows runs the panel's action.
    """
    if action is None or not isinstance(event, QKeyEvent):
        return False
    if event.type() == QEvent.Type.ShortcutOverride:
        event.accept()
        return True
    if event.type() == QEvent.Type.KeyPress:
        action()
        return True
    return False
