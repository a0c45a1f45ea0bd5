"""Exported pages: author pages, bylines linked to them, corrections, and desk notes never published."""

from __future__ import annotations

import re
from datetime import timedelta

from newsdesk.export import export_site
from tests.export.ld import ld_of_type
from tests.export.sample import NOW, add_image, make_jpeg, published


def _story(library, tmp_path, **fields):
    photo = add_image(
        library,
        make_jpeg(tmp_path / f"{fields['slug']}.jpg", (640, 427), (len(fields["slug"]), 90, 20)),
        credit="Harbour Photo",
        alt_text="The harbour at dawn",
    )
    fields.setdefault("dek", "A short dek.")
    fields.setdefault("body", "The harbour wall held overnight, the council said.")
    return published(library, hero=photo, **fields)


def test_each_author_gets_a_page_listing_their_stories_and_bylines_link_to_it(library, tmp_path):
    library.update_publication(base_url="https://news.example/")
    ana = library.add_author("Ana Ruiz", bio="Ana covers the port.", url="https://ana.example/")
    one = _story(library, tmp_path, headline="Ferry back", slug="ferry-back", byline="By Ana Ruiz")
    two = _story(
        library,
        tmp_path,
        headline="Fish market floods",
        slug="fish-market",
        byline="Ana Ruiz and Tom Lee",
        published_at=NOW - timedelta(hours=1),
    )
    _story(library, tmp_path, headline="Other", slug="other", byline="Staff Reporter")
    out = tmp_path / "site"
    report = export_site(library, out, workers=1)
    assert report.ok, report.problem_lines()
    page = (out / "authors" / ana.slug / "index.html").read_text(encoding="utf-8")
    assert "Ana covers the port." in page and "https://ana.example/" in page
    assert one.headline in page and two.headline in page and "Other" not in page
    assert sorted(p.name for p in (out / "authors").iterdir()) == ["ana-ruiz"]
    story = (out / "news" / "fish-market" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../authors/ana-ruiz/index.html" rel="author">Ana Ruiz</a>' in story
    assert "Tom Lee" in story
    ld = ld_of_type(
        re.search(r'<script type="application/ld\+json">\s*(.*?)\s*</script>', story, re.S)[1]
    )
    assert ld["author"][0] == {
        "@type": "Person",
        "name": "Ana Ruiz",
        "url": "https://news.example/authors/ana-ruiz/",
    }


def test_a_correction_added_after_an_export_is_on_the_next_export(library, tmp_path):
    story = _story(library, tmp_path, headline="Ferry back", slug="ferry-back", byline="Ana")
    out = tmp_path / "site"
    assert export_site(library, out, workers=1).ok
    page = out / "news" / "ferry-back" / "index.html"
    assert "Corrections" not in page.read_text(encoding="utf-8")
    library.add_update(story.id, "The ferry leaves at 7, not 8.", kind="correction")
    assert export_site(library, out, workers=1).ok
    html = page.read_text(encoding="utf-8")
    assert "The ferry leaves at 7, not 8." in html and "Updated" in html
