"""Sync hands the laptop's one writer only short turns: a save made meanwhile waits one batch, never the whole sync."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from newsdesk.library import Library
from newsdesk.sync import state as sync_state
from newsdesk.sync import sync


class OneWriter:
    """The window's one writer (ui/ops.py) as a one-thread executor, noting each sync turn."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="writer")
        self.turns = 0
        self.before_turn = lambda turn_number: None

    def run(self, fn):
        return self.pool.submit(fn).result()

    def sync_turn(self, turn):
        self.turns += 1
        assert threading.current_thread().name != "writer"  # sync itself runs beside it
        self.before_turn(self.turns)
        return self.run(turn)


def _stories(lib: Library, n: int, word: str) -> None:
    for i in range(n):
        lib.create_article(headline=f"{word} {i}", body=f"The {word.lower()} story {i}.")


def test_a_save_made_during_a_sync_goes_in_between_two_batches_and_is_sent_next_time(tmp_path):
    server = str(tmp_path / "server")
    Library.open(server).close()
    writer = OneWriter()
    with Library.open(tmp_path / "a") as a, Library.open(tmp_path / "b") as b:
        _stories(a, 60, "Harbour")
        sync(a, server)
        mine = b.create_article(headline="Budget night", body="First draft.")
        sync(b, server)  # linked, and the budget story is on the server
        _stories(a, 60, "Ferry")
        sync(a)
        saved_during: list[int] = []

        def save_between_turns(turn_number: int) -> None:
            if turn_number == 3:  # half way through the pull of 60 new stories
                writer.run(lambda: b.update_article(mine.id, body="Second draft, during the sync."))
                saved_during.append(b.count_articles())

        writer.before_turn = save_between_turns
        report = sync(b, batch=20, writer=writer.sync_turn)
        assert report.pulled == 60
        # The save went in while the sync was half done, not after it.
        assert saved_during and saved_during[0] < 121
        assert writer.turns >= 4  # one per batch, and the sync state at the end
        # It is the user's own change, so the next sync sends it; nothing clashed.
        assert sync(b).pushed == 1
        assert sync(a).pulled == 1
        assert a.get_article(mine.uid).body == "Second draft, during the sync."
        assert sync_state.open_conflicts(b) == [] and sync_state.open_conflicts(a) == []
    writer.pool.shutdown()


def test_a_story_saved_during_the_sync_before_its_batch_merges_without_a_conflict(tmp_path):
    server = str(tmp_path / "server")
    Library.open(server).close()
    writer = OneWriter()
    with Library.open(tmp_path / "a") as a, Library.open(tmp_path / "b") as b:
        _stories(a, 40, "Council")
        sync(a, server)
        sync(b, server)
        uids = sorted(x.uid for x in b.list_articles(limit=100))
        last = b.get_article(uids[-1])  # synced in the last batch
        theirs = a.get_article(uids[-1])
        a.update_article(theirs.id, headline="Council votes on the harbour")
        for uid in uids[:-1]:  # every story changes, so every batch has work
            story = a.get_article(uid)
            a.update_article(story.id, dek="Updated on the desk.")
        sync(a)

        def save_between_turns(turn_number: int) -> None:
            if turn_number == 2:  # the last story's batch has not been merged yet
                writer.run(lambda: b.update_article(last.id, body="Typed on the laptop meanwhile."))

        writer.before_turn = save_between_turns
        report = sync(b, batch=10, writer=writer.sync_turn)
        assert report.pulled == 40 and report.new_conflicts == 0
        merged = b.get_article(last.uid)
        # Both kept: the desk's headline and the laptop's words typed during the sync.
        assert merged.headline == "Council votes on the harbour"
        assert merged.body == "Typed on the laptop meanwhile."
        assert report.pushed == 1  # the laptop's words went to the server in the same sync
        sync(a)
        assert a.get_article(last.uid).body == "Typed on the laptop meanwhile."
    writer.pool.shutdown()
