"""The change log: every write logs one row per changed record, in the same transaction."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from newsdesk.images.library_import import import_image
from newsdesk.library import Library, LibraryError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "images"


@pytest.fixture
def library(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSDESK_USER", "ana")
    lib = Library.open(tmp_path / "lib")
    yield lib
    lib.close()


def log(library: Library, after: int = 0) -> list[dict]:
    con = sqlite3.connect(library.db_path)
    con.row_factory = sqlite3.Row
    try:
        rows = con.execute("SELECT * FROM change_log WHERE id > ? ORDER BY id", (after,)).fetchall()
    finally:
        con.close()
    return [dict(r) | {"fields": json.loads(r["fields"])} for r in rows]


def test_creating_editing_and_deleting_an_article_logs_each_with_its_version(library):
    with library.recording() as made:
        article = library.create_article(headline="Ferry", body="Free for residents.")
    [row] = log(library)
    assert (row["record_type"], row["record_uid"], row["action"]) == (
        "article",
        article.uid,
        "insert",
    )
    assert row["article_uid"] == article.uid and row["base_version"] is None
    assert {"headline", "body", "slug"} <= set(row["fields"])
    assert (row["actor"], row["origin"]) == ("ana", library.origin)
    assert made.changes.created_articles == {article.id}

    mark = library.last_change_id()
    with library.recording() as edited:
        library.update_article(article.id, body="Free for all.", tags=["ferry"])
    rows = log(library, mark)
    by_type = {r["record_type"]: r for r in rows}
    assert set(by_type) == {"article", "tag"}  # the new tag word, and the article itself once
    assert by_type["article"]["action"] == "update"
    assert by_type["article"]["base_version"] == 1
    assert {"body", "tags", "version"} <= set(by_type["article"]["fields"])
    assert "headline" not in by_type["article"]["fields"]
    assert edited.changes.articles == {article.id} and edited.changes.tags

    mark = library.last_change_id()
    library.delete_article(article.id)
    [gone] = log(library, mark)
    assert (gone["action"], gone["base_version"]) == ("delete", 2)


def test_a_refused_save_leaves_no_row_behind(library):
    article = library.create_article(headline="One")
    mark = library.last_change_id()
    with pytest.raises(LibraryError):
        library.update_article(article.id, status="nonsense")
    library.create_article(headline="Two", slug="two")
    with pytest.raises(LibraryError):
        library.update_article(article.id, slug="two")  # taken: rolled back
    assert [r["action"] for r in log(library, mark)] == ["insert"]


def test_figures_and_pictures_are_logged_with_the_story_they_belong_to(library):
    article = library.create_article(headline="Hills")
    mark = library.last_change_id()
    with library.recording() as rec:
        image = import_image(library, FIXTURES / "pillow-iptc.jpg")
    rows = log(library, mark)
    assert [(r["record_type"], r["action"]) for r in rows] == [("image", "insert")]
    assert rec.changes.images == {image.id}

    mark = library.last_change_id()
    with library.recording() as rec:
        figure = library.add_figure(article.id, image.id, role="hero", caption="Dawn")
    rows = log(library, mark)
    fig = next(r for r in rows if r["record_type"] == "figure")
    assert (fig["record_uid"], fig["article_uid"], fig["action"]) == (
        figure.uid,
        article.uid,
        "insert",
    )
    assert rec.changes.figures_of == {article.id}

    mark = library.last_change_id()
    library.update_image(image.id, credit="Jane Doe")
    [row] = log(library, mark)
    assert (row["record_type"], row["record_uid"], row["action"]) == ("image", image.uid, "update")
    assert set(row["fields"]) == {"credit", "updated_at"}


def test_related_stories_are_logged_as_links_of_their_story(library):
    a = library.create_article(headline="A")
    b = library.create_article(headline="B")
    c = library.create_article(headline="C")
    mark = library.last_change_id()
    with library.recording() as rec:
        library.set_related(a.id, [b.id, c.id])
    links = [r for r in log(library, mark) if r["record_type"] == "related"]
    assert len(links) == 2
    assert {r["article_uid"] for r in links} == {a.uid} and {r["action"] for r in links} == {
        "insert"
    }
    assert rec.changes.related_of == {a.id}

    mark = library.last_change_id()
    library.set_related(a.id, [c.id])  # the list is replaced: both old links go, one new comes
    links = [r for r in log(library, mark) if r["record_type"] == "related"]
    assert sorted(r["action"] for r in links) == ["delete", "delete", "insert"]
    assert {r["article_uid"] for r in links} == {a.uid}


def test_publication_and_settings_are_logged(library):
    pub = library.publication()
    mark = library.last_change_id()
    with library.recording() as rec:
        library.update_publication(name="Harrow Gazette")
        library.set_setting("export/folder", "/tmp/site")
    rows = log(library, mark)
    assert [(r["record_type"], r["record_uid"], r["action"]) for r in rows] == [
        ("publication", pub.uid, "update"),
        ("setting", "export/folder", "insert"),
    ]
    assert "name" in rows[0]["fields"]
    assert rec.changes.publication and rec.changes.settings == {"export/folder"}


def test_another_library_instance_reads_only_the_others_changes(library, tmp_path):
    mine = library.create_article(headline="Mine")
    start = library.last_change_id()
    with Library.open(library.root) as other:
        theirs = other.create_article(headline="Theirs")
        other.add_revision(theirs.id)
    library.update_article(mine.id, headline="Mine again")
    changes, last = library.changes_since(start, others_only=True)
    assert changes.articles == {theirs.id} and changes.revisions_of == {theirs.id}
    assert last == library.last_change_id()
    watch = library.watch_changes(start)
    try:
        seen = watch.poll()
        assert watch.poll() is None  # nothing new since
    finally:
        watch.close()
    assert seen is not None and mine.id not in seen.articles and theirs.id in seen.articles


def test_changes_since_say_an_author_a_tag_and_the_publication_changed(library):
    ana = library.add_author("Ana Ruiz", bio="Covers the harbour.")
    start = library.last_change_id()
    library.update_author(ana.id, bio="Covers the harbour and the ferries.")
    changes, _last = library.changes_since(start)
    assert changes.authors and not changes.tags and not changes.publication

    start = library.last_change_id()
    library.update_publication(name="The Harbour Gazette")
    changes, _last = library.changes_since(start)
    assert changes.publication and not changes.authors
