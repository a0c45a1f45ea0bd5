"""The article's fields above the body: headline, dek, byline, section, tags, slug, status, SEO."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QDateTime, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateTimeEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from newsdesk.library import ARTICLE_STATUSES, Article, Library
from newsdesk.render import dates
from newsdesk.text import slugify
from newsdesk.ui.fields import WrappingLineEdit
from newsdesk.ui.workers import NewestRead, run_task

# The budgets a desk works to: what fits a search result and a social card.
HEADLINE_BUDGET = 70
SEO_TITLE_BUDGET = 70
DEK_BUDGET = 160
SEO_DESCRIPTION_BUDGET = 160
OVER_BUDGET_COLOR = "#c62828"  # the one hard-coded colour: red means over budget in any theme


class BudgetCounter(QLabel):
    """'42/70' beside a field; turns red past the budget."""

    def __init__(self, budget: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.budget = budget
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("000/000") + 4)
        self.over = False
        self.set_count(0)

    def set_count(self, n: int) -> None:
        self.over = n > self.budget
        self.setText(f"{n}/{self.budget}")
        if self.over:
            self.setStyleSheet(f"color: {OVER_BUDGET_COLOR}; font-weight: bold;")
            self.setToolTip(f"{n - self.budget} characters over the budget of {self.budget}")
        else:
            # A palette role, so the quiet counter follows light and dark themes.
            self.setStyleSheet("")
            self.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            self.setToolTip(f"Budget: {self.budget} characters")


class TagsEdit(QLineEdit):
    """A comma-separated tag list that completes the tag being typed from the library's tags."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = QStringListModel(self)
        self.tag_completer = QCompleter(self._model, self)
        self.tag_completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.tag_completer.setWidget(self)
        self.tag_completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.tag_completer.activated.connect(self._insert_completion)
        self.textEdited.connect(self._on_edited)

    def set_known_tags(self, names: list[str]) -> None:
        self._model.setStringList(names)

    def tags(self) -> list[str]:
        return [t.strip() for t in self.text().split(",") if t.strip()]

    def set_tags(self, names: list[str]) -> None:
        self.setText(", ".join(names))

    def _current_fragment(self) -> str:
        before = self.text()[: self.cursorPosition()]
        return before.rsplit(",", 1)[-1].lstrip()

    def _on_edited(self, _text: str) -> None:
        fragment = self._current_fragment()
        if not fragment:
            self.tag_completer.popup().hide()
            return
        self.tag_completer.setCompletionPrefix(fragment)
        if self.tag_completer.completionCount() > 0:
            self.tag_completer.complete()
        else:
            self.tag_completer.popup().hide()

    def _insert_completion(self, name: str) -> None:
        text, pos = self.text(), self.cursorPosition()
        start = text.rfind(",", 0, pos) + 1
        end = text.find(",", pos)
        end = len(text) if end < 0 else end
        head = text[:start] + (" " if start else "")
        new = head + name + ", " + text[end:].lstrip(", ")
        self.setText(new.rstrip())
        self.setCursorPosition(len(head + name) + 2)
        self.textEdited.emit(self.text())


