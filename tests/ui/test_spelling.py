"""Spell checking in the real window: underlines, suggestions, the newsroom dictionary, languages."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtGui import QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit

from newsdesk.library import Library
from newsdesk.ui.images_panel import ImagesPanel
from tests.ui.conftest import open_in_window

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "images"
BODY = (
    "The market opens earlier this wintre.\n"
    "\n"
    "Stallholders said `teh` code and https://example.org/wrongg stay as they are.\n"
)


def underlined_words(edit: QPlainTextEdit) -> set[str]:
    """Words drawn with the red wavy spelling underline, read from the text layouts."""
    found = set()
    block = edit.document().firstBlock()
    while block.isValid():
        for r in block.layout().formats():
            if r.format.underlineStyle() == QTextCharFormat.UnderlineStyle.SpellCheckUnderline:
                found.add(block.text()[r.start : r.start + r.length])
        block = block.next()
    return found


def red_pixels(widget) -> int:
    image = widget.grab().toImage()
    n = 0
    for y in range(image.height()):
        for x in range(image.width()):
            c = image.pixelColor(x, y)
            # The wavy line is anti-aliased: count clearly reddish pixels, not pure red.
            if c.red() > 150 and c.red() - c.green() > 50 and c.red() - c.blue() > 50:
                n += 1
    return n


def point_in(edit: QPlainTextEdit, word: str) -> QPoint:
    """A viewport point over the middle of the word's first occurrence."""
    at = edit.toPlainText().index(word) + len(word) // 2
    cursor = QTextCursor(edit.document())
    cursor.setPosition(at)
    return edit.cursorRect(cursor).center()


def action(menu, text: str):
    for a in menu.actions():
        if a.text() == text:
            return a
    raise AssertionError(f"no {text!r} in {[a.text() for a in menu.actions()]}")


def open_story(qtbot, make_window, library, **fields):
    article = library.create_article(
        headline=fields.pop("headline", "Market opens earlyer"),
        dek=fields.pop("dek", "Stallholders welcome the change."),
        body=fields.pop("body", BODY),
        **fields,
    )
    window = make_window()
    open_in_window(qtbot, window, article.id)
    qtbot.waitUntil(lambda: window.spell.checker is not None, timeout=10_000)
    return window, article


def test_misspelled_words_in_the_body_are_underlined_but_code_and_urls_are_not(
    qtbot, make_window, library
):
    window, _ = open_story(qtbot, make_window, library)
    qtbot.waitUntil(lambda: "wintre" in underlined_words(window.editor), timeout=10_000)
    words = underlined_words(window.editor)
    assert words == {"wintre"}  # not `teh` (code) nor the URL's "wrongg"
    # The Markdown colours stay: the code span keeps its own format.
    assert "market" not in words


def test_a_suggestion_from_the_context_menu_replaces_the_word_and_undoes(
    qtbot, make_window, library
):
    window, article = open_story(qtbot, make_window, library)
    editor = window.editor
    qtbot.waitUntil(lambda: "wintre" in underlined_words(editor), timeout=10_000)

    menu = editor._spell_menu.menu_at(point_in(editor, "wintre"))
    action(menu, "winter").trigger()

    assert "opens earlier this winter." in editor.toPlainText()
    qtbot.waitUntil(lambda: "wintre" not in underlined_words(editor), timeout=10_000)
    editor.undo()
    assert "this wintre." in editor.toPlainText()
    editor.redo()
    window.save_everything()
    assert "this winter." in library.get_article(article.id).body


def test_the_real_context_menu_event_shows_the_spelling_choices(qtbot, make_window, library):
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QApplication, QMenu

    window, _ = open_story(qtbot, make_window, library)
    editor = window.editor
    qtbot.waitUntil(lambda: "wintre" in underlined_words(editor), timeout=10_000)
    seen: list[list[str]] = []

    def read_and_close() -> None:
        popup = QApplication.activePopupWidget()
        if isinstance(popup, QMenu):
            seen.append([a.text() for a in popup.actions()])
            popup.close()

    QTimer.singleShot(200, read_and_close)
    pos = point_in(editor, "wintre")
    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, pos, editor.viewport().mapToGlobal(pos)
    )
    QApplication.sendEvent(editor.viewport(), event)
    assert seen and "winter" in seen[0]
    assert "Add “wintre” to Newsroom Dictionary" in seen[0]
    assert "Ignore “wintre”" in seen[0]
    assert any("Copy" in t for t in seen[0])  # the standard entries are still there


