"""render takes plain data: a page is built from page inputs alone, and the library's records become them exactly."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap
from datetime import UTC, datetime

import pytest

from newsdesk.export.page_input import article_input, publication_input
from newsdesk.library import FigureSpec, Library
from newsdesk.render.page import Assets, build_page, render_page
from newsdesk.render.page_input import ArticleInput, FigureInput


def test_a_page_is_rendered_from_plain_data_without_loading_the_library(tmp_path):
    code = textwrap.dedent(
        f"""
        import sys
        from datetime import datetime, UTC
        from pathlib import Path
        from newsdesk.render.page import Assets, build_page, render_page
        from newsdesk.render.page_input import ArticleInput, FigureInput, Picture, PublicationInput
        pic = Picture(1, "u-1", "a" * 64, "{"a" * 64}.jpg", 800, 600, credit="Ana Ruiz / Courier")
        article = ArticleInput(
            id=1, uid="s-1", slug="ferry", headline="Ferry back", dek="", byline="By Ana Ruiz",
            section="News", body="The ferry runs again.", status="published",
            published_at=datetime(2026, 3, 1, tzinfo=UTC),
            figures=(FigureInput(pic, "hero", "The ferry at dawn", "A ferry at the quay"),),
        )
        view = build_page(article, PublicationInput("Harbour Gazette"), Assets(Path({str(tmp_path)!r})))
        html = render_page(view)
        assert "Ferry back" in html and "Ana Ruiz / Courier" in html and "The ferry at dawn" in html
        print(sorted(m for m in sys.modules if m.startswith(("newsdesk.library", "sqlalchemy"))))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"  # neither the library nor SQLAlchemy was loaded


@pytest.fixture
def story(library: Library):
    other = library.create_article(headline="Harbour budget passes", status="published")
    image = library.add_images(
        [{"sha256": "b" * 64, "ext": ".jpg", "credit": "Port Authority", "caption": "Default"}]
    )[0]
    article = library.create_article(
        headline="Ferry back", dek="From Monday", byline="By Ana Ruiz", section="News",
        tags=["ferry", "island"], body="The ferry runs again.",
    )  # fmt: skip
    library.set_figures(article.id, [FigureSpec(image.id, "hero", "At dawn", "A ferry")])
    library.set_related(article.id, [other.id])
    library.add_update(article.id, "Times corrected.", kind="correction")
    return library.get_article(article.id)


def test_the_records_become_page_inputs_field_for_field(story):
    page = article_input(story)
    assert isinstance(page, ArticleInput)
    assert (page.id, page.uid, page.slug, page.headline, page.dek, page.byline) == (
        story.id, story.uid, story.slug, story.headline, story.dek, story.byline,
    )  # fmt: skip
    assert page.tags == tuple(story.tags)
    [hero] = page.figures
    assert page.hero == hero == FigureInput(hero.image, "hero", "At dawn", "A ferry")
    assert (hero.image.credit, hero.image.caption) == ("Port Authority", "Default")
    [link] = page.related
    assert link.target is not None and link.target.headline == "Harbour budget passes"
    assert [(u.kind, u.text) for u in page.updates] == [("correction", "Times corrected.")]
    with pytest.raises(dataclasses.FrozenInstanceError):
        page.headline = "changed"  # type: ignore[misc]


def test_the_editors_unsaved_fields_lie_over_the_library_copy_and_leave_it_alone(story, library):
    saved = article_input(story)
    edited = article_input(saved, headline="Ferry back on Monday", tags=["ferry"], slug_typo=1)
    assert (edited.headline, edited.tags, edited.dek) == (
        "Ferry back on Monday",
        ("ferry",),
        "From Monday",
    )
    assert saved.headline == "Ferry back"  # the library's copy is untouched
    view = build_page(edited, publication_input(library.publication()), Assets(library.root))
    html = render_page(view)
    assert "Ferry back on Monday" in html and "Port Authority" in html


def test_a_page_from_the_record_and_from_its_page_input_are_the_same(story, library):
    pub = publication_input(library.publication())
    frozen = datetime(2026, 3, 1, tzinfo=UTC)
    record = dataclasses.replace(article_input(story), published_at=frozen, updated_at=frozen)
    again = article_input(record)
    assert again is record
    one = render_page(build_page(record, pub, Assets(library.root)))
    two = render_page(build_page(again, pub, Assets(library.root)))
    assert one == two