class ArticleForm(QWidget):
    """Every article field except the body, with live budget counters and a checked slug."""

    sig_changed = Signal(str)
    """The user changed this field (never emitted while an article is being loaded)."""
    sig_slug_state = Signal(bool)
    """Whether the slug in the field is free to use (checked against the library)."""

    FIELDS = (
        "headline",
        "dek",
        "byline",
        "section",
        "tags",
        "slug",
        "status",
        "embargo_until",
        "seo_title",
        "seo_description",
    )

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.article_id: int | None = None
        self._loading = False
        self._slug_by_hand = False
        self.slug_ok = True

        # Headline and dek wrap and grow with their text: on a laptop the whole
        # headline is seen, never "Night ferry crews rehearse for th".
        self.headline = WrappingLineEdit(placeholderText="Headline", max_lines=3)
        big = QFont(self.headline.font())
        big.setPointSizeF(big.pointSizeF() * 1.2)
        big.setBold(True)
        self.headline.setFont(big)
        self.dek = WrappingLineEdit(
            placeholderText="Dek: one or two sentences under the headline", max_lines=4
        )
        self.byline = QLineEdit(placeholderText="By …")
        self.section = QComboBox()
        self.section.setEditable(True)
        self.section.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.section.lineEdit().setPlaceholderText("Section")
        self.tags = TagsEdit()
        self.tags.setPlaceholderText("Tags, separated by commas")
        self.slug = QLineEdit(placeholderText="slug")
        self.slug_note = QLabel("")
        self.status = QComboBox()
        self.status.addItems(list(ARTICLE_STATUSES))
        self.embargo_on = QCheckBox("Embargo")
        self.embargo = QDateTimeEdit()
        self.embargo.setCalendarPopup(True)
        self.embargo.setDisplayFormat("yyyy-MM-dd HH:mm")
        # Only dates every time zone can show (see render.dates): the field
        # refuses a year outside them as it is typed, like an import does.
        self.embargo.setDateTimeRange(
            QDateTime.fromSecsSinceEpoch(int(dates.EARLIEST.timestamp())),
            QDateTime.fromSecsSinceEpoch(int(dates.LATEST.timestamp()) - 60),
        )
        self.embargo.setEnabled(False)
        self.seo_title = QLineEdit(placeholderText="SEO title (defaults to the headline)")
        self.seo_description = QLineEdit(placeholderText="SEO description (defaults to the dek)")

        self.headline_count = BudgetCounter(HEADLINE_BUDGET, self)
        self.dek_count = BudgetCounter(DEK_BUDGET, self)
        self.seo_title_count = BudgetCounter(SEO_TITLE_BUDGET, self)
        self.seo_description_count = BudgetCounter(SEO_DESCRIPTION_BUDGET, self)

        for widget, name in (
            (self.headline, "Headline"),
            (self.dek, "Dek"),
            (self.byline, "Byline"),
            (self.section, "Section"),
            (self.tags, "Tags"),
            (self.slug, "Slug"),
            (self.status, "Status"),
            (self.embargo_on, "Embargo"),
            (self.embargo, "Embargo until"),
            (self.seo_title, "SEO title"),
            (self.seo_description, "SEO description"),
        ):
            widget.setAccessibleName(name)
            widget.setObjectName(f"field-{name.lower().replace(' ', '-')}")

        grid = QGridLayout(self)
        grid.setContentsMargins(8, 6, 8, 4)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(4)

        def label(text: str, buddy: QWidget) -> QLabel:
            lab = QLabel(text)
            lab.setBuddy(buddy)
            return lab

        # Row 0-1: headline and dek span the width, each with its counter.
        # (Their labels and counters stay on the first line when the text wraps.)
        top = Qt.AlignmentFlag.AlignTop
        grid.addWidget(label("Headli&ne", self.headline), 0, 0, top)
        grid.addWidget(self.headline, 0, 1, 1, 4)
        grid.addWidget(self.headline_count, 0, 5, top)
        grid.addWidget(label("&Dek", self.dek), 1, 0, top)
        grid.addWidget(self.dek, 1, 1, 1, 4)
        grid.addWidget(self.dek_count, 1, 5, top)
        # Row 2: byline | section
        grid.addWidget(label("&Byline", self.byline), 2, 0)
        grid.addWidget(self.byline, 2, 1)
        grid.addWidget(label("&Section", self.section), 2, 2)
        grid.addWidget(self.section, 2, 3, 1, 3)
        # Row 3: tags | slug
        grid.addWidget(label("&Tags", self.tags), 3, 0)
        grid.addWidget(self.tags, 3, 1)
        grid.addWidget(label("S&lug", self.slug), 3, 2)
        slug_box = QHBoxLayout()
        slug_box.setSpacing(4)
        slug_box.addWidget(self.slug, 1)
        slug_box.addWidget(self.slug_note)
        grid.addLayout(slug_box, 3, 3, 1, 3)
        # Row 4: status | embargo
        grid.addWidget(label("Stat&us", self.status), 4, 0)
        grid.addWidget(self.status, 4, 1)
        embargo_box = QHBoxLayout()
        embargo_box.setSpacing(4)
        embargo_box.addWidget(self.embargo_on)
        embargo_box.addWidget(self.embargo, 1)
        grid.addLayout(embargo_box, 4, 2, 1, 4)
        # Row 5-6: SEO
        grid.addWidget(label("SEO title", self.seo_title), 5, 0)
        grid.addWidget(self.seo_title, 5, 1, 1, 4)
        grid.addWidget(self.seo_title_count, 5, 5)
        grid.addWidget(label("SEO desc.", self.seo_description), 6, 0)
        grid.addWidget(self.seo_description, 6, 1, 1, 4)
        grid.addWidget(self.seo_description_count, 6, 5)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(3, 2)

        order = [
            self.headline,
            self.dek,
            self.byline,
            self.section,
            self.tags,
            self.slug,
            self.status,
            self.embargo_on,
            self.embargo,
            self.seo_title,
            self.seo_description,
        ]
        for a, b in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(a, b)
        self.last_in_tab_order: QWidget = self.seo_description
        self.tab_chain: list[QWidget] = order

        self._slug_timer = QTimer(self, singleShot=True, interval=250)
        self._slug_timer.timeout.connect(self._check_slug)
        self._slug_request = 0
        self._choices = NewestRead()  # sections and tags

        self.headline.textEdited.connect(self._on_headline_edited)
        self.dek.textEdited.connect(lambda: self._changed("dek"))
        self.byline.textEdited.connect(lambda: self._changed("byline"))
        self.section.editTextChanged.connect(lambda: self._changed("section"))
        self.tags.textEdited.connect(lambda: self._changed("tags"))
        self.slug.textEdited.connect(self._on_slug_edited)
        self.status.currentTextChanged.connect(lambda: self._changed("status"))
        self.embargo_on.toggled.connect(self._on_embargo_toggled)
        self.embargo.dateTimeChanged.connect(lambda: self._changed("embargo_until"))
        self.seo_title.textEdited.connect(lambda: self._changed("seo_title"))
        self.seo_description.textEdited.connect(lambda: self._changed("seo_description"))
        for edit, counter in (
            (self.headline, self.headline_count),
            (self.dek, self.dek_count),
            (self.seo_title, self.seo_title_count),
            (self.seo_description, self.seo_description_count),
        ):
            edit.textChanged.connect(lambda *_a, e=edit, c=counter: c.set_count(len(e.text())))
        self.setEnabled(False)

    # ---- loading ----------------------------------------------------------
    def refresh_choices(self) -> None:
        """Sections and tags the library already uses, for the combo and the completer."""
        library = self.library
        self._choices.run(lambda: (library.sections(), library.tags()), self._set_choices)

    def _set_choices(self, result: tuple[list[str], list[str]]) -> None:
        sections, tags = result
        current = self.section.currentText()
        self._loading, was_loading = True, self._loading
        try:
            self.section.clear()
            self.section.addItems(sections)
            self.section.setEditText(current)
        finally:
            self._loading = was_loading
        self.tags.set_known_tags(tags)

    def load(self, article: Article | None) -> None:
        """Show an article's fields (or clear and disable the form)."""
        self._loading = True
        # A slug check still on its way was for what was shown before: its answer is dropped.
        self._slug_timer.stop()
        self._slug_request += 1
        try:
            self.article_id = article.id if article else None
            self.setEnabled(article is not None)
            a = article
            self.headline.setText(a.headline if a else "")
            self.dek.setText(a.dek if a else "")
            self.byline.setText(a.byline if a else "")
            self.section.setEditText(a.section if a else "")
            self.tags.set_tags(a.tags if a else [])
            self.slug.setText(a.slug if a else "")
            self.status.setCurrentText(a.status if a else ARTICLE_STATUSES[0])
            embargo = a.embargo_until if a else None
            self.embargo_on.setChecked(embargo is not None)
            self.embargo.setEnabled(embargo is not None)
            when = embargo or datetime.now(UTC)
            self.embargo.setDateTime(QDateTime.fromSecsSinceEpoch(int(when.timestamp())))
            self.seo_title.setText(a.seo_title if a else "")
            self.seo_description.setText(a.seo_description if a else "")
            for edit in (
                self.headline,
                self.dek,
                self.byline,
                self.tags,
                self.slug,
                self.seo_title,
                self.seo_description,
            ):
                edit.setCursorPosition(0)  # show the start of a long value, not its end
            # A slug that is just the headline's is still generated; one edited by hand stays.
            self._slug_by_hand = a is not None and not _follows(a.slug, a.headline)
            self.slug_ok = True
            self.slug_note.setText("")
        finally:
            self._loading = False

    # ---- values -----------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """The fields as `Library.update_article` takes them (tags separately, as a list)."""
        embargo = None
        if self.embargo_on.isChecked():
            embargo = datetime.fromtimestamp(self.embargo.dateTime().toSecsSinceEpoch(), UTC)
        values: dict[str, Any] = {
            "headline": self.headline.text().strip(),
            "dek": self.dek.text().strip(),
            "byline": self.byline.text().strip(),
            "section": self.section.currentText().strip(),
            "tags": self.tags.tags(),
            "status": self.status.currentText(),
            "embargo_until": embargo,
            "seo_title": self.seo_title.text().strip(),
            "seo_description": self.seo_description.text().strip(),
        }
        # A taken or empty slug is not sent: the autosave must never fail on it.
        slug = slugify(self.slug.text()) if self.slug.text().strip() else ""
        if slug and self.slug_ok:
            values["slug"] = slug
        return values

    def preview_fields(self) -> dict[str, Any]:
        """What the preview's page header shows."""
        v = self.values()
        return {k: v[k] for k in ("headline", "dek", "byline", "section", "tags")}

    # ---- reactions --------------------------------------------------------
    def _changed(self, name: str) -> None:
        if not self._loading:
            self.sig_changed.emit(name)

    def _on_headline_edited(self, text: str) -> None:
        if not self._slug_by_hand and not self._loading:
            self.slug.setText(slugify(text) if text.strip() else "")
            self._slug_request += 1  # a check on its way was for the slug before this key
            self._slug_timer.start()
        self._changed("headline")

    def _on_slug_edited(self, _text: str) -> None:
        self._slug_by_hand = bool(self.slug.text().strip())
        self._slug_request += 1  # a check on its way was for the slug before this key
        self._slug_timer.start()
        self._changed("slug")

    def _on_embargo_toggled(self, on: bool) -> None:
        self.embargo.setEnabled(on)
        self._changed("embargo_until")

    def _check_slug(self) -> None:
        """Ask the library, off the GUI thread, whether the slug is free; generated ones get a number."""
        if self.article_id is None:
            return
        wanted = slugify(self.slug.text()) if self.slug.text().strip() else ""
        if not wanted:
            return
        self._slug_request += 1
        request, article_id, library = self._slug_request, self.article_id, self.library
        by_hand = self._slug_by_hand

        def check() -> tuple[bool, str]:
            free = library.slug_available(wanted, exclude_id=article_id)
            if free or by_hand:
                return free, wanted
            return True, library.unique_slug(wanted, exclude_id=article_id)

        run_task(check, on_done=lambda result: self._show_slug_state(request, wanted, result))

    def _show_slug_state(self, request: int, wanted: str, result: tuple[bool, str]) -> None:
        if request != self._slug_request or self.article_id is None:
            return  # the user typed on (a newer check is coming), or another story is shown
        free, slug = result
        self.slug_ok = free
        if free and slug != wanted:
            self._loading = True
            try:
                self.slug.setText(slug)
            finally:
                self._loading = False
            self._changed("slug")
        if free:
            self.slug_note.setText("")
            self.slug_note.setToolTip("")
        else:
            self.slug_note.setText(f"<span style='color:{OVER_BUDGET_COLOR}'>taken</span>")
            self.slug_note.setToolTip(f"Another article already uses the slug {wanted!r}.")
        self.sig_slug_state.emit(free)


def _follows(slug: str, headline: str) -> bool:
    """Whether the slug is what the headline generates (perhaps numbered: 'x-2')."""
    base = slugify(headline)
    if slug == base:
        return True
    head, _, tail = slug.rpartition("-")
    return tail.isdigit() and head == base
