"""The publication's settings: no invented base URL, and `newsdesk publication` to show and set them."""

from __future__ import annotations

import json
import sqlite3

import pytest

from newsdesk.cli import main
from newsdesk.library import Library, database
from newsdesk.library.publication import clean_base_url
from newsdesk.paths import resource


def run(capsys, *argv) -> tuple[int, str, str]:
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


def test_a_new_library_has_no_base_url(tmp_path):
    with Library.open(tmp_path / "lib") as lib:
        assert lib.publication().base_url == ""


def _library_at_0005_with_publication(
    root, *, created: str, updated: str, base_url: str, name: str
):
    root.mkdir()
    engine = database.make_engine(root / "library.sqlite")
    database.upgrade(engine, "0005")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO publications (name, base_url, language, timezone, id, uid, created_at, updated_at)"
            " VALUES (?, ?, 'en', 'UTC', 1, 'p-1', ?, ?)",
            (name, base_url, created, updated),
        )
    engine.dispose()


def test_an_older_librarys_invented_base_url_is_cleared_when_nobody_set_it(tmp_path):
    root = tmp_path / "lib"
    # What older versions wrote on first use: both times from two calls a few microseconds apart.
    _library_at_0005_with_publication(
        root,
        created="2026-03-01 10:00:00.127120",
        updated="2026-03-01 10:00:00.127127",
        base_url="https://example.org/",
        name="The Newsdesk Courier",
    )
    with Library.open(root) as lib:
        assert lib.publication().base_url == ""
        assert lib.migration_backup is not None  # the old file was kept before the change


def test_a_base_url_the_user_saved_is_kept_even_when_it_is_the_old_default(tmp_path):
    root = tmp_path / "lib"
    _library_at_0005_with_publication(
        root,
        created="2026-03-01 10:00:00.127120",
        updated="2026-03-04 16:20:00.000000",  # saved in Preferences three days later
        base_url="https://example.org/",
        name="Harbour Gazette",
    )
    with Library.open(root) as lib:
        assert lib.publication().base_url == "https://example.org/"


def test_a_real_base_url_is_never_touched_by_the_upgrade(tmp_path):
    root = tmp_path / "lib"
    _library_at_0005_with_publication(
        root,
        created="2026-03-01 10:00:00.127120",
        updated="2026-03-01 10:00:00.127127",
        base_url="https://gazette.example.net/",
        name="Harbour Gazette",
    )
    with Library.open(root) as lib:
        assert lib.publication().base_url == "https://gazette.example.net/"


def test_publication_shows_the_settings_and_says_when_there_is_no_base_url(capsys, tmp_path):
    lib = tmp_path / "lib"
    rc, out, err = run(capsys, "--library", lib, "publication", "--json")
    assert rc == 0
    assert json.loads(out) == {
        "name": "The Newsdesk Courier",
        "base_url": "",
        "language": "en",
        "timezone": "UTC",
        "logo": None,
    }
    rc, out, err = run(capsys, "--library", lib, "publication")
    assert rc == 0 and "base URL:  (not set)" in out
    assert err.startswith("warning: no base URL is set") and err.count("\n") == 1


def test_publication_sets_only_the_options_given(capsys, tmp_path):
    lib = tmp_path / "lib"
    rc, out, _ = run(
        capsys,
        "--library", lib, "publication",
        "--name", "  Harbour   Gazette ",
        "--base-url", "https://gazette.example.net/news",
        "--timezone", "America/New_York",
        "--json",
    )  # fmt: skip
    assert rc == 0
    assert json.loads(out) == {
        "name": "Harbour Gazette",
        "base_url": "https://gazette.example.net/news/",
        "language": "en",
        "timezone": "America/New_York",
        "logo": None,
    }
    rc, out, _ = run(capsys, "--library", lib, "publication", "--language", "en-GB", "--json")
    data = json.loads(out)
    assert (data["name"], data["base_url"], data["language"], data["timezone"]) == (
        "Harbour Gazette",
        "https://gazette.example.net/news/",
        "en-GB",
        "America/New_York",
    )
    rc, out, err = run(capsys, "--library", lib, "publication", "--base-url", "", "--json")
    assert (
        rc == 0
        and json.loads(out)["base_url"] == ""
        and json.loads(out)["name"] == "Harbour Gazette"
    )


