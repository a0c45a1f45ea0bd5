"""Updates and corrections, authors and bylines, revisions that restore the slug, publishing behind preflight."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from newsdesk.bylines import split_byline
from newsdesk.library import LibraryError, SlugTaken
from newsdesk.library.errors import PublishRefused
from newsdesk.preflight import publish_article
from newsdesk.render.page import Assets, build_page, render_page
from tests.conftest import library_argument

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _page(library, article_id):
    article = library.get_article(article_id)
    view = build_page(article, library.publication(), Assets(library.root))
    return view, render_page(view)


def _ld(html: str) -> dict:
    """The page's NewsArticle (its JSON-LD also carries the BreadcrumbList)."""
    m = re.search(r'<script type="application/ld\+json">\s*(.*?)\s*</script>', html, re.S)
    assert m
    (article,) = [o for o in json.loads(m.group(1)) if o.get("@type") == "NewsArticle"]
    return article


def test_a_typo_fixed_after_publication_does_not_make_the_page_say_updated(library):
    a = library.create_article(
        headline="Ferry", dek="d", byline="Ana", body="Txt.", status="published", published_at=T0
    )
    library.update_article(a.id, body="Text.")  # days later, a typo
    view, html = _page(library, a.id)
    assert not view.show_updated
    assert "Updated" not in html
    assert _ld(html)["dateModified"] == _ld(html)["datePublished"]


def test_an_update_note_makes_the_page_say_updated_at_its_time_and_moves_date_modified(library):
    a = library.create_article(headline="Ferry", body="Text.", status="published", published_at=T0)
    library.add_update(a.id, "The council has responded.", at=T0 + timedelta(days=1))
    library.add_update(a.id, "Two more ferries cancelled.", at=T0 + timedelta(days=2))
    view, html = _page(library, a.id)
    assert view.show_updated
    assert view.updated_iso.startswith("2026-03-03T09:00")
    assert _ld(html)["dateModified"].startswith("2026-03-03T09:00")
    assert "The council has responded." in html and "Two more ferries cancelled." in html
    assert 'id="story-corrections"' not in html


def test_a_correction_is_listed_at_the_end_of_the_article(library):
    a = library.create_article(
        headline="Ferry", body="First.\n\nLast paragraph.", status="published", published_at=T0
    )
    library.add_update(
        a.id, "An earlier version misspelt the mayor's name.", kind="correction", at=T0
    )
    _, html = _page(library, a.id)
    body_end = html.index("Last paragraph.")
    corrections = html.index('id="story-corrections"')
    assert corrections > body_end
    assert "misspelt the mayor" in html[corrections:]
    assert "Updated" in html


def test_an_empty_or_unknown_note_is_refused_in_one_sentence(library):
    a = library.create_article(headline="Ferry")
    with pytest.raises(LibraryError, match="empty"):
        library.add_update(a.id, "   ")
    with pytest.raises(LibraryError, match="update or correction"):
        library.add_update(a.id, "x", kind="retraction")
    assert library.updates(a.id) == []


def test_front_matter_updated_imports_as_an_update_note_once(library, tmp_path):
    md = tmp_path / "ferry.md"
    md.write_text(
        "---\nheadline: Ferry\npublished: 2026-03-01T09:00:00Z\n"
        "updated: 2026-03-02T10:30:00Z\n---\nText.\n",
        encoding="utf-8",
    )
    for _ in range(2):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "newsdesk",
                "--library",
                library_argument(library),
                "import",
                str(md),
            ],
            check=True,
            capture_output=True,
        )
    article = library.get_article("ferry")
    assert [(u.kind, u.at) for u in article.updates] == [
        ("update", datetime(2026, 3, 2, 10, 30, tzinfo=UTC))
    ]
    view, _ = _page(library, article.id)
    assert view.show_updated and view.updated_iso.startswith("2026-03-02T10:30")


def test_a_file_without_a_later_updated_time_imports_no_update_note(library, tmp_path):
    md = tmp_path / "quiet.md"
    md.write_text(
        "---\nheadline: Quiet\npublished: 2026-03-01T09:00:00Z\n"
        "updated: 2026-03-01T09:00:00Z\n---\nText.\n",
        encoding="utf-8",
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "newsdesk",
            "--library",
            library_argument(library),
            "import",
            str(md),
        ],
        check=True,
        capture_output=True,
    )
    assert library.get_article("quiet").updates == []


# ---- people -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("By Ana Ruiz and Tom Lee", ["Ana Ruiz", "Tom Lee"]),
        ("بقلم سارة خليل", ["سارة خليل"]),
        ("Par Jean Dupont et Marie Curie", ["Jean Dupont", "Marie Curie"]),
        ("Von Hans Meyer", ["Hans Meyer"]),
        ("Por Ana García", ["Ana García"]),
        ("Di Marco Rossi", ["Marco Rossi"]),
        ("מאת דנה לוי", ["דנה לוי"]),
        ("Byron Smith, Diana Ross", ["Byron Smith", "Diana Ross"]),
        ("By", ["By"]),
        ("", []),
    ],
)
def test_byline_prefixes_are_not_part_of_a_name(byline, names):
    assert split_byline(byline) == names


def test_json_ld_names_people_with_their_url_and_the_staff_as_an_organisation(library):
    ana = library.add_author("Ana Ruiz", url="https://ana.example/", bio="Covers the port.")
    a = library.create_article(headline="Ferry", byline="By Ana Ruiz, Staff Reporter")
    assert [x.id for x in a.authors] == [ana.id]
    authors = _ld(_page(library, a.id)[1])["author"]
    assert authors[0]["@type"] == "Person" and authors[0]["name"] == "Ana Ruiz"
    assert authors[0]["url"] == "https://ana.example/"  # no base URL yet: their own page
    assert authors[1] == {"@type": "Organization", "name": "Staff Reporter"}
    library.update_publication(base_url="https://news.example.org/")
    authors = _ld(_page(library, a.id)[1])["author"]
    assert authors[0]["url"] == "https://news.example.org/authors/ana-ruiz/"


