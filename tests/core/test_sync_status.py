"""What the status bar says about sync, computed from the laptop's own change log and bookkeeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newsdesk.library import Library
from newsdesk.sync import Unreachable, sync
from newsdesk.sync.conflicts import find_conflict, resolve
from newsdesk.sync.status import SyncStatus, sync_status


def _laptop(root, *headlines):
    lib = Library.open(root)
    for h in headlines:
        lib.create_article(headline=h, body="One.\n\nTwo.\n")
    return lib


def test_a_library_that_syncs_with_nothing_says_nothing(tmp_path):
    with _laptop(tmp_path / "a", "Alone") as lib:
        status = sync_status(lib)
    assert not status.linked
    assert status.text() == ""
    assert status.text(offline=True) == ""


def test_changes_wait_until_synced_then_the_time_of_the_sync_is_shown(tmp_path):
    server = tmp_path / "server"
    Library.open(server).close()
    with _laptop(tmp_path / "a", "First", "Second") as lib:
        sync(lib, str(server))
        after = sync_status(lib)
        assert after.linked and after.waiting == 0 and after.conflicts == 0
        assert after.synced_at is not None
        assert abs(after.synced_at - datetime.now(UTC)) < timedelta(minutes=1)
        assert after.text() == f"Synced at {after.synced_at.astimezone():%H:%M}"

        first = lib.list_articles()[0]
        lib.update_article(first.id, dek="New dek.")
        lib.update_article(first.id, headline="New headline")  # one story: one change
        lib.create_article(headline="Third", body="")
        status = sync_status(lib)
        assert status.waiting == 2
        assert status.text() == "2 changes waiting"
        assert status.text(offline=True) == "Offline · 2 changes waiting"
        assert status.text(syncing=True) == "Syncing…"

        report = sync(lib)
        assert report.pushed == 2
        assert sync_status(lib).waiting == 0  # what sync itself wrote is not waiting


def test_an_unreachable_shared_library_is_offline_not_an_error(tmp_path):
    server = tmp_path / "server"
    Library.open(server).close()
    with _laptop(tmp_path / "a", "First") as lib:
        sync(lib, str(server))
        (server / "library.sqlite").rename(server / "elsewhere.sqlite")  # the share went away
        try:
            sync(lib)
        except Unreachable as exc:
            assert "no shared library" in str(exc).lower()
        else:
            raise AssertionError("sync with a vanished shared library did not say so")
        assert sync_status(lib).text(offline=True) == "Offline"


def test_conflicts_are_counted_and_name_their_stories_until_resolved(tmp_path):
    server = tmp_path / "server"
    Library.open(server).close()
    a, b = _laptop(tmp_path / "a", "Shared story"), _laptop(tmp_path / "b")
    try:
        sync(a, str(server))
        sync(b, str(server))
        story_a = a.list_articles()[0]
        story_b = b.list_articles()[0]
        a.update_article(story_a.id, headline="Headline from A")
        b.update_article(story_b.id, headline="Headline from B")
        sync(a)
        report = sync(b)
        assert report.open_conflicts == 1
        status = sync_status(b)
        assert status.conflicts == 1 and status.conflicts_text == "1 conflict"
        assert status.conflicted_articles == {story_b.id}
        conflict = find_conflict(b, conflict_id=None, slug=story_b.slug, field="headline")
        resolve(b, conflict, "theirs")
        status = sync_status(b)
        assert status.conflicts == 0 and status.conflicted_articles == frozenset()
        assert status.waiting == 1  # the choice is shared by the next sync
    finally:
        a.close()
        b.close()


def test_sync_leaves_the_librarys_own_writes_marked_as_its_own(tmp_path):
    """A window keeps writing on the Library it synced with: its edits must still be sent."""
    server = tmp_path / "server"
    Library.open(server).close()
    with _laptop(tmp_path / "a", "First") as lib:
        origin = lib.origin
        sync(lib, str(server))
        assert lib.origin == origin
        lib.update_article(lib.list_articles()[0].id, dek="Typed after the sync.")
        assert sync_status(lib).waiting == 1
        assert sync(lib).pushed == 1


def test_a_sync_from_another_day_names_the_day():
    when = datetime(2020, 3, 4, 10, 42, tzinfo=UTC)
    text = SyncStatus(linked=True, synced_at=when).text()
    local = when.astimezone()
    assert text == f"Synced at {local.day} {local:%b %H:%M}"
