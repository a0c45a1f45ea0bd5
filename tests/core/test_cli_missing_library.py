"""A mistyped --library: the commands that read or change stories refuse it in one sentence and
leave nothing behind; only the commands that start a library (import, publication, a laptop's
first sync) create one there."""

from __future__ import annotations

import pytest

from newsdesk.cli import main
from newsdesk.library import Library
from newsdesk.sample import SAMPLE_SLUG

READERS = [
    ["list"],
    ["search", "council"],
    ["check", SAMPLE_SLUG],
    ["related", SAMPLE_SLUG],
    ["status", SAMPLE_SLUG],
    ["status", SAMPLE_SLUG, "published"],
    ["delete", SAMPLE_SLUG],
    ["restore", SAMPLE_SLUG],
    ["trash"],
    ["conflicts"],
    ["sync"],
    ["images", "search", "harbour"],
    ["export", "--all", "--out", "site"],
]


@pytest.mark.parametrize("command", READERS, ids=lambda c: " ".join(c))
@pytest.mark.parametrize("typo", ["lbi", "no/such/folder"])
def test_a_command_given_a_folder_without_a_library_says_so_and_creates_nothing(
    tmp_path, monkeypatch, capsys, command, typo
):
    monkeypatch.chdir(tmp_path)
    Library.open(tmp_path / "lib").close()  # the library the user meant
    code = main(["--library", typo, *command])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert f"There is no library in {tmp_path / typo}" in err
    assert "check --library (or NEWSDESK_LIBRARY)" in err
    assert not (tmp_path / typo).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lib"]


def test_an_empty_folder_is_no_library_either(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["--library", str(tmp_path / "empty"), "list"]) == 2
    assert "There is no library in" in capsys.readouterr().err
    assert list((tmp_path / "empty").iterdir()) == []


def test_import_and_publication_start_a_library_in_a_new_folder(tmp_path, capsys):
    story = tmp_path / "story.md"
    story.write_text("---\nheadline: Harbour reopens\n---\nThe harbour reopened.\n")
    assert main(["--library", str(tmp_path / "a"), "import", str(story)]) == 0
    assert main(["--library", str(tmp_path / "b"), "publication", "--name", "The Courier"]) == 0
    capsys.readouterr()
    with Library.open(tmp_path / "a") as lib:
        assert [a.headline for a in lib.list_articles()] == ["Harbour reopens"]
    assert main(["--library", str(tmp_path / "b"), "publication", "--json"]) == 0
    assert "The Courier" in capsys.readouterr().out
