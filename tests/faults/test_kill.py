"""kill -9 of a writing process at random points: the library opens, passes integrity_check, nothing half-written."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from newsdesk.library import Library
from tests.faults import hostile
from tests.faults.conftest import FIGURES

EDITOR = """
import sys
from newsdesk.library import Library
lib = Library.open(sys.argv[1])
article_id = int(sys.argv[2])
n = 0
while True:
    n += 1
    lib.update_article(article_id, body=f"version {n} " + "line of text " * 400, tags=[f"v{n}"])
    if n % 5 == 0:
        lib.add_revision(article_id, reason="save")
    print(n, flush=True)
"""


def _kill_at_random(cmd: list[str], seconds: float) -> None:
    env = dict(os.environ, PYTHONPATH=str(hostile.REPO))
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(seconds)
    FIGURES["kills tried"] += 1
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def _healthy(root: Path) -> sqlite3.Connection:
    with Library.open(root) as lib:  # opens: nothing half-made is taken for damage
        lib.list_articles()
    con = sqlite3.connect(root / hostile.DB)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
    return con


def test_killing_a_many_file_import_at_random_points_never_leaves_a_half_written_library(tmp_path):
    rng = random.Random(11)
    files = []
    for i in range(60):
        f = tmp_path / "in" / f"story-{i}.md"
        f.parent.mkdir(exist_ok=True)
        f.write_text(
            f"---\nheadline: Kill story {i}\ntags: [harbour, k{i}]\n---\n"
            + f"Body of story {i}. " * 300
            + "\n",
            encoding="utf-8",
        )
        files.append(f)
    for attempt in range(4):
        root = tmp_path / f"lib{attempt}"  # the first kills may land while the library is made
        cmd = [sys.executable, "-m", "newsdesk", "--library", str(root), "import", *map(str, files)]
        _kill_at_random(cmd, rng.uniform(0.3, 2.5))
        if not (root / hostile.DB).exists():
            assert not any(p.name == hostile.DB for p in root.glob("*")) if root.exists() else True
            FIGURES["kills survived"] += 1
            continue
        con = _healthy(root)
        rows = con.execute("SELECT headline, body FROM articles").fetchall()
        # One import is one transaction: all the files, or none of them.
        assert len(rows) in (0, 60)
        for headline, body in rows:
            n = int(headline.split()[-1])
            assert body.strip() == (f"Body of story {n}. " * 300).strip()
        con.close()
        FIGURES["kills survived"] += 1


def test_killing_an_edit_loop_keeps_one_whole_version_of_the_story(tmp_path):
    rng = random.Random(7)
    root = tmp_path / "lib"
    with Library.open(root) as lib:
        article = lib.create_article(headline="Live", body="version 0")
    for _ in range(4):
        _kill_at_random(
            [sys.executable, "-c", EDITOR, str(root), str(article.id)], rng.uniform(0.5, 2.0)
        )
        con = _healthy(root)
        body, version = con.execute(
            "SELECT body, version FROM articles WHERE id = ?", (article.id,)
        ).fetchone()
        tags = [
            r[0]
            for r in con.execute("SELECT t.name FROM tags t JOIN article_tags x ON x.tag_id = t.id")
        ]
        con.close()
        if body != "version 0":
            n = int(body.split()[1])
            assert body == f"version {n} " + "line of text " * 400  # whole, never torn
            assert f"v{n}" in tags  # the tags of the same save
        FIGURES["kills survived"] += 1
