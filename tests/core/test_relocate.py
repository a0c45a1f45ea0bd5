"""Moving a library folder without Qt: a verified copy, a switch the open library follows, the old folder removed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from newsdesk.images.library_import import import_image
from newsdesk.library import Library
from newsdesk.library.relocate import (
    MoveError,
    copy_library,
    remove_old_library,
    switch_library,
    target_for,
)
from tests.export.sample import make_jpeg


def hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.startswith("library.sqlite")
    }


@pytest.fixture
def library(tmp_path):
    lib = Library.open(tmp_path / "Library")
    image = import_image(lib, make_jpeg(tmp_path / "harbour.jpg", (300, 200), (40, 70, 120)))
    article = lib.create_article(headline="Ferry strike ends", body="Crews return.")
    lib.add_figure(article.id, image.id, role="hero")
    yield lib
    lib.close()


def test_a_moved_library_is_read_and_written_in_its_new_folder_and_the_old_one_is_gone(
    library, tmp_path
):
    old_root, files = library.root, hashes(library.root)
    target = target_for(old_root, tmp_path / "External" / "Newsroom")
    copied = copy_library(old_root, target)
    switch_library(library, copied)
    left = remove_old_library(copied)

    assert left == [] and not old_root.exists()
    assert library.root == target and hashes(target) == files
    assert [a.headline for a in library.all_articles()] == ["Ferry strike ends"]
    library.create_article(headline="Written after the move")
    with Library.open(target, create=False) as reopened:
        assert reopened.count_articles() == 2


def test_a_copy_that_cannot_be_opened_leaves_the_library_where_it_was(library, tmp_path):
    old_root = library.root
    copied = copy_library(old_root, tmp_path / "Elsewhere")
    (copied.target / "library.sqlite").write_bytes(b"not a database at all" * 100)
    with pytest.raises(MoveError) as failed:
        switch_library(library, copied)
    assert "cannot be opened" in str(failed.value)
    assert "Error" not in str(failed.value) and "sqlite3" not in str(failed.value)
    assert library.root == old_root
    library.create_article(headline="Still writable here")
    assert library.count_articles() == 2


def test_a_library_cannot_be_moved_into_itself_or_onto_a_file(library, tmp_path):
    with pytest.raises(MoveError, match="inside itself"):
        copy_library(library.root, library.root / "inside")
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    with pytest.raises(MoveError, match="is a file"):
        copy_library(library.root, a_file)
    with pytest.raises(MoveError, match="no library"):
        copy_library(tmp_path / "nowhere", tmp_path / "somewhere")
