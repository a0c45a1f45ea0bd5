"""Republishing one corrected story from the command line loads only what that needs: no
process pool (multiprocessing), no Pillow when no picture is made, no Alembic when the
library is up to date, no Qt, and (an English site) no catalogue of page strings."""

from __future__ import annotations

import os
import subprocess
import sys

from newsdesk.library import Library
from tests.export.sample import published
from tests.export.stories import REPO, newsroom

NOT_FOR_ONE_STORY = (
    "multiprocessing",
    "ctypes",
    "PIL",
    "alembic",
    "psycopg",
    "PySide6",
    # An English site compiles no page-string catalogue (render/i18n.py).
    "babel.messages",
)


def export_modules(library_dir, site) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """`newsdesk export --all` for real, and the modules it imported (-X importtime)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "newsdesk", "--library", str(library_dir)]
        + ["export", "--all", "--out", str(site)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=300,
    )
    modules = {
        line.rsplit("|", 1)[1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    return result, modules


def loaded(modules: set[str], names) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


def test_republishing_one_corrected_story_loads_no_pool_and_no_pillow(tmp_path):
    library = Library.open(tmp_path / "lib")
    stories = newsroom(library, tmp_path, n=3)
    library.close()
    site = tmp_path / "site"
    first, _ = export_modules(tmp_path / "lib", site)
    assert first.returncode == 0, first.stderr[-3000:]

    library = Library.open(tmp_path / "lib")
    story = library.get_article(stories[1].id)
    library.update_article(story.id, headline=story.headline + " (corrected)")
    library.close()
    again, modules = export_modules(tmp_path / "lib", site)

    assert again.returncode == 0, again.stderr[-3000:]
    assert "Exported 1 article" in again.stdout
    (page,) = site.glob(f"*/{story.slug}/index.html")
    assert "(corrected)" in page.read_text(encoding="utf-8")
    assert "newsdesk.export.incremental" in modules  # the measurement saw the export
    assert loaded(modules, NOT_FOR_ONE_STORY) == []


# What a page worker has no use for: it renders from plain data the export sends it.
NOT_FOR_A_PAGE_WORKER = ("sqlalchemy", "newsdesk.library", "newsdesk.export.site", "PIL")

WORKER = """
import json, os, pickle, sys
from newsdesk.export import render
with open(sys.argv[1], "rb") as fh:
    context, stories = pickle.load(fh)
render._start_worker(os.getpid(), context)
pages = render._render_chunk(stories)
print(json.dumps({"pages": [[uid, html is not None, reason] for uid, html, reason in pages],
                  "modules": sorted(sys.modules)}))
"""


def test_a_page_worker_renders_without_loading_the_database_layer(tmp_path):
    import json
    import pickle

    from newsdesk.export import render as page_render
    from newsdesk.export.page_input import article_input

    library = Library.open(tmp_path / "lib")
    stories = [
        published(library, headline="Harbour reopens", section="News", body="It's *open*."),
        published(library, headline="Vote", section="Politics", body="A [vote](https://x.org)."),
    ]
    context = page_render.RenderContext(
        library_root=library.root,
        publication=library.publication(),
        images={},
        pages={s.uid: f"news/{s.slug}" for s in stories},
        extra_images={},
        templates_override=None,
        sections=["News", "Politics"],
    )
    inputs = [article_input(library.get_article(s.id)) for s in stories]
    library.close()
    sent = tmp_path / "sent.pickle"
    sent.write_bytes(pickle.dumps((context, inputs)))  # as the pool sends them

    result = subprocess.run(
        [sys.executable, "-c", WORKER, str(sent)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    answer = json.loads(result.stdout)
    assert answer["pages"] == [[s.uid, True, None] for s in stories]
    assert loaded(set(answer["modules"]), NOT_FOR_A_PAGE_WORKER) == []
