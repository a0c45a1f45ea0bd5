"""A full export reads the library a batch of stories at a time: its memory does not grow with the text."""

from __future__ import annotations

import gc

from newsdesk.export import export_site
from newsdesk.export import story as export_story
from newsdesk.library.models import Article
from tests.export.stories import files_of, newsroom, without_manifest

STORIES = 45
BATCH = 10


def _live_articles() -> int:
    return sum(1 for o in gc.get_objects() if type(o) is Article)


def test_a_full_export_never_holds_every_story_at_once(library, tmp_path, monkeypatch):
    photos = tmp_path / "photos"
    photos.mkdir()
    newsroom(library, photos, STORIES)  # the stories it returns are let go at once
    monkeypatch.setattr(export_story, "BATCH", BATCH)
    gc.collect()
    peak = 0

    def progress(done: int, total: int) -> None:
        nonlocal peak
        peak = max(peak, _live_articles())

    report = export_site(library, tmp_path / "site", progress=progress, workers=1)

    assert len(report.written) == STORIES, report.failed
    # The pages were made while at most a batch (and the one being checked) was loaded.
    assert 0 < peak <= 2 * BATCH, f"{peak} stories were loaded at once"


def test_a_site_made_a_batch_at_a_time_is_the_site_made_at_once(library, tmp_path, monkeypatch):
    photos = tmp_path / "photos"
    photos.mkdir()
    newsroom(library, photos, 23)
    monkeypatch.setattr(export_story, "BATCH", 4)
    export_site(library, tmp_path / "batched", workers=1)
    monkeypatch.setattr(export_story, "BATCH", 1000)
    export_site(library, tmp_path / "whole", workers=1)

    batched = without_manifest(files_of(tmp_path / "batched"))
    assert len([k for k in batched if k.endswith("/index.html")]) > 23
    assert batched == without_manifest(files_of(tmp_path / "whole"))