def test_the_headline_and_dek_are_underlined_and_a_suggestion_fixes_the_headline(
    qtbot, make_window, library
):
    window, article = open_story(qtbot, make_window, library, dek="Stallholders welcom it.")
    headline, dek = window.form.headline, window.form.dek
    # Headline and dek wrap like small text boxes; they are underlined like the body.
    qtbot.waitUntil(lambda: underlined_words(headline) == {"earlyer"}, timeout=10_000)
    qtbot.waitUntil(lambda: underlined_words(dek) == {"welcom"}, timeout=10_000)
    assert red_pixels(headline) > 10  # the wavy line is drawn
    assert red_pixels(window.form.byline) == 0

    menu = headline._spell_menu.menu_at(point_in(headline, "earlyer"))
    action(menu, "earlier").trigger()
    assert headline.text() == "Market opens earlier"
    qtbot.waitUntil(lambda: underlined_words(headline) == set(), timeout=10_000)
    qtbot.waitUntil(lambda: red_pixels(headline) == 0, timeout=10_000)
    headline.undo()
    assert headline.text() == "Market opens earlyer"
    headline.redo()
    window.save_everything()
    assert library.get_article(article.id).headline == "Market opens earlier"


def test_typing_a_misspelling_into_the_body_underlines_it(qtbot, make_window, library):
    from PySide6.QtTest import QTest

    window, _ = open_story(qtbot, make_window, library, body="")
    editor = window.editor
    editor.setFocus()
    QTest.keyClicks(editor, "A quiet mornign on the quay ")
    qtbot.waitUntil(lambda: underlined_words(editor) == {"mornign"}, timeout=10_000)


def test_add_to_newsroom_dictionary_clears_every_field_and_is_kept_in_the_library(
    qtbot, make_window, library, tmp_path
):
    body = "Mayor Kowalczyk opened the market.\n\nKowalczyk said it was time."
    window, _ = open_story(
        qtbot, make_window, library, headline="Kowalczyk opens the market", body=body
    )
    editor, headline = window.editor, window.form.headline
    qtbot.waitUntil(lambda: underlined_words(editor) == {"Kowalczyk"}, timeout=10_000)
    qtbot.waitUntil(lambda: underlined_words(headline) == {"Kowalczyk"}, timeout=10_000)

    menu = editor._spell_menu.menu_at(point_in(editor, "Kowalczyk"))
    action(menu, "Add “Kowalczyk” to Newsroom Dictionary").trigger()

    assert underlined_words(editor) == set()  # every paragraph, at once
    qtbot.waitUntil(lambda: underlined_words(headline) == set(), timeout=10_000)
    qtbot.waitUntil(lambda: "Kowalczyk" in library.newsroom_words(), timeout=10_000)

    reopened = Library.open(library.root)
    try:
        assert reopened.newsroom_words() == ["Kowalczyk"]
    finally:
        reopened.close()


def test_the_newsroom_dictionary_is_known_when_the_library_is_opened_again(
    qtbot, make_window, library
):
    library.add_newsroom_word("Kowalczyk")
    window, _ = open_story(
        qtbot, make_window, library, body="Kowalczyk and Nowakowskii met on the quay."
    )
    qtbot.waitUntil(lambda: underlined_words(window.editor) == {"Nowakowskii"}, timeout=10_000)


def test_ignore_hides_the_word_for_this_session_only(qtbot, make_window, library):
    window, _ = open_story(qtbot, make_window, library)
    editor = window.editor
    qtbot.waitUntil(lambda: "wintre" in underlined_words(editor), timeout=10_000)
    menu = editor._spell_menu.menu_at(point_in(editor, "wintre"))
    action(menu, "Ignore “wintre”").trigger()
    assert "wintre" not in underlined_words(editor)
    assert library.newsroom_words() == []