def test_a_logo_is_imported_like_any_picture(capsys, tmp_path):
    lib = tmp_path / "lib"
    rc, out, err = run(
        capsys,
        "--library",
        lib,
        "publication",
        "--logo",
        resource("sample", "harbour-dawn.jpg"),
        "--json",
    )
    assert rc == 0, err
    logo = json.loads(out)["logo"]
    assert logo["name"] == "harbour-dawn.jpg" and logo["width"] > 0
    with Library.open(lib) as opened:
        image = opened.get_image(logo["uid"])
        assert (opened.media_dir / image.filename).is_file()
        assert opened.publication().logo_image_id == image.id


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--base-url", "gazette.example.net"], "must start with https://"),
        (["--base-url", "ftp://gazette.example.net/"], "must start with https://"),
        (["--base-url", "https://"], "must start with https://"),
        (["--base-url", "https://gazette.example.net/?page=1"], "has a '?' or '#' part"),
        (["--base-url", "https://gazette.example.net:99999/"], "must start with https://"),
        (["--base-url", "https://a b.example/"], "may not contain spaces"),
        (["--timezone", "Mars/Olympus_Mons"], "is not a time zone"),
        (["--timezone", "../../etc/passwd"], "is not a time zone"),
        (["--language", "English please"], "is not a language tag"),
        (["--name", "   "], "needs a name"),
        (["--name", "N" * 201], "keep it under 200"),
        (["--logo", "no-such-logo.png"], "no such file"),
        (["--logo", "."], "is not an image file"),
    ],
)
def test_a_wrong_setting_is_one_sentence_and_nothing_changes(
    capsys, tmp_path, monkeypatch, argv, expected
):
    monkeypatch.chdir(tmp_path)
    run(capsys, "--library", "lib", "publication", "--name", "Harbour Gazette")
    before = (
        sqlite3.connect(tmp_path / "lib" / "library.sqlite")
        .execute("SELECT * FROM publications")
        .fetchall()
    )
    rc, out, err = run(
        capsys, "--library", "lib", "publication", "--base-url", "https://ok.example/", *argv
    )
    assert rc == 2 and expected in err and err.count("\n") == 1 and out == ""
    after = (
        sqlite3.connect(tmp_path / "lib" / "library.sqlite")
        .execute("SELECT * FROM publications")
        .fetchall()
    )
    assert after == before  # not even the valid option given beside it was saved


def test_a_logo_that_is_not_a_picture_is_one_sentence(capsys, tmp_path):
    bogus = tmp_path / "logo.png"
    bogus.write_bytes(b"this is not a png")
    rc, _, err = run(capsys, "--library", tmp_path / "lib", "publication", "--logo", bogus)
    assert (
        rc == 2 and err.startswith("newsdesk: The logo was not imported") and err.count("\n") == 1
    )
    with Library.open(tmp_path / "lib") as lib:
        assert lib.publication().logo_image_id is None and lib.list_images() == []


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("https://news.example.org", "https://news.example.org/"),
        ("  http://localhost:8000/site  ", "http://localhost:8000/site/"),
        ("HTTPS://News.Example.org/a/", "HTTPS://News.Example.org/a/"),
        ("", ""),
    ],
)
def test_base_urls_are_tidied_so_pages_join_onto_them(typed, kept):
    assert clean_base_url(typed) == kept


@pytest.fixture
def library(either_library):
    """Every test here runs on a laptop's library and on a shared one (PostgreSQL)."""
    return either_library
