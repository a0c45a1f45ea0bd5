"""Our own sitemap templates written without Jinja: the same bytes, whatever the addresses hold."""

from __future__ import annotations

import random
import shutil
import time

import pytest
from markupsafe import Markup

from newsdesk.export import export_site, sitemap_parts
from newsdesk.export.incremental import publish
from newsdesk.export.listing_feeds import SitemapUrl
from newsdesk.export.sitemap_xml import sitemapindex, urlset
from newsdesk.paths import resource
from newsdesk.render.page import environment
from tests.export.stories import files_of, newsroom

BASE = "https://gazette.example/news/"

HOSTILE = [
    "",
    "https://gazette.example/a?b=1&c=2",
    "<script>alert('x')</script>",
    "quote \" and apostrophe '",
    "tab\tline\nfeed\rreturn\x0cform",
    "controls \x00\x01\x08\x0b\x0e\x1f\x7f\x80\x9f gone",
    "non-characters \ufdd0\ufdef\ufffe\uffff\U0001fffe\U0010ffff gone",
    "caf\u00e9 \u6771\u4eac \u05e9\u05dc\u05d5\u05dd \U0001f600",
    "&amp; already escaped",
    "2026-11-30T04:00:00+00:00",
]


def test_the_written_sitemap_is_the_templates_text_for_hostile_values():
    env = environment(None, "en")
    rng = random.Random(17)
    alphabet = [chr(c) for c in range(0, 0x80)] + ["\u00e9", "\ufffe", "\U0010fffe", "\u2028"]
    values = HOSTILE + [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(400)
    ]
    entries = [SitemapUrl(loc, values[-1 - n]) for n, loc in enumerate(values)]
    entries.append(SitemapUrl(Markup("<b>kept</b>"), Markup("&lt;")))  # printed as it is
    for size in (0, 1, len(entries)):
        chunk = entries[:size]
        assert urlset(chunk) == env.get_template("sitemap.xml").render(urls=chunk)
        assert sitemapindex(chunk) == env.get_template("sitemap_index.xml").render(sitemaps=chunk)


@pytest.fixture
def archive(library, tmp_path, monkeypatch):
    """Stories over three months in a site whose sitemap comes in parts (the limit is lowered)."""
    monkeypatch.setattr(sitemap_parts, "SINGLE_SITEMAP_MAX", 4)
    library.update_publication(name="Harbour & Co's Gazette", base_url=BASE)
    stories = newsroom(library, tmp_path / "photos", 6)
    for n, story in enumerate(stories):
        library.update_article(
            story.id, published_at=story.published_at.replace(day=1) - n * 20 * DAY
        )
    return library, stories


DAY = __import__("datetime").timedelta(days=1)


def _sitemap_files(site) -> dict[str, bytes]:
    return {
        rel: data
        for rel, data in files_of(site).items()
        if rel.startswith(("sitemap", "news-sitemap")) or rel == "robots.txt"
    }


def test_a_whole_export_is_byte_identical_with_our_templates_made_by_jinja(archive, tmp_path):
    library, _stories = archive
    ours = tmp_path / "ours"
    export_site(library, ours)
    # The same templates as the library's own: every sitemap goes through Jinja.
    library.templates_dir.mkdir(parents=True, exist_ok=True)
    for name in ("sitemap.xml", "sitemap_index.xml"):
        shutil.copy(resource("templates", name), library.templates_dir / name)
    jinja = tmp_path / "jinja"
    export_site(library, jinja)

    made, expected = files_of(ours), files_of(jinja)
    assert sorted(made) == sorted(expected)
    assert any(rel.startswith("sitemap-") for rel in made)  # in parts: the index and each part
    assert _sitemap_files(ours) == _sitemap_files(jinja)
    for rel in made:
        if rel.endswith((".html", ".xml", ".txt")):
            assert made[rel] == expected[rel], rel


def test_a_librarys_own_sitemap_template_is_still_used(archive, tmp_path):
    library, stories = archive
    library.templates_dir.mkdir(parents=True, exist_ok=True)
    own = resource("templates", "sitemap.xml").read_text(encoding="utf-8")
    own = own.replace("<url>", "<url><!-- ours -->")
    (library.templates_dir / "sitemap.xml").write_text(own, encoding="utf-8")
    site = tmp_path / "site"
    publish(library, site)
    assert "<!-- ours -->" in (site / "sitemap-pages.xml").read_text(encoding="utf-8")
    assert "<!-- ours -->" not in (site / "sitemap.xml").read_text(encoding="utf-8")  # the index

    time.sleep(1.1)  # the sitemap gives times to the second
    library.update_article(stories[0].id, body="Corrected.\n\nSecond.")
    report = publish(library, site)
    assert report.mode == "incremental"
    assert "sitemap-pages.xml" in report.changed_files
    assert "<!-- ours -->" in (site / "sitemap-pages.xml").read_text(encoding="utf-8")
