"""The newsroom in the window: new stories, publishing behind preflight, pictures in the body,
update notes, desk notes that never publish, and importing Markdown."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest

from newsdesk.paths import resource
from newsdesk.render.page import Assets, build_page, render_page
from tests.ui.conftest import open_in_window

PHOTO = resource("sample", "harbour-dawn.jpg")


def test_ctrl_n_twice_without_typing_leaves_no_stray_untitled_story(qtbot, window, library):
    before = library.count_articles()
    window.new_article()
    window.new_article()
    open_other = library.create_article(headline="Other")
    open_in_window(qtbot, window, open_other.id)
    assert library.count_articles() == before + 1  # only "Other"
    assert not [a for a in library.list_articles() if a.headline in ("", "Untitled")]


def test_setting_published_with_failing_preflight_is_refused_with_its_reasons(
    qtbot, window, library
):
    article_id = window.article.id
    window.form.status.setCurrentText("published")
    qtbot.waitUntil(lambda: window.publish_dialog is not None)
    dialog = window.publish_dialog
    assert "There is no hero image." in dialog.reasons.toPlainText()
    assert window.form.status.currentText() == "draft"
    QTest.mouseClick(dialog.keep_button, Qt.MouseButton.LeftButton)
    window.autosave.flush()
    assert library.get_article(article_id).status == "draft"


def test_publishing_anyway_needs_a_reason_that_history_keeps(qtbot, window, library):
    article_id = window.article.id
    window.form.status.setCurrentText("published")
    qtbot.waitUntil(lambda: window.publish_dialog is not None)
    dialog = window.publish_dialog
    assert not dialog.publish_button.isEnabled()
    QTest.keyClicks(dialog.reason, "Breaking: picture to follow")
    QTest.mouseClick(dialog.publish_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: library.get_article(article_id).status == "published", timeout=10_000)
    assert "Breaking: picture to follow" in library.revisions(article_id)[0].note
    qtbot.waitUntil(lambda: window.form.status.currentText() == "published")


def test_a_picture_pasted_into_the_body_is_imported_and_placed_as_a_block(qtbot, window, library):
    window.install_standard_panels()
    panel = window.panels["images"]
    panel.set_article(window.article)
    editor = window.editor
    cursor = editor.textCursor()
    cursor.setPosition(10)  # inside the first paragraph
    editor.setTextCursor(cursor)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(PHOTO))])
    editor.insertFromMimeData(mime)
    qtbot.waitUntil(lambda: "](image:" in editor.toPlainText(), timeout=20_000)
    text = editor.toPlainText()
    line = next(p for p in text.split("\n\n") if "](image:" in p)
    assert line.startswith("![") and "\n" not in line  # a paragraph of its own
    ref = line.split("](image:")[1].rstrip(")")
    assert ref.startswith("harbour-dawn-") and len(ref.rsplit("-", 1)[1]) == 8
    window.autosave.flush()
    article = library.get_article(window.article.id)
    assert any(ref.endswith(f.image.uid.replace("-", "")[:8]) for f in article.figures)
    html = render_page(build_page(article, library.publication(), Assets(library.root)))
    assert "<figure" in html and "<p><img" not in html


def test_an_update_note_from_the_article_menu_shows_on_the_page(qtbot, window, library):
    assert window.actions_by_name["add_update"].text() == "Add &update note…"
    window.add_dated_note("update", "The council has replied.")
    qtbot.waitUntil(lambda: len(library.updates(window.article.id)) == 1, timeout=10_000)
    article = library.get_article(window.article.id)
    html = render_page(build_page(article, library.publication(), Assets(library.root)))
    assert "The council has replied." in html and "Updated" in html


def test_a_desk_note_follows_its_passage_and_never_reaches_the_page(qtbot, window, library):
    editor = window.editor
    text = editor.toPlainText()
    start = text.index("seven to two")
    window.add_note(start, start + len("seven to two"), "SOURCE? check the vote count")
    qtbot.waitUntil(lambda: window.notes_panel.list.count() == 1, timeout=10_000)
    assert len(editor.extraSelections()) == 1
    # Edits before the passage: the note's highlight moves with it.
    cursor = QTextCursor(editor.document())
    cursor.insertText("Late news. ")
    (selection,) = editor.extraSelections()
    assert selection.cursor.selectedText() == "seven to two"
    # Resolve, then reopen.
    window.notes_panel.list.setCurrentRow(0)
    window.toggle_selected_note()
    qtbot.waitUntil(lambda: library.notes(window.article.id)[0].resolved, timeout=10_000)
    qtbot.waitUntil(lambda: editor.extraSelections() == [], timeout=10_000)
    assert "(resolved)" in window.notes_panel.list.item(0).text()
    window.notes_panel.list.setCurrentRow(0)
    window.toggle_selected_note()
    qtbot.waitUntil(lambda: not library.notes(window.article.id)[0].resolved, timeout=10_000)
    window.autosave.flush()
    article = library.get_article(window.article.id)
    html = render_page(build_page(article, library.publication(), Assets(library.root)))
    assert "SOURCE?" not in html and "check the vote count" not in html


def test_file_import_articles_reports_as_the_command_line_does(qtbot, window, library, tmp_path):
    md = tmp_path / "ferry.md"
    md.write_text("---\nheadline: Ferry back\n---\nText.\n", encoding="utf-8")
    bad = tmp_path / "bad.md"
    bad.write_text("---\nstatus: gone\n---\nText.\n", encoding="utf-8")
    window.import_articles([md])
    qtbot.waitUntil(lambda: window.import_box is not None, timeout=10_000)
    assert window.import_box.text() == "imported ferry-back: Ferry back"
    assert library.find_article("ferry-back") is not None
    window.import_box = None
    window.import_articles([bad])
    qtbot.waitUntil(lambda: window.import_box is not None, timeout=10_000)
    assert window.import_box.text().startswith("Nothing was imported:")
    assert "Traceback" not in window.import_box.text()


def test_file_import_takes_the_good_files_and_lists_each_bad_one_with_what_to_fix(
    qtbot, window, library, tmp_path
):
    good = tmp_path / "ferry.md"
    good.write_text("---\nheadline: Ferry back\n---\nText.\n", encoding="utf-8")
    colon = tmp_path / "strike.md"
    colon.write_text("---\nheadline: Strike: day two\n---\nText.\n", encoding="utf-8")
    picture = tmp_path / "tides.md"
    picture.write_text("---\nheadline: Tides\n---\n![Sea](sea.jpg)\n", encoding="utf-8")
    (tmp_path / "sea.jpg").write_bytes(b"not a picture")
    later = tmp_path / "cup.md"
    later.write_text("---\nheadline: Cup final\n---\nGoals.\n", encoding="utf-8")
    window.import_articles([good, colon, picture, later])
    qtbot.waitUntil(lambda: window.import_box is not None, timeout=10_000)
    box = window.import_box
    assert box.icon() == box.Icon.Warning
    lines = box.text().splitlines()
    assert lines[:2] == ["imported ferry-back: Ferry back", "imported cup-final: Cup final"]
    assert "2 files not imported (fix and import again):" in lines
    strike = next(line for line in lines if line.startswith("• strike.md"))
    assert "line 2" in strike and "put the value in quotes" in strike
    assert "mapping values" not in box.text()  # PyYAML's words stay out of it
    assert any(line.startswith("• tides.md: ") for line in lines)
    assert str(tmp_path) not in box.text()  # file names, not long paths
    assert library.find_article("ferry-back") is not None
    assert library.find_article("cup-final") is not None
    assert library.find_article("tides") is None  # all or nothing for each file
    assert not list(library.media_dir.iterdir())  # its staged picture left nothing behind


def test_a_new_story_saved_after_another_was_opened_does_not_take_the_editor(
    qtbot, make_window, library, sample_article
):
    import threading

    window = make_window()
    open_in_window(qtbot, window, sample_article.id)
    other = library.create_article(headline="Ferry timetable changes", body="Boats at nine.\n")
    window.browser.refresh()
    qtbot.waitUntil(lambda: window.browser.model.row_of(other.id) >= 0, timeout=10_000)
    go = threading.Event()
    window.ops.run_op(lambda _library: go.wait(30))  # the writer is busy with an earlier save
    window.actions_by_name["new"].trigger()
    QTest.keyClicks(window.form.headline, "Harbour")  # the new story's save waits its turn
    assert window._creating
    open_in_window(qtbot, window, other.id)  # …and the user opens another story meanwhile
    go.set()
    qtbot.waitUntil(lambda: not window._creating, timeout=10_000)

    assert window.article.id == other.id
    assert window.form.headline.text() == "Ferry timetable changes"
    assert window.autosave.flush() is not None
    window.ops.wait()
    assert library.get_article(other.id).headline == "Ferry timetable changes"
    (new,) = [a for a in library.list_articles() if a.id not in (sample_article.id, other.id)]
    assert new.headline == "Harbour"  # every key typed before the user left it
    assert window.browser.model.row_of(new.id) >= 0  # listed, to open when the user wants it


def test_keys_typed_into_a_new_story_while_its_first_save_waits_reach_it_after_leaving(
    qtbot, make_window, library, sample_article
):
    import threading

    window = make_window()
    open_in_window(qtbot, window, sample_article.id)
    other = library.create_article(headline="Ferry timetable changes", body="Boats at nine.\n")
    window.browser.refresh()
    qtbot.waitUntil(lambda: window.browser.model.row_of(other.id) >= 0, timeout=10_000)
    go = threading.Event()
    window.ops.run_op(lambda _library: go.wait(30))  # the writer is busy with an earlier save
    window.actions_by_name["new"].trigger()
    QTest.keyClicks(window.form.headline, "Night ferry")  # the first key starts its save
    assert window._creating
    window.focus_editor()
    QTest.keyClicks(window.editor, "Crews walked out at six.")  # typed while that save waits
    open_in_window(qtbot, window, other.id)  # …and the user opens another story
    go.set()
    known = {sample_article.id, other.id}
    qtbot.waitUntil(
        lambda: any(a.headline == "Night ferry" for a in library.list_articles()),
        timeout=10_000,
    )
    window.ops.wait()

    (new,) = [a for a in library.list_articles() if a.id not in known]
    new = library.get_article(new.id)
    assert new.headline == "Night ferry"
    assert new.body == "Crews walked out at six."
    assert window.browser.model.row_of(new.id) >= 0
    assert window.article.id == other.id  # the story opened keeps the editor
    assert library.get_article(other.id).body == "Boats at nine.\n"


def test_a_second_new_story_begun_while_the_first_saves_keeps_each_storys_words(
    qtbot, make_window, library, sample_article
):
    import threading

    window = make_window()
    open_in_window(qtbot, window, sample_article.id)
    go = threading.Event()
    window.ops.run_op(lambda _library: go.wait(30))  # the writer is busy with an earlier save
    window.actions_by_name["new"].trigger()
    QTest.keyClicks(window.form.headline, "Night ferry")
    assert window._creating
    window.actions_by_name["new"].trigger()  # Ctrl+N again before the first save answered
    QTest.keyClicks(window.form.headline, "Bridge closed")
    go.set()
    qtbot.waitUntil(
        lambda: window.article is not None and window.article.id != sample_article.id,
        timeout=10_000,
    )
    assert window.form.headline.text() == "Bridge closed"
    second = window.article.id
    window.autosave.flush()
    window.ops.wait()
    assert library.get_article(second).headline == "Bridge closed"
    headlines = sorted(a.headline for a in library.list_articles() if a.id != sample_article.id)
    assert headlines == ["Bridge closed", "Night ferry"]


def test_two_new_stories_left_before_their_first_saves_answered_keep_every_word(
    qtbot, make_window, library, sample_article
):
    import threading

    window = make_window()
    open_in_window(qtbot, window, sample_article.id)
    other = library.create_article(headline="Ferry timetable changes", body="Boats at nine.\n")
    window.browser.refresh()
    qtbot.waitUntil(lambda: window.browser.model.row_of(other.id) >= 0, timeout=10_000)
    go = threading.Event()
    window.ops.run_op(lambda _library: go.wait(30))  # the writer is busy with an earlier save
    window.actions_by_name["new"].trigger()
    QTest.keyClicks(window.form.headline, "Night ferry")
    window.actions_by_name["new"].trigger()  # Ctrl+N again before the first save answered
    QTest.keyClicks(window.form.headline, "Bridge closed")
    window.focus_editor()
    QTest.keyClicks(window.editor, "Until Friday.")
    open_in_window(qtbot, window, other.id)  # …then another story, before either answered
    go.set()
    both = {"Night ferry", "Bridge closed"}
    qtbot.waitUntil(lambda: both <= {a.headline for a in library.list_articles()}, timeout=10_000)
    window.ops.wait()

    new = {a.headline: library.get_article(a.id).body for a in library.list_articles()}
    del new[sample_article.headline], new[other.headline]
    assert new == {"Night ferry": "", "Bridge closed": "Until Friday."}
    assert window.article.id == other.id


def test_closing_while_a_new_storys_first_save_waits_keeps_every_word_typed_into_it(
    qtbot, make_window, library, sample_article
):
    import threading

    window = make_window()
    open_in_window(qtbot, window, sample_article.id)
    go = threading.Event()
    window.ops.run_op(lambda _library: go.wait(30))  # the writer is busy with an earlier save
    window.actions_by_name["new"].trigger()
    QTest.keyClicks(window.form.headline, "Night ferry")  # the first key starts its save
    assert window._creating
    window.focus_editor()
    QTest.keyClicks(window.editor, "Crews walked out at six.")
    go.set()
    window.close()  # before that save's answer reaches the window

    (new,) = [a for a in library.list_articles() if a.id != sample_article.id]
    new = library.get_article(new.id)
    assert (new.headline, new.body) == ("Night ferry", "Crews walked out at six.")
    assert new.status == "draft"


def test_closing_after_two_new_stories_whose_first_saves_wait_keeps_both(
    qtbot, make_window, library, sample_article
):
    import threading

    window = make_window()
    open_in_window(qtbot, window, sample_article.id)
    go = threading.Event()
    window.ops.run_op(lambda _library: go.wait(30))  # the writer is busy with an earlier save
    window.actions_by_name["new"].trigger()
    QTest.keyClicks(window.form.headline, "Night ferry")
    window.actions_by_name["new"].trigger()
    QTest.keyClicks(window.form.headline, "Bridge closed")
    go.set()
    window.close()  # before either first save's answer reaches the window

    headlines = sorted(a.headline for a in library.list_articles() if a.id != sample_article.id)
    assert headlines == ["Bridge closed", "Night ferry"]
