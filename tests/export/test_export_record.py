"""The export's record of its folder (.newsdesk-manifest.sqlite): updated in place, upgraded, repaired."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from newsdesk.export import MANIFEST_NAME, export_site
from newsdesk.export.incremental import publish
from newsdesk.export.manifest import LEGACY_NAME, read_record
from newsdesk.export.writer import JOURNAL_NAME
from tests.export.stories import (
    REPO,
    as_legacy_manifest,
    files_of,
    leftovers,
    newsroom,
    run_newsdesk,
    without_manifest,
)


@pytest.fixture
def desk(library, tmp_path):
    library.update_publication(name="Harbour Gazette", base_url="https://gazette.example/")
    stories = newsroom(library, tmp_path / "photos", 6)
    library.set_related(stories[0].id, [stories[1].id])
    return library, stories


def users_files(site: Path) -> dict[str, bytes]:
    own = {"CNAME": b"news.example.org\n", ".git/HEAD": b"ref: refs/heads/main\n"}
    for rel, data in own.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_bytes(data)
    return own


def record_without_times(site: Path) -> dict:
    record = read_record(site)
    assert record is not None
    record["files"] = {rel: entry[:2] for rel, entry in record["files"].items()}
    record.pop("state_token")
    # Only an incremental publish leaves a story's row without its page fingerprint.
    record["articles"] = {u: {"page": a["page"]} for u, a in record["articles"].items()}
    return record


def same_as_a_full_export(library, site: Path, tmp: Path, own: dict[str, bytes]) -> None:
    fresh = tmp / f"fresh-{len(list(tmp.glob('fresh-*')))}"
    export_site(library, fresh)
    ours = without_manifest(files_of(site))
    for rel, data in own.items():
        assert ours.pop(rel) == data, f"the user's {rel} survives"
    theirs = without_manifest(files_of(fresh))
    assert sorted(ours) == sorted(theirs)
    assert [rel for rel in ours if ours[rel] != theirs[rel]] == []
    assert record_without_times(site) == record_without_times(fresh)
    assert leftovers(site) == []
    assert not (site / f"{MANIFEST_NAME}-wal").exists()


def test_an_edit_updates_the_record_in_place_and_a_full_export_writes_it_anew(desk, tmp_path):
    library, s = desk
    site = tmp_path / "site"
    publish(library, site)
    before = read_record(site)
    inode = (site / MANIFEST_NAME).stat().st_ino

    library.update_article(s[2].id, headline="Harbour story number 2, corrected")
    report = publish(library, site)

    assert report.mode == "incremental"
    assert (site / MANIFEST_NAME).stat().st_ino == inode, "updated in place, not rewritten"
    after = read_record(site)
    changed = {rel for rel in after["files"] if after["files"][rel] != before["files"].get(rel)}
    assert changed == set(report.changed_files)
    assert after["files"].keys() == before["files"].keys()
    assert after["state_token"] != before["state_token"]
    # The unchanged files' rows are the very rows of the first export.
    for rel in before["files"].keys() - changed:
        assert after["files"][rel] == before["files"][rel]
    assert report.reused_files == len(after["files"]) - len(changed)

    library.update_publication(name="The Evening Harbour")  # every page changes
    report = publish(library, site)
    assert report.mode.startswith("full")
    assert (site / MANIFEST_NAME).stat().st_ino != inode, "a full export writes a new record"
    same_as_a_full_export(library, site, tmp_path, {})


def test_a_story_taken_down_leaves_the_site_and_the_record(desk, tmp_path):
    library, s = desk
    site = tmp_path / "site"
    publish(library, site)
    own = users_files(site)
    gone = f"news/{s[4].slug}/index.html"
    assert gone in read_record(site)["files"]

    library.update_article(s[4].id, status="draft")
    library.update_article(s[3].id, section="News")  # its page moves to news/
    report = publish(library, site)

    assert report.mode == "incremental"
    record = read_record(site)
    assert gone not in record["files"] and not (site / gone).exists()
    assert s[4].uid not in record["articles"]
    assert f"politics/{s[3].slug}/index.html" not in record["files"]
    assert f"news/{s[3].slug}/index.html" in record["files"]
    same_as_a_full_export(library, site, tmp_path, own)


def test_a_folder_exported_with_the_json_manifest_is_upgraded_once(desk, tmp_path):
    library, s = desk
    site = tmp_path / "site"
    publish(library, site)
    own = users_files(site)
    as_legacy_manifest(site)  # as the last version left it

    library.update_article(s[1].id, headline="Harbour story number 1, corrected")
    report = publish(library, site)

    assert report.mode == "incremental", "the old manifest is read: no full check"
    assert report.rendered_pages == 2  # the story and the one page whose card shows it
    assert not (site / LEGACY_NAME).exists()
    assert (site / MANIFEST_NAME).is_file()
    same_as_a_full_export(library, site, tmp_path, own)

    library.update_article(s[5].id, headline="Harbour story number 5, corrected")
    assert publish(library, site).mode == "incremental"
    same_as_a_full_export(library, site, tmp_path, own)


def test_a_manifest_left_by_an_older_version_after_the_upgrade_wins(desk, tmp_path):
    """Someone exported with an older version after this one: its newer JSON is the truth."""
    library, s = desk
    site = tmp_path / "site"
    publish(library, site)
    record_path = site / MANIFEST_NAME
    kept = record_path.read_bytes()
    as_legacy_manifest(site)
    record_path.write_bytes(kept)
    os.utime(record_path, ns=(1, 1))  # older than the JSON

    library.update_article(s[2].id, headline="Harbour story number 2, corrected")
    report = publish(library, site)

    assert report.ok and not (site / LEGACY_NAME).exists()
    same_as_a_full_export(library, site, tmp_path, {})


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda p: p.write_bytes(b"not a database at all" * 100), id="garbage"),
        pytest.param(lambda p: p.write_bytes(p.read_bytes()[:1500]), id="cut-short"),
        pytest.param(lambda p: p.write_bytes(b""), id="empty"),
        pytest.param(
            lambda p: sqlite3.connect(p).execute("DROP TABLE files").connection.commit(),
            id="a-table-missing",
        ),
    ],
)
def test_a_damaged_record_gets_one_sentence_and_a_full_export(desk, tmp_path, damage):
    library, s = desk
    site = tmp_path / "site"
    publish(library, site)
    own = users_files(site)
    damage(site / MANIFEST_NAME)
    library.update_article(s[2].id, headline="Harbour story number 2, corrected")

    report = publish(library, site)

    assert report.ok
    assert report.mode.startswith("full (the folder's record of its last export could not be")
    (warning,) = [w for w in report.warnings if "record" in w]
    assert "could not be read" in warning and "written again" in warning
    assert "Error" not in warning and "sqlite" not in warning.lower()
    same_as_a_full_export(library, site, tmp_path, own)
    assert publish(library, site).mode == "incremental", "the next edit is incremental again"


def test_the_command_line_says_one_sentence_for_a_damaged_record(desk, tmp_path):
    library, _s = desk
    site = tmp_path / "site"
    publish(library, site)
    (site / MANIFEST_NAME).write_bytes(b"\x00" * 4096)

    done = run_newsdesk(
        "--library", str(library.root), "export", "--all", "--out", str(site), cwd=tmp_path
    )

    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if "record" in line]
    assert len(lines) == 1 and lines[0].startswith("warning: The record of the last export")
    assert "Traceback" not in done.stderr
    assert read_record(site) is not None


# ---- killed while publishing -------------------------------------------------
# A child process publishes and is killed (SIGKILL, nothing cleaned up) at one
# exact moment of the commit: the real kill, at a moment chosen by wrapping
# the system call the writer makes there.
_KILLER = textwrap.dedent(
    """
    import os, signal, sqlite3, sys
    from newsdesk.export.incremental import publish
    from newsdesk.library import Library

    moment, lib, out = sys.argv[1:]
    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    if moment == "record-being-written":
        connect = sqlite3.connect
        def traced(*a, **k):
            conn = connect(*a, **k)
            conn.set_trace_callback(lambda sql: die() if sql == "COMMIT" and
                                    conn.in_transaction and "manifest" in str(a[0]) else None)
            return conn
        sqlite3.connect = traced
    else:
        # The pages put in place (renamed into the site), or the journal removed.
        name, nth = {"record-committed": ("replace", 1), "half-placed": ("replace", 2),
                     "before-journal-goes": ("unlink", 1)}[moment]
        real = getattr(os, name)
        calls = []
        def wrapped(*a, **k):
            target = str(a[-1])
            if name == "replace":
                hit = target.startswith(out) and "manifest" not in target
            else:
                hit = target.endswith(".newsdesk-journal")
            if hit:
                calls.append(target)
                if len(calls) == nth:
                    die()
            return real(*a, **k)
        setattr(os, name, wrapped)
    library = Library.open(lib)
    publish(library, out)
    """
)


@pytest.mark.parametrize(
    "moment", ["record-being-written", "record-committed", "half-placed", "before-journal-goes"]
)
def test_a_publish_killed_while_committing_is_completed_by_the_next(desk, tmp_path, moment):
    library, s = desk
    site = tmp_path / "site"
    publish(library, site)
    own = users_files(site)
    # An edit that writes pages, moves one (its old page goes) and takes one down.
    library.update_article(s[2].id, headline="Harbour story number 2, corrected")
    library.update_article(s[3].id, section="News")
    library.update_article(s[4].id, status="draft")

    child = subprocess.run(
        [sys.executable, "-c", _KILLER, moment, str(library.root), str(site)],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert child.returncode == -9, child.stderr  # killed, not finished
    assert (site / JOURNAL_NAME).exists()

    report = publish(library, site)

    assert report.ok
    same_as_a_full_export(library, site, tmp_path, own)
    assert not (site / JOURNAL_NAME).exists()
    library.update_article(s[5].id, headline="Harbour story number 5, corrected")
    assert publish(library, site).mode == "incremental"
    same_as_a_full_export(library, site, tmp_path, own)


def test_a_damaged_record_is_noticed_even_when_nothing_changed(desk, tmp_path):
    library, _s = desk
    site = tmp_path / "site"
    publish(library, site)
    (site / MANIFEST_NAME).write_bytes(b"SQLite format 3\x00" + b"\xff" * 2000)

    report = publish(library, site)

    assert report.mode.startswith("full (the folder's record of its last export could not be")
    assert any("could not be read" in w for w in report.warnings)
    same_as_a_full_export(library, site, tmp_path, {})
    assert publish(library, site).mode == "incremental"


def test_a_deleted_folder_is_exported_whole_again(desk, tmp_path):
    import shutil

    library, _s = desk
    site = tmp_path / "site"
    publish(library, site)
    shutil.rmtree(site)

    report = publish(library, site)

    assert report.mode == "full (the folder holds no record of an earlier export)"
    assert not report.warnings
    same_as_a_full_export(library, site, tmp_path, {})


def record_statements(monkeypatch) -> list[str]:
    """The SQL statements run on the export record from now on, in order."""
    statements: list[str] = []
    connect = sqlite3.connect

    def traced(*args, **kwargs):
        conn = connect(*args, **kwargs)
        if MANIFEST_NAME in str(args[0]):
            conn.set_trace_callback(statements.append)
        return conn

    monkeypatch.setattr(sqlite3, "connect", traced)
    return statements


def test_an_edit_reads_no_part_of_the_record_whole(library, tmp_path, monkeypatch):
    """Without a base URL (no sitemaps) an edit asks the record for its own rows only."""
    stories = newsroom(library, tmp_path / "photos", 6)
    library.set_related(stories[0].id, [stories[1].id])
    site = tmp_path / "site"
    publish(library, site)
    statements = record_statements(monkeypatch)
    library.update_article(stories[1].id, headline="Harbour story number 1, corrected")
    library.update_article(stories[4].id, body="A corrected body.")
    report = publish(library, site)

    assert report.mode == "incremental" and report.rendered_pages == 3
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert reads, "the record was read"
    whole = [s for s in reads if " WHERE " not in s.upper() and "FROM meta" not in s]
    assert whole == [], "no part of the record is read whole"
    assert any(s.startswith("COMMIT") for s in statements)


def test_an_edit_with_sitemaps_reads_the_listing_pages_once(library, tmp_path, monkeypatch):
    """With a base URL the sitemap lists every listing page: read in one pass, not key by key."""
    library.update_publication(name="The Gazette", base_url="https://gazette.example/")
    stories = newsroom(library, tmp_path / "photos", 6)
    site = tmp_path / "site"
    publish(library, site)
    statements = record_statements(monkeypatch)
    library.update_article(stories[1].id, headline="Harbour story number 1, corrected")
    report = publish(library, site)

    assert report.mode == "incremental"
    pages = [
        s for s in statements if s.lstrip().upper().startswith("SELECT") and "listing_pages" in s
    ]
    whole = [s for s in pages if " WHERE " not in s.upper()]
    by_key = [s for s in pages if " WHERE K = " in s.upper()]
    assert len(whole) == 1, "the listing pages are read whole once"
    assert len(by_key) <= 3, f"{len(by_key)} listing pages were looked up one by one"
