"""The image panel, as a photo desk uses it: import, credit, describe, place and order pictures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PIL import Image as PILImage
from PIL import ImageDraw
from PySide6.QtCore import QMimeData, QModelIndex, QPoint, QPointF, Qt, QThreadPool, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QGuiApplication, QImage, QPixmap
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from newsdesk.ui.image_form import ALT_EMPTY, ALT_SAME
from newsdesk.ui.images_panel import ImagesPanel
from newsdesk.ui.thumbs import ICON_SIZE, MISSING_ALT, MISSING_CREDIT, RED, decorate
from tests.ui.conftest import run_js, wait_preview_ready

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "images"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
DESCRIPTION = Qt.ItemDataRole.AccessibleDescriptionRole


def photo(folder: Path, name: str, *, size=(600, 400), colour=(40, 90, 160)) -> Path:
    """A small real JPEG: a coloured scene with a sun, no metadata (so no credit, no alt)."""
    im = PILImage.new("RGB", size, colour)
    draw = ImageDraw.Draw(im)
    w, h = size
    draw.ellipse((w * 0.6, h * 0.15, w * 0.75, h * 0.37), fill=(250, 220, 120))
    draw.rectangle((0, h * 0.7, w, h), fill=(30, 60, 40))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    im.save(path, "JPEG", quality=85)
    return path


def credited(folder: Path) -> Path:
    """A photographer's file with IPTC caption 'A witty caption' and credit 'My Credit'."""
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(FIXTURES / "exiftool-IPTC.jpg", folder / "harbour.jpg"))


@pytest.fixture
def panel(qtbot, library):
    p = ImagesPanel(library)
    qtbot.addWidget(p)
    p.resize(360, 860)
    p.show()
    qtbot.waitExposed(p)
    qtbot.waitUntil(lambda: p.library_count.text() != "")  # the first library load arrived
    yield p
    p.flush()
    p.loader.wait()
    QThreadPool.globalInstance().waitForDone(10_000)


def import_and_wait(qtbot, panel: ImagesPanel, paths, **kw):
    with qtbot.waitSignal(panel.sig_import_finished, timeout=60_000) as blocker:
        assert panel.import_files(paths, **kw)
    qtbot.waitUntil(lambda: not panel.importing and panel.library_model.rowCount() > 0)
    return blocker.args[0]


