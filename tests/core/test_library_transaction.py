"""Library.transaction(): many facade calls, one commit — all of them or none."""

from __future__ import annotations

import sqlite3

import pytest

from newsdesk.library import Library
from newsdesk.library.library import DB_NAME


class Stop(Exception):
    pass


def _count(root, table: str) -> int:
    con = sqlite3.connect(root / DB_NAME)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


def test_a_failure_inside_the_block_leaves_no_story_and_no_change_log(tmp_path):
    root = tmp_path / "lib"
    with Library.open(root) as lib:
        before_articles = _count(root, "articles")
        before_log = _count(root, "change_log")
        with pytest.raises(Stop), lib.transaction():
            first = lib.create_article(headline="First of the batch")
            lib.update_article(first.id, dek="written inside")
            lib.create_article(headline="Second of the batch", tags=["harbour"])
            # Reads inside the block see its writes.
            assert lib.find_article(first.slug).dek == "written inside"
            raise Stop
        assert _count(root, "articles") == before_articles
        assert _count(root, "change_log") == before_log
        assert lib.find_article("first-of-the-batch") is None


def test_the_block_commits_once_at_its_end_and_nested_blocks_join_it(tmp_path):
    root = tmp_path / "lib"
    with Library.open(root) as lib:
        before = _count(root, "articles")
        with lib.transaction():
            lib.create_article(headline="Outer")
            with lib.transaction():
                lib.create_article(headline="Inner")
            # Another connection sees nothing yet: nothing is committed before the end.
            assert _count(root, "articles") == before
        assert _count(root, "articles") == before + 2
        assert {a.headline for a in lib.list_articles()} >= {"Outer", "Inner"}
