"""Preferences with no base URL: the empty field reads as 'not set', and says what that means."""

from __future__ import annotations

import pytest

from newsdesk.ui.preferences import PreferencesDialog


@pytest.fixture
def dialog(qtbot, library, settings):
    d = PreferencesDialog(library, None, settings=settings)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    return d


def test_a_new_library_shows_its_base_url_as_not_set(dialog, library):
    assert library.publication().base_url == ""
    assert dialog.url_edit.text() == ""
    assert dialog.url_edit.placeholderText().startswith("Not set")
    assert dialog.url_note.isVisible() and "no canonical links" in dialog.url_note.text()


def test_typing_a_base_url_hides_the_note_and_clearing_it_saves_none(qtbot, dialog, library):
    dialog.url_edit.setText("https://gazette.example.net")
    assert not dialog.url_note.isVisible()
    assert dialog.apply()
    assert library.publication().base_url == "https://gazette.example.net/"

    dialog.url_edit.clear()
    assert dialog.url_note.isVisible()
    assert dialog.apply()
    assert library.publication().base_url == ""


def test_a_base_url_with_a_query_is_refused_like_on_the_command_line(dialog, library):
    dialog.url_edit.setText("https://gazette.example.net/?utm=1")
    assert not dialog.apply()
    assert "'?' or '#'" in dialog.error_label.text()
    assert library.publication().base_url == ""