def drop_files(qtbot, target, paths, pos: QPoint | None = None) -> bool:
    """Drag files over a widget and drop them, sending the events Qt would."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = pos or target.rect().center()
    # Like Qt: the drop goes to the nearest widget, from the one under the cursor up, taking drops.
    while not target.acceptDrops() and target.parentWidget() is not None:
        pos = target.mapToParent(pos)
        target = target.parentWidget()
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    enter = QDragEnterEvent(
        pos, actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(target, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(
        QPointF(pos), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(target, drop)
    return drop.isAccepted()


def retype(widget, text: str) -> None:
    """Select everything in a field and type over it, like a person."""
    widget.setFocus()
    QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    if text:
        QTest.keyClicks(widget, text)
    else:
        QTest.keyClick(widget, Qt.Key.Key_Delete)


def saved(qtbot, panel: ImagesPanel) -> None:
    """Wait until every edit made in the panel has reached the library."""
    panel.commit_edits()
    qtbot.waitUntil(lambda: not panel.busy, timeout=10_000)


def row_description(model, image_id: int) -> str:
    return model.data(model.index(model.row_of(image_id)), DESCRIPTION)


# ---- accepted when ------------------------------------------------------------------------
def test_drop_a_picture_credit_and_describe_it_make_it_hero_and_see_it_in_the_preview(
    qtbot, make_window, sample_article, library, tmp_path
):
    window = make_window()
    panel = ImagesPanel(library)
    window.install_panel("images", panel, "Images")
    wait_preview_ready(qtbot, window)
    assert panel.article_id == sample_article.id

    # A photographer's file is dropped on the panel.
    with qtbot.waitSignal(panel.sig_import_finished, timeout=60_000) as blocker:
        assert drop_files(qtbot, panel, [credited(tmp_path / "desk")])
    report = blocker.args[0]
    assert [i.original_name for i in report.imported] == ["harbour.jpg"] and not report.failed
    image_id = report.imported[0].id
    qtbot.waitUntil(lambda: panel.current is not None and panel.current.id == image_id)
    form = panel.form
    assert form.value("caption") == "A witty caption"  # read from its IPTC on import

    # The desk corrects the credit and describes the picture.
    retype(form.editors["credit"], "Ana Ruiz / Courier")
    retype(form.editors["alt_text"], "Fishing boats tied up in a grey harbour at dawn")
    assert form.alt_warning.text() == ""  # its room is kept, empty

    # Set as hero: the preview reloads and its hero figure carries caption and credit.
    with qtbot.waitSignal(panel.sig_figures_saved, timeout=10_000):
        QTest.mouseClick(panel.hero_button, Qt.MouseButton.LeftButton)
    saved(qtbot, panel)
    stored = library.get_image(image_id)
    assert stored.credit == "Ana Ruiz / Courier"
    assert stored.alt_text == "Fishing boats tied up in a grey harbour at dawn"
    assert library.get_article(sample_article.id).hero.image_id == image_id

    # (Page values come back through JSON: arrays do not cross into Python intact.)
    script = (
        "(() => { const c = document.querySelector('figure.figure-hero figcaption');"
        " const i = document.querySelector('figure.figure-hero img');"
        " return c ? JSON.stringify([c.textContent.replace(/\\s+/g, ' ').trim(), i.alt]) : ''; })()"
    )
    qtbot.waitUntil(lambda: bool(run_js(qtbot, window, script)), timeout=15_000)
    caption, alt = json.loads(run_js(qtbot, window, script))
    assert "A witty caption" in caption and "Ana Ruiz / Courier" in caption
    assert alt == "Fishing boats tied up in a grey harbour at dawn"
    # The hero is marked in the article's strip, and in words for a screen reader.
    assert "Hero picture" in row_description(panel.article_model, image_id)


# ---- badges and warnings ------------------------------------------------------------------
def test_badges_and_their_words_for_missing_credit_and_alt_text(qtbot, panel, tmp_path):
    report = import_and_wait(qtbot, panel, [credited(tmp_path), photo(tmp_path, "uncredited.jpg")])
    with_credit, without = report.imported
    qtbot.waitUntil(lambda: panel.library_model.rowCount() == 2)
    model = panel.library_model
    assert MISSING_CREDIT not in row_description(model, with_credit.id)
    assert MISSING_CREDIT in row_description(model, without.id)
    assert MISSING_ALT in row_description(model, without.id)
    tooltip = model.data(model.index(model.row_of(without.id)), Qt.ItemDataRole.ToolTipRole)
    assert MISSING_CREDIT in tooltip

    # The thumbnails load off the GUI thread and replace the placeholder.
    qtbot.waitUntil(lambda: panel.loader.is_loaded(without.sha256), timeout=10_000)

    # Describing the picture clears the alt-text badge in words and in pixels.
    panel.select_image(without.id)
    retype(panel.form.editors["alt_text"], "A low sun over green fields")
    saved(qtbot, panel)
    assert MISSING_ALT not in row_description(model, without.id)
    assert MISSING_CREDIT in row_description(model, without.id)


def test_the_badges_are_drawn_where_the_eye_finds_them():
    grey = QPixmap(ICON_SIZE)
    grey.fill(QColor("#808080"))
    marked = decorate(grey, hero=False, missing_credit=True, missing_alt=False).toImage()
    clean = decorate(grey, hero=False, missing_credit=False, missing_alt=False).toImage()
    corner = QPoint(ICON_SIZE.width() - 12, 12)  # the top-right badge's centre
    assert marked.pixelColor(corner) == QColor(RED)
    assert clean.pixelColor(corner) == QColor("#808080")


def test_alt_text_that_is_empty_or_just_the_caption_is_called_out(qtbot, panel, tmp_path):
    (image,) = import_and_wait(qtbot, panel, [credited(tmp_path)]).imported
    panel.select_image(image.id)
    form = panel.form
    assert form.alt_warning.isVisible() and form.alt_warning.text() == ALT_EMPTY
    assert "it is not the caption" in form.alt_warning.text()

    retype(form.editors["alt_text"], "a witty caption ")  # same words, different case
    assert form.alt_warning.isVisible() and form.alt_warning.text() == ALT_SAME

    retype(form.editors["alt_text"], "A lighthouse keeper waves from the gallery")
    assert form.alt_warning.text() == ""  # its room is kept, empty


# ---- undo -----------------------------------------------------------------------------------
def test_ctrl_z_in_the_panel_puts_the_old_credit_back_in_the_library(
    qtbot, panel, library, tmp_path
):
    (image,) = import_and_wait(qtbot, panel, [credited(tmp_path)]).imported
    panel.select_image(image.id)
    credit = panel.form.editors["credit"]
    retype(credit, "Wrong Agency")
    # Autosave after a pause, without anyone asking.
    qtbot.waitUntil(lambda: library.get_image(image.id).credit == "Wrong Agency", timeout=10_000)
    assert panel.undo_stack.count() == 1
    assert panel.undo_stack.undoText() == "Edit credit"

    QTest.keyClick(credit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: library.get_image(image.id).credit == "My Credit", timeout=10_000)
    assert credit.text() == "My Credit"

    QTest.keyClick(
        credit,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: library.get_image(image.id).credit == "Wrong Agency", timeout=10_000)


def test_story_caption_overrides_only_this_article_and_undoes(
    qtbot, panel, library, sample_article, tmp_path
):
    (image,) = import_and_wait(qtbot, panel, [credited(tmp_path)]).imported
    panel.set_article(library.get_article(sample_article.id))
    panel.select_image(image.id)
    assert not panel.form.story_caption.isVisibleTo(panel.form)  # not a figure yet
    panel.add_to_article()
    assert panel.form.story_caption.isVisibleTo(panel.form)
    retype(panel.form.story_caption, "The harbour on the morning of the vote")
    saved(qtbot, panel)
    fig = library.get_article(sample_article.id).figures[0]
    assert fig.caption == "The harbour on the morning of the vote"
    assert library.get_image(image.id).caption == "A witty caption"

    panel.undo()
    saved(qtbot, panel)
    # Back to the words the figure started from: the picture's default caption.
    assert library.get_article(sample_article.id).figures[0].caption == "A witty caption"


def test_alt_text_in_this_story_leaves_the_other_story_unchanged(
    qtbot, panel, library, sample_article, tmp_path
):
    (image,) = import_and_wait(qtbot, panel, [credited(tmp_path)]).imported
    panel.select_image(image.id)
    retype(panel.form.editors["alt_text"], "Boats in a harbour")  # the library's default
    saved(qtbot, panel)
    other = library.create_article(headline="Another story that uses the picture")
    library.add_figure(other.id, image.id, role="hero")
    panel.set_article(library.get_article(sample_article.id))
    panel.select_image(image.id)
    panel.add_to_article()
    form = panel.form
    assert form.story_alt.isVisibleTo(form) and form.story_alt.text() == "Boats in a harbour"
    assert form.story_alt.accessibleName() == "Alt text in this story"
    # The picture's own alt text is labelled as the default for new stories.
    assert "new stories" in form.editors["alt_text"].accessibleName()

    retype(form.story_alt, "The flooded quay on the morning of the vote")
    saved(qtbot, panel)
    mine = library.get_article(sample_article.id).figures[0]
    assert mine.alt_text == "The flooded quay on the morning of the vote"
    assert library.get_article(other.id).hero.alt_text == "Boats in a harbour"
    assert library.get_image(image.id).alt_text == "Boats in a harbour"
    assert panel.undo_stack.undoText() == "Edit alt text in this story"

    # The strip's badge and words follow this story's alt text, not the default.
    retype(form.story_alt, "")
    saved(qtbot, panel)
    assert MISSING_ALT in row_description(panel.article_model, image.id)
    assert MISSING_ALT not in row_description(panel.library_model, image.id)
    assert form.story_alt_warning.isVisibleTo(form)
    assert form.story_alt_warning.text() == ALT_EMPTY


def test_undo_of_a_figure_change_is_one_transaction(
    qtbot, panel, library, sample_article, tmp_path
):
    from sqlalchemy import event

    paths = [photo(tmp_path, f"p{i}.jpg", colour=(60 * i, 80, 120)) for i in range(3)]
    images = import_and_wait(qtbot, panel, paths).imported
    for image in images:
        library.add_figure(sample_article.id, image.id)
    panel.set_article(library.get_article(sample_article.id))
    panel.select_image(images[2].id)
    panel.set_hero()  # moves one, demotes none, reorders the rest
    saved(qtbot, panel)
    panel.select_image(images[0].id)
    panel.remove_from_article()
    saved(qtbot, panel)
    before = [(f.image_id, f.role) for f in library.get_article(sample_article.id).figures]
    assert before == [(images[2].id, "hero"), (images[1].id, "inline")]

    commits: list[int] = []
    listener = lambda _conn: commits.append(1)  # noqa: E731
    event.listen(library.engine, "commit", listener)
    try:
        panel.undo()  # the removed picture comes back
        saved(qtbot, panel)
        after_undo = len(commits)
        panel.undo()  # the old hero order comes back
        saved(qtbot, panel)
    finally:
        event.remove(library.engine, "commit", listener)
    assert after_undo == 1 and len(commits) == 2
    figures = library.get_article(sample_article.id).figures
    assert [f.image_id for f in figures] == [i.id for i in images]
    assert all(f.role == "inline" for f in figures)


# ---- placing and ordering ------------------------------------------------------------------
@pytest.fixture
def three_figures(qtbot, panel, library, sample_article, tmp_path):
    paths = [photo(tmp_path, f"p{i}.jpg", colour=(60 * i, 80, 120)) for i in range(3)]
    report = import_and_wait(qtbot, panel, paths)
    for image in report.imported:
        library.add_figure(sample_article.id, image.id)
    panel.set_article(library.get_article(sample_article.id))
    return [i.id for i in report.imported]


def figure_order(library, article_id) -> list[int]:
    return [f.image_id for f in library.get_article(article_id).figures]


def test_an_empty_strip_says_what_to_do_inside_itself_and_is_quiet_once_it_holds_pictures(
    qtbot, panel, library, sample_article, tmp_path
):
    strip = panel.article_view
    panel.set_article(None)
    assert strip.empty_text() == "Open an article to place pictures in it."
    panel.set_article(library.get_article(sample_article.id))
    qtbot.waitUntil(lambda: strip.empty_text().startswith("No pictures yet"))
    assert strip.accessibleDescription() == strip.empty_text()  # a screen reader hears it too
    # Drawn inside the strip: the next widget down starts below the strip, never over it.
    below = panel.hero_button.mapTo(panel, QPoint(0, 0)).y()
    assert strip.mapTo(panel, QPoint(0, strip.height())).y() <= below
    shot = strip.viewport().grab().toImage()
    background = shot.pixelColor(2, 2)
    assert any(
        shot.pixelColor(x, y) != background
        for y in range(0, shot.height(), 2)
        for x in range(0, shot.width(), 2)
    ), "the note is not drawn in the empty strip"
    assert panel.library_view.empty_text().startswith("No pictures yet: Import")
    (image,) = import_and_wait(qtbot, panel, [photo(tmp_path, "one.jpg")]).imported
    library.add_figure(sample_article.id, image.id)
    panel.set_article(library.get_article(sample_article.id))
    qtbot.waitUntil(lambda: panel.article_model.rowCount() == 1)
    assert strip.empty_text() == ""


def test_figures_reorder_with_alt_arrows_and_undo(
    qtbot, panel, library, sample_article, three_figures
):
    a, b, c = three_figures
    strip = panel.article_view
    strip.setFocus()
    strip.setCurrentIndex(panel.article_model.index(0))
    QTest.keyClick(strip, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    saved(qtbot, panel)
    assert figure_order(library, sample_article.id) == [b, a, c]
    assert strip.currentIndex().row() == 1  # the moved picture stays selected

    QTest.keyClick(strip, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    saved(qtbot, panel)
    assert figure_order(library, sample_article.id) == [b, c, a]

    QTest.keyClick(strip, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    saved(qtbot, panel)
    assert figure_order(library, sample_article.id) == [b, a, c]


def test_a_drag_in_the_strip_saves_the_new_order(
    qtbot, panel, library, sample_article, three_figures
):
    a, b, c = three_figures
    # What QListView does when a dragged icon is dropped after the last one.
    assert panel.article_model.moveRows(QModelIndex(), 0, 1, QModelIndex(), 3)
    qtbot.waitUntil(lambda: panel.undo_stack.count() == 1)
    saved(qtbot, panel)
    assert figure_order(library, sample_article.id) == [b, c, a]


def test_hero_then_undo_restores_the_old_figures(
    qtbot, panel, library, sample_article, three_figures
):
    a, b, c = three_figures
    panel.select_image(c)
    with qtbot.waitSignal(panel.sig_figures_saved, timeout=10_000):
        panel.set_hero()
    saved(qtbot, panel)
    article = library.get_article(sample_article.id)
    assert article.hero.image_id == c and figure_order(library, sample_article.id) == [c, a, b]
    assert not panel.hero_button.isEnabled()  # it is the hero already

    panel.undo()
    saved(qtbot, panel)
    assert library.get_article(sample_article.id).hero is None
    assert figure_order(library, sample_article.id) == [a, b, c]

    panel.select_image(b)
    panel.remove_from_article()
    saved(qtbot, panel)
    assert figure_order(library, sample_article.id) == [a, c]
    panel.undo()
    saved(qtbot, panel)
    assert figure_order(library, sample_article.id) == [a, b, c]


def test_insert_into_body_emits_markdown_and_places_the_figure(
    qtbot, panel, library, sample_article, tmp_path
):
    (image,) = import_and_wait(qtbot, panel, [photo(tmp_path, "ferry.jpg")]).imported
    panel.set_article(library.get_article(sample_article.id))
    panel.select_image(image.id)
    retype(panel.form.editors["alt_text"], "The ferry [left] leaving port")
    with qtbot.waitSignal(panel.sig_insert_markdown) as blocker:
        QTest.mouseClick(panel.insert_button, Qt.MouseButton.LeftButton)
    short = image.uid.replace("-", "")[:8]
    assert blocker.args == [f"![The ferry \\[left\\] leaving port](image:ferry-{short})"]
    saved(qtbot, panel)
    # The page resolves image: references through the figures, so it became one.
    assert figure_order(library, sample_article.id) == [image.id]


def test_files_dropped_on_the_strip_join_the_article(
    qtbot, panel, library, sample_article, tmp_path
):
    panel.set_article(library.get_article(sample_article.id))
    viewport = panel.article_view.viewport()
    with qtbot.waitSignal(panel.sig_import_finished, timeout=60_000):
        assert drop_files(qtbot, viewport, [photo(tmp_path, "dock.jpg")])
    saved(qtbot, panel)
    assert len(library.get_article(sample_article.id).figures) == 1


def test_files_dropped_on_one_story_join_it_when_another_is_opened_before_they_are_in(
    qtbot, panel, library, sample_article, tmp_path
):
    other = library.create_article(headline="Other", body="Another story.")
    panel.set_article(library.get_article(sample_article.id))
    with qtbot.waitSignal(panel.sig_import_finished, timeout=60_000):
        assert drop_files(qtbot, panel.article_view.viewport(), [photo(tmp_path, "dock.jpg")])
        panel.set_article(library.get_article(other.id))  # opened while they were imported
    saved(qtbot, panel)
    assert len(library.get_article(sample_article.id).figures) == 1
    assert library.get_article(other.id).figures == []
    assert panel.figures == []  # the story on screen shows none


def test_a_picture_pasted_into_one_body_is_not_put_in_the_next_storys_text(
    qtbot, panel, library, sample_article, tmp_path
):
    other = library.create_article(headline="Other", body="Another story.")
    panel.set_article(library.get_article(sample_article.id))
    inserted: list[str] = []
    panel.sig_insert_markdown.connect(inserted.append)
    with qtbot.waitSignal(panel.sig_import_finished, timeout=60_000):
        assert panel.import_into_body([photo(tmp_path, "pasted.jpg")])
        panel.set_article(library.get_article(other.id))  # opened while it was imported
    saved(qtbot, panel)
    assert inserted == []
    assert library.get_article(other.id).figures == []
    assert len(library.get_article(sample_article.id).figures) == 1


# ---- import -----------------------------------------------------------------------------
def test_bulk_import_reports_the_broken_file_and_imports_the_rest(qtbot, panel, library, tmp_path):
    good = [photo(tmp_path, f"good-{i}.jpg", colour=(20 * i, 100, 150)) for i in range(5)]
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(good[0].read_bytes()[:900])  # a truncated JPEG
    notes = tmp_path / "notes.txt"
    notes.write_text("not a picture")
    report = import_and_wait(qtbot, panel, [*good[:3], broken, *good[3:], notes])

    assert sorted(i.original_name for i in report.imported) == [p.name for p in good]
    failed = {f.path.name: f.message for f in report.failed}
    assert set(failed) == {"broken.jpg", "notes.txt"}
    assert all(failed.values())
    qtbot.waitUntil(lambda: panel.library_model.rowCount() == 5)
    assert len(library.list_images()) == 5
    assert panel.report_row.isVisible()
    text = panel.report.text()
    assert "broken.jpg" in text and "notes.txt" in text and "Imported 5 pictures" in text
    assert not panel.progress_row.isVisible()


def test_cancel_stops_a_bulk_import_and_says_so(qtbot, panel, library, tmp_path):
    paths = [photo(tmp_path, f"c-{i}.jpg", size=(900, 600)) for i in range(12)]
    with qtbot.waitSignal(panel.sig_import_finished, timeout=60_000) as blocker:
        panel.import_files(paths)
        assert panel.progress_row.isVisible()
        QTest.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    report = blocker.args[0]
    cancelled = [f for f in report.failed if f.message == "cancelled"]
    assert cancelled and len(report.imported) + len(cancelled) == 12
    assert len(library.list_images()) == len(report.imported)
    assert "Cancelled" in panel.report.text()


@pytest.fixture
def clipboard():
    """The application clipboard, emptied afterwards (what it holds must not outlive the test)."""
    board = QGuiApplication.clipboard()
    yield board
    board.clear()


def test_paste_a_picture_from_the_clipboard(qtbot, panel, library, clipboard):
    image = QImage(640, 360, QImage.Format.Format_RGB32)
    image.fill(QColor("#3a7bd5"))
    clipboard.setImage(image)
    panel.library_view.setFocus()
    with qtbot.waitSignal(panel.sig_import_finished, timeout=60_000) as blocker:
        QTest.keyClick(panel.library_view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    (imported,) = blocker.args[0].imported
    assert imported.format == "PNG" and (imported.width, imported.height) == (640, 360)
    assert imported.original_name.startswith("pasted-")
    qtbot.waitUntil(lambda: panel.library_model.rowCount() == 1)


def test_paste_of_copied_picture_files_imports_them(qtbot, panel, tmp_path, clipboard):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(photo(tmp_path, "copied.jpg")))])
    clipboard.setMimeData(mime)
    with qtbot.waitSignal(panel.sig_import_finished, timeout=60_000) as blocker:
        assert panel.paste_from_clipboard()
    assert [i.original_name for i in blocker.args[0].imported] == ["copied.jpg"]


def test_search_filters_the_library_by_credit(qtbot, panel, tmp_path):
    import_and_wait(qtbot, panel, [credited(tmp_path), photo(tmp_path, "plain.jpg")])
    qtbot.waitUntil(lambda: panel.library_model.rowCount() == 2)
    with qtbot.waitSignal(panel.sig_library_shown, timeout=10_000):
        QTest.keyClicks(panel.search, "my cred")
    qtbot.waitUntil(lambda: panel.library_model.rowCount() == 1)
    assert panel.library_model.rows[0].image.get("credit") == "My Credit"


def test_credit_field_completes_from_credits_in_use(qtbot, panel, tmp_path):
    import_and_wait(qtbot, panel, [credited(tmp_path)])
    qtbot.waitUntil(lambda: "My Credit" in panel.form.credit_model.stringList(), timeout=10_000)
    assert panel.form.editors["credit"].completer().model() is panel.form.credit_model


# ---- how it looks ------------------------------------------------------------------------
def test_screenshot_of_the_panel_docked_beside_the_preview(
    qtbot, make_window, sample_article, library, tmp_path
):
    folder = tmp_path / "shoot"
    paths = [
        photo(folder, f"scene-{i}.jpg", colour=(30 + 45 * i, 90 + 10 * i, 160 - 30 * i))
        for i in range(5)
    ]
    window = make_window()
    panel = ImagesPanel(library)
    window.install_panel("images", panel, "Images")
    window.resizeDocks([window.docks["images"]], [360], Qt.Orientation.Horizontal)
    report = import_and_wait(qtbot, panel, paths)
    ids = [i.id for i in report.imported]
    credits = ["Ana Ruiz / Courier", "", "Port Authority", "Lee Chan / Courier"]
    for image_id, credit in zip(ids[1:], credits, strict=True):
        library.update_image(
            image_id,
            credit=credit,
            alt_text="Boats moored in the harbour",
            caption="The harbour at first light",
        )
    library.update_image(
        ids[0],
        caption="Ferries wait out the storm",
        credit="Sam Okoro / Courier",
        alt_text="Two ferries moored under a dark sky",
    )
    library.set_hero(sample_article.id, ids[0])
    library.add_figure(sample_article.id, ids[2])
    library.add_figure(sample_article.id, ids[3])
    window.reload_article()
    panel.set_article(library.get_article(sample_article.id))
    panel.reload_library(select=ids[2])  # the uncredited one, shown in the form
    qtbot.waitUntil(lambda: panel.current is not None and panel.current.id == ids[2])
    wait_preview_ready(qtbot, window)
    qtbot.waitUntil(lambda: panel.loader.idle, timeout=10_000)
    qtbot.wait(300)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(ARTIFACTS / "images_panel.png"))
    assert panel.grab().save(str(tmp_path.parent / "images-panel-only.png"))
    assert MISSING_CREDIT in row_description(panel.library_model, ids[2])
    assert panel.width() >= panel.minimumSizeHint().width()


# ---- what the file says, and a file that is gone ------------------------------------------
def test_a_pictures_instructions_show_in_a_strip_above_the_form(qtbot, panel, tmp_path):
    # The IPTC fixture carries Special Instructions "What instructions".
    (image,) = import_and_wait(qtbot, panel, [credited(tmp_path)]).imported
    panel.select_image(image.id)
    strip = panel.form.instructions
    assert strip.isVisible()
    assert strip.text() == "Instructions: What instructions"
    assert strip.accessibleName() == strip.text()
    # Above every field: the first thing the eye meets after the picture's name.
    caption = panel.form.editors["caption"]
    assert strip.mapTo(panel.form, QPoint(0, 0)).y() < caption.mapTo(panel.form, QPoint(0, 0)).y()

    (plain,) = import_and_wait(qtbot, panel, [photo(tmp_path, "plain.jpg")]).imported
    panel.select_image(plain.id)
    assert not panel.form.instructions.isVisible()


def test_title_and_keywords_are_editable_and_saved(qtbot, panel, library, tmp_path):
    (image,) = import_and_wait(qtbot, panel, [credited(tmp_path)]).imported
    panel.select_image(image.id)
    form = panel.form
    assert form.editors["title"].text() == "Test IPTC picture"
    assert form.editors["keywords"].text() == "ExifTool\nTest\nIPTC"
    retype(form.editors["title"], "Lighthouse at dusk")
    form.editors["keywords"].setFocus()
    form.editors["keywords"].setPlainText("lighthouse\ncoast")
    panel.commit_edits()
    qtbot.waitUntil(
        lambda: (
            (library.get_image(image.id).title, library.get_image(image.id).keywords)
            == ("Lighthouse at dusk", "lighthouse\ncoast")
        ),
        timeout=10_000,
    )


def test_a_picture_whose_file_was_deleted_is_flagged_in_the_panel(qtbot, panel, library, tmp_path):
    (image,) = import_and_wait(qtbot, panel, [photo(tmp_path, "gone.jpg")]).imported
    panel.select_image(image.id)
    assert not panel.form.missing_file.isVisible()
    library.media_path(library.get_image(image.id)).unlink()
    panel.reload_library(select=image.id)
    qtbot.waitUntil(lambda: panel.form.missing_file.isVisible(), timeout=10_000)
    text = panel.form.missing_file.text()
    assert "missing" in text and "Import the picture again" in text
    assert image.filename in text
