"""What the related-stories picker offers: suggestions for the open story and a search of the
library with its filters (status, section, dates), each read on a worker as the user types.

`PickerFinding` is a part of `RelatedPicker` (a mixin: it uses the picker's
lists, filters and timers).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QDate

from newsdesk.library.related.picker import SearchRequest, StoryRow, run_search, run_suggestions
from newsdesk.ui.story_rows import ROW_ROLE
from newsdesk.ui.workers import run_task

if TYPE_CHECKING:
    from newsdesk.ui.related_picker import RelatedPicker

SUGGESTIONS_MAX_AGE_S = 30.0  # while typing on, suggestions are checked at least this often

STATUS_CHOICES = (
    ("Published", "published"),
    ("Any status", ""),
    ("Draft", "draft"),
    ("Editing", "editing"),
    ("Ready", "ready"),
)
DATE_CHOICES = (
    ("Any date", None),
    ("Past week", 7),
    ("Past month", 31),
    ("Past year", 366),
    ("Between…", -1),
)


class PickerFinding:
    """Suggestions and search for the related-stories picker."""

    # ---- suggestions ----------------------------------------------------------------------
    def refresh_suggestions(self: RelatedPicker) -> None:
        """Check the article's terms in the background; recompute when they (or 30 s) changed."""
        if self.article_id is None:
            return
        if self._suggest_running:
            self._suggest_again = True
            return
        force = self._suggest_force or (
            time.monotonic() - self._last_suggested >= SUGGESTIONS_MAX_AGE_S
        )
        self._suggest_force = False
        self._suggest_running = True
        self.suggest_note.setText("Updating…")
        library, article_id, body = self.library, self.article_id, self._body
        last = None if force else self._last_terms
        include_unpublished = self.status_filter.currentData() != "published"
        exclude = list(self._picked)
        run_task(
            lambda: run_suggestions(
                library,
                article_id,
                body=body,
                last_terms=last,
                include_unpublished=include_unpublished,
                exclude=exclude,
            ),
            on_done=lambda result: self._suggestions_arrived(article_id, result),
            on_error=lambda exc: self._suggestions_failed(article_id, exc),
            pool=self._search_pool,
        )

    def _suggestions_arrived(
        self: RelatedPicker, article_id: int, result: tuple[list[str], list[StoryRow] | None]
    ) -> None:
        if not shiboken6.isValid(self):
            return
        self._suggest_running = False
        terms, rows = result
        if article_id == self.article_id:
            self._last_terms = terms
            if rows is not None:
                self._last_suggested = time.monotonic()
                for row in rows:
                    self._rows.setdefault(row.article_id, row)
                # The story the user has reached with the arrows stays current in the new list.
                current = self.suggestions.currentItem()
                keep = current.data(ROW_ROLE).article_id if current is not None else None
                keep_row = self.suggestions.currentRow()
                shown = [r for r in rows if r.article_id not in self._picked]
                self._fill(self.suggestions, shown)
                ids = [r.article_id for r in shown]
                if keep in ids:
                    self.suggestions.setCurrentRow(ids.index(keep))
                elif self.suggestions.hasFocus() and ids:
                    self.suggestions.setCurrentRow(min(max(keep_row, 0), len(ids) - 1))
                self.sig_suggestions_shown.emit(self.suggestions.count())
            self.suggest_note.setText("" if self.suggestions.count() else "No suggestions yet")
        if self._suggest_again:
            self._suggest_again = False
            self.refresh_suggestions()

    def _suggestions_failed(self: RelatedPicker, article_id: int, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._suggest_running = False
        if article_id == self.article_id:
            self.suggest_note.setText("Suggestions failed")
            self.status_line.setText(f"Suggestions could not be made: {exc}")
        if self._suggest_again:
            self._suggest_again = False
            self.refresh_suggestions()

    # ---- search ------------------------------------------------------------------------------
    def _request(self: RelatedPicker) -> SearchRequest:
        since = until = None
        days = self.date_filter.currentData()
        if days == -1:
            since = _day_start(self.date_from.date())
            until = _day_start(self.date_to.date().addDays(1))
        elif days:
            since = datetime.now(UTC) - timedelta(days=days)
        return SearchRequest(
            query=self.search_field.text(),
            status=self.status_filter.currentData() or "",
            section=self.section_filter.currentData() or "",
            since=since,
            until=until,
            exclude_id=self.article_id,
        )

    def _search_text_changed(self: RelatedPicker, _text: str) -> None:
        self._down_pending = False  # typing on: the earlier Down was not for these results
        self._search_timer.start()

    def search_now(self: RelatedPicker) -> None:
        """Search at once for what the field holds (typing waits a moment first)."""
        self._search_timer.stop()
        request = self._request()
        if not request.query.strip():
            self._search_wanted = None
            self.results.clear()
            self.search_note.setText(self.library.search_note)
            return
        self._search_wanted = request
        if self._search_running is None:
            self._start_search(request)

    def _start_search(self: RelatedPicker, request: SearchRequest) -> None:
        self._search_running = request
        self.search_note.setText("Searching…")
        library = self.library
        run_task(
            lambda: run_search(library, request),
            on_done=lambda rows: self._results_arrived(request, rows),
            on_error=lambda exc: self._search_failed(request, exc),
            pool=self._search_pool,
        )

    def _results_arrived(self: RelatedPicker, request: SearchRequest, rows: list[StoryRow]) -> None:
        if not shiboken6.isValid(self):
            return
        self._search_running = None
        if request == self._search_wanted:
            for row in rows:
                if row.article_id not in self._picked:  # keep what preflight said of those
                    self._rows[row.article_id] = row
            keep = self.results.currentRow()
            self._fill(self.results, rows)
            if self.results.hasFocus() and rows:
                self.results.setCurrentRow(min(max(keep, 0), len(rows) - 1))
            note = (
                f"{len(rows)} {'story' if len(rows) == 1 else 'stories'}"
                if rows
                else "No stories found"
            )
            extra = self.library.search_note
            self.search_note.setText(f"{note}. {extra}" if extra else note)
            if self._down_pending and rows and self.search_field.hasFocus():
                self._enter_results()
            self._down_pending = False
            self.sig_results_shown.emit(len(rows))
        elif self._search_wanted is not None:
            self._start_search(self._search_wanted)  # only the newest query is run

    def _search_failed(self: RelatedPicker, request: SearchRequest, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._search_running = None
        self.search_note.setText(f"Search failed: {exc}")
        if self._search_wanted is not None and self._search_wanted != request:
            self._start_search(self._search_wanted)

    def _filters_changed(self: RelatedPicker, *_args: Any) -> None:
        if self.search_field.text().strip():
            self.search_now()

    def _status_changed(self: RelatedPicker, *_args: Any) -> None:
        self._filters_changed()
        # The status filter also says whether unpublished stories may be suggested.
        self._suggest_force = True
        self.refresh_suggestions()

    def _date_choice_changed(self: RelatedPicker, *_args: Any) -> None:
        self.date_row.setVisible(self.date_filter.currentData() == -1)
        self._filters_changed()

    def _load_sections(self: RelatedPicker) -> None:
        library = self.library
        run_task(library.sections, on_done=self._sections_arrived, pool=self._search_pool)

    def _sections_arrived(self: RelatedPicker, sections: list[str]) -> None:
        if not shiboken6.isValid(self):
            return
        current = self.section_filter.currentData()
        self.section_filter.blockSignals(True)
        while self.section_filter.count() > 1:
            self.section_filter.removeItem(1)
        for name in sections:
            self.section_filter.addItem(name, name)
        index = self.section_filter.findData(current)
        self.section_filter.setCurrentIndex(max(index, 0))
        self.section_filter.blockSignals(False)


def _day_start(day: QDate) -> datetime:
    """Midnight at the start of this local day, as an aware datetime."""
    local = datetime(day.year(), day.month(), day.day()).astimezone()
    return local.astimezone(UTC)
