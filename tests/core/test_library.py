"""The Library facade: articles, tags, slugs, figures, related stories, revisions and settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from newsdesk.library import Library, LibraryError, NotFound, SlugTaken, StaleArticleError


def test_a_new_article_gets_a_uuid_a_unique_slug_and_aware_times(library):
    a = library.create_article(headline="Council approves new bridge", body="Text.")
    b = library.create_article(headline="Council approves new bridge")
    assert len(a.uid) == 36 and a.uid != b.uid
    assert a.slug == "council-approves-new-bridge"
    assert b.slug == "council-approves-new-bridge-2"
    assert a.created_at.tzinfo is not None and a.updated_at.utcoffset() == timedelta(0)


def test_times_keep_their_instant_across_time_zones(library):
    paris = timezone(timedelta(hours=1))
    when = datetime(2026, 3, 1, 9, 30, tzinfo=paris)
    a = library.create_article(headline="Embargoed", embargo_until=when)
    again = library.get_article(a.id)
    assert again.embargo_until == when
    assert again.embargo_until.tzinfo is not None


def test_naive_times_are_refused(library):
    with pytest.raises(LibraryError, match="no time zone"):
        library.create_article(headline="x", embargo_until=datetime(2026, 1, 1))


def test_tags_are_ordered_deduplicated_and_offered_for_completion(library):
    a = library.create_article(headline="A", tags=["Transport", "weather", "transport", " "])
    library.create_article(headline="B", tags=["weather"])
    assert library.get_article(a.id).tags == ["Transport", "weather"]
    assert library.tags() == ["weather", "Transport"]  # most used first


def test_a_save_over_a_newer_copy_is_refused(library):
    a = library.create_article(headline="Draft")
    library.update_article(a.id, expected_version=a.version, body="mine")
    with pytest.raises(StaleArticleError):
        library.update_article(a.id, expected_version=a.version, body="stale copy")
    assert library.get_article(a.id).body == "mine"


def test_a_hand_chosen_slug_must_be_free(library):
    library.create_article(headline="One", slug="taken")
    b = library.create_article(headline="Two")
    with pytest.raises(SlugTaken):
        library.update_article(b.id, slug="taken")
    assert library.update_article(b.id, slug="Free Slug!").slug == "free-slug"
    assert not library.slug_available("taken", exclude_id=b.id)


def test_publishing_stamps_the_published_time_once(library):
    a = library.create_article(headline="A")
    first = library.update_article(a.id, status="published").published_at
    assert first is not None
    assert library.update_article(a.id, status="published", body="edit").published_at == first


def test_unknown_status_is_a_clear_error(library):
    with pytest.raises(LibraryError, match="Unknown status 'live'"):
        library.create_article(headline="A", status="live")


def test_related_stories_keep_order_and_survive_a_deleted_target(library):
    a = library.create_article(headline="A")
    b = library.create_article(headline="Bee story")
    c = library.create_article(headline="C")
    library.set_related(a.id, [c.id, b.id])
    assert [r.target.headline for r in library.get_article(a.id).related] == ["C", "Bee story"]
    assert [s.id for s in library.referrers(b.id)] == [a.id]
    library.delete_article(b.id)
    links = library.get_article(a.id).related
    assert [link.target_id for link in links] == [c.id, None]
    assert links[1].target_headline == "Bee story"
    with pytest.raises(LibraryError):
        library.set_related(a.id, [a.id])


def _image(library, n=1, **fields):
    return library.add_image(sha256=f"{n:064x}", ext=".jpg", width=800, height=600, **fields)


def test_figures_hero_order_and_caption_override(library):
    a = library.create_article(headline="A")
    i1, i2, i3 = _image(library, 1, caption="Own caption"), _image(library, 2), _image(library, 3)
    f1 = library.add_figure(a.id, i1.id)
    f2 = library.add_figure(a.id, i2.id)
    library.set_hero(a.id, i3.id)
    art = library.get_article(a.id)
    assert art.hero.image_id == i3.id
    assert [f.image_id for f in art.figures] == [i3.id, i1.id, i2.id]
    library.set_hero(a.id, i2.id)
    art = library.get_article(a.id)
    assert art.hero.image_id == i2.id and [f.role for f in art.figures].count("hero") == 1
    library.update_figure(f1.id, caption="This story's caption")
    assert library.get_figure(f1.id).caption == "This story's caption"
    order = [f.id for f in reversed(library.get_article(a.id).figures)]
    library.reorder_figures(a.id, order)
    assert [f.id for f in library.get_article(a.id).figures] == order
    library.remove_figure(f2.id)
    assert f2.id not in [f.id for f in library.get_article(a.id).figures]


def test_the_same_image_twice_is_one_image(library):
    assert _image(library, 7).id == _image(library, 7).id
    assert len(library.list_images()) == 1


def test_credits_in_use_feed_completion(library):
    _image(library, 1, credit="Agency A", creator="Ana")
    _image(library, 2, credit="Agency A")
    assert library.credits_in_use()[0] == "Agency A"
    assert library.list_images(query="agency")[0].credit == "Agency A"


def test_revisions_and_restore_keep_the_replaced_text(library):
    a = library.create_article(headline="A", body="first words")
    rev = library.add_revision(a.id)
    library.update_article(a.id, body="second words here")
    restored = library.restore_revision(rev.id)
    assert restored.body == "first words"
    revs = library.revisions(a.id)
    assert revs[0].reason == "before restore" and revs[0].body == "second words here"
    assert revs[0].word_count == 3


def test_settings_and_publication(library):
    assert library.get_setting("missing", 5) == 5
    library.set_setting("layout", {"a": [1, 2]})
    assert library.get_setting("layout") == {"a": [1, 2]}
    pub = library.update_publication(name="The Harbour Herald", timezone="Europe/Paris")
    assert pub.name == "The Harbour Herald" and library.publication().timezone == "Europe/Paris"


def test_list_filters_and_counts(library):
    library.create_article(headline="A", status="published", section="Local", tags=["x"])
    library.create_article(headline="B", section="Sport")
    assert library.count_articles() == 2
    assert [r.headline for r in library.list_articles(status="published")] == ["A"]
    assert [r.headline for r in library.list_articles(tag="x")] == ["A"]
    assert library.sections() == ["Local", "Sport"]
    assert library.list_articles(limit=1, offset=1)[0].headline == "A"


def test_missing_records_raise_not_found(library):
    with pytest.raises(NotFound):
        library.get_article("no-such-slug")
    with pytest.raises(NotFound):
        library.update_article(999, body="x")


def test_a_file_where_the_folder_should_be_is_refused(tmp_path):
    f = tmp_path / "lib"
    f.write_text("not a folder")
    with pytest.raises(LibraryError, match="is a file"):
        Library.open(f)


def test_wal_and_foreign_keys_are_on(library):
    with library.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_two_connections_see_each_others_saves(tmp_path):
    one = Library.open(tmp_path / "lib")
    two = Library.open(tmp_path / "lib")
    a = one.create_article(headline="Shared")
    assert two.get_article(a.id).headline == "Shared"
    two.update_article(a.id, body="from two")
    assert one.get_article(a.id).body == "from two"
    one.close()
    two.close()


def test_created_time_is_utc(library):
    a = library.create_article(headline="A")
    assert a.created_at.tzinfo == UTC


def test_a_full_disk_is_a_clear_error_and_the_saved_text_survives(library):
    from sqlalchemy import event

    a = library.create_article(headline="Kept", body="Saved words.")
    with library.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()

    def cap_size(dbapi_conn, _record):
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages + 2}")  # the file cannot grow

    event.listen(library.engine, "connect", cap_size)
    library.engine.dispose()
    with pytest.raises(LibraryError, match="disk holding the library is full; nothing was saved"):
        library.update_article(a.id, body="word " * 200_000)
    event.remove(library.engine, "connect", cap_size)
    library.engine.dispose()
    assert library.get_article(a.id).body == "Saved words."
    assert library.update_article(a.id, body="Still works.").body == "Still works."


def test_a_library_opened_by_a_relative_path_opens_again_and_upgrades_by_it(tmp_path, monkeypatch):
    from newsdesk.library import database

    monkeypatch.chdir(tmp_path)
    with Library.open("desk/library") as lib:  # made here, by a relative path
        lib.create_article(headline="Harbour dredging", body="Work begins.\n")
        assert lib.root.is_absolute()
    # Opened again (an existing file is looked at read-only first) by the same relative path.
    assert not database.needs_upgrade("desk/library")
    with Library.open("desk/library") as lib:
        assert [a.headline for a in lib.list_articles()] == ["Harbour dredging"]
    monkeypatch.chdir(tmp_path / "desk")
    with Library.open("library") as lib:  # and from inside its parent
        assert lib.root == tmp_path / "desk" / "library"
