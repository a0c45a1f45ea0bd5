"""The photo desk at wire speed in the image panel: many pictures at once, templates, codes, field search."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QInputDialog
from sqlalchemy import event

from newsdesk.images.library_import import import_images
from newsdesk.ui.codes import CodeExpander
from newsdesk.ui.editor import MarkdownEditor
from newsdesk.ui.image_form import MIXED
from newsdesk.ui.images_panel import ImagesPanel
from tests.core.photodesk_files import distinct_jpegs, fixture_copies

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def open_panel(qtbot, library, size=(380, 900)) -> ImagesPanel:
    p = ImagesPanel(library)
    qtbot.addWidget(p)
    p.resize(*size)
    p.show()
    qtbot.waitExposed(p)
    qtbot.waitUntil(lambda: p.library_count.text() != "")
    return p


def close_panel(p: ImagesPanel) -> None:
    p.flush()
    p.loader.wait()
    QThreadPool.globalInstance().waitForDone(10_000)


@pytest.fixture
def sixty(library, tmp_path):
    """60 pictures in the library, two of them already credited differently."""
    report = import_images(library, distinct_jpegs(tmp_path / "in", 60), workers=1)
    ids = [i.id for i in report.imported]
    library.update_images(ids[:1], credit="Old Agency", city="Malaga")
    library.update_images(ids[1:2], credit="Other Agency", city="Malaga")
    return ids


@pytest.fixture
def panel(qtbot, library):
    p = open_panel(qtbot, library)
    yield p
    close_panel(p)


def count_commits(library) -> list[int]:
    commits: list[int] = []
    event.listen(library.engine, "commit", lambda _conn: commits.append(1))
    return commits


def settle(qtbot, p: ImagesPanel) -> None:
    """Wait until every edit reached the library and its result is shown."""
    p.commit_edits()
    qtbot.waitUntil(lambda: not p.busy, timeout=20_000)


def test_sixty_pictures_selected_are_edited_as_one_and_undone_as_one(qtbot, library, sixty):
    p = open_panel(qtbot, library, size=(420, 980))
    try:
        qtbot.waitUntil(lambda: p.library_model.rowCount() == 60)
        p.library_view.setFocus()
        QTest.keyClick(p.library_view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: len(p.form.batch) == 60)
        credit, city, country = (p.form.editors[n] for n in ("credit", "city", "country"))
        assert "60 pictures selected" in p.form.title.text()
        assert credit.text() == "" and credit.placeholderText() == MIXED
        assert country.text() == "" and country.placeholderText() != MIXED  # all empty: shared
        assert not p.hero_button.isEnabled() and not p.add_button.isEnabled()

        commits = count_commits(library)
        credit.setFocus()
        qtbot.keyClicks(credit, "Harbour Agency")
        settle(qtbot, p)
        assert len(commits) == 1  # one transaction for sixty pictures
        assert {i.credit for i in library.images_by_ids(sixty)} == {"Harbour Agency"}
        assert {i.city for i in library.images_by_ids(sixty[:2])} == {"Malaga"}  # untouched
        assert p.undo_stack.count() == 1
        assert p.undo_stack.undoText() == "Edit credit of 60 pictures"
        assert credit.placeholderText() != MIXED and credit.text() == "Harbour Agency"

        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        assert p.grab().save(str(ARTIFACTS / "photodesk-60-selected.png"))

        commits.clear()
        p.undo()
        settle(qtbot, p)
        assert len(commits) == 1
        credits = [i.credit for i in library.images_by_ids(sixty)]
        assert credits[:2] == ["Old Agency", "Other Agency"] and set(credits[2:]) == {""}
        assert credit.text() == "" and credit.placeholderText() == MIXED
        p.redo()
        settle(qtbot, p)
        assert {i.credit for i in library.images_by_ids(sixty)} == {"Harbour Agency"}
    finally:
        close_panel(p)


def test_shift_click_selects_a_range_and_one_click_goes_back_to_one_picture(qtbot, library, sixty):
    p = open_panel(qtbot, library)
    try:
        qtbot.waitUntil(lambda: p.library_model.rowCount() == 60)
        view = p.library_view
        first = view.visualRect(p.library_model.index(0)).center()
        third = view.visualRect(p.library_model.index(2)).center()
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=first)
        QTest.mouseClick(
            view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, third
        )
        qtbot.waitUntil(lambda: len(p.form.batch) == 3)
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=third)
        qtbot.waitUntil(lambda: not p.form.batch and p.form.item is not None)
        assert p.form.item.id == p.library_model.rows[2].image.id
    finally:
        close_panel(p)


def test_a_template_applied_to_a_selection_fills_variables_per_picture_and_undoes(
    qtbot, library, tmp_path
):
    report = import_images(library, fixture_copies(tmp_path / "in"), workers=1)
    by_name = {i.original_name: i for i in report.imported}
    library.save_template("Wire", {"copyright": "© {year} {creator}", "credit": "Harbour Agency"})
    p = open_panel(qtbot, library)
    try:
        qtbot.waitUntil(lambda: p.library_model.rowCount() == 9)
        p.library_view.selectAll()
        qtbot.waitUntil(lambda: len(p.form.batch) == 9)
        commits = count_commits(library)
        p.apply_template("Wire")
        settle(qtbot, p)
        assert len(commits) == 1
        iptc = library.get_image(by_name["exiftool-IPTC.jpg"].id)
        assert (iptc.credit, iptc.copyright) == ("Harbour Agency", "© 2004 Phil Harvey")
        assert p.form.editors["credit"].text() == "Harbour Agency"
        assert p.form.editors["copyright"].placeholderText() == MIXED  # per picture
        p.undo()
        settle(qtbot, p)
        assert library.get_image(iptc.id).credit == "My Credit"
        assert library.get_image(iptc.id).copyright == "Copyright 2004 Phil Harvey"
    finally:
        close_panel(p)


def test_typing_in_one_picture_while_a_template_is_applied_keeps_what_is_typed(
    qtbot, library, tmp_path
):
    report = import_images(library, fixture_copies(tmp_path / "in"), workers=1)
    library.save_template("Wire", {"credit": "Harbour Agency"})
    one = report.imported[0].id
    p = open_panel(qtbot, library)
    try:
        qtbot.waitUntil(lambda: p.library_model.rowCount() == 9)
        p.library_view.selectAll()
        qtbot.waitUntil(lambda: len(p.form.batch) == 9)
        p.apply_template("Wire")  # written on the library's writer…
        assert p.select_image(one)  # …while the desk goes on with one picture
        p.form.editors["city"].setFocus()
        QTest.keyClicks(p.form.editors["city"], "Bari")
        typed = p.form.editors["city"].text()
        assert "Bari" in typed

        settle(qtbot, p)
        assert p.form.editors["city"].text() == typed
        assert library.get_image(one).city == typed
        assert library.get_image(one).credit == "Harbour Agency"
    finally:
        close_panel(p)


def test_import_images_asks_for_a_template_and_applies_it_to_the_new_pictures(
    qtbot, library, tmp_path, monkeypatch
):
    library.save_template("Harbour", {"credit": "{creator} / Harbour Agency", "city": "Malaga"})
    files = fixture_copies(tmp_path / "in")
    asked: list[list[str]] = []

    def choose(_parent, _title, _label, items, *args):  # the person picks "Harbour"
        asked.append(list(items))
        return "Harbour", True

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(choose))
    monkeypatch.setattr(
        "newsdesk.ui.image_import.QFileDialog.getOpenFileNames",
        staticmethod(lambda *a, **k: ([str(f) for f in files], "")),
    )
    p = open_panel(qtbot, library)
    try:
        with qtbot.waitSignal(p.sig_import_finished, timeout=60_000):
            p.choose_files()
        assert asked == [["No template", "Harbour"]]
        pictures = {i.original_name: i for i in library.search_images("city:Malaga")}
        assert len(pictures) == 9
        assert pictures["exiftool-IPTC.jpg"].credit == "Phil Harvey / Harbour Agency"
        assert pictures["pillow-iptc.jpg"].credit == "Harbour Agency"  # no creator: no " / "
    finally:
        close_panel(p)


def test_a_code_typed_in_the_credit_and_a_storys_caption_becomes_its_text(qtbot, library, tmp_path):
    library.set_code_replacements({"jd": "Jane Doe / Harbour Agency"})
    image = import_images(library, fixture_copies(tmp_path / "in")[:1], workers=1).imported[0]
    article = library.create_article(headline="Ferry")
    library.add_figure(article.id, image.id, role="hero")
    p = open_panel(qtbot, library)
    try:
        qtbot.waitUntil(lambda: bool(p.codes.table))
        p.set_article(library.get_article(article.id))
        assert p.select_image(image.id)
        credit = p.form.editors["credit"]
        credit.selectAll()
        qtbot.keyClicks(credit, "Photo: =jd= (pool)")
        assert credit.text() == "Photo: Jane Doe / Harbour Agency (pool)"
        caption = p.form.story_caption
        caption.setFocus()
        caption.selectAll()
        qtbot.keyClicks(caption, "Boarding at dawn. =jd=")
        qtbot.waitUntil(
            lambda: caption.toPlainText() == "Boarding at dawn. Jane Doe / Harbour Agency"
        )
        caption.undo()
        assert caption.toPlainText() == "Boarding at dawn. =jd="  # one undo brings the code back
        caption.moveCursor(caption.textCursor().MoveOperation.End)
        qtbot.keyClicks(caption, " =nope= =jd")
        assert caption.toPlainText().endswith("=nope= =jd")  # unknown or unfinished: left alone
        settle(qtbot, p)
        assert library.get_image(image.id).credit == "Photo: Jane Doe / Harbour Agency (pool)"
    finally:
        close_panel(p)


def test_a_code_typed_in_the_body_editor_expands_without_reading_the_whole_body(qtbot):
    editor = MarkdownEditor()
    qtbot.addWidget(editor)
    codes = CodeExpander()
    codes.set_table({"jd": "Jane Doe / Harbour Agency"})
    codes.attach(editor)
    editor.setPlainText("word " * 20_000)  # a long body loaded: nothing to expand, no cost
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    editor.show()
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.keyClicks(editor, "Photo =jd=")
    qtbot.waitUntil(lambda: editor.toPlainText().endswith("\nPhoto Jane Doe / Harbour Agency"))
    assert editor.textCursor().atEnd()
    editor.undo()
    assert editor.toPlainText().endswith("\nPhoto =jd=")  # the expansion is one undo step
    editor.redo()
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor, " =x")
    qtbot.wait(20)
    assert editor.toPlainText().endswith("\nPhoto Jane Doe / Harbour Agency =x")


def test_field_search_and_filter_buttons_narrow_the_grid(qtbot, library, tmp_path, panel):
    import_images(library, fixture_copies(tmp_path / "in"), workers=1)
    panel.reload_library()
    qtbot.waitUntil(lambda: panel.library_model.rowCount() == 9)

    def shown() -> set[str]:
        return {r.image.original_name for r in panel.library_model.rows}

    with qtbot.waitSignal(panel.sig_library_shown):
        panel.search.setText('credit:"My Credit" city:Kingston')
    assert shown() == {"exiftool-IPTC.jpg", "exiftool-XMP.jpg"}
    with qtbot.waitSignal(panel.sig_library_shown):
        panel.search.setText("city:Kingston")
    assert len(shown()) == 3
    with qtbot.waitSignal(panel.sig_library_shown):
        panel.filters.buttons["missing:credit"].setChecked(True)
    assert shown() == set()  # every Kingston picture has a credit
    with qtbot.waitSignal(panel.sig_library_shown):
        panel.search.setText("")
    assert "pillow-iptc.jpg" in shown() and "exiftool-IPTC.jpg" not in shown()

    panel.search.setText("colour:red")
    qtbot.waitUntil(lambda: panel.report_row.isVisible())
    assert '"colour:"' in panel.report.text() and "Error" not in panel.report.text()
    assert panel.library_count.text() == "Search not understood"


def test_codes_are_expanded_in_a_pasted_picture_free_panel_without_a_table(qtbot, panel):
    # No codes in the library: typing = signs costs nothing and changes nothing.
    assert panel.codes.table == {}
    panel.import_clipboard_image(QImage(40, 30, QImage.Format.Format_RGB32))
    qtbot.waitUntil(lambda: panel.library_model.rowCount() == 1, timeout=60_000)
    panel.select_image(panel.library_model.rows[0].image.id)
    credit = panel.form.editors["credit"]
    qtbot.keyClicks(credit, "=jd=")
    assert credit.text() == "=jd="
    assert date.today().year > 2000
