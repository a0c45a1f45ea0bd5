"""Sync writes stories in batches: a few statements per batch, with slugs, tags and links as one by one."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from newsdesk.library import Library
from newsdesk.library.snapshots import VersionMoved, read_articles, write_articles


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def target(request, tmp_path):
    """The library a batch is written to: a laptop's folder or a shared PostgreSQL library."""
    if request.param == "sqlite":
        lib = Library.open(tmp_path / "target")
    else:
        lib = Library.open(request.getfixturevalue("pg_url"))
    yield lib
    lib.close()


@pytest.fixture
def source(tmp_path):
    lib = Library.open(tmp_path / "source")
    yield lib
    lib.close()


def _snapshots(lib: Library) -> list[tuple[str, dict]]:
    uids = [a.uid for a in lib.list_articles(limit=10_000)]
    return [(uid, snap) for uid, (_v, snap) in sorted(read_articles(lib, uids).items())]


def _count_statements(lib: Library) -> list[str]:
    seen: list[str] = []
    event.listen(lib.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    return seen


def test_a_batch_of_new_stories_costs_a_few_statements_not_a_dozen_each(source, target):
    for i in range(60):
        source.create_article(
            headline=f"Story {i}", body=f"Body {i}.", tags=["council", f"ward {i % 7}"]
        )
    snaps = _snapshots(source)
    statements = _count_statements(target)
    write_articles(target, [(uid, snap, None) for uid, snap in snaps])
    # One by one it was about 14 a story; now both engines insert the stories
    # with one multi-row INSERT … RETURNING (SQLite matches ids by uid).
    assert len(statements) < 40, len(statements)
    assert sum(s.startswith("INSERT INTO articles") for s in statements) == 1
    assert target.count_articles() == 60
    story = target.get_article("story-7")
    assert [link.tag.name for link in story.tag_links] == ["council", "ward 0"]
    assert len(target.search("council", prefix=False, limit=100)) == 60


def test_stories_of_one_batch_wanting_one_slug_each_get_their_own(source, target):
    target.create_article(headline="Harbour", slug="harbour")
    first = source.create_article(headline="Harbour", slug="harbour")
    second = source.create_article(headline="Harbour again", slug="harbour-2")
    snaps = dict(_snapshots(source))
    snaps[second.uid]["slug"] = "harbour"  # as if both laptops had called it so
    written = write_articles(target, [(uid, snap, None) for uid, snap in snaps.items()])
    slugs = {written[first.uid]["slug"], written[second.uid]["slug"]}
    assert slugs == {"harbour-2", "harbour-3"}
    assert {a.slug for a in target.list_articles()} == {"harbour", "harbour-2", "harbour-3"}


def test_a_story_can_list_another_that_arrives_in_the_same_batch(source, target):
    older = source.create_article(headline="Ferry strike begins")
    newer = source.create_article(headline="Ferry strike ends")
    snaps = dict(_snapshots(source))
    snaps[newer.uid]["related"] = [older.uid]
    snaps[newer.uid][f"related:{older.uid}"] = "Ferry strike begins"
    write_articles(target, [(uid, snap, None) for uid, snap in snaps.items()])
    arrived = target.get_article(newer.uid)
    assert [r.target_uid for r in arrived.related] == [older.uid]
    assert arrived.related[0].target_id == target.get_article(older.uid).id


def test_tags_reordered_and_replaced_keep_the_links_they_still_use(source, target):
    a = source.create_article(headline="Budget", tags=["council", "tax", "schools"])
    ((uid, snap),) = _snapshots(source)
    write_articles(target, [(uid, snap, None)])
    version = read_articles(target, [uid])[uid][0]
    snap = dict(snap, tags=["schools", "council", "roads"])
    write_articles(target, [(uid, snap, version)])
    assert [t.tag.name for t in target.get_article(a.uid).tag_links] == [
        "schools",
        "council",
        "roads",
    ]
    assert target.search("roads", prefix=False) and not target.search("tax", prefix=False)


def test_a_story_saved_meanwhile_stops_the_whole_batch(source, target):
    for i in range(3):
        source.create_article(headline=f"Story {i}")
    snaps = _snapshots(source)
    write_articles(target, [(uid, snap, None) for uid, snap in snaps])
    versions = {uid: v for uid, (v, _s) in read_articles(target, [u for u, _ in snaps]).items()}
    moved_uid = snaps[1][0]
    target.update_article(target.get_article(moved_uid).id, headline="Edited meanwhile")
    changed = [(uid, dict(snap, dek="From the laptop"), versions[uid]) for uid, snap in snaps]
    with pytest.raises(VersionMoved) as caught:
        write_articles(target, changed)
    assert caught.value.uid == moved_uid
    assert all(target.get_article(uid).dek == "" for uid, _s in snaps)  # nothing was written


@pytest.mark.postgres
def test_a_picture_the_shared_library_already_holds_is_not_sent_again(pg_url, tmp_path):
    import hashlib
    import shutil

    from sqlalchemy import Engine

    from newsdesk.images.library_import import import_image
    from newsdesk.paths import resource
    from newsdesk.sync import sync

    photo = tmp_path / "photo.jpg"
    shutil.copy(resource("sample", "harbour-dawn.jpg"), photo)
    data = photo.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    with Library.open(pg_url) as server:  # as if a sync killed after the upload had sent it
        server.store_media_blob(sha, data)
    sent: list[str] = []

    def note(_conn, _cursor, statement, params, _context, _many) -> None:
        if "INSERT INTO media_blobs" in statement:
            sent.append(statement)

    event.listen(Engine, "before_cursor_execute", note)
    try:
        with Library.open(tmp_path / "laptop") as laptop:
            image = import_image(laptop, photo)
            laptop.create_article(
                headline="Dawn at the harbour", body=f"![Dawn](image:{image.uid})"
            )
            report = sync(laptop, pg_url)
    finally:
        event.remove(Engine, "before_cursor_execute", note)
    assert report.clean and report.pushed == 1
    assert sent == []
    with Library.open(pg_url) as server:
        assert server.media_blob(sha) == data
        assert server.search("dawn", prefix=False)


def test_a_new_story_arrives_with_its_desk_notes_update_notes_and_authors(source, target):
    body = "The council met at seven.\n\nDebate ran past midnight.\n"
    story = source.create_article(headline="Council votes", body=body)
    source.add_author("Ana Ruiz")
    target.add_author("Ana Ruiz")  # sync brings author records before the stories naming them
    source.update_article(story.id, byline="By Ana Ruiz")
    start = body.index("Debate")
    note = source.add_note(story.id, body, start, start + len("Debate"), "Who spoke?")
    source.add_update(story.id, "Adds the final vote count.")
    other = source.create_article(headline="Another story", body="Nothing to note.")
    snaps = dict(_snapshots(source))
    write_articles(target, [(uid, snap, None) for uid, snap in snaps.items()])
    arrived = target.get_article(story.uid)
    assert [(n.uid, n.text, n.quote) for n in target.notes(arrived.id)] == [
        (note.uid, "Who spoke?", "Debate")
    ]
    assert [u.text for u in target.updates(arrived.id)] == ["Adds the final vote count."]
    assert [a.name for a in arrived.authors] == ["Ana Ruiz"]
    assert target.notes(target.get_article(other.uid).id) == []
