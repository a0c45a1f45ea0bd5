"""The related-stories picker: search, suggestions, the picked list, undo, and the page it makes."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image as PILImage
from PIL import ImageDraw
from PySide6.QtCore import QModelIndex, Qt, QThreadPool
from PySide6.QtTest import QTest

from newsdesk.images.library_import import import_image
from newsdesk.library import Library
from newsdesk.ui.related_picker import ROW_ROLE, RelatedPicker
from tests.ui.conftest import open_in_window

from .conftest import run_js, wait_preview_ready

NOW = datetime.now(UTC)

CARDS_JS = """
JSON.stringify((() => {
  const aside = document.querySelector('aside.related');
  if (!aside) return null;
  return Array.from(aside.querySelectorAll('li')).map(li => {
    const img = li.querySelector('img');
    return {
      headline: li.querySelector('.related-headline').textContent.trim(),
      src: img ? (img.currentSrc || img.getAttribute('src')) : null,
      srcset: img ? (img.getAttribute('srcset') || '') : '',
      alt: img ? img.getAttribute('alt') : null,
    };
  });
})())
"""


def related_cards(qtbot, window):
    """The related-stories cards in the preview's page, or None when the section is absent."""
    return json.loads(run_js(qtbot, window, CARDS_JS))


def photo(path, colour, label: str):
    """A small, distinct JPEG: a coloured field with a shape, so each hero has its own hash."""
    im = PILImage.new("RGB", (640, 427), colour)
    draw = ImageDraw.Draw(im)
    draw.ellipse((200, 80, 440, 320), fill=(255, 255, 255))
    draw.text((20, 20), label, fill=(0, 0, 0))
    im.save(path, "JPEG", quality=85)
    return path


def story(library: Library, headline: str, *, days_ago: float = 3, **fields) -> int:
    fields.setdefault("status", "published")
    if fields["status"] == "published":
        fields.setdefault("published_at", NOW - timedelta(days=days_ago))
    return library.create_article(headline=headline, **fields).id


def with_hero(library: Library, article_id: int, path, alt: str):
    image = import_image(library, path)
    image = library.update_image(image.id, alt_text=alt, credit="Desk photographer")
    library.set_hero(article_id, image.id)
    return image


@pytest.fixture
def newsroom(library: Library, tmp_path):
    """The open story (A) about the night ferry, and the desk's other stories."""
    ids = {}
    ids["crossing"] = story(
        library,
        "Ferry crossings double as families head for Bari",
        section="World",
        tags=["migration", "Albania"],
        dek="Bookings on the Durrës line are up for a second month.",
        body="The ferry from Durrës now sails twice a night; families wait in the harbour.",
        days_ago=6,
    )
    ids["harbour"] = story(
        library,
        "Harbour volunteers meet the night ferry",
        section="Local",
        tags=["migration"],
        dek="Blankets, tea and a list of phone numbers.",
        body="Volunteers meet every ferry at the harbour with blankets and tea.",
        days_ago=9,
    )
    ids["timetable"] = story(
        library,
        "New ferry timetable for the winter",
        section="Local",
        tags=["Albania", "migration"],
        dek="Fewer sailings from November.",
        body="The winter timetable cuts the ferry to one sailing a night from the harbour.",
        days_ago=12,
    )
    ids["draft"] = story(
        library,
        "Draft: ferry families notes",
        status="draft",
        tags=["migration", "Albania"],
        body="Notes on the ferry families in the harbour.",
    )
    ids["derby"] = story(
        library,
        "Late penalty settles the derby",
        section="Sport",
        tags=["football"],
        body="United won the derby after a late penalty.",
        days_ago=1,
    )
    ids["A"] = story(
        library,
        "Night ferry brings Albanian families to Bari",
        section="World",
        tags=["migration", "Albania"],
        dek="212 passengers reached the harbour at dawn.",
        body="The night ferry from Durrës reached the harbour with 212 passengers.\n\n"
        "Harbour officials said the ferry had been turned back twice.",
        days_ago=0.5,
    )
    heroes = {
        "crossing": with_hero(
            library,
            ids["crossing"],
            photo(tmp_path / "red.jpg", (200, 40, 40), "crossing"),
            "Passengers queue at the ferry ramp in Durrës",
        ),
        "harbour": with_hero(
            library,
            ids["harbour"],
            photo(tmp_path / "blue.jpg", (30, 60, 200), "harbour"),
            "A volunteer hands out blankets on the quay",
        ),
        "A": with_hero(
            library,
            ids["A"],
            photo(tmp_path / "green.jpg", (40, 160, 60), "A"),
            "The night ferry at the harbour wall",
        ),
    }
    return ids, heroes


def row_ids(view) -> list[int]:
    return [view.item(n).data(ROW_ROLE).article_id for n in range(view.count())]


