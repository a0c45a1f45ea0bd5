"""Sync under faults: killed mid-push, the server gone busy, two laptops at once, a wrong clock, a newer schema."""

from __future__ import annotations

import hashlib
import json
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import text

from newsdesk.library import Library
from newsdesk.sync.media import copy_verified
from tests.core.test_sync import edit, nd, story


def _laptop_with(path: Path, n: int) -> None:
    with Library.open(path) as lib:
        for i in range(n):
            lib.create_article(headline=f"Story number {i}", body=f"Body of story {i}.\n")


def _server_rows(server: Path) -> list[tuple[str, str]]:
    con = sqlite3.connect(server / "library.sqlite")
    try:
        return con.execute("SELECT uid, slug FROM articles ORDER BY slug").fetchall()
    finally:
        con.close()


def _sync_process(laptop: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "newsdesk", "--library", str(laptop), "sync", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_bulk_sync_killed_at_random_moments_resumes_and_every_story_arrives_once(tmp_path):
    server, laptop = tmp_path / "server", tmp_path / "laptop"
    Library.open(server).close()
    _laptop_with(laptop, 300)
    rng = random.Random(13)
    first = True
    for _ in range(4):
        proc = _sync_process(laptop, *([str(server)] if first else []), "--batch", "10")
        time.sleep(rng.uniform(0.8, 3.0))
        proc.kill()  # SIGKILL: no clean-up of any kind
        proc.wait()
        first = False
        if not (laptop / "library.sqlite").exists():
            break
    done = nd(laptop, "sync", str(server), "--batch", "10")
    assert "Synced" in done.stdout
    rows = _server_rows(server)
    assert len(rows) == 300 and len({uid for uid, _ in rows}) == 300
    assert sorted(slug for _, slug in rows) == sorted(f"story-number-{i}" for i in range(300))
    # A second laptop receives each story exactly once too.
    other = tmp_path / "other"
    nd(other, "sync", str(server))
    assert len(json.loads(nd(other, "list", "--json").stdout)) == 300
    assert "0 sent, 0 received" in nd(laptop, "sync").stdout


def test_a_server_that_stops_answering_mid_sync_exits_2_loses_nothing_and_the_next_sync_completes(
    tmp_path,
):
    server, laptop = tmp_path / "server", tmp_path / "laptop"
    Library.open(server).close()
    _laptop_with(laptop, 120)
    proc = _sync_process(laptop, str(server), "--batch", "5")
    # Once the first stories have arrived, another program takes the server's
    # database for itself (as a stopped or unreachable server would be).
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(_server_rows(server)) < 5:
        time.sleep(0.05)
    blocker = sqlite3.connect(server / "library.sqlite", timeout=30, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        out, err = proc.communicate(timeout=120)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert proc.returncode == 2, (out, err)
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "nothing was lost" in err
    assert 0 < len(_server_rows(server)) < 120
    assert len(json.loads(nd(laptop, "list", "--json").stdout)) == 120  # the laptop keeps working
    nd(laptop, "sync")
    assert len(_server_rows(server)) == 120


def test_two_laptops_syncing_at_the_same_moment_keep_both_edits(tmp_path):
    server, a, b = tmp_path / "server", tmp_path / "a", tmp_path / "b"
    Library.open(server).close()
    with Library.open(a) as lib:
        lib.create_article(headline="Shared story", body="One.\n\nTwo.\n\nThree.\n")
    nd(a, "sync", str(server))
    nd(b, "sync", str(server))
    _laptop_with(a, 40)
    edit(a, "shared-story", headline="Headline from A", body_replace=("One.", "One (A)."))
    edit(b, "shared-story", dek="Dek from B", body_replace=("Three.", "Three (B)."))
    with Library.open(b) as lib:
        for i in range(40):
            lib.create_article(headline=f"B story {i}")
    procs = [_sync_process(a, "--batch", "4"), _sync_process(b, "--batch", "4")]
    results = [p.communicate(timeout=180) + (p.returncode,) for p in procs]
    for out, err, code in results:
        assert code == 0, (out, err)
    nd(a, "sync")
    nd(b, "sync")
    for lib in (a, b, server):
        got = story(lib, "shared-story")
        assert (got.headline, got.dek) == ("Headline from A", "Dek from B")
        assert "One (A)." in got.body and "Three (B)." in got.body
        assert len(json.loads(nd(lib, "list", "--json").stdout)) == 81


def test_a_laptop_whose_clock_is_a_day_ahead_does_not_win_by_its_clock(tmp_path):
    server, a, b = tmp_path / "server", tmp_path / "a", tmp_path / "b"
    Library.open(server).close()
    with Library.open(a) as lib:
        lib.create_article(headline="Clock story", byline="By Staff")
    nd(a, "sync", str(server))
    nd(b, "sync", str(server))
    edit(a, "clock-story", headline="A's headline (clock a day ahead)", byline="By Ana")
    # Everything laptop A wrote carries times a day in the future, as a wrong clock writes them.
    with Library.open(a) as lib, lib.engine.begin() as conn:
        conn.execute(text("UPDATE articles SET updated_at = datetime(updated_at, '+1 day')"))
        conn.execute(text("UPDATE change_log SET at = datetime(at, '+1 day')"))
    edit(b, "clock-story", headline="B's headline (later, right clock)")
    nd(b, "sync")
    nd(a, "sync", check=1)  # the same field: a conflict, not a winner by timestamp
    assert story(server, "clock-story").headline == "B's headline (later, right clock)"
    assert story(server, "clock-story").byline == "By Ana"  # a different field merged as usual
    listed = json.loads(nd(a, "conflicts", "--json").stdout)
    assert [(c["field"], c["mine"]) for c in listed] == [
        ("headline", "A's headline (clock a day ahead)")
    ]


def test_a_shared_library_with_a_newer_schema_is_refused_and_left_untouched(tmp_path):
    server, laptop = tmp_path / "server", tmp_path / "laptop"
    Library.open(server).close()
    _laptop_with(laptop, 2)
    con = sqlite3.connect(server / "library.sqlite")
    con.execute("UPDATE alembic_version SET version_num = '0099_future'")
    con.commit()
    con.close()
    done = nd(laptop, "sync", str(server), check=2)
    assert "newer newsdesk" in done.stderr and done.stderr.count("\n") == 1
    assert not list(server.glob("*before*"))  # no backup made: no upgrade was tried
    con = sqlite3.connect(server / "library.sqlite")
    assert con.execute("SELECT version_num FROM alembic_version").fetchone() == ("0099_future",)
    assert con.execute("SELECT count(*) FROM articles").fetchone() == (0,)
    con.close()
    assert len(json.loads(nd(laptop, "list", "--json").stdout)) == 2


def test_a_picture_half_copied_by_a_killed_sync_is_resumed_and_a_damaged_one_refused(tmp_path):
    from newsdesk.sync.media import PictureProblem, copy_verified

    src = tmp_path / "photo.jpg"
    data = bytes(random.Random(1).getrandbits(8) for _ in range(300_000))
    src.write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    dest = tmp_path / "media" / f"{sha}.jpg"
    dest.parent.mkdir()
    partial = dest.with_name(dest.name + ".partial")
    partial.write_bytes(data[:100_000])  # what a killed copy leaves
    copy_verified(src, dest, sha)
    assert dest.read_bytes() == data and not partial.exists()

    bad = tmp_path / "media" / f"{'0' * 64}.jpg"
    try:
        copy_verified(src, bad, "0" * 64)
    except PictureProblem as exc:
        assert "damaged" in str(exc)
    else:
        raise AssertionError("a picture whose hash does not match was kept")
    assert not bad.exists() and not bad.with_name(bad.name + ".partial").exists()


def test_pulled_changes_reach_an_open_window_through_the_change_log(tmp_path):
    """Sync's writes on the laptop are logged like any other, so other processes see them."""
    server, a, b = tmp_path / "server", tmp_path / "a", tmp_path / "b"
    Library.open(server).close()
    _laptop_with(a, 1)
    nd(a, "sync", str(server))
    with Library.open(b) as lib:
        start = lib.last_change_id()
        nd(b, "sync", str(server))
        changes, _ = lib.changes_since(start, others_only=True)
        assert len(changes.created_articles) == 1


def test_two_threads_copying_the_same_picture_from_a_folder_both_get_it_whole(tmp_path):
    src = tmp_path / "server" / "media" / "pic.bin"
    src.parent.mkdir(parents=True)
    src.write_bytes(os.urandom(24 << 20))
    sha = hashlib.sha256(src.read_bytes()).hexdigest()
    dest = tmp_path / "laptop" / "media" / "pic.bin"
    failures: list[BaseException] = []
    start = threading.Barrier(4)

    def copy() -> None:
        start.wait()
        try:
            copy_verified(src, dest, sha)
        except BaseException as exc:  # noqa: BLE001 - the test reports it
            failures.append(exc)

    threads = [threading.Thread(target=copy) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert failures == []
    assert hashlib.sha256(dest.read_bytes()).hexdigest() == sha
    assert [p.name for p in dest.parent.iterdir()] == ["pic.bin"]
