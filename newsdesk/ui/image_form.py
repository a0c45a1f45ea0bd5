"""The photo-desk form of the image panel: this story's caption and alt text, then the photograph's own fields."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, QSize, QStringListModel, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QCompleter,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from newsdesk.ui.thumbs import ImageItem

# (field, label) of the image's own fields, in the order the form shows them.
# Credit and the rest describe the photograph, so they hold for every story.
# The image's caption and alt text are only what a NEW story starts from (a
# story's own words live on its figure, shown above them when a picture of
# the open article is selected); alt text sits right under the caption so the
# two are written side by side and never confused.
FORM_FIELDS: tuple[tuple[str, str], ...] = (
    ("title", "Title"),
    ("credit", "C&redit"),
    ("creator", "Creator"),
    ("copyright", "Cop&yright"),
    ("source", "Source"),
    ("usage_terms", "Usage terms"),
    ("date_created", "Date"),
    ("city", "City"),
    ("country", "Country"),
    ("keywords", "&Keywords"),
    ("caption", "Default caption for new stories"),
    ("alt_text", "Default alt text for new stories"),
)
FIELD_NAMES: dict[str, str] = {name: label.replace("&", "") for name, label in FORM_FIELDS}
MULTILINE = frozenset({"caption", "alt_text", "keywords"})
COMPLETED = frozenset({"credit", "creator"})
PLACEHOLDERS = {
    "caption": "What a new story's caption starts as",
    "alt_text": "What a new story's alt text starts as",
    "credit": "e.g. Jane Doe / Newsdesk Agency",
    "date_created": "YYYY-MM-DD, or with time and zone: 2024-05-01T14:30:00+02:00",
    "title": "A short name for the picture (not the caption)",
    "keywords": "One keyword per line",
}

MIXED = "(mixed)"  # the placeholder of a field whose selected pictures differ

ALT_ADVICE = (
    "Alt text should describe the picture for someone who cannot see it; it is not the caption."
)
ALT_EMPTY = f"Alt text is empty. {ALT_ADVICE}"
ALT_SAME = f"Alt text is the same as the caption. {ALT_ADVICE}"
WARNING_COLOUR = "#8a4b00"  # dark amber: readable on light backgrounds, matches the badge
# The instructions strip: dark text on a pale amber band, so it reads on any theme.
STRIP_STYLE = (
    "QLabel {{ background: {bg}; color: #2b1a00; border: 1px solid {edge};"
    " border-radius: 3px; padding: 5px 7px; font-weight: bold; }}"
)
INSTRUCTIONS_STYLE = STRIP_STYLE.format(bg="#ffe8a3", edge="#c98a00")
MISSING_FILE_STYLE = STRIP_STYLE.format(bg="#ffd6d1", edge="#b3261e")


def instructions_text(instructions: str) -> str:
    """The strip's text for a picture's instructions, or "" when it has none."""
    text = " ".join(instructions.split())
    return f"Instructions: {text}" if text else ""


def missing_file_text(filename: str) -> str:
    return (
        f"This picture's file is missing ({filename} is not in the library's media folder): "
        "it cannot be published. Import the picture again, or take it out of the story."
    )


class _TextBox(QPlainTextEdit):
    """A short multi-line field: Tab moves on, like a line edit."""

    def __init__(self, lines: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        height = self.fontMetrics().lineSpacing() * lines + 14
        self.setFixedHeight(height)

    def text(self) -> str:
        return self.toPlainText()

    def setText(self, text: str) -> None:  # noqa: N802 (mirrors QLineEdit)
        self.setPlainText(text)


class ReservedLabel(QLabel):
    """A word-wrapped label as tall as the longest of its possible texts, shown or not."""

    def __init__(self, reserved: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.reserved = reserved
        self.setWordWrap(True)

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt override)
        metrics = self.fontMetrics()
        flags = int(Qt.TextFlag.TextWordWrap)
        inner = max(1, width - 2 * self.margin())
        tallest = max(
            metrics.boundingRect(0, 0, inner, 10_000, flags, text).height()
            for text in (*self.reserved, self.text() or " ")
        )
        return tallest + 2 * self.margin()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        hint = super().sizeHint()
        width = self.width() if self.width() > 0 else hint.width()
        return QSize(hint.width(), self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        hint = super().minimumSizeHint()
        width = self.width() if self.width() > 0 else hint.width()
        return QSize(hint.width(), self.heightForWidth(width))


def alt_text_warning(alt_text: str, caption: str) -> str:
    """The form's warning about the alt text, or "" when it looks like a real description."""
    alt = " ".join(alt_text.split())
    if not alt:
        return ALT_EMPTY
    if alt.casefold() == " ".join(caption.split()).casefold():
        return ALT_SAME
    return ""