def headlines(view) -> list[str]:
    """The headlines the list shows, top to bottom (rows the view lays out, not just holds)."""
    shown = []
    for n in range(view.count()):
        rect = view.visualItemRect(view.item(n))
        assert rect.height() > 0, "a row the view does not show"
        shown.append((rect.top(), view.item(n).data(ROW_ROLE).card.headline))
    return [headline for _, headline in sorted(shown)]


def arrow_to(view, article_id: int) -> None:
    """Press Down or Up until the row of this story is the current one."""
    target = row_ids(view).index(article_id)
    while view.currentRow() != target:
        before = view.currentRow()
        QTest.keyClick(view, Qt.Key.Key_Down if before < target else Qt.Key.Key_Up)
        assert view.currentRow() != before, "the arrow keys stopped moving"


def wait_saved(qtbot, picker: RelatedPicker) -> None:
    qtbot.waitUntil(lambda: picker._pending_writes == 0, timeout=10_000)
    assert picker.wait_for_saves()


def related_in_library(library: Library, article_id: int) -> list[int]:
    return [link.target_id for link in library.get_article(article_id).related]


def wait_dom(qtbot, window, predicate, timeout: int = 30_000):
    """Poll the preview page until predicate(cards) holds; returns the last cards seen."""
    deadline = time.monotonic() + timeout / 1000
    cards = None
    while time.monotonic() < deadline:
        if window.preview_ready:
            cards = related_cards(qtbot, window)
            if predicate(cards):
                return cards
        qtbot.wait(100)
    raise AssertionError(f"The preview never showed the expected related stories: {cards!r}")


@pytest.fixture
def picker(qtbot, library, newsroom):
    ids, _ = newsroom
    widget = RelatedPicker(library)
    qtbot.addWidget(widget)
    widget.resize(420, 860)
    widget.show()
    yield widget
    widget.wait_for_saves()
    QThreadPool.globalInstance().waitForDone(10_000)


def open_in_picker(qtbot, picker: RelatedPicker, library: Library, article_id: int) -> None:
    with qtbot.waitSignal(picker.sig_suggestions_shown, timeout=10_000):
        picker.set_article(library.get_article(article_id))


