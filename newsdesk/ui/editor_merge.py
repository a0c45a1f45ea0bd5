"""Taking a newer copy of the open story into the form and editor in place, keeping the user's
cursor and what they have not saved (used by sync's pulled changes and "load theirs")."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QWidget

from newsdesk.library import Article

# The open article's fields as the window edits them (form values and the body).
EDITED_FIELDS = (
    "headline",
    "dek",
    "byline",
    "section",
    "tags",
    "status",
    "embargo_until",
    "seo_title",
    "seo_description",
    "slug",
    "body",
)


def edited_fields(article: Article) -> dict[str, Any]:
    values = {k: getattr(article, k) for k in EDITED_FIELDS}
    values["tags"] = list(article.tags)
    return values


def show_fields(form, values: dict[str, Any]) -> None:
    """Show these values in the article form without it taking them as the user's edits."""
    from datetime import UTC, datetime

    from PySide6.QtCore import QDateTime

    was_loading, form._loading = form._loading, True
    try:
        for key, value in values.items():
            if key == "body":
                continue
            if key == "section":
                form.section.setEditText(value or "")
            elif key == "tags":
                form.tags.set_tags(list(value or []))
            elif key == "status":
                form.status.setCurrentText(value)
            elif key == "embargo_until":
                form.embargo_on.setChecked(value is not None)
                form.embargo.setEnabled(value is not None)
                when = value or datetime.now(UTC)
                form.embargo.setDateTime(QDateTime.fromSecsSinceEpoch(int(when.timestamp())))
            else:
                getattr(form, key).setText(value or "")
    finally:
        form._loading = was_loading


def apply_text(editor: QWidget, text: str) -> None:
    """Change the editor's text to `text` by replacing only what differs (one undo step).

    Qt moves the user's cursor with the edit, so typing goes on where it was.
    """
    old = editor.toPlainText()  # type: ignore[attr-defined]
    if old == text:
        return
    start = 0
    limit = min(len(old), len(text))
    while start < limit and old[start] == text[start]:
        start += 1
    end_old, end_new = len(old), len(text)
    while end_old > start and end_new > start and old[end_old - 1] == text[end_new - 1]:
        end_old -= 1
        end_new -= 1
    cursor = QTextCursor(editor.document())  # type: ignore[attr-defined]
    cursor.beginEditBlock()
    cursor.setPosition(_utf16(old[:start]))  # Qt counts UTF-16 units, Python code points
    cursor.setPosition(_utf16(old[:end_old]), QTextCursor.MoveMode.KeepAnchor)
    cursor.insertText(text[start:end_new])
    cursor.endEditBlock()


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
