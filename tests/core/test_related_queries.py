"""Suggestions on both engines: what they ask the library, trash, and the cards they come with."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image as PILImage
from sqlalchemy import event

from newsdesk.library import Library
from newsdesk.library.related import suggest_related
from newsdesk.library.related.picker import run_suggestions
from tests.core.test_related import FERRY_A, FERRY_B, FERRY_C, FILLERS, NOW, publish


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def library(request, tmp_path):
    """The same tests on a laptop's SQLite library and on a shared PostgreSQL library."""
    if request.param == "sqlite":
        lib = Library.open(tmp_path / "library")
    else:
        lib = Library.open(request.getfixturevalue("pg_url"))
    yield lib
    lib.close()


@pytest.fixture
def ferries(library: Library) -> dict[str, int]:
    ids = {
        "A": publish(
            library, "Night ferry brings Albanian families to Bari", section="World",
            tags=["migration", "Albania"], body=FERRY_A, days_ago=2,
        ),
        "B": publish(
            library, "Volunteers meet the Durrës ferry", section="Local",
            tags=["migration", "Albania", "volunteering"], body=FERRY_B, days_ago=40,
        ),
        "C": publish(
            library, "Coastguard escorts ferries into harbour", section="World",
            tags=["Albania", "migration"], body=FERRY_C, days_ago=20,
        ),
    }  # fmt: skip
    for headline, section, body in FILLERS:
        publish(library, headline, section=section, body=body, tags=["city"], days_ago=60)
    # Enough stories on the subject that ten suggestions never need the recent ones.
    for n in range(12):
        publish(
            library, f"Migration desk briefing {n + 1}", section="World", tags=["migration"],
            body="Figures from the ministry.", days_ago=10 + n,
        )  # fmt: skip
    return ids


class Statements:
    """Counts the statements a library's engine runs while it is listening."""

    def __init__(self, library: Library) -> None:
        self.engine = library.engine
        self.seen: list[str] = []

    def _count(self, conn, cursor, statement, *args) -> None:
        self.seen.append(statement)

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)


def test_a_suggestion_asks_the_library_two_questions_once_word_counts_are_known(library, ferries):
    first = suggest_related(library, ferries["A"], now=NOW)  # word counts are cached from here
    with Statements(library) as asked:
        again = suggest_related(library, ferries["A"], now=NOW)
    assert [s.article_id for s in again] == [s.article_id for s in first]
    # The article with its tags and picks; then every candidate, scored, with its card.
    assert len(asked.seen) <= 2, asked.seen


def test_the_pickers_suggestions_come_with_their_cards_in_the_same_two_questions(library, ferries):
    run_suggestions(
        library, ferries["A"], body=None, last_terms=None, include_unpublished=False, exclude=()
    )
    with Statements(library) as asked:
        terms, rows = run_suggestions(
            library, ferries["A"], body=None, last_terms=None, include_unpublished=False,
            exclude=(),
        )  # fmt: skip
    assert len(asked.seen) <= 2, asked.seen
    assert {r.article_id for r in rows[:2]} == {ferries["B"], ferries["C"]}
    assert all(r.reasons and r.card.slug for r in rows)
    # Unchanged terms: nothing more is asked than the article itself.
    with Statements(library) as asked:
        same_terms, unchanged = run_suggestions(
            library, ferries["A"], body=None, last_terms=terms, include_unpublished=False,
            exclude=(),
        )  # fmt: skip
    assert unchanged is None and same_terms == terms
    assert len(asked.seen) == 1, asked.seen


def test_a_story_in_the_trash_is_never_suggested(library, ferries):
    library.trash_article(ferries["C"])
    shown = [s.article_id for s in suggest_related(library, ferries["A"], now=NOW)]
    assert ferries["C"] not in shown
    assert ferries["B"] in shown


def _picture(library: Library, shade: int) -> int:
    data = io.BytesIO()
    PILImage.new("RGB", (40, 30), (shade, 90, 160)).save(data, "JPEG")
    sha = hashlib.sha256(data.getvalue()).hexdigest()
    library.media_dir.mkdir(parents=True, exist_ok=True)
    (library.media_dir / f"{sha}.jpg").write_bytes(data.getvalue())
    image = library.add_image(sha256=sha, ext=".jpg", width=40, height=30, alt_text="The image's")
    return image.id


