"""Two laptops and a shared library, driven only through the command line: offline edits merge."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newsdesk.library import Library
from newsdesk.paths import resource

STORY = """---
headline: Council votes on the budget
dek: A long night at the town hall.
byline: By Ana Ruiz
section: City
tags: [council, budget]
hero:
  file: photo.jpg
  caption: The council chamber at midnight.
  credit: Ana Ruiz
  alt: Councillors at a horseshoe table.
---
The council met at seven.

Debate ran past midnight.

The vote was close.
"""


def nd(library: Path, *args: str, check: int | None = 0) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", "newsdesk", "--library", str(library), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check is not None:
        assert done.returncode == check, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    return done


def edit(library: Path, slug: str, **fields) -> None:
    with Library.open(library) as lib:
        article = lib.get_article(slug)
        if "body_replace" in fields:
            old, new = fields.pop("body_replace")
            fields["body"] = article.body.replace(old, new)
        lib.update_article(article.id, **fields)


def story(library: Path, slug: str = "council-votes-on-the-budget"):
    with Library.open(library) as lib:
        return lib.get_article(slug)


@pytest.fixture
def newsroom(tmp_path):
    """A shared library, laptop A with one story and a picture, laptop B joined: all synced."""
    server, a, b = tmp_path / "server", tmp_path / "laptop-a", tmp_path / "laptop-b"
    Library.open(server).close()
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(resource("sample", "harbour-dawn.jpg"), src / "photo.jpg")
    (src / "story.md").write_text(STORY, encoding="utf-8")
    nd(a, "import", str(src / "story.md"))
    nd(a, "sync", str(server))
    nd(b, "sync", str(server))
    return server, a, b


def test_a_story_and_its_picture_reach_the_other_laptop_verified_by_hash(newsroom):
    server, a, b = newsroom
    got = story(b)
    assert got.headline == "Council votes on the budget"
    assert got.tags == ["council", "budget"]
    hero = got.hero
    assert hero is not None and hero.caption == "The council chamber at midnight."
    for lib in (server, b):
        path = lib / "media" / hero.image.filename
        assert hashlib.sha256(path.read_bytes()).hexdigest() == hero.image.sha256
    assert story(a).hero.uid == hero.uid  # the same figure, not a copy


def test_offline_edits_to_different_fields_and_paragraphs_merge_on_both_laptops(newsroom):
    server, a, b = newsroom
    edit(
        a,
        "council-votes-on-the-budget",
        headline="Budget passes by one vote",
        body_replace=("met at seven", "met at seven sharp"),
        tags=["council", "budget", "tax"],
    )
    edit(
        b,
        "council-votes-on-the-budget",
        dek="Nine hours of debate.",
        body_replace=("was close", "was 5 to 4"),
        tags=["budget"],
    )
    nd(a, "sync")
    nd(b, "sync")
    nd(a, "sync")
    for lib in (a, b, server):
        got = story(lib)
        assert got.headline == "Budget passes by one vote"
        assert got.dek == "Nine hours of debate."
        assert "met at seven sharp" in got.body and "was 5 to 4" in got.body
        assert got.tags == ["budget", "tax"]  # B removed council, A added tax


def test_the_same_field_changed_on_both_is_a_listed_conflict_that_loses_neither_and_resolves(
    newsroom,
):
    server, a, b = newsroom
    edit(
        a,
        "council-votes-on-the-budget",
        headline="A's headline",
        body_replace=("Debate ran past midnight.", "A: debate ran late."),
    )
    edit(
        b,
        "council-votes-on-the-budget",
        headline="B's headline",
        body_replace=("Debate ran past midnight.", "B: debate ran till one."),
    )
    nd(a, "sync")
    done = nd(b, "sync", check=1)
    assert "conflict" in done.stdout
    listed = json.loads(nd(b, "conflicts", "--json").stdout)
    fields = {(c["field"], c["paragraph"]): c for c in listed}
    assert set(fields) == {("headline", None), ("body", 2)}
    head = fields[("headline", None)]
    assert (head["mine"], head["theirs"], head["base"]) == (
        "B's headline",
        "A's headline",
        "Council votes on the budget",
    )
    assert fields[("body", 2)]["mine"].startswith("B: debate")
    assert fields[("body", 2)]["theirs"].startswith("A: debate")
    # Nothing was overwritten: the server kept its value, the laptop its own.
    assert story(server).headline == "A's headline"
    assert story(b).headline == "B's headline"
    # Held until someone chooses: syncing again changes nothing.
    nd(b, "sync", check=1)
    assert story(server).headline == "A's headline"

    nd(b, "resolve", "council-votes-on-the-budget", "headline", "--mine")
    body_id = fields[("body", 2)]["id"]
    nd(b, "resolve", "--id", str(body_id), "--value", "Debate ran until one in the morning.")
    assert json.loads(nd(b, "conflicts", "--json").stdout) == []
    nd(b, "sync")
    nd(a, "sync")
    for lib in (a, b, server):
        got = story(lib)
        assert got.headline == "B's headline"
        assert "Debate ran until one in the morning." in got.body
        assert "A: debate" not in got.body and "B: debate" not in got.body


def test_resolving_a_field_with_no_conflict_says_so_in_one_sentence(newsroom):
    _server, _a, b = newsroom
    done = nd(b, "resolve", "council-votes-on-the-budget", "headline", "--theirs", check=2)
    assert "no open conflict" in done.stderr
    done = nd(b, "resolve", "--id", "99", "--mine", check=2)
    assert "no open conflict 99" in done.stderr


def test_a_deleted_story_leaves_the_other_laptops_list_and_can_be_restored(newsroom):
    server, a, b = newsroom
    nd(a, "delete", "council-votes-on-the-budget")
    nd(a, "sync")
    nd(b, "sync")
    assert json.loads(nd(b, "list", "--json").stdout) == []
    trashed = json.loads(nd(b, "trash", "--json").stdout)
    assert [t["slug"] for t in trashed] == ["council-votes-on-the-budget"]
    nd(b, "restore", "council-votes-on-the-budget")
    nd(b, "sync")
    nd(a, "sync")
    assert [r["slug"] for r in json.loads(nd(a, "list", "--json").stdout)] == [
        "council-votes-on-the-budget"
    ]


def test_an_emptied_trash_still_syncs_the_deletion(newsroom):
    server, a, b = newsroom
    nd(a, "delete", "council-votes-on-the-budget")
    nd(a, "trash", "--empty")
    nd(a, "sync")
    nd(b, "sync")
    gone = story(b)
    assert gone.deleted_at is not None and gone.body == ""
    assert json.loads(nd(b, "list", "--json").stdout) == []


def test_a_url_with_a_password_is_refused_and_no_file_of_the_library_holds_it(tmp_path):
    laptop = tmp_path / "laptop"
    Library.open(laptop).close()
    done = nd(laptop, "sync", "postgresql+psycopg://ana:hunter2secret@db.example/news", check=2)
    assert "password" in done.stderr and done.stderr.count("\n") == 1
    for path in laptop.rglob("*"):
        if path.is_file():
            assert b"hunter2secret" not in path.read_bytes(), path


def test_sync_without_a_link_or_with_no_server_there_exits_2_in_one_sentence(tmp_path):
    laptop = tmp_path / "laptop"
    nd(laptop, "list", check=2)  # no library there yet: said, and none made
    assert not laptop.exists()
    Library.open(laptop).close()
    done = nd(laptop, "sync", check=2)
    assert "not linked" in done.stderr and done.stderr.count("\n") == 1
    done = nd(laptop, "sync", str(tmp_path / "nowhere"), check=2)
    assert "no shared library" in done.stderr.lower()
    assert not (tmp_path / "nowhere").exists()  # nothing was created on the way


def test_a_laptop_cannot_switch_to_another_shared_library(newsroom, tmp_path):
    _server, a, _b = newsroom
    other = tmp_path / "other"
    Library.open(other).close()
    done = nd(a, "sync", str(other), check=2)
    assert "already syncs with" in done.stderr


def test_nothing_to_do_sends_and_receives_nothing(newsroom):
    _server, a, _b = newsroom
    done = nd(a, "sync")
    assert "0 sent, 0 received" in done.stdout


@pytest.mark.parametrize("how", [("--mine",), ("--value", "published")])
def test_settling_a_status_conflict_to_published_passes_preflight_like_newsdesk_status(
    newsroom, how
):
    _server, a, b = newsroom
    slug = "council-votes-on-the-budget"
    edit(b, slug, byline="")  # preflight's error: the byline is empty
    nd(b, "sync")
    nd(a, "sync")
    edit(a, slug, status="editing")
    edit(b, slug, status="published" if how == ("--mine",) else "ready")
    nd(a, "sync")
    nd(b, "sync", check=1)
    before = story(b).status

    refused = nd(b, "resolve", slug, "status", *how, check=1)
    assert "preflight" in refused.stderr and "The byline is empty." in refused.stderr
    assert "--override-reason" in refused.stderr and "Traceback" not in refused.stderr
    listed = json.loads(nd(b, "conflicts", "--json").stdout)
    assert [c["field"] for c in listed] == ["status"]  # still open, nothing settled
    assert story(b).status == before

    done = nd(b, "resolve", slug, "status", *how, "--override-reason", "Court deadline")
    assert "Settled status" in done.stdout
    assert json.loads(nd(b, "conflicts", "--json").stdout) == []
    with Library.open(b) as lib:
        article = lib.get_article(slug)
        assert article.status == "published"
        notes = [
            r.note for r in lib.revisions(article.id) if r.reason == "published over preflight"
        ]
    assert len(notes) == 1 and notes[0].startswith("Court deadline")


def test_taking_the_shared_librarys_published_status_needs_no_gate(newsroom):
    _server, a, b = newsroom
    slug = "council-votes-on-the-budget"
    edit(b, slug, byline="")
    nd(b, "sync")
    nd(a, "sync")
    edit(a, slug, status="published")  # the desk published it (the server let it)
    edit(b, slug, status="ready")
    nd(a, "sync")
    nd(b, "sync", check=1)
    nd(b, "resolve", slug, "status", "--theirs")
    assert story(b).status == "published"