def test_a_french_article_is_checked_in_french(qtbot, make_window, library):
    body = "Le marché du port ouvre plus tôt cette anneé.\n\nThe harbour opens."
    window, _ = open_story(
        qtbot, make_window, library, headline="Le marché ouvre", body=body, language="fr"
    )
    assert window.spell.checker.language == "fr"
    qtbot.waitUntil(lambda: "anneé" in underlined_words(window.editor), timeout=10_000)
    words = underlined_words(window.editor)
    assert "marché" not in words and "tôt" not in words
    assert "harbour" in words  # English in a French story is a misspelling
    menu = window.editor._spell_menu.menu_at(point_in(window.editor, "anneé"))
    assert "année" in [a.text() for a in menu.actions()]


def test_an_article_without_a_language_is_checked_in_the_publications(qtbot, make_window, library):
    library.update_publication(language="en-GB")
    window, _ = open_story(qtbot, make_window, library, body="The colour of the color.")
    assert window.spell.checker.language == "en-GB"
    qtbot.waitUntil(lambda: underlined_words(window.editor) == {"color"}, timeout=10_000)


def test_a_language_without_a_dictionary_says_so_once_and_underlines_nothing(
    qtbot, make_window, library
):
    article = library.create_article(
        headline="Kiire", body="Sõnad ilma sõnastikuta.", language="et"
    )
    window = make_window()
    open_in_window(qtbot, window, article.id)
    qtbot.waitUntil(lambda: bool(window.spell.problem), timeout=10_000)
    assert "no spelling dictionary for the language 'et'" in window.spell.problem
    assert "Traceback" not in window.statusBar().currentMessage()
    qtbot.wait(50)
    assert underlined_words(window.editor) == set()


def test_a_misspelled_caption_is_underlined_in_the_image_panel(
    qtbot, make_window, library, tmp_path
):
    window, article = open_story(qtbot, make_window, library)
    window.install_standard_panels()
    panel: ImagesPanel = window.panels["images"]
    source = tmp_path / "in" / "harbour.jpg"
    source.parent.mkdir()
    shutil.copy(FIXTURES / "exiftool-IPTC.jpg", source)
    with qtbot.waitSignal(panel.sig_import_finished, timeout=60_000) as blocker:
        assert panel.import_files([source])
    (image,) = blocker.args[0].imported
    panel.set_article(library.get_article(article.id))
    panel.select_image(image.id)
    panel.add_to_article()
    caption = panel.form.story_caption
    caption.setPlainText("The quay at dawn, befor the market")
    qtbot.waitUntil(lambda: underlined_words(caption) == {"befor"}, timeout=10_000)
    default_caption = panel.form.editors["caption"]
    default_caption.setText("A quiet harbuor")
    widget = default_caption
    if isinstance(widget, QPlainTextEdit):
        qtbot.waitUntil(lambda: underlined_words(widget) == {"harbuor"}, timeout=10_000)
    else:
        qtbot.waitUntil(lambda: [s[2] for s in widget._spelling.spans] == ["harbuor"])

    menu = caption._spell_menu.menu_at(point_in(caption, "befor"))
    action(menu, "before").trigger()
    assert caption.toPlainText() == "The quay at dawn, before the market"
    caption.undo()
    assert caption.toPlainText() == "The quay at dawn, befor the market"


def test_screenshot_of_the_window_with_underlines(qtbot, make_window, library, tmp_path):
    window, _ = open_story(qtbot, make_window, library, dek="Stallholders welcom the change.")
    window.resize(1400, 900)
    qtbot.waitUntil(lambda: "wintre" in underlined_words(window.editor), timeout=10_000)
    qtbot.waitUntil(lambda: underlined_words(window.form.dek) != set(), timeout=10_000)
    shot = tmp_path / "spelling.png"
    assert window.grab().save(str(shot))
    shutil.copy(shot, "/tmp/newsdesk-spelling.png")
    assert red_pixels(window.editor.viewport()) > 10


def test_keystrokes_never_wait_for_the_checker(qtbot, make_window, library):
    """The highlighter only reads the cache: a block not yet checked is queued, not checked."""
    window, _ = open_story(qtbot, make_window, library, body="")
    service = window.spell
    assert service.spans_for("A brand new paragraf nobody checked") is None  # queued
    qtbot.waitUntil(
        lambda: service.cached("A brand new paragraf nobody checked") is not None, timeout=5000
    )
    assert [s[2] for s in service.cached("A brand new paragraf nobody checked")] == ["paragraf"]


