"""Records that travel with sync besides stories and pictures: update notes and corrections, the
desk's notes, authors (and bylines), picture templates and code replacements — two laptops and a
shared library folder, and the same through a real PostgreSQL."""

from __future__ import annotations

import pytest

from newsdesk.library import Library
from newsdesk.sync import sync
from newsdesk.sync.conflicts import find_conflict, list_conflicts, resolve

BODY = "The council met at seven.\n\nDebate ran past midnight.\n\nThe vote was close.\n"


@pytest.fixture(params=["folder", pytest.param("postgres", marks=pytest.mark.postgres)])
def laptops(request, tmp_path):
    """Laptop A with a story, laptop B joined; both synced with the shared library."""
    if request.param == "postgres":
        server = request.getfixturevalue("pg_url")
    else:
        server = str(tmp_path / "server")
        Library.open(server).close()
    a, b = Library.open(tmp_path / "a"), Library.open(tmp_path / "b")
    a.create_article(headline="Council votes on the budget", body=BODY)
    sync(a, server)
    sync(b, server)
    yield a, b
    a.close()
    b.close()


def _story(lib):
    return lib.list_articles()[0]


def test_update_notes_and_corrections_reach_the_other_laptop_and_their_removal_too(laptops):
    a, b = laptops
    sa = _story(a)
    update = a.add_update(sa.id, "Adds the final vote count.")
    a.add_update(sa.id, "An earlier version misspelt the mayor's name.", kind="correction")
    sync(a)
    sync(b)
    got = b.updates(_story(b).id)
    assert [(u.kind, u.text) for u in got] == [
        ("update", "Adds the final vote count."),
        ("correction", "An earlier version misspelt the mayor's name."),
    ]
    assert got[0].uid == update.uid and got[0].at == update.at
    a.remove_update(update.id)
    sync(a)
    sync(b)
    assert [u.kind for u in b.updates(_story(b).id)] == ["correction"]


def test_desk_notes_travel_and_a_note_resolved_on_one_laptop_merges_with_text_edited_on_the_other(
    laptops,
):
    a, b = laptops
    sa = _story(a)
    start = BODY.index("Debate")
    note = a.add_note(sa.id, BODY, start, start + len("Debate"), "Who spoke?", author="Ed")
    sync(a)
    sync(b)
    sb = _story(b)
    [got] = b.notes(sb.id)
    assert (got.uid, got.text, got.quote, got.author) == (note.uid, "Who spoke?", "Debate", "Ed")
    # Offline: A resolves the note; B edits the story's last paragraph.
    a.set_note_resolved(note.id)
    b.update_article(sb.id, body=BODY.replace("The vote was close.", "Seven to two."))
    sync(a)
    sync(b)
    sync(a)
    for lib in (a, b):
        story = lib.get_article(_story(lib).id)
        assert "Seven to two." in story.body
        [n] = lib.notes(story.id)
        assert n.resolved
    b.delete_note(b.notes(sb.id)[0].id)
    sync(b)
    sync(a)
    assert a.notes(sa.id) == []
    assert not list_conflicts(a) and not list_conflicts(b)


def test_an_author_and_a_byline_that_names_them_travel_and_edits_to_the_author_follow(laptops):
    a, b = laptops
    sa = _story(a)
    a.add_author("Ana Ruiz", url="https://example.org/ana", bio="City hall reporter.")
    a.update_article(sa.id, byline="By Ana Ruiz")
    sync(a)
    sync(b)
    story = b.get_article(_story(b).id)
    assert [x.name for x in story.authors] == ["Ana Ruiz"]
    ana = b.get_author("ana-ruiz")
    assert (ana.url, ana.bio) == ("https://example.org/ana", "City hall reporter.")
    b.update_author(ana.id, bio="Covers the council and the courts.")
    sync(b)
    sync(a)
    assert a.get_author("ana-ruiz").bio == "Covers the council and the courts."


def test_an_author_changed_on_both_laptops_is_a_conflict_that_loses_neither_and_resolves(laptops):
    a, b = laptops
    a.add_author("Ana Ruiz", bio="First bio.")
    sync(a)
    sync(b)
    a.update_author(a.get_author("ana-ruiz").id, bio="Bio from A.")
    b.update_author(b.get_author("ana-ruiz").id, bio="Bio from B.")
    sync(a)
    report = sync(b)
    assert report.open_conflicts == 1
    [row] = list_conflicts(b)
    assert (row["slug"], row["field"], row["mine"], row["theirs"], row["base"]) == (
        "author ana-ruiz",
        "bio",
        "Bio from B.",
        "Bio from A.",
        "First bio.",
    )
    assert b.get_author("ana-ruiz").bio == "Bio from B."  # nothing overwritten
    conflict = find_conflict(b, conflict_id=row["id"], slug=None, field=None)
    assert "author ana-ruiz" in resolve(b, conflict, "value", "Bio settled.")
    assert sync(b).clean
    sync(a)
    assert a.get_author("ana-ruiz").bio == b.get_author("ana-ruiz").bio == "Bio settled."


def test_picture_templates_and_code_replacements_travel_and_so_do_their_deletions(laptops):
    a, b = laptops
    template = a.save_template("Agency", {"credit": "Agency Photo", "city": "Lyon"})
    a.set_code_replacements({"ap": "Associated Press", "mayor": "Mayor Jo Kim"})
    sync(a)
    sync(b)
    got = b.get_template("Agency")
    assert (got.credit, got.city) == ("Agency Photo", "Lyon")
    assert b.code_replacements() == {"ap": "Associated Press", "mayor": "Mayor Jo Kim"}
    # B changes a code and adds one; A deletes the template. Both reach the other.
    b.set_code_replacements(
        {"ap": "The Associated Press", "mayor": "Mayor Jo Kim", "pm": "Prime Minister"}
    )
    a.delete_template(template.id)
    sync(a)
    sync(b)
    sync(a)
    for lib in (a, b):
        assert lib.code_replacements() == {
            "ap": "The Associated Press",
            "mayor": "Mayor Jo Kim",
            "pm": "Prime Minister",
        }
        assert [t.name for t in lib.list_templates()] == []
    # A code deleted on one laptop while changed on the other comes back: no words are lost.
    a.set_code_replacements({"ap": "The Associated Press", "pm": "Prime Minister"})
    b.set_code_replacements(
        {"ap": "The Associated Press", "mayor": "Mayor Jo Kim (acting)", "pm": "Prime Minister"}
    )
    sync(a)
    sync(b)
    sync(a)
    assert (
        a.code_replacements()["mayor"] == b.code_replacements()["mayor"] == "Mayor Jo Kim (acting)"
    )