class ImageForm(QWidget):
    """Shows and edits one image's fields; the panel decides when and how edits are saved."""

    sig_field_edited = Signal(str, str)
    """The user changed this field (name, new text)."""
    sig_story_caption_edited = Signal(str)
    """The user changed this story's caption (the figure's own)."""
    sig_story_alt_edited = Signal(str)
    """The user changed this story's alt text (the figure's own)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item: ImageItem | None = None
        # Several pictures selected: the form edits them all (item is then None).
        self.batch: list[ImageItem] = []
        self.mixed: set[str] = set()
        self.title = QLabel("No picture selected")
        self.title.setObjectName("image-form-title")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)

        # Above the form, where nobody can miss them: the agency's instructions
        # (embargoes, "MANDATORY CREDIT") and a picture whose file is gone.
        self.instructions = QLabel("")
        self.instructions.setObjectName("instructions-strip")
        self.instructions.setWordWrap(True)
        self.instructions.setStyleSheet(INSTRUCTIONS_STYLE)
        self.instructions.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.missing_file = QLabel("")
        self.missing_file.setObjectName("missing-file-warning")
        self.missing_file.setWordWrap(True)
        self.missing_file.setStyleSheet(MISSING_FILE_STYLE)

        self.credit_model = QStringListModel(self)
        self.editors: dict[str, QLineEdit | _TextBox] = {}
        form = QFormLayout()
        # Labels above their fields: in a dock a third of a laptop screen wide, labels
        # beside them left the fields about 80 pixels wide.
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        form.setVerticalSpacing(3)
        form.setContentsMargins(0, 0, 0, 0)
        self.story_caption = _TextBox(3)
        self.story_caption.setObjectName("story_caption")
        self.story_caption.setPlaceholderText("What the reader should know about this picture")
        self.story_caption.setAccessibleName("Caption in this story")
        self.story_caption.textChanged.connect(self._story_caption_changed)
        self.story_caption_label = QLabel("Ca&ption in this story")
        self.story_caption_label.setBuddy(self.story_caption)
        self.story_caption_label.setWordWrap(False)  # above its field: the full width is there
        self.story_alt = _TextBox(3)
        self.story_alt.setObjectName("story_alt")
        self.story_alt.setPlaceholderText("What the picture shows, for someone who cannot see it")
        self.story_alt.setAccessibleName("Alt text in this story")
        self.story_alt.textChanged.connect(self._story_alt_changed)
        self.story_alt_label = QLabel("Alt te&xt in this story")
        self.story_alt_label.setBuddy(self.story_alt)
        self.story_alt_label.setWordWrap(False)
        self.story_alt_warning = self._warning_label("story-alt-warning")
        self.photo_heading = QLabel("The photograph (every story)")
        self.photo_heading.setObjectName("photo-heading")
        self.photo_heading.setWordWrap(True)
        self.alt_warning = self._warning_label("alt-warning")
        form.addRow(self.story_caption_label, self.story_caption)
        form.addRow(self.story_alt_label, self.story_alt)
        form.addRow(self.story_alt_warning)
        form.addRow(self.photo_heading)

        for name, label_text in FORM_FIELDS:
            editor: QLineEdit | _TextBox
            if name in MULTILINE:
                editor = _TextBox(3)
                editor.textChanged.connect(lambda n=name: self._changed(n))
            else:
                editor = QLineEdit()
                editor.setClearButtonEnabled(False)
                editor.textEdited.connect(lambda _t, n=name: self._changed(n))
            editor.setObjectName(name)
            editor.setAccessibleName(FIELD_NAMES[name])
            if name in PLACEHOLDERS:
                editor.setPlaceholderText(PLACEHOLDERS[name])
            if name in COMPLETED and isinstance(editor, QLineEdit):
                completer = QCompleter(self.credit_model, editor)
                completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
                completer.setFilterMode(Qt.MatchFlag.MatchContains)
                completer.activated.connect(lambda _text, n=name: self._changed(n))
                editor.setCompleter(completer)
            self.editors[name] = editor
            label = QLabel(label_text)
            label.setBuddy(editor)
            form.addRow(label, editor)
            if name == "alt_text":
                form.addRow(self.alt_warning)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.missing_file)
        layout.addWidget(self.instructions)
        layout.addLayout(form)
        layout.addStretch(1)
        self._form = form
        self.load(None)

    @staticmethod
    def _warning_label(name: str) -> QLabel:
        # Its room is kept while the warning is gone: typing the alt text that clears
        # it must not move the fields below, or the next click lands in the wrong one.
        label = ReservedLabel((ALT_EMPTY, ALT_SAME))
        label.setObjectName(name)
        label.setWordWrap(True)
        palette = label.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor(WARNING_COLOUR))
        label.setPalette(palette)
        return label

    # ---- showing an image ----------------------------------------------------------------
    def load(
        self,
        item: ImageItem | None,
        *,
        story_caption: str | None = None,
        story_alt: str | None = None,
        file_missing: bool = False,
    ) -> None:
        """Show this image's fields, and this story's caption and alt text when it is a
        figure of the open article (None: it is not).

        file_missing: the picture's file is gone from the library (the panel checks).
        """
        self.item = item
        self.batch, self.mixed = [], set()
        for name, editor in self.editors.items():
            self._set_text(editor, item.get(name) if item else "")
            editor.setEnabled(item is not None)
            editor.setPlaceholderText(PLACEHOLDERS.get(name, ""))
        self.set_story(story_caption, story_alt)
        if item is None:
            self.title.setText("No picture selected")
        else:
            name = item.original_name or item.filename
            self.title.setText(f"{name} · {item.width}×{item.height}")
        self.update_alt_warning()
        self.set_file_missing(file_missing)
        strip = instructions_text(item.get("instructions")) if item is not None else ""
        self.instructions.setText(strip)
        self.instructions.setAccessibleName(strip)
        self.instructions.setVisible(bool(strip))

    def load_many(self, items: list[ImageItem]) -> None:
        """Edit several pictures at once: shared values shown, differing ones marked (mixed).

        Typing in a field sets it on every selected picture; a field left
        alone keeps each picture's own value.
        """
        self.item = None
        self.batch = list(items)
        self.mixed = set()
        # Every field's values first, in one stretch of Python: a worker thread that
        # holds the interpreter in between widget calls cannot stretch it out.
        by_name = {name: {i.get(name) for i in items} for name in self.editors}
        for name, editor in self.editors.items():
            values = by_name[name]
            shared = len(values) == 1
            self._set_text(editor, next(iter(values)) if shared else "")
            editor.setPlaceholderText(PLACEHOLDERS.get(name, "") if shared else MIXED)
            editor.setEnabled(True)
            if not shared:
                self.mixed.add(name)
        self.set_story(None)
        self.title.setText(f"{len(items)} pictures selected: a change applies to every one")
        for label in (self.alt_warning, self.story_alt_warning):
            self._form.setRowVisible(label, False)
        self.set_file_missing(False)
        self.instructions.setVisible(False)

    def set_file_missing(self, missing: bool) -> None:
        text = missing_file_text(self.item.filename) if missing and self.item is not None else ""
        self.missing_file.setText(text)
        self.missing_file.setAccessibleName(text)
        self.missing_file.setVisible(bool(text))

    def set_read_only(self, read_only: bool) -> None:
        """A read-only library: every field can be read and copied, none typed into (what was
        typed could not be saved, and would look as if it had been)."""
        for editor in (*self.editors.values(), self.story_caption, self.story_alt):
            editor.setReadOnly(read_only)

    def set_story(self, caption: str | None, alt_text: str | None = None) -> None:
        """This story's own caption and alt text; None hides them (not a figure of the article)."""
        visible = caption is not None
        for widget in (self.story_caption, self.story_alt, self.photo_heading):
            self._form.setRowVisible(widget, visible)
        if visible:
            for editor, text in ((self.story_caption, caption), (self.story_alt, alt_text)):
                if editor.text() != (text or ""):
                    self._set_text(editor, text or "")
        self.update_alt_warning()

    def set_story_caption(self, text: str | None) -> None:
        """Kept for callers that only know the caption; the alt text stays as it is."""
        self.set_story(text, self.story_alt.text() if text is not None else None)

    def set_value(self, name: str, text: str) -> None:
        """Put a value in a field without it counting as an edit (undo, reload)."""
        if self.batch:
            return  # the panel reloads the whole batch instead
        editor = self.editors[name]
        if editor.text() != text:
            self._set_text(editor, text)
        self.update_alt_warning()

    def value(self, name: str) -> str:
        return self.editors[name].text()

    def text_fields(self) -> list[QLineEdit | _TextBox]:
        """Every field a person types in (the code replacements watch them)."""
        return [self.story_caption, self.story_alt, *self.editors.values()]

    def set_credit_names(self, names: list[str]) -> None:
        """What the credit and creator fields complete from."""
        self.credit_model.setStringList(names)

    def update_alt_warning(self) -> None:
        """Warn about the alt text a page will show: this story's when the picture is
        one of its figures, else the default a new story starts from."""
        if self.batch:
            return
        story = self._form.isRowVisible(self.story_alt)
        story_warning = default_warning = ""
        if self.item is not None and story:
            story_warning = alt_text_warning(self.story_alt.text(), self.story_caption.text())
        elif self.item is not None:
            default_warning = alt_text_warning(self.value("alt_text"), self.value("caption"))
        for label, warning, shown in (
            (self.story_alt_warning, story_warning, story),
            (self.alt_warning, default_warning, not story),
        ):
            label.setText(warning)
            label.setAccessibleName(warning)
            # The row stays (empty) while its alt text field is the one being written.
            self._form.setRowVisible(label, shown)

    # ---- internals -----------------------------------------------------------------------
    @staticmethod
    def _set_text(editor: QLineEdit | _TextBox, text: str) -> None:
        with QSignalBlocker(editor):
            editor.setText(text)
            if isinstance(editor, QLineEdit):
                editor.setCursorPosition(0)

    def _changed(self, name: str) -> None:
        if self.batch:
            self.mixed.discard(name)
            self.editors[name].setPlaceholderText(PLACEHOLDERS.get(name, ""))
            self.sig_field_edited.emit(name, self.value(name))
            return
        if self.item is None:
            return
        if name in ("alt_text", "caption"):
            self.update_alt_warning()
        self.sig_field_edited.emit(name, self.value(name))

    def _story_caption_changed(self) -> None:
        if self.item is not None:
            self.update_alt_warning()
            self.sig_story_caption_edited.emit(self.story_caption.text())

    def _story_alt_changed(self) -> None:
        if self.item is not None:
            self.update_alt_warning()
            self.sig_story_alt_edited.emit(self.story_alt.text())
