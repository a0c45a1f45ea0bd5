"""Stories for the publishing tests: a hero and a body picture, real JPEGs, and the real command."""

from __future__ import annotations

import html
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsdesk.library import Library
from tests.export.sample import add_image, make_jpeg

REPO = Path(__file__).resolve().parents[2]


def story_with_pictures(library: Library, photos: Path, slug: str, **fields):
    """A published story that passes preflight: a hero, a body picture, a section and tags."""
    photos.mkdir(parents=True, exist_ok=True)
    hero = add_image(
        library,
        make_jpeg(photos / f"{slug}-hero.jpg", (1280, 853), (30, 80, 140)),
        alt_text="The harbour wall, broken in two places",
        caption="The harbour wall after the storm.",
        credit="Ana Ruiz / Gazette",
        creator="Ana Ruiz",
    )
    inline = add_image(
        library,
        make_jpeg(photos / f"{slug}-boats.jpg", (640, 427), (140, 70, 30)),
        alt_text="Fishing boats on the quay",
        caption="Boats on the quay.",
        credit="Port Authority",
    )
    fields.setdefault("headline", "Storm breaks the harbour wall")
    fields.setdefault("dek", "The fish market stood in a metre of water by sunrise.")
    fields.setdefault("byline", "By Ana Ruiz")
    fields.setdefault("section", "Coast News")
    fields.setdefault("status", "published")
    fields.setdefault("published_at", datetime.now(UTC) - timedelta(hours=3))
    fields.setdefault(
        "body",
        "The wall gave way at 4 a.m.\n\n"
        f"![Boats pushed onto the quay](image:{inline.uid})\n\n"
        "Repairs will cost **€4.2 million**.",
    )
    tags = fields.pop("tags", ("storm", "harbour"))
    article = library.create_article(slug=slug, tags=tags, **fields)
    library.add_figure(article.id, hero.id, role="hero", caption="The wall at dawn.")
    library.add_figure(article.id, inline.id, role="inline", caption="Boats on the quay at noon.")
    return library.get_article(article.id)


def run_newsdesk(*args: str, password: str | None, cwd: Path, timeout: float = 300):
    """The real command line, importing this checkout, with the application password or none."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("NEWSDESK_WP_PASSWORD", None)
    if password is not None:
        env["NEWSDESK_WP_PASSWORD"] = password
    return subprocess.run(
        [sys.executable, "-m", "newsdesk", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
    )


def text_of(rendered: dict) -> str:
    """A REST field's rendered HTML as text a reader sees."""
    import re

    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", rendered["rendered"])).split())
