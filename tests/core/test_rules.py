"""The rules every layer shares: who may read a story, and where a section's pages live."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from newsdesk.library import Library
from newsdesk.library.related import related_problem
from newsdesk.preflight import preflight
from newsdesk.rules import is_public, section_segment, under_embargo

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


@dataclass
class Story:
    status: str
    embargo_until: datetime | None = None


def test_only_a_published_story_past_its_embargo_is_public():
    assert is_public(Story("published"), NOW)
    assert is_public(Story("published", NOW), NOW)  # the embargo ends at its minute
    assert is_public(Story("published", NOW - timedelta(seconds=1)), NOW)
    assert not is_public(Story("published", NOW + timedelta(seconds=1)), NOW)
    for status in ("draft", "editing", "ready"):
        assert not is_public(Story(status), NOW)
    assert under_embargo(Story("draft", NOW + timedelta(days=1)), NOW)


def test_preflight_and_related_links_apply_the_same_embargo_rule(tmp_path):
    library = Library.open(tmp_path / "lib")
    try:
        later = datetime.now(UTC) + timedelta(days=2)
        target = library.create_article(
            headline="Ferry timetable", status="published", embargo_until=later
        )
        source = library.create_article(headline="Harbour news", status="published")
        library.set_related(source.id, [target.id])
        source = library.get_article(source.id)
        assert not is_public(library.get_article(target.id))
        assert "embargoed" in related_problem(source.related[0])
        codes = {p.code for p in preflight(library, library.get_article(target.id))}
        assert "embargoed" in codes
    finally:
        library.close()


def test_a_section_folder_is_a_safe_slug_and_news_when_empty():
    assert section_segment("Local News") == "local-news"
    assert section_segment("") == "news"
    assert section_segment("???") == "news"