def test_underlines_arriving_are_not_an_edit_of_the_story(qtbot, make_window, library):
    from PySide6.QtTest import QTest

    window, _ = open_story(qtbot, make_window, library)
    qtbot.waitUntil(lambda: window.preview_ready, timeout=30_000)
    editor = window.editor
    editor.setFocus()
    editor.moveCursor(QTextCursor.MoveOperation.End)
    QTest.keyClicks(editor, "A quiet mornign ")
    qtbot.waitUntil(lambda: "mornign" in underlined_words(editor), timeout=10_000)
    typed = window.preview.text_version
    # The checker's answers redraw the underlines; the text is the same, so nothing is
    # sent to the preview again (and the story is not marked as edited by them).
    window.spell.sig_redraw.emit()
    qtbot.waitUntil(lambda: "mornign" in underlined_words(editor), timeout=10_000)
    qtbot.wait(300)
    assert window.preview.text_version == typed


def test_a_paragraph_being_typed_is_checked_after_the_keystroke_not_during_it(
    qtbot, make_window, library
):
    """The checker's worker must not take the interpreter in the middle of the key event."""
    import time

    window, _ = open_story(qtbot, make_window, library, body="")
    service = window.spell
    qtbot.waitUntil(lambda: service.checker is not None, timeout=10_000)
    qtbot.wait(200)  # the story's own fields may be being checked: that makes no difference
    text = "Typing a paragraf the checker has not seen"
    assert service.spans_for(text) is None
    time.sleep(0.3)  # no events handled: the check has not started
    assert text in service._queue
    qtbot.waitUntil(lambda: service.cached(text) is not None, timeout=10_000)
    assert [s[2] for s in service.cached(text)] == ["paragraf"]


def test_a_misspelling_keeps_its_underline_while_the_paragraph_around_it_is_typed(
    qtbot, make_window, library
):
    # Each key used to take the block's underlines off until the checker answered, then
    # lay the block out and paint it a second time to put them back.
    from PySide6.QtTest import QTest

    window, _ = open_story(qtbot, make_window, library)
    editor = window.editor
    qtbot.waitUntil(lambda: "wintre" in underlined_words(editor), timeout=10_000)
    spelling = editor.highlighter.spelling
    editor.setFocus()
    cursor = editor.textCursor()
    cursor.setPosition(editor.toPlainText().index("\n"))  # the end of the first paragraph
    editor.setTextCursor(cursor)
    redrawn = spelling.redrawn
    for char in " Stalls open at nine":
        QTest.keyClick(editor, char)
        assert "wintre" in underlined_words(editor), f"the underline went after {char!r}"
    qtbot.waitUntil(lambda: not spelling._pending, timeout=10_000)
    assert spelling.redrawn == redrawn, "blocks were laid out again for the same underlines"
    QTest.keyClicks(editor, " tomorow")  # a new misspelling: that block is drawn again
    qtbot.waitUntil(lambda: "tomorow" in underlined_words(editor), timeout=10_000)
    assert spelling.redrawn > redrawn
    assert "wintre" in underlined_words(editor)


def test_underlines_carried_over_an_edit_are_only_the_words_it_left_whole():
    from newsdesk.ui.spell import carried_over

    old = "The wintre market and teh stalls"
    spans = ((4, 6, "wintre"), (22, 3, "teh"))
    # Typing after both: both kept where they are.
    assert carried_over(old, spans, old + " open") == spans
    # Typing before both: both moved by the text typed.
    assert carried_over(old, spans, "So " + old) == ((7, 6, "wintre"), (25, 3, "teh"))
    # Typing into a word: that word waits for the checker; the other is kept.
    assert carried_over(old, spans, old.replace("wintre", "wintrer")) == ((23, 3, "teh"),)
    # Typing right after a word (it may now be another word): it waits for the checker.
    assert carried_over(old, spans, old.replace("teh", "tehx")) == ((4, 6, "wintre"),)
    # A different paragraph in the same place: nothing is carried over.
    assert carried_over(old, spans, "Another paragraph entirely") == ()
    assert carried_over("", (), "x") == ()