def test_an_arabic_byline_prefix_is_not_in_the_json_ld_name(library):
    a = library.create_article(headline="Ferry", byline="بقلم سارة خليل")
    assert _ld(_page(library, a.id)[1])["author"] == [{"@type": "Person", "name": "سارة خليل"}]


def test_an_agency_author_record_is_an_organisation_and_free_text_stays_free(library):
    library.add_author("Wire Service", role="agency")
    a = library.create_article(headline="Ferry", byline="Wire Service and Jo Bloggs")
    authors = _ld(_page(library, a.id)[1])["author"]
    assert authors[0]["@type"] == "Organization"
    assert authors[1] == {"@type": "Person", "name": "Jo Bloggs"}
    again = library.update_article(a.id, byline="Jo Bloggs")
    assert again.authors == []


def test_two_authors_with_one_name_get_distinct_page_addresses(library):
    first = library.add_author("Ana Ruiz")
    second = library.add_author("Ana  Ruiz", url="https://b.example/")
    assert first.slug == "ana-ruiz" and second.slug == "ana-ruiz-2"
    with pytest.raises(LibraryError, match="no name"):
        library.add_author("   ")
    with pytest.raises(LibraryError, match="role"):
        library.add_author("X", role="robot")


# ---- history and publishing ------------------------------------------------


def test_restoring_a_revision_brings_back_its_headline_and_slug_together(library):
    a = library.create_article(headline="Ferry cancelled", body="Old.")
    rev = library.add_revision(a.id)
    library.update_article(a.id, headline="Ferries back", slug="ferries-back", body="New.")
    restored = library.restore_revision(rev.id)
    assert (restored.headline, restored.slug, restored.body) == (
        "Ferry cancelled",
        "ferry-cancelled",
        "Old.",
    )


def test_restoring_a_slug_another_story_took_asks_and_can_keep_the_current_one(library):
    a = library.create_article(headline="Ferry cancelled", body="Old.")
    rev = library.add_revision(a.id)
    library.update_article(a.id, headline="Ferries back", slug="ferries-back", body="New.")
    library.create_article(headline="Other", slug="ferry-cancelled")
    with pytest.raises(SlugTaken, match="ferry-cancelled"):
        library.restore_revision(rev.id)
    assert library.get_article(a.id).headline == "Ferries back"  # nothing changed
    kept = library.restore_revision(rev.id, keep_slug=True)
    assert (kept.headline, kept.slug) == ("Ferry cancelled", "ferries-back")


def test_publishing_a_story_that_fails_preflight_is_refused_with_the_reasons(library):
    a = library.create_article(headline="Ferry", body="Text.")
    with pytest.raises(PublishRefused) as refused:
        publish_article(library, a.id)
    assert "The byline is empty." in str(refused.value)
    assert library.get_article(a.id).status == "draft"


def test_publishing_over_preflight_keeps_the_reason_in_the_history(library):
    a = library.create_article(headline="Ferry", body="Text.")
    done = publish_article(library, a.id, override_reason="Breaking news; picture to follow")
    assert done.status == "published" and done.published_at is not None
    rev = library.revisions(a.id)[0]
    assert rev.reason == "published over preflight"
    assert "Breaking news" in rev.note and "no hero image" in rev.note


# ---- pictures in the body and notes on passages ---------------------------------


def test_a_readable_picture_reference_and_the_old_uuid_form_render_the_same_figure(
    library, tmp_path
):
    from newsdesk.images.library_import import import_image
    from newsdesk.paths import resource
    from newsdesk.picture_refs import readable_ref

    image = import_image(library, resource("sample", "harbour-dawn.jpg"))
    ref = readable_ref(image.uid, image.title, image.original_name)
    assert ref.startswith("harbour-dawn-") and ref.endswith(image.uid.replace("-", "")[:8])
    pages = []
    for target in (ref, image.uid):
        a = library.create_article(
            headline=f"Ferry {target}", body=f"Text.\n\n![](image:{target})\n"
        )
        library.add_figure(a.id, image.id, role="inline", alt_text="Boats at dawn")
        pages.append(_page(library, a.id)[0].body.blocks[1].html)
    assert pages[0] == pages[1] and 'alt="Boats at dawn"' in pages[0]
    assert library.find_image_by_ref(ref).id == image.id
    assert library.find_image_by_ref("harbour-dawn-00000000") is None


def test_a_note_finds_its_passage_after_edits_around_it_and_says_when_it_is_gone(library):
    body = "The mayor, Jon Smyth, said the vote was seven to two. Smyth left."
    a = library.create_article(headline="Vote", body=body)
    start = body.index("Smyth,")
    note = library.add_note(a.id, body, start, start + 5, "check spelling of name")
    edited = "UPDATE: more soon. " + body.replace("said", "told reporters")
    where = library.locate_note(note, edited)
    assert where is not None and edited[where[0] : where[1]] == "Smyth"
    assert edited[where[1] : where[1] + 1] == ","  # the first Smyth, not the second
    assert library.locate_note(note, body.replace("Smyth", "Smith")) is None
    with pytest.raises(LibraryError, match="Select"):
        library.add_note(a.id, body, 3, 3, "empty selection")


@pytest.fixture
def library(either_library):
    """Every test here runs on a laptop's library and on a shared one (PostgreSQL)."""
    return either_library
