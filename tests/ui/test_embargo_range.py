"""The editor's embargo field only takes dates every time zone can show, as an import does."""

from __future__ import annotations

from PySide6.QtCore import QDate, QDateTime, QTime

from newsdesk.render import dates
from newsdesk.ui.article_form import ArticleForm


def test_the_embargo_field_refuses_years_no_time_zone_can_show(qtbot, library):
    form = ArticleForm(library)
    qtbot.addWidget(form)
    form.embargo_on.setChecked(True)

    form.embargo.setDateTime(QDateTime(QDate(1, 1, 1), QTime(0, 0)))
    assert form.embargo.dateTime().date().year() >= 1900
    form.embargo.setDateTime(QDateTime(QDate(9999, 12, 31), QTime(23, 59)))
    assert form.embargo.dateTime().date().year() <= 8999

    embargo = form.values()["embargo_until"]
    assert embargo is not None and dates.in_supported_range(embargo)