# ---- accepted when: keyboard only, into the preview's page ---------------------------------
def test_keyboard_only_search_add_two_reorder_and_the_preview_shows_their_own_pictures(
    qtbot, library, newsroom, make_window
):
    ids, heroes = newsroom
    window = make_window(open_initial=False)
    open_in_window(qtbot, window, ids["A"])
    picker = RelatedPicker(library)
    window.install_panel("related", picker, "Related stories")
    window.docks["related"].show()
    window.docks["related"].raise_()
    wait_preview_ready(qtbot, window)
    # No related stories yet: the page leaves the section out entirely.
    assert related_cards(qtbot, window) is None

    # The editor clicks into the search field; everything after is keys.
    qtbot.mouseClick(picker.search_field, Qt.MouseButton.LeftButton)
    QTest.keyClicks(picker.search_field, "ferry harb")
    qtbot.waitUntil(lambda: picker.results.count() >= 3, timeout=10_000)
    found = row_ids(picker.results)
    assert ids["A"] not in found, "the open article is never offered"
    assert ids["draft"] not in found, "published stories only, by default"
    # Arrow down to the crossing story, Enter; then to the harbour story, Enter.
    QTest.keyClick(picker.search_field, Qt.Key.Key_Down)
    assert picker.results.hasFocus()
    for wanted in ("crossing", "harbour"):
        arrow_to(picker.results, ids[wanted])
        QTest.keyClick(picker.results, Qt.Key.Key_Return)
    assert picker.picked_ids() == [ids["crossing"], ids["harbour"]]
    # Alt+R jumps to the related list; the second story moves up with Alt+Up.
    QTest.keyClick(picker.results, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(picker.picked.hasFocus, timeout=10_000)
    arrow_to(picker.picked, ids["harbour"])
    QTest.keyClick(picker.picked, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert picker.picked_ids() == [ids["harbour"], ids["crossing"]]
    assert headlines(picker.picked) == [
        "Harbour volunteers meet the night ferry",
        "Ferry crossings double as families head for Bari",
    ]
    # A third, with no hero picture, from the suggestions (Alt+G, arrows to it, Enter).
    QTest.keyClick(picker.picked, Qt.Key.Key_G, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(picker.suggestions.hasFocus, timeout=10_000)
    qtbot.waitUntil(lambda: ids["timetable"] in row_ids(picker.suggestions), timeout=10_000)
    QTest.keyClick(picker.suggestions, Qt.Key.Key_Home)
    arrow_to(picker.suggestions, ids["timetable"])
    QTest.keyClick(picker.suggestions, Qt.Key.Key_Return)
    wait_saved(qtbot, picker)

    assert related_in_library(library, ids["A"]) == [
        ids["harbour"],
        ids["crossing"],
        ids["timetable"],
    ]
    cards = wait_dom(qtbot, window, lambda c: c is not None and len(c) == 3)
    assert [c["headline"] for c in cards] == [
        "Harbour volunteers meet the night ferry",
        "Ferry crossings double as families head for Bari",
        "New ferry timetable for the winter",
    ]
    harbour, crossing, timetable = cards
    # Each card carries THAT story's own picture and alt text, never another's.
    assert heroes["harbour"].sha256 in harbour["src"] + harbour["srcset"]
    assert heroes["crossing"].sha256 not in harbour["src"] + harbour["srcset"]
    assert harbour["alt"] == "A volunteer hands out blankets on the quay"
    assert heroes["crossing"].sha256 in crossing["src"] + crossing["srcset"]
    assert crossing["alt"] == "Passengers queue at the ferry ramp in Durrës"
    assert heroes["A"].sha256 not in json.dumps(cards), "not the open story's own hero"
    assert timetable["src"] is None and timetable["alt"] is None, "no hero: no picture"

    # Ctrl+Z in the picker takes the last addition back, in the page too.
    QTest.keyClick(picker.picked, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_saved(qtbot, picker)
    cards = wait_dom(qtbot, window, lambda c: c is not None and len(c) == 2)
    assert [c["headline"] for c in cards][0] == "Harbour volunteers meet the night ferry"


# ---- the picker on its own --------------------------------------------------------------------
def test_suggestions_explain_themselves_and_leave_out_self_picked_and_unpublished(
    qtbot, library, newsroom, picker
):
    ids, _ = newsroom
    library.set_related(ids["A"], [ids["harbour"]])
    open_in_picker(qtbot, picker, library, ids["A"])
    suggested = row_ids(picker.suggestions)
    assert suggested[:2] == [ids["crossing"], ids["timetable"]]
    assert ids["A"] not in suggested
    assert ids["harbour"] not in suggested, "already picked"
    assert ids["draft"] not in suggested, "unpublished"
    reasons = picker.suggestions.item(0).data(ROW_ROLE).reasons
    assert "shares tags: migration, Albania" in reasons
    assert any(r.startswith("shares terms: ") and "durres" in r for r in reasons), reasons
    assert picker.picked_ids() == [ids["harbour"]]

    # Allowing any status lets the draft be suggested too.
    with qtbot.waitSignal(picker.sig_suggestions_shown, timeout=10_000):
        picker.status_filter.setCurrentIndex(picker.status_filter.findData(""))
    assert ids["draft"] in row_ids(picker.suggestions)


def test_new_suggestions_keep_the_story_the_user_has_arrowed_to(qtbot, library, newsroom, picker):
    ids, _ = newsroom
    open_in_picker(qtbot, picker, library, ids["A"])
    assert picker.suggestions.count() >= 2
    picker.suggestions.setFocus()
    picker.suggestions.setCurrentRow(picker.suggestions.count() - 1)  # arrowed down to it
    reached = picker.suggestions.currentItem().data(ROW_ROLE).article_id

    # Suggestions come again (the body settled, or a pick was saved) while the user is there.
    picker._suggest_force = True
    with qtbot.waitSignal(picker.sig_suggestions_shown, timeout=10_000):
        picker.refresh_suggestions()
    assert picker.suggestions.currentItem() is not None
    assert picker.suggestions.currentItem().data(ROW_ROLE).article_id == reached


def test_add_remove_move_and_undo_each_are_saved(qtbot, library, newsroom, picker):
    ids, _ = newsroom
    open_in_picker(qtbot, picker, library, ids["A"])
    picker.suggestions.setFocus()
    picker.suggestions.setCurrentRow(0)
    first = picker.suggestions.currentItem().data(ROW_ROLE).article_id
    QTest.keyClick(picker.suggestions, Qt.Key.Key_Return)
    second = picker.suggestions.currentItem().data(ROW_ROLE).article_id
    QTest.keyClick(picker.suggestions, Qt.Key.Key_Return)
    assert first not in row_ids(picker.suggestions), "a picked story leaves the suggestions"
    wait_saved(qtbot, picker)
    assert related_in_library(library, ids["A"]) == [first, second]

    picker.picked.setFocus()
    picker.picked.setCurrentRow(0)
    QTest.keyClick(picker.picked, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert picker.picked_ids() == [second, first]
    assert picker.picked.currentRow() == 1, "the moved story stays selected"
    QTest.keyClick(picker.picked, Qt.Key.Key_Delete)
    assert picker.picked_ids() == [second]
    wait_saved(qtbot, picker)
    assert related_in_library(library, ids["A"]) == [second]

    QTest.keyClick(picker.picked, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert picker.picked_ids() == [second, first]
    QTest.keyClick(picker.picked, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert picker.picked_ids() == [first, second]
    wait_saved(qtbot, picker)
    assert related_in_library(library, ids["A"]) == [first, second]
    assert picker.undo_stack.undoText() == f"Add '{picker._rows[second].card.headline}'"
    # Ctrl+Shift+Z does the move again.
    QTest.keyClick(
        picker.picked,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert picker.picked_ids() == [second, first]


def test_dragging_a_row_reorders_and_is_undoable(qtbot, library, newsroom, picker):
    ids, _ = newsroom
    library.set_related(ids["A"], [ids["crossing"], ids["harbour"], ids["timetable"]])
    open_in_picker(qtbot, picker, library, ids["A"])
    # What an internal drag-and-drop does to the list's model: row 0 dropped at the end.
    assert picker.picked.model().moveRows(QModelIndex(), 0, 1, QModelIndex(), 3)
    qtbot.waitUntil(lambda: picker.undo_stack.count() == 1, timeout=10_000)
    assert picker.picked_ids() == [ids["harbour"], ids["timetable"], ids["crossing"]]
    wait_saved(qtbot, picker)
    assert related_in_library(library, ids["A"]) == picker.picked_ids()
    picker.undo_stack.undo()
    wait_saved(qtbot, picker)
    assert related_in_library(library, ids["A"]) == [
        ids["crossing"],
        ids["harbour"],
        ids["timetable"],
    ]


def test_search_filters_by_section_status_and_date(qtbot, library, newsroom, picker):
    ids, _ = newsroom
    open_in_picker(qtbot, picker, library, ids["A"])
    with qtbot.waitSignal(picker.sig_results_shown, timeout=10_000):
        QTest.keyClicks(picker.search_field, "ferry")
    assert set(row_ids(picker.results)) == {ids["crossing"], ids["harbour"], ids["timetable"]}
    first = picker.results.item(0).data(ROW_ROLE)
    assert "<mark>" in first.snippet_html.lower()

    with qtbot.waitSignal(picker.sig_results_shown, timeout=10_000):
        picker.section_filter.setCurrentIndex(picker.section_filter.findData("Local"))
    assert set(row_ids(picker.results)) == {ids["harbour"], ids["timetable"]}

    with qtbot.waitSignal(picker.sig_results_shown, timeout=10_000):
        picker.date_filter.setCurrentIndex(picker.date_filter.findData(7))  # past week
    assert row_ids(picker.results) == [], "the Local ferry stories are 9 and 12 days old"

    with qtbot.waitSignal(picker.sig_results_shown, timeout=10_000):
        picker.section_filter.setCurrentIndex(0)
    assert row_ids(picker.results) == [ids["crossing"]]

    with qtbot.waitSignal(picker.sig_results_shown, timeout=10_000):
        picker.status_filter.setCurrentIndex(picker.status_filter.findData("draft"))
    assert row_ids(picker.results) == [ids["draft"]]


def test_typing_in_the_body_does_not_recompute_on_every_keystroke(qtbot, library, newsroom, picker):
    ids, _ = newsroom
    open_in_picker(qtbot, picker, library, ids["A"])
    shown: list[int] = []
    picker.sig_suggestions_shown.connect(shown.append)
    body = library.get_article(ids["A"]).body
    # A burst of keystrokes that leave the story's distinctive terms as they were.
    for n in range(40):
        picker.body_changed(body + " and" * n)
    qtbot.wait(1_800)
    assert shown == [], "same top terms: the suggestions stand"

    # Rewriting the story around the derby changes its terms: one recomputation.
    for n in range(20):
        picker.body_changed("United won the derby after a late penalty. " * (n + 1))
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=10_000)
    qtbot.wait(300)
    assert len(shown) == 1
    derby = next(
        picker.suggestions.item(n).data(ROW_ROLE)
        for n in range(picker.suggestions.count())
        if picker.suggestions.item(n).data(ROW_ROLE).article_id == ids["derby"]
    )
    assert any(r.startswith("shares terms: ") and "penalty" in r for r in derby.reasons)


def test_a_deleted_related_story_is_shown_and_flagged(qtbot, library, newsroom, picker):
    ids, _ = newsroom
    library.set_related(ids["A"], [ids["crossing"], ids["harbour"]])
    library.delete_article(ids["crossing"])
    open_in_picker(qtbot, picker, library, ids["A"])
    assert picker.picked_ids() == [ids["harbour"]]
    rows = [picker.picked.item(n).data(ROW_ROLE) for n in range(picker.picked.count())]
    assert rows[-1].missing == (
        "Related story 'Ferry crossings double as families head for Bari' was deleted."
    )
