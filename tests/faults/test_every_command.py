"""Every command, as a real process, against every hostile library: one short sentence, never a traceback."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.faults import hostile
from tests.faults.conftest import FIGURES, KINDS

COMMANDS = ("import", "list", "search", "check", "related", "export", "repair", "screenshot")

# What each bad state must say (a phrase of the one sentence) for commands that cannot run.
REFUSALS = {
    "zero-byte": "empty, 0 bytes",
    "newer-schema": "made by a newer newsdesk (schema 0099_future); update newsdesk",
    "foreign-sqlite": "not a newsdesk library",
    "folder-for-file": "is a folder",
}
WRITERS = ("import", "repair")
# Files that may appear beside a library after a command: the new library's own, and
# repair's kept copy of the damaged file. Anything else (-wal, -shm, .creating,
# .repairing, a backup copy) is debris.
EXPECTED_NEW = {"library.sqlite", "media", "cache"}


def _args(command: str, tmp_path: Path) -> list[str]:
    story = tmp_path / "story.md"
    story.write_text(
        "---\nheadline: Tide tables\nslug: tide-tables\n---\nThe tide ran high at the pier.\n",
        encoding="utf-8",
    )
    return {
        "import": ["import", str(story)],
        "list": ["list"],
        "search": ["search", "harbour"],
        "check": ["check", "story-1"],
        "related": ["related", "story-1"],
        "export": ["export", "--all", "--out", str(tmp_path / "site")],
        "repair": ["repair"],
        "screenshot": ["screenshot", str(tmp_path / "window.png")],
    }[command]


def _md5(path: Path) -> str | None:
    return hashlib.md5(path.read_bytes()).hexdigest() if path.is_file() else None


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("hostile_library", KINDS, indirect=True)
def test_a_command_on_a_hostile_library_says_one_short_sentence_and_leaves_nothing_behind(
    hostile_library, command, tmp_path
):
    kind, root = hostile_library
    db = root / hostile.DB
    before_names = hostile.beside(root)
    before_md5 = _md5(db)

    FIGURES["bad inputs tried"] += 1
    result = hostile.run_newsdesk(root, *_args(command, tmp_path), timeout=180)
    lines = hostile.our_lines(result.stderr)
    if "Traceback" in result.stderr:
        FIGURES["tracebacks seen"] += 1
    after_names = hostile.beside(root)
    debris = {
        name
        for name in after_names - before_names
        if name not in EXPECTED_NEW and not name.startswith("library.damaged-")
    }
    FIGURES["orphan files"] += len(debris)

    said = f"exit {result.returncode}; stderr:\n{result.stderr[-3000:]}"
    assert not hostile.CLASS_NAME.search(result.stderr), said
    assert result.returncode in (0, 1, 2), said
    assert len(lines) <= 12, said  # repair lists one line per table; everything else one
    assert all(len(line) <= hostile.MAX_LINE for line in lines), said
    if result.returncode == 2:
        assert any(line.startswith("newsdesk: ") for line in lines), said
    assert not debris, f"left behind: {sorted(debris)}"

    if kind in REFUSALS and not (kind == "zero-byte" and command == "repair"):
        assert result.returncode == 2, said
        assert REFUSALS[kind] in result.stderr, said
        assert _md5(db) == before_md5  # nothing changed, no backup written
        assert after_names == before_names
    elif kind == "zero-byte":
        assert result.returncode == 2 and "empty (0 bytes)" in result.stderr, said
    elif kind == "read-only-mount":
        if command in WRITERS:
            assert result.returncode == 2, said
            assert f"The library at {root} is read-only" in result.stderr, said
        else:
            assert result.returncode in (0, 1), said  # check exits 1: the story has problems
            # Only warnings (a publication with no base URL) may be said, or check's findings.
            problems = [line for line in lines if not line.startswith("warning:")]
            assert not problems or command == "check", said
    elif kind.startswith("damaged"):
        if command == "list":
            assert result.returncode == 2 and "is damaged" in result.stderr, said
            assert "repair" in result.stderr, said
        if command == "repair":
            assert result.returncode in (1, 2), said
            if result.returncode == 1:
                assert any(name.startswith("library.damaged-") for name in after_names)
                assert hostile.run_newsdesk(root, "list").returncode == 0
    elif kind == "missing":
        if command == "repair":
            assert result.returncode == 2, said  # nothing to repair
        elif command not in ("import", "screenshot"):
            # Only a command that starts a library makes one; the others name the folder.
            assert result.returncode == 2, said
            assert f"There is no library in {root}" in result.stderr, said
            assert not root.exists()
        else:
            assert result.returncode in (0, 1), said
            assert db.is_file()
