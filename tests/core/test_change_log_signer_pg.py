"""Who made each change in the shared library's history is the server's to say: the login writing
it, whatever name a client sends — through the library, with plain SQL, and through a laptop's sync."""

from __future__ import annotations

import psycopg
import pytest

from newsdesk.library import Library
from newsdesk.library.pg import grant_role
from newsdesk.sync import sync
from tests.core.test_trash_roles_pg import as_user, connect

pytestmark = pytest.mark.postgres


@pytest.fixture
def newsroom(pg_url):
    """A reporter (reza) and an editor (eda) on a fresh shared library."""
    for user, role in (("reza", "reporter"), ("eda", "editor")):
        grant_role(pg_url, user, role)
    return pg_url


def actors(url: str, uid: str) -> list[str]:
    """Who the server's log names for each change to one record, oldest first."""
    with connect(url, "postgres") as con:
        rows = con.execute(
            "SELECT actor FROM change_log WHERE record_uid = %s ORDER BY id", (uid,)
        ).fetchall()
    return [r[0] for r in rows]


def test_the_history_names_the_login_not_the_name_the_desk_calls_its_user(newsroom, monkeypatch):
    monkeypatch.setenv("NEWSDESK_USER", "eda")  # what the app would have sent as the actor
    with Library.open(as_user(newsroom, "reza")) as lib:
        story = lib.create_article(headline="Harbour reopens", body="Boats at nine.")
        lib.update_article(story.id, body="Boats at ten.")
    with Library.open(as_user(newsroom, "eda")) as lib:
        lib.update_article(story.id, dek="The harbour master says so.")
    assert actors(newsroom, story.uid) == ["reza", "reza", "eda"]


def test_plain_sql_cannot_write_another_name_into_the_history_nor_rewrite_it(newsroom):
    with connect(newsroom, "reza") as con:
        con.execute(
            "INSERT INTO change_log (at, origin, actor, record_type, record_uid, action, fields) "
            "VALUES (now(), 'psql', 'eda', 'article', 'made-up', 'update', '[]')"
        )
        assert actors(newsroom, "made-up") == ["reza"]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute("UPDATE change_log SET actor = 'eda' WHERE record_uid = 'made-up'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute("DELETE FROM change_log WHERE record_uid = 'made-up'")
    # Not even an editor rewrites who did what.
    with connect(newsroom, "eda") as con, pytest.raises(psycopg.errors.InsufficientPrivilege):
        con.execute("UPDATE change_log SET actor = 'eda' WHERE record_uid = 'made-up'")
    assert actors(newsroom, "made-up") == ["reza"]
    # The table's owner (the DBA) may correct a row, but the name stays the server's.
    with connect(newsroom, "postgres") as con:
        con.execute("UPDATE change_log SET actor = 'eda' WHERE record_uid = 'made-up'")
    assert actors(newsroom, "made-up") == ["reza"]


def test_a_laptops_changes_synced_as_a_login_are_that_logins_in_the_history(
    newsroom, tmp_path, monkeypatch
):
    monkeypatch.setenv("NEWSDESK_USER", "eda")  # the laptop says it is the editor
    with Library.open(tmp_path / "laptop") as laptop:
        story = laptop.create_article(headline="Ferry timetable", body="Boats at nine.")
        assert sync(laptop, as_user(newsroom, "reza")).clean
        laptop.update_article(story.id, body="Boats at ten.")
        assert sync(laptop).clean
        # The laptop's own history is its own: the name it was written under.
        with laptop.engine.connect() as conn:
            mine = conn.exec_driver_sql(
                "SELECT DISTINCT actor FROM change_log WHERE record_uid = ?", (story.uid,)
            ).all()
        assert mine == [("eda",)]
    assert actors(newsroom, story.uid) == ["reza", "reza"]
    # The story the laptop made belongs, on the desk, to the login that brought it there.
    assert owner(newsroom, story.uid) == "reza"


def owner(url: str, uid: str) -> str:
    with connect(url, "postgres") as con:
        return con.execute("SELECT created_by FROM articles WHERE uid = %s", (uid,)).fetchone()[0]


def test_an_editors_laptop_is_named_on_the_desk_by_the_editors_login_not_its_own_user(
    newsroom, tmp_path, monkeypatch
):
    # An editor may set a story's owner on the desk; a laptop's own name for its user must
    # still not reach the desk as the owner or as the author of the changes.
    monkeypatch.setenv("NEWSDESK_USER", "laptop-user")
    with Library.open(tmp_path / "laptop") as laptop:
        story = laptop.create_article(headline="Council budget", body="Cuts at nine.")
        assert sync(laptop, as_user(newsroom, "eda")).clean
        laptop.trash_article(story.id)
        assert sync(laptop).clean
        assert laptop.get_article(story.id).deleted_by == "eda"  # the desk's answer, pulled
    assert actors(newsroom, story.uid) == ["eda", "eda"]
    assert owner(newsroom, story.uid) == "eda"
    with connect(newsroom, "postgres") as con:
        deleted_by = con.execute(
            "SELECT deleted_by FROM articles WHERE uid = %s", (story.uid,)
        ).fetchone()[0]
    assert deleted_by == "eda"
