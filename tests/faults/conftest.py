"""The fault suite's fixtures, and its figures printed at the end of the run."""

from __future__ import annotations

import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from tests.faults import hostile

FIGURES: Counter = Counter()
"""kills tried / survived, bad inputs tried, tracebacks seen, orphan files: shown at the end."""


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if not FIGURES:
        return
    terminalreporter.section("fault suite figures")
    for name in (
        "bad inputs tried",
        "tracebacks seen",
        "orphan files",
        "kills tried",
        "kills survived",
    ):
        terminalreporter.write_line(f"{name}: {FIGURES.get(name, 0)}")


@pytest.fixture(scope="session")
def template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("template") / "library"
    hostile.build_template(root)
    return root


KINDS = (
    "damaged-leaf",
    "damaged-root",
    "zero-byte",
    "newer-schema",
    "read-only-mount",
    "full-disk",
    "foreign-sqlite",
    "folder-for-file",
    "missing",
)


@pytest.fixture
def hostile_library(request, template, tmp_path):
    """(kind, library folder): a real library in one bad state; mounts are undone afterwards."""
    kind = request.param
    mounts: list[Path] = []
    root = tmp_path / "library"
    if kind in ("read-only-mount", "full-disk"):
        mount = tmp_path / "mnt"
        hostile.mount_tmpfs(mount, "4m")
        mounts.append(mount)
        root = mount / "library"
    try:
        if kind != "missing":
            shutil.copytree(template, root)
        db = root / hostile.DB
        if kind == "damaged-leaf":
            hostile.damage_page(db, hostile.page_of(db, "articles", "leaf"))
        elif kind == "damaged-root":
            hostile.damage_page(db, hostile.page_of(db, "articles", "root"))
        elif kind == "zero-byte":
            db.write_bytes(b"")
        elif kind == "newer-schema":
            con = sqlite3.connect(db)
            con.execute("UPDATE alembic_version SET version_num = '0099_future'")
            con.commit()
            con.close()
        elif kind == "read-only-mount":
            hostile.remount_read_only(mounts[0])
        elif kind == "full-disk":
            hostile.fill_disk(mounts[0])
        elif kind == "foreign-sqlite":
            db.unlink()
            con = sqlite3.connect(db)
            con.execute("CREATE TABLE recipes (name TEXT, steps TEXT)")
            con.execute("INSERT INTO recipes VALUES ('soup', 'boil')")
            con.commit()
            con.close()
        elif kind == "folder-for-file":
            db.unlink()
            db.mkdir()
        FIGURES["bad inputs tried"] += 0  # counted per command run
        yield kind, root
    finally:
        for mount in mounts:
            hostile.unmount(mount)
