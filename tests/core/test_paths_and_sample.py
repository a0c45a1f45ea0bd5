"""Where the library lives, where resources are found, and the sample a new user starts with."""

from __future__ import annotations

from pathlib import Path

from newsdesk import paths
from newsdesk.library import Library
from newsdesk.preflight import preflight
from newsdesk.sample import SAMPLE_SLUG, seed_if_new


def test_library_folder_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("NEWSDESK_LIBRARY", str(tmp_path / "env"))
    assert paths.resolve_library_dir(str(tmp_path / "cli")) == tmp_path / "cli"
    assert paths.resolve_library_dir(None) == tmp_path / "env"
    monkeypatch.delenv("NEWSDESK_LIBRARY")
    default = paths.resolve_library_dir(None)
    assert default.name == "Library" and "newsdesk" in str(default)


def test_resources_are_found_from_the_source_tree():
    assert (paths.resources_dir() / "templates" / "article.html").is_file()
    assert paths.resource("site.css").is_file()


def test_resources_are_found_in_a_frozen_bundle(monkeypatch, tmp_path):
    (tmp_path / "resources" / "templates").mkdir(parents=True)
    monkeypatch.setattr(paths.sys, "_MEIPASS", str(tmp_path), raising=False)
    assert paths.resources_dir() == tmp_path / "resources"


def test_a_new_library_is_seeded_once_with_a_publishable_sample(tmp_path):
    lib = Library.open(tmp_path / "lib")
    assert seed_if_new(lib) is True
    article = lib.get_article(SAMPLE_SLUG)
    assert article.hero is not None and article.hero.image.credit and article.hero.image.alt_text
    assert article.related and article.related[0].target.hero is not None
    # Publishable: no errors. The one warning a sample picture earns is that, at
    # 1600x1067, its square crop cannot reach the 1,200 px search engines want.
    problems = preflight(lib, article)
    assert [p for p in problems if p.is_error] == []
    assert [p.code for p in problems] in ([], ["hero-crop-narrow"])
    lib.delete_article(article.id)
    assert seed_if_new(lib) is False  # a library someone has used is never re-seeded
    lib.close()


def test_a_library_in_use_is_not_seeded(library):
    library.create_article(headline="Mine")
    assert seed_if_new(library) is False
    assert library.count_articles() == 1


def test_sample_text_is_our_own(tmp_path):
    sample = Path(paths.resource("sample"))
    assert sorted(p.suffix for p in sample.iterdir()) == [".jpg", ".jpg", ".md", ".md"]


def test_a_moved_library_becomes_the_default_for_the_command_line(monkeypatch, tmp_path):
    monkeypatch.delenv("NEWSDESK_LIBRARY")
    moved = tmp_path / "moved"
    Library.open(moved).close()
    paths.remember_library_dir(moved)
    assert paths.default_library_dir() == moved.resolve()
    monkeypatch.setenv("NEWSDESK_LIBRARY", str(tmp_path / "env"))
    assert paths.default_library_dir() == tmp_path / "env"  # the environment still wins


def test_a_remembered_folder_without_a_library_is_ignored(monkeypatch, tmp_path):
    monkeypatch.delenv("NEWSDESK_LIBRARY")
    paths.remember_library_dir(tmp_path / "gone")
    assert paths.default_library_dir().name == "Library"
