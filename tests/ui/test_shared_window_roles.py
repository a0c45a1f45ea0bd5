"""A reporter's window on the shared library: the server refuses publishing and the window says why."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from newsdesk.library import Library, pg
from newsdesk.paths import resource
from newsdesk.sync import sync
from tests.core.test_sync import STORY
from tests.ui.conftest import open_in_window

pytestmark = pytest.mark.postgres
SLUG = "council-votes-on-the-budget"


def test_a_reporter_who_publishes_is_told_why_the_server_refused_and_keeps_the_edit(
    qtbot, make_window, pg_url, tmp_path
):
    # The desk files a story that passes preflight (byline, dek, a credited hero).
    shutil.copy(resource("sample", "harbour-dawn.jpg"), tmp_path / "photo.jpg")
    (tmp_path / "story.md").write_text(STORY, encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "newsdesk",
            "--library",
            pg_url,
            "import",
            str(tmp_path / "story.md"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    pg.grant_role(pg_url, "reza", "reporter")
    reporter = Library.open(pg_url.replace("postgres@", "reza@", 1))
    window = make_window(reporter)
    article_id = reporter.get_article(SLUG).id
    open_in_window(qtbot, window, article_id)
    previous = window.article.status

    window.form.headline.end(False)
    qtbot.keyClicks(window.form.headline, " at last")
    window.form.status.setCurrentText("published")  # preflight passes; the server decides
    qtbot.waitUntil(lambda: window.refusal_box is not None, timeout=20_000)
    said = window.refusal_box.text()
    assert "Only an editor may publish" in said and f"stays {previous}" in said
    assert window.form.status.currentText() == previous
    # The rest of the edit is saved; nothing typed is lost.
    qtbot.waitUntil(lambda: not window.autosave.dirty, timeout=20_000)
    with Library.open(pg_url) as desk:
        stored = desk.get_article(article_id)
    assert stored.headline == "Council votes on the budget at last"
    assert stored.status == previous


def test_a_reporters_laptop_says_when_the_server_did_not_accept_a_publication(
    qtbot, make_window, library, pg_url
):
    pg.grant_role(pg_url, "reza", "reporter")
    story = library.create_article(headline="Ferry strike ends", body="Boats again.\n")
    sync(library, pg_url.replace("postgres@", "reza@", 1))
    library.update_article(story.id, status="published")  # a laptop alone has no roles
    window = make_window()
    window.sync.sync_now(manual=False)  # a background sync: no one asked, it still says so
    qtbot.waitUntil(lambda: "not accepted" in window.sync.label.text(), timeout=30_000)
    assert window.sync.label.text() == "1 change waiting · 1 not accepted"
    assert "Only an editor may publish" in window.sync.label.toolTip()
    assert "Only an editor may publish" in window.statusBar().currentMessage()
    assert library.get_article(story.id).status == "published"  # kept on the laptop


def test_a_reporter_who_deletes_someone_elses_story_is_told_why_and_it_stays_listed(
    qtbot, make_window, pg_url
):
    pg.grant_role(pg_url, "reza", "reporter")
    pg.grant_role(pg_url, "rita", "reporter")
    with Library.open(pg_url.replace("postgres@", "reza@", 1)) as reza:
        theirs = reza.create_article(headline="Harbour reopens", body="Ships return.\n")
    rita = Library.open(pg_url.replace("postgres@", "rita@", 1))
    own = rita.create_article(headline="Tide tables", body="High water at noon.\n")
    window = make_window(rita)
    open_in_window(qtbot, window, theirs.id)
    qtbot.waitUntil(lambda: window.browser.model.row_of(theirs.id) >= 0, timeout=20_000)

    window.actions_by_name["delete"].trigger()  # Edit > Delete, on the open story
    qtbot.waitUntil(lambda: window.refusal_box is not None, timeout=20_000)
    said = window.refusal_box.text()
    assert said == (
        "Only an editor may move another reporter's story to the trash on the shared library. "
        "The story stays in the list."
    )
    assert window.statusBar().currentMessage() == said
    qtbot.waitUntil(lambda: window.article is not None, timeout=20_000)
    assert window.article.id == theirs.id  # open again, as it was
    qtbot.waitUntil(lambda: window.browser.model.row_of(theirs.id) >= 0, timeout=20_000)
    with Library.open(pg_url) as desk:
        assert desk.get_article(theirs.id).deleted_at is None
    window.refusal_box.close()

    # Her own story goes to the trash as on a laptop.
    window.trash.delete_article(own.id)
    qtbot.waitUntil(lambda: window.browser.model.row_of(own.id) < 0, timeout=20_000)
    assert window.refusal_box is None
    with Library.open(pg_url) as desk:
        assert desk.get_article(own.id).deleted_at is not None
        desk.trash_article(theirs.id)  # an editor's doing
    # View > Trash, Empty Trash: her own story goes for good, reza's stays, and it says why.
    dialog = window.trash.show_trash()
    qtbot.waitUntil(lambda: len(dialog.rows) == 2, timeout=20_000)
    dialog.empty_trash()
    qtbot.waitUntil(lambda: dialog.outcome.text().startswith("Emptied"), timeout=20_000)
    assert dialog.outcome.text() == (
        "Emptied the trash: 1 story removed for good. 1 other story stays in the trash: "
        "only their owner or an editor may empty them."
    )
    qtbot.waitUntil(lambda: [r.id for r in dialog.rows] == [theirs.id], timeout=20_000)


def test_a_reporters_laptop_says_when_the_server_did_not_accept_a_trash_and_lists_it_again(
    qtbot, make_window, library, pg_url
):
    pg.grant_role(pg_url, "reza", "reporter")
    pg.grant_role(pg_url, "rita", "reporter")
    with Library.open(pg_url.replace("postgres@", "reza@", 1)) as reza:
        theirs = reza.create_article(headline="Harbour reopens", body="Ships return.\n")
    sync(library, pg_url.replace("postgres@", "rita@", 1))
    here = library.get_article(theirs.uid)
    window = make_window()
    qtbot.waitUntil(lambda: window.browser.model.row_of(here.id) >= 0, timeout=20_000)
    window.trash.delete_article(here.id)  # a laptop alone has no roles: it goes
    qtbot.waitUntil(lambda: window.browser.model.row_of(here.id) < 0, timeout=20_000)
    window.sync.sync_now(manual=False)
    qtbot.waitUntil(lambda: "not accepted" in window.sync.label.text(), timeout=30_000)
    assert "moving it to the trash was not accepted" in window.sync.label.toolTip()
    assert "back in this laptop's list" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: window.browser.model.row_of(here.id) >= 0, timeout=20_000)
    assert library.get_article(here.id).deleted_at is None
    with Library.open(pg_url) as desk:
        assert desk.get_article(theirs.uid).deleted_at is None
