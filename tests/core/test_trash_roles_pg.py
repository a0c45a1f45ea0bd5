"""Who may move a story to the trash on the shared library: its owner or an editor, enforced by
the server — with plain SQL, through the library, on the command line and through a laptop's sync."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from newsdesk.library import Library, LibraryError
from newsdesk.library.pg import grant_role, parse_url

pytestmark = pytest.mark.postgres

TRASH_REFUSED = (
    "Only an editor may move another reporter's story to the trash on the shared library."
)
RESTORE_REFUSED = (
    "Only an editor may take another reporter's story out of the trash on the shared library."
)
EMPTY_REFUSED = (
    "Only an editor may empty another reporter's story from the trash on the shared library."
)


def nd(library, *args: str, check: int | None = 0) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", "newsdesk", "--library", str(library), *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=dict(os.environ),
    )
    if check is not None:
        assert done.returncode == check, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    return done


def as_user(url: str, user: str) -> str:
    return url.replace("postgres@", f"{user}@", 1)


def connect(url: str, user: str):
    u = parse_url(as_user(url, user))
    return psycopg.connect(
        host=u.query["host"], port=u.query["port"], dbname=u.database, user=user, autocommit=True
    )


@pytest.fixture
def newsroom(pg_url):
    """Two reporters (reza, rita) and an editor (eda); reza's story and rita's story on the server."""
    for user, role in (("reza", "reporter"), ("rita", "reporter"), ("eda", "editor")):
        grant_role(pg_url, user, role)
    for user, headline in (("reza", "Harbour reopens"), ("rita", "Tide tables")):
        with Library.open(as_user(pg_url, user)) as lib:
            lib.create_article(headline=headline, body=f"{headline}, in a paragraph.")
    return pg_url


def trash_state(url: str, slug: str) -> tuple:
    with Library.open(url) as lib:
        a = lib.get_article(slug)
        return a.deleted_at is not None, a.purged_at is not None, a.version


# ---- the server itself -----------------------------------------------------------
def test_the_server_refuses_a_reporter_who_trashes_another_reporters_story_with_plain_sql(
    newsroom,
):
    with connect(newsroom, "rita") as con:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="to the trash"):
            con.execute(
                "UPDATE articles SET deleted_at = now(), deleted_by = 'rita' "
                "WHERE slug = 'harbour-reopens'"
            )
        # Setting the column to what it already is changes nothing, so it is not refused.
        con.execute("UPDATE articles SET deleted_at = NULL WHERE slug = 'harbour-reopens'")
        # Her own story: she may trash it and take it back.
        con.execute("UPDATE articles SET deleted_at = now() WHERE slug = 'tide-tables'")
        con.execute("UPDATE articles SET deleted_at = NULL WHERE slug = 'tide-tables'")
    assert trash_state(newsroom, "harbour-reopens")[:2] == (False, False)
    with connect(newsroom, "eda") as con:  # an editor may trash anyone's story
        con.execute("UPDATE articles SET deleted_at = now() WHERE slug = 'harbour-reopens'")
    with connect(newsroom, "rita") as con:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="out of the trash"):
            con.execute("UPDATE articles SET deleted_at = NULL WHERE slug = 'harbour-reopens'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="empty another"):
            con.execute(
                "UPDATE articles SET purged_at = now(), body = '' WHERE slug = 'harbour-reopens'"
            )
    with connect(newsroom, "reza") as con:  # the owner may restore what an editor trashed
        con.execute("UPDATE articles SET deleted_at = NULL WHERE slug = 'harbour-reopens'")
    assert trash_state(newsroom, "harbour-reopens")[:2] == (False, False)


def test_the_library_says_in_one_sentence_why_a_trash_was_refused_and_changes_nothing(newsroom):
    before = trash_state(newsroom, "harbour-reopens")
    with Library.open(as_user(newsroom, "rita")) as lib:
        story = lib.get_article("harbour-reopens")
        with pytest.raises(LibraryError) as refused:
            lib.trash_article(story.id)
        assert str(refused.value) == TRASH_REFUSED
    assert trash_state(newsroom, "harbour-reopens") == before
    with Library.open(as_user(newsroom, "eda")) as lib:
        lib.trash_article(lib.get_article("harbour-reopens").id)
    with Library.open(as_user(newsroom, "rita")) as lib:
        with pytest.raises(LibraryError) as refused:
            lib.restore_article(lib.get_article("harbour-reopens").id)
        assert str(refused.value) == RESTORE_REFUSED
        # Emptying the trash leaves out the stories that are not hers to remove.
        assert lib.empty_trash() == 0
    assert trash_state(newsroom, "harbour-reopens")[:2] == (True, False)
    with Library.open(as_user(newsroom, "reza")) as lib:
        assert lib.empty_trash() == 1  # his own story: removed for good
    assert trash_state(newsroom, "harbour-reopens")[:2] == (True, True)


def test_a_reporters_choice_of_several_is_refused_whole_when_one_is_not_hers(newsroom):
    """Restoring or deleting for good several at once is all or nothing on the server too."""
    with Library.open(as_user(newsroom, "eda")) as lib:
        for slug in ("harbour-reopens", "tide-tables"):
            lib.trash_article(lib.get_article(slug).id)
    with Library.open(as_user(newsroom, "rita")) as lib:
        both = [lib.get_article(slug).id for slug in ("tide-tables", "harbour-reopens")]
        with pytest.raises(LibraryError) as refused:
            lib.restore_articles(both)
        assert str(refused.value) == RESTORE_REFUSED
        with pytest.raises(LibraryError) as refused:
            lib.empty_trash(both)
        assert str(refused.value) == EMPTY_REFUSED
    for slug in ("harbour-reopens", "tide-tables"):  # her own story too: untouched
        assert trash_state(newsroom, slug)[:2] == (True, False)
    with Library.open(as_user(newsroom, "rita")) as lib:
        assert lib.restore_articles([both[0]]) == 1


# ---- the command line on the shared library --------------------------------------
def test_delete_on_someone_elses_story_is_refused_in_one_sentence_like_publishing(newsroom):
    rita = as_user(newsroom, "rita")
    before = trash_state(newsroom, "harbour-reopens")
    done = nd(rita, "delete", "harbour-reopens", check=None)
    published = nd(
        rita, "status", "tide-tables", "published", "--override-reason", "urgent", check=None
    )
    # The same exit code as the server's refusal of publishing, and one sentence each.
    assert published.stderr == "newsdesk: Only an editor may publish on the shared library.\n"
    assert done.returncode == published.returncode == 2
    assert done.stderr == f"newsdesk: {TRASH_REFUSED}\n"
    assert done.stdout == ""
    assert trash_state(newsroom, "harbour-reopens") == before
    nd(rita, "delete", "tide-tables")  # her own story goes to the trash
    nd(as_user(newsroom, "eda"), "delete", "harbour-reopens")  # an editor trashes any story
    done = nd(rita, "restore", "harbour-reopens", check=2)
    assert done.stderr == f"newsdesk: {RESTORE_REFUSED}\n"
    assert trash_state(newsroom, "harbour-reopens")[:2] == (True, False)
    # Emptying the trash removes her own story and says which stay, and why.
    done = nd(rita, "trash", "--empty")
    assert done.stdout == (
        "Emptied the trash: 1 story removed for good.\n"
        "1 other story stays in the trash: only their owner or an editor may empty them.\n"
    )
    assert trash_state(newsroom, "tide-tables")[:2] == (True, True)
    assert trash_state(newsroom, "harbour-reopens")[:2] == (True, False)
    done = nd(as_user(newsroom, "eda"), "trash", "--empty")
    assert done.stdout == "Emptied the trash: 1 story removed for good.\n"


# ---- a laptop's sync -------------------------------------------------------------
def laptop_story(laptop: Path, slug: str):
    with Library.open(laptop) as lib:
        return lib.get_article(slug)


def test_a_refused_trash_comes_back_on_the_laptop_and_later_syncs_push_everything_else(
    newsroom, tmp_path
):
    laptop = tmp_path / "ritas-laptop"
    nd(laptop, "sync", as_user(newsroom, "rita"))
    with Library.open(laptop) as lib:
        theirs = lib.get_article("harbour-reopens")
        lib.update_article(theirs.id, headline="Harbour reopens at dawn")  # an edit: it goes
        lib.trash_article(theirs.id)  # reza's story: refused
        lib.trash_article(lib.get_article("tide-tables").id)  # her own: accepted
    done = nd(laptop, "sync", check=1)
    problems = [ln for ln in done.stderr.splitlines() if ln.startswith("problem:")]
    assert len(problems) == 1 and done.stderr.count("\n") == 1, done.stderr
    assert "harbour-reopens: moving it to the trash was not accepted" in problems[0]
    assert "back in this laptop's list" in problems[0]
    with Library.open(newsroom) as shared:
        there = shared.get_article("harbour-reopens")
        assert (there.headline, there.deleted_at) == ("Harbour reopens at dawn", None)
        assert shared.get_article("tide-tables").deleted_at is not None
    here = laptop_story(laptop, "harbour-reopens")
    assert (here.headline, here.deleted_at, here.deleted_by) == (
        "Harbour reopens at dawn",
        None,
        "",
    )
    # Settled, not held: the next sync has nothing refused left, and pushes a new edit.
    nd(laptop, "restore", "tide-tables")
    with Library.open(laptop) as lib:
        lib.update_article(lib.get_article("tide-tables").id, body="High water at noon.")
    done = nd(laptop, "sync")
    assert "problem" not in done.stderr
    with Library.open(newsroom) as shared:
        there = shared.get_article("tide-tables")
        assert (there.body, there.deleted_at) == ("High water at noon.", None)
        assert shared.get_article("harbour-reopens").deleted_at is None


def test_a_story_an_editor_trashed_stays_trashed_and_whole_when_a_reporter_empties_it(
    newsroom, tmp_path
):
    laptop = tmp_path / "ritas-laptop"
    nd(laptop, "sync", as_user(newsroom, "rita"))
    nd(as_user(newsroom, "eda"), "delete", "harbour-reopens")
    nd(laptop, "sync")
    assert laptop_story(laptop, "harbour-reopens").deleted_at is not None
    nd(laptop, "restore", "harbour-reopens")
    done = nd(laptop, "sync", check=1)
    assert "taking it out of the trash was not accepted" in done.stderr
    assert "back in this laptop's trash" in done.stderr
    assert laptop_story(laptop, "harbour-reopens").deleted_at is not None
    nd(laptop, "trash", "--empty")  # on the laptop alone anyone may; the server refuses
    assert laptop_story(laptop, "harbour-reopens").body == ""
    done = nd(laptop, "sync", check=1)
    assert "emptying it from the trash was not accepted" in done.stderr
    here = laptop_story(laptop, "harbour-reopens")
    assert (here.body, here.purged_at) == ("Harbour reopens, in a paragraph.", None)
    assert here.deleted_at is not None  # still in the trash, whole: the owner may restore it
    with Library.open(newsroom) as shared:
        there = shared.get_article("harbour-reopens")
        assert (there.body, there.purged_at) == ("Harbour reopens, in a paragraph.", None)
    nd(laptop, "sync")


def test_a_refused_trash_and_a_refused_publication_in_one_sync_are_each_said_and_held(
    newsroom, tmp_path
):
    laptop = tmp_path / "ritas-laptop"
    nd(laptop, "sync", as_user(newsroom, "rita"))
    with Library.open(laptop) as lib:
        lib.trash_article(lib.get_article("harbour-reopens").id)
        lib.update_article(lib.get_article("tide-tables").id, status="published")
        lib.create_article(headline="Ferry strike", body="Boats stay in.", status="ready")
    done = nd(laptop, "sync", check=1)
    problems = sorted(ln for ln in done.stderr.splitlines() if ln.startswith("problem:"))
    assert len(problems) == 2, done.stderr
    assert problems[0].startswith(
        "problem: harbour-reopens: moving it to the trash was not accepted"
    )
    assert problems[1].startswith(
        "problem: tide-tables: Only an editor may publish on the shared library. "
        "Its status stays 'published' on this laptop only"
    )
    with Library.open(newsroom) as shared:
        assert shared.get_article("harbour-reopens").deleted_at is None
        assert shared.get_article("tide-tables").status == "draft"
        assert shared.get_article("ferry-strike").status == "ready"  # anyone's to set
    assert laptop_story(laptop, "harbour-reopens").deleted_at is None
    assert laptop_story(laptop, "tide-tables").status == "published"
    # The publication is tried again (and refused again); the trash is settled.
    again = nd(laptop, "sync", check=1)
    assert "tide-tables" in again.stderr and "harbour-reopens" not in again.stderr