def test_each_suggested_card_carries_that_storys_own_hero_and_alt_text(library, ferries):
    pic = _picture(library, 10)
    library.add_figure(ferries["B"], pic, role="hero", alt_text="Volunteers on the quay")
    library.add_figure(ferries["C"], pic, role="hero", alt_text="A coastguard cutter")
    _, rows = run_suggestions(
        library, ferries["A"], body=None, last_terms=None, include_unpublished=False, exclude=()
    )
    cards = {r.article_id: r.card for r in rows}
    assert cards[ferries["B"]].hero_alt == "Volunteers on the quay"
    assert cards[ferries["C"]].hero_alt == "A coastguard cutter"
    assert cards[ferries["B"]].hero_filename.endswith(".jpg")
    assert all(
        c.hero_sha256 == "" for i, c in cards.items() if i not in (ferries["B"], ferries["C"])
    )


def test_an_embargoed_or_draft_story_comes_only_when_unpublished_ones_are_asked_for(
    library, ferries
):
    from datetime import timedelta

    held = publish(
        library, "Embargoed: Albania ferry report", tags=["migration", "Albania"], body=FERRY_C,
        embargo_until=NOW + timedelta(hours=3),
    )  # fmt: skip
    draft = publish(
        library, "Draft: ferry families", status="draft", tags=["migration", "Albania"],
        body=FERRY_B,
    )  # fmt: skip
    public = [s.article_id for s in suggest_related(library, ferries["A"], now=NOW)]
    assert held not in public and draft not in public
    everything = [
        s.article_id
        for s in suggest_related(library, ferries["A"], include_unpublished=True, now=NOW)
    ]
    assert held in everything and draft in everything
    # The embargo is read against the time asked about, not the clock.
    later = [
        s.article_id for s in suggest_related(library, ferries["A"], now=NOW + timedelta(hours=4))
    ]
    assert held in later


def test_the_pickers_search_marks_the_word_being_typed_in_each_storys_snippet(library, ferries):
    from newsdesk.library.related.picker import SearchRequest, run_search

    rows = run_search(library, SearchRequest("harbo", "", "", None, None, ferries["A"]))
    assert {r.article_id for r in rows} == {ferries["B"], ferries["C"]}  # A is the open article
    for row in rows:
        assert "<mark>harbour</mark>" in row.snippet_html.lower()
        assert row.card.slug and row.card.headline


def test_a_lonely_story_still_gets_as_many_suggestions_as_asked_past_embargoes_and_trash(library):
    """Recent stories fill the list; one that may not be suggested never takes a place."""
    from datetime import timedelta

    lonely = publish(library, "Quiet evening", section="Local", body="Nothing happened.")
    older = [
        publish(library, f"Village fete {n}", section="Local", body="Cakes.", days_ago=30 + n)
        for n in range(3)
    ]
    # The newest stories of the section: one under embargo, one in the trash.
    held = publish(
        library, "Embargoed council result", section="Local", body="Votes.", days_ago=0.5,
        embargo_until=NOW + timedelta(days=1),
    )  # fmt: skip
    binned = publish(library, "Binned story", section="Local", body="Gone.", days_ago=0.2)
    library.trash_article(binned)

    shown = [s.article_id for s in suggest_related(library, lonely, limit=3, now=NOW)]
    assert shown and set(shown) <= set(older)
    assert len(shown) == 3
    assert held not in shown and binned not in shown


def test_a_story_from_centuries_ago_is_still_suggested_with_no_recency_to_add(library, ferries):
    """An archive story's age is hundreds of years of half-lives: nothing, not an error."""
    from datetime import UTC, datetime

    archive = publish(
        library, "Ferry disaster at Durrës harbour", section="World",
        tags=["migration", "Albania"], body=FERRY_C, published_at=datetime(1790, 3, 1, tzinfo=UTC),
    )  # fmt: skip
    found = {s.article_id: s for s in suggest_related(library, ferries["A"], limit=20, now=NOW)}
    assert archive in found
    assert "recent" not in found[archive].reasons
