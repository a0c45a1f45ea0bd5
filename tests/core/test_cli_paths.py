"""The command line with relative and unusable --library and --out values: one sentence, never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newsdesk.cli import main
from newsdesk.paths import resource
from newsdesk.sample import SAMPLE_SLUG

REPO = Path(__file__).resolve().parents[2]


def newsdesk(*args: str, cwd: Path, env: dict[str, str] | None = None):
    full_env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "QT_QPA_PLATFORM": "offscreen",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "newsdesk", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=full_env,
        timeout=180,
    )


def one_clean_line(result) -> str:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "Error:" not in result.stderr, result.stderr
    assert result.stderr.startswith("newsdesk: ") and result.stderr.count("\n") == 1, result.stderr
    return result.stderr


@pytest.fixture
def workdir(tmp_path) -> Path:
    """A working directory holding the sample stories as files, imported into `lib` by relative path."""
    story_dir = tmp_path / "stories"
    story_dir.mkdir()
    for name in (
        "harbour-market-opens-earlier.md",
        "night-ferry-crews-rehearse-for-winter.md",
        "harbour-dawn.jpg",
        "market-hills.jpg",
    ):
        shutil.copy(resource("sample", name), story_dir / name)
    return tmp_path


def test_every_command_takes_a_library_folder_relative_to_the_working_directory(workdir):
    first = newsdesk(
        "--library",
        "lib",
        "import",
        "stories/harbour-market-opens-earlier.md",
        "stories/night-ferry-crews-rehearse-for-winter.md",
        cwd=workdir,
    )
    assert first.returncode == 0, first.stderr
    assert (workdir / "lib" / "library.sqlite").is_file()

    listed = newsdesk("--library", "lib", "list", "--json", cwd=workdir)
    assert listed.returncode == 0, listed.stderr
    assert {r["slug"] for r in json.loads(listed.stdout)} >= {SAMPLE_SLUG}

    found = newsdesk("--library", "lib", "search", "ferry", cwd=workdir)
    assert found.returncode == 0 and SAMPLE_SLUG in found.stdout, found.stderr

    checked = newsdesk("--library", "lib", "check", SAMPLE_SLUG, cwd=workdir)
    assert checked.returncode == 0 and "ready to publish" in checked.stdout, checked.stderr

    related = newsdesk("--library", "lib", "related", "harbour-market-opens-earlier", cwd=workdir)
    assert related.returncode == 0 and SAMPLE_SLUG in related.stdout, related.stderr

    pub = newsdesk(
        "--library",
        "lib",
        "publication",
        "--base-url",
        "https://news.example.net",
        "--logo",
        "stories/harbour-dawn.jpg",
        "--json",
        cwd=workdir,
    )
    assert pub.returncode == 0, pub.stderr
    assert json.loads(pub.stdout)["base_url"] == "https://news.example.net/"

    exported = newsdesk("--library", "lib", "export", "--all", "--out", "out/site", cwd=workdir)
    assert exported.returncode == 0, exported.stderr
    assert (workdir / "out" / "site" / "index.html").is_file()
    one = newsdesk("--library", "./lib/../lib", "export", SAMPLE_SLUG, "--out", "one", cwd=workdir)
    assert one.returncode == 0, one.stderr
    assert next((workdir / "one").rglob(f"{SAMPLE_SLUG}/index.html")).is_file()
    # Nothing landed anywhere else: the library is where it was named, once. (The
    # xdg-* folders are the user's folders, which tests/conftest.py puts here.)
    named = sorted(p.name for p in workdir.iterdir() if not p.name.startswith("xdg-"))
    assert named == ["lib", "one", "out", "stories"]


def test_the_library_in_the_environment_is_relative_to_the_working_directory_too(workdir):
    env = {"NEWSDESK_LIBRARY": "envlib"}
    imported = newsdesk("import", "stories/harbour-market-opens-earlier.md", cwd=workdir, env=env)
    assert imported.returncode == 0, imported.stderr
    exported = newsdesk("export", "--all", "--out", "site", cwd=workdir, env=env)
    assert exported.returncode == 0, exported.stderr
    assert (workdir / "envlib" / "library.sqlite").is_file() and (workdir / "site").is_dir()


def test_a_screenshot_of_a_relative_library_is_written_to_a_relative_file(workdir):
    shot = newsdesk("--library", "lib", "screenshot", "shots/window.png", cwd=workdir)
    assert shot.returncode == 0, shot.stderr
    assert (workdir / "shots" / "window.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (workdir / "lib" / "library.sqlite").is_file()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("postgres://editor@db.example/newsroom", "write it postgresql+psycopg://"),
        ("https://example.net/library", "is an address (https://…), not a folder"),
        ("", "--library is empty"),
        ("   ", "--library is empty"),
    ],
)
def test_a_library_value_that_cannot_be_a_folder_is_one_sentence(workdir, value, expected):
    for argv in (["list"], ["export", "--all", "--out", "site"], ["publication"], ["check", "x"]):
        err = one_clean_line(newsdesk("--library", value, *argv, cwd=workdir))
        assert expected in err
    assert sorted(p.name for p in workdir.iterdir()) == ["stories"]  # nothing was created


def test_a_misspelt_postgresql_address_in_the_environment_is_refused_the_same_way(workdir):
    env = {"NEWSDESK_LIBRARY": "postgres://db.example/newsroom"}
    err = one_clean_line(newsdesk("list", cwd=workdir, env=env))
    assert "NEWSDESK_LIBRARY" in err and "postgresql+psycopg://" in err


def test_a_file_named_as_the_library_is_one_sentence(workdir):
    (workdir / "notes.txt").write_text("not a library")
    err = one_clean_line(
        newsdesk("--library", "notes.txt", "export", "--all", "--out", "s", cwd=workdir)
    )
    assert "is a file; a library is a folder" in err


def test_a_library_under_a_file_is_one_sentence(workdir):
    (workdir / "notes.txt").write_text("not a library")
    err = one_clean_line(newsdesk("--library", "notes.txt/lib", "list", cwd=workdir))
    assert "notes.txt" in err


@pytest.mark.parametrize("out", ["", ".", "   "])
def test_export_to_no_folder_or_the_working_directory_is_refused(
    capsys, tmp_path, monkeypatch, out
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "keep.txt").write_text("mine")
    rc = main(["--library", "lib", "export", "--all", "--out", out])
    err = capsys.readouterr().err
    assert rc == 2 and "--out needs a folder" in err
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_export_into_a_folder_of_someone_elses_files_is_refused(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "thesis.txt").write_text("years of work")
    assert main(["--library", "lib", "publication", "--name", "The Courier"]) == 0  # a library
    capsys.readouterr()
    rc = main(["--library", "lib", "export", "--all", "--out", "docs"])
    err = capsys.readouterr().err
    assert rc == 2 and "not a newsdesk export" in err and err.count("\n") == 1
    assert (tmp_path / "docs" / "thesis.txt").read_text() == "years of work"


@pytest.mark.parametrize("slug", ["../../etc", "a/b", ".hidden", "x" * 300, "\u202e-evil", "café"])
def test_odd_slugs_on_the_command_line_are_one_sentence(capsys, tmp_path, monkeypatch, slug):
    monkeypatch.chdir(tmp_path)
    for argv in (["check", slug], ["related", slug], ["export", slug, "--out", "site"]):
        rc = main(["--library", "lib", *argv])
        err = capsys.readouterr().err
        assert rc == 2 and err.startswith("newsdesk: ") and err.count("\n") == 1, err
    assert not (tmp_path / "site").exists()
    assert not (tmp_path / "etc").exists()
