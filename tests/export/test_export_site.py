"""Exporting a site: what is written, what is left out, and how the target folder is kept safe."""

from __future__ import annotations

import errno
import os
import re
import subprocess
import sys
import threading
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from newsdesk.export import (
    MANIFEST_NAME,
    ExportCancelled,
    ExportError,
    export_articles,
    export_site,
)
from newsdesk.render.page import Assets, build_page, render_page
from tests.export.ld import ld_of_type
from tests.export.sample import NOW, add_image, make_jpeg, published

REPO = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- helpers
class _Tags(HTMLParser):
    """Every start tag with its attributes, in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.script_text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.script_text.append(data)


def tags(path: Path) -> _Tags:
    parser = _Tags()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def local_targets(page: Path) -> list[str]:
    """Every relative URL a page loads or links to (href, src, srcset)."""
    out = []
    for _tag, attrs in tags(page).tags:
        values = [attrs.get("href", ""), attrs.get("src", "")]
        values += [c.strip().split(" ")[0] for c in attrs.get("srcset", "").split(",")]
        for v in values:
            if v and not urlparse(v).scheme and not v.startswith("#"):
                out.append(v)
    return out


def snapshot(site: Path) -> dict[str, tuple[int, int]]:
    """path -> (inode, mtime_ns) for every file of the site."""
    return {
        p.relative_to(site).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in site.rglob("*")
        if p.is_file()
    }


@pytest.fixture
def newsroom(library, tmp_path):
    """A small newsroom: three publishable stories with pictures, linked to each other."""
    library.update_publication(base_url="https://example.org/")
    src = tmp_path / "photos"
    desk = {"credit": "Ana Ruiz / Gazette", "caption": "On the quay."}
    pics = [
        add_image(
            library,
            make_jpeg(src / f"p{i}.jpg", (1100, 733), colour),
            alt_text=f"Picture {i} of the harbour",
            **desk,
        )
        for i, colour in enumerate([(40, 70, 120), (120, 60, 40), (60, 110, 60)])
    ]
    stories = {}
    for key, section, pic in (
        ("wall", "News", 0),
        ("vote", "Politics", 1),
        ("market", "Business", 2),
    ):
        stories[key] = published(
            library,
            hero=pics[pic],
            headline=f"The {key} story",
            dek=f"What happened with the {key}.",
            section=section,
            body=f"First paragraph about the {key}.\n\nSecond paragraph.",
        )
    library.set_related(stories["wall"].id, [stories["vote"].id, stories["market"].id])
    return stories


def page_of(site: Path, article) -> Path:
    from newsdesk.rules import section_segment

    return site / section_segment(article.section) / article.slug / "index.html"


# --------------------------------------------------------------------------- the site
def test_whole_site_has_pages_listings_feeds_and_only_working_relative_links(
    library, newsroom, tmp_path
):
    draft = library.create_article(headline="Unfinished notes", section="News", body="Notes.")
    embargoed = published(
        library,
        hero=newsroom["wall"].hero.image,
        headline="Report under embargo",
        dek="Not yet.",
        section="News",
        body="Later.",
        embargo_until=NOW + timedelta(days=1),
    )
    site = tmp_path / "site"

    report = export_site(library, site)

    assert report.ok, report.problem_lines()
    assert sorted(w.slug for w in report.written) == sorted(a.slug for a in newsroom.values())
    skipped = {s.slug: s.reasons for s in report.skipped}
    assert "draft" in skipped[draft.slug][0]
    assert "embargo" in skipped[embargoed.slug][0]
    assert not page_of(site, draft).exists()
    assert not page_of(site, embargoed).exists()
    for name in ("index.html", "feed.xml", "sitemap.xml", "news-sitemap.xml", MANIFEST_NAME):
        assert (site / name).is_file(), name
    assert (site / "assets" / "site.css").is_file()
    assert (site / "assets" / "favicon.svg").is_file()
    for section in ("news", "politics", "business"):
        assert (site / section / "index.html").is_file()

    pages = sorted(site.rglob("*.html"))
    months = list(site.glob("archive/*/*/index.html"))
    tags = list(site.glob("tag/*/index.html"))
    # 3 articles, 3 sections, the front page, the archive and its months, tags, 404.html
    assert months and len(pages) == 3 + 3 + 1 + 1 + len(months) + len(tags) + 1
    for page in pages:
        for target in local_targets(page):
            # 404.html is shown at any depth, so its links start at the server's root.
            folder = site if target.startswith("/") else page.parent
            resolved = (folder / unquote(target).lstrip("/")).resolve()
            assert resolved.is_file(), f"{page.relative_to(site)} links to missing {target}"
            assert resolved.is_relative_to(site.resolve())
    assert not list(tmp_path.glob("site.tmp-*")), "the temporary folder was left behind"


def test_article_page_uses_renditions_and_links_its_related_stories(library, newsroom, tmp_path):
    site = tmp_path / "site"
    export_site(library, site)
    page = page_of(site, newsroom["wall"])
    parsed = tags(page)

    hero_img = next(a for t, a in parsed.tags if t == "img")
    assert hero_img["src"].startswith("../../assets/img/") and hero_img["src"].endswith(".jpg")
    assert "loading" not in hero_img, "the hero must not be lazy-loaded"
    assert {"srcset", "sizes", "width", "height", "alt"} <= hero_img.keys()
    assert [c.split()[1] for c in hero_img["srcset"].split(", ")] == ["480w", "960w", "1100w"]
    webp = next(a for t, a in parsed.tags if t == "source")
    assert webp["type"] == "image/webp" and ".webp 480w" in webp["srcset"]

    links = [
        a["href"] for t, a in parsed.tags if t == "a" and a.get("href", "").endswith("/index.html")
    ]
    assert "../../politics/the-vote-story/index.html" in links
    assert "../../business/the-market-story/index.html" in links
    html = page.read_text(encoding="utf-8")
    assert 'rel="canonical" href="https://example.org/news/the-wall-story/"' in html
    assert "https://example.org/assets/img/" in html  # og:image is absolute
    assert str(library.root) not in html, "no path of the library may leak into a page"


def test_preview_and_exported_page_share_the_article_markup(library, newsroom, tmp_path):
    site = tmp_path / "site"
    export_site(library, site)
    article = library.get_article(newsroom["wall"].id)
    preview = render_page(build_page(article, library.publication(), Assets(library.root)))
    exported = page_of(site, article).read_text(encoding="utf-8")

    def article_markup(html: str) -> str:
        body = html[html.index('<article class="story">') : html.index("</article>")]
        body = re.sub(r"</?picture>|<source [^>]*>", "", body)  # the site offers WebP too
        return re.sub(r' (src|srcset|sizes|href|width|height)="[^"]*"', "", body)

    assert article_markup(preview) == article_markup(exported)
    assert '<div class="blk" id="b' in exported  # the preview patches these wrappers


# --------------------------------------------------------------------------- what is not written
def test_published_article_failing_preflight_is_listed_with_every_reason(
    library, newsroom, tmp_path
):
    broken = published(
        library, headline="No picture, no byline", section="News", byline="", body="Text."
    )
    library.set_related(newsroom["vote"].id, [broken.id])
    site = tmp_path / "site"

    report = export_site(library, site)

    assert not report.ok
    failure = next(f for f in report.failed if f.slug == broken.slug)
    reasons = " ".join(failure.reasons)
    assert "hero image" in reasons and "byline" in reasons and "dek" in reasons
    assert len(failure.reasons) >= 3
    assert any(broken.slug in line for line in report.problem_lines())
    assert not page_of(site, broken).exists()
    # The rest is written, and nothing links to the story that was left out.
    assert page_of(site, newsroom["vote"]).is_file()
    for page in site.rglob("*.html"):
        assert broken.slug not in page.read_text(encoding="utf-8"), page


@pytest.mark.parametrize(
    ("markdown", "forbidden"),
    [
        ("Before <script>alert('x')</script> after", "<script>alert"),
        # (A raw <img> fails preflight as a picture not in the library: see test_hostile_sources.)
        ('<a href="#" onclick="steal()">click</a> and <b onmouseover="steal()">b</b>', "steal()"),
        ("[a trap](javascript:alert(1)) and <a href='JaVaScRiPt:alert(2)'>two</a>", "avascript:"),
        ('<iframe src="https://evil.example/"></iframe> framed', "<iframe"),
    ],
    ids=["script", "event-handler", "javascript-link", "iframe"],
)
def test_hostile_markdown_comes_out_harmless(library, newsroom, tmp_path, markdown, forbidden):
    library.update_article(newsroom["market"].id, body=f"Opening line.\n\n{markdown}\n\nLast line.")
    site = tmp_path / "site"

    export_site(library, site)

    page = page_of(site, newsroom["market"])
    html = page.read_text(encoding="utf-8")
    assert forbidden.lower() not in html.lower()
    parsed = tags(page)
    assert [a.get("type") for t, a in parsed.tags if t == "script"] == ["application/ld+json"]
    assert not [t for t, _ in parsed.tags if t in ("iframe", "object", "embed")]
    for _tag, attrs in parsed.tags:
        assert not [k for k in attrs if k.startswith("on")], attrs
        for key in ("href", "src"):
            assert not attrs.get(key, "").strip().lower().startswith("javascript:")
    assert "Last line." in html


def test_headline_cannot_break_out_of_the_json_ld(library, newsroom, tmp_path):
    library.update_article(
        newsroom["vote"].id, headline='Vote </script><script>alert(1)</script> "today"'
    )
    site = tmp_path / "site"
    export_site(library, site)
    page = page_of(site, library.get_article(newsroom["vote"].id))
    parsed = tags(page)
    assert [a.get("type") for t, a in parsed.tags if t == "script"] == ["application/ld+json"]

    ld = ld_of_type("".join(parsed.script_text))
    assert ld["headline"].startswith("Vote </script>")


def test_a_slug_cannot_write_outside_the_site(library, newsroom, tmp_path):
    from sqlalchemy import text

    with library.engine.begin() as conn:  # as if the database had been edited by hand
        conn.execute(
            text("UPDATE articles SET slug = :s WHERE id = :i"),
            {"s": "../../../escaped", "i": newsroom["market"].id},
        )
    site = tmp_path / "out" / "site"

    report = export_site(library, site)

    assert [f.slug for f in report.failed] == ["../../../escaped"]
    assert "folder name" in report.failed[0].reasons[0]
    assert not list(tmp_path.rglob("escaped"))
    assert page_of(site, newsroom["wall"]).is_file()


# --------------------------------------------------------------------------- safe and atomic
def test_full_disk_leaves_the_previous_site_intact(library, newsroom, tmp_path, monkeypatch):
    site = tmp_path / "site"
    export_site(library, site)
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    library.update_article(newsroom["wall"].id, body="A new body that must be written.")
    real_write = os.write

    def full_disk(fd, data):
        if ".tmp-" in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full_disk)
    with pytest.raises(ExportError, match="full"):
        export_site(library, site)
    monkeypatch.undo()

    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["library", "photos", "site"]


def test_target_that_cannot_be_written_gets_a_clear_error(library, newsroom, tmp_path, monkeypatch):
    parent = tmp_path / "readonly"
    parent.mkdir()
    if os.geteuid() != 0:
        parent.chmod(0o555)
    else:  # root ignores permissions: make the folder behave as on a read-only disk
        real_mkdir = os.mkdir

        def read_only(path, *args, **kwargs):
            if str(path).startswith(str(parent)):
                raise OSError(errno.EROFS, "Read-only file system", str(path))
            return real_mkdir(path, *args, **kwargs)

        monkeypatch.setattr(os, "mkdir", read_only)
    try:
        with pytest.raises(ExportError) as caught:
            export_site(library, parent / "site")
    finally:
        parent.chmod(0o755)
    message = str(caught.value)
    assert "read-only" in message or "not allowed" in message
    assert str(parent) in message


def test_a_folder_that_is_not_an_export_is_never_replaced(library, newsroom, tmp_path):
    home = tmp_path / "documents"
    home.mkdir()
    (home / "thesis.txt").write_text("years of work")
    with pytest.raises(ExportError, match="not a newsdesk export"):
        export_site(library, home)
    assert (home / "thesis.txt").read_text() == "years of work"


def test_cancel_leaves_the_previous_site_as_it_was(library, newsroom, tmp_path):
    site = tmp_path / "site"
    export_site(library, site)
    before = snapshot(site)
    library.update_article(newsroom["vote"].id, headline="A new headline")
    cancel = threading.Event()

    with pytest.raises(ExportCancelled):
        export_site(library, site, progress=lambda done, total: cancel.set(), cancel=cancel)

    assert snapshot(site) == before
    assert not list(tmp_path.glob("site.tmp-*"))


def test_reexport_after_one_edit_rewrites_only_what_changed(library, newsroom, tmp_path):
    site = tmp_path / "site"
    export_site(library, site)
    before = snapshot(site)
    edited = newsroom["vote"]

    library.update_article(edited.id, body="A corrected first paragraph.\n\nSecond paragraph.")
    report = export_site(library, site)

    after = snapshot(site)
    assert after.keys() == before.keys()
    changed = {rel for rel in after if after[rel] != before[rel]}
    edited_page = f"politics/{edited.slug}/index.html"
    assert edited_page in changed
    assert changed <= {
        edited_page,
        "index.html",
        "politics/index.html",
        "feed.xml",
        "feeds/politics.xml",
        "sitemap.xml",
        "news-sitemap.xml",
        MANIFEST_NAME,
    } | {r for r in after if r.startswith(("tag/", "archive/"))}
    assert set(report.changed_files) == changed - {MANIFEST_NAME}
    # The other stories' pages and every rendition are the very same files (hard-linked).
    assert (
        before[f"news/{newsroom['wall'].slug}/index.html"]
        == after[f"news/{newsroom['wall'].slug}/index.html"]
    )
    assert all(before[r] == after[r] for r in after if r.startswith("assets/"))

    nothing = export_site(library, site)
    assert nothing.changed_files == []


def test_exporting_one_article_adds_it_to_the_existing_site(library, newsroom, tmp_path):
    site = tmp_path / "site"
    first = export_articles(library, [newsroom["vote"].slug], site)
    assert first.ok and [w.slug for w in first.written] == [newsroom["vote"].slug]
    assert not page_of(site, newsroom["wall"]).exists()

    second = export_articles(library, [newsroom["wall"].slug, "no-such-story"], site)

    assert sorted(w.slug for w in second.written) == sorted(
        [newsroom["vote"].slug, newsroom["wall"].slug]
    )
    assert not second.ok
    assert "no-such-story" in second.failed[0].reasons[0]
    index = (site / "index.html").read_text(encoding="utf-8")
    assert newsroom["vote"].headline in index and newsroom["wall"].headline in index
    # The market story is not in this site, so the wall story has no card for it.
    assert newsroom["market"].slug not in page_of(site, newsroom["wall"]).read_text(
        encoding="utf-8"
    )


# --------------------------------------------------------------------------- from a shell
def newsdesk(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "newsdesk", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def test_export_from_the_command_line(library, newsroom, tmp_path):
    broken = published(library, headline="Missing its picture", section="News", body="Text.")
    root = str(library.root)
    library.close()

    one = newsdesk("--library", root, "export", newsroom["wall"].slug, "--out", "one", cwd=tmp_path)
    assert one.returncode == 0, one.stderr
    assert (tmp_path / "one" / "news" / newsroom["wall"].slug / "index.html").is_file()

    everything = newsdesk("--library", root, "export", "--all", "--out", "site", cwd=tmp_path)
    assert everything.returncode == 1, everything.stderr
    assert broken.slug in everything.stderr and "hero image" in everything.stderr
    assert (tmp_path / "site" / "business" / newsroom["market"].slug / "index.html").is_file()


def test_a_new_headline_reaches_every_page_that_shows_it(library, newsroom, tmp_path):
    site = tmp_path / "site"
    export_site(library, site)
    library.update_article(newsroom["vote"].id, headline="Council approves the repairs")

    report = export_site(library, site)

    for rel in (
        "index.html",
        "politics/index.html",
        "feed.xml",
        f"news/{newsroom['wall'].slug}/index.html",
    ):
        assert rel in report.changed_files
        assert "Council approves the repairs" in (site / rel).read_text(encoding="utf-8"), rel
    assert f"business/{newsroom['market'].slug}/index.html" not in report.changed_files


def test_a_publication_overrides_a_template_from_its_library_folder(library, newsroom, tmp_path):
    site = tmp_path / "site"
    export_site(library, site)
    library.templates_dir.mkdir()
    own = (REPO / "resources" / "templates" / "listing_item.html").read_text(encoding="utf-8")
    (library.templates_dir / "listing_item.html").write_text(
        own.replace('<li class="listing-item">', '<li class="listing-item house-style">'),
        encoding="utf-8",
    )

    report = export_site(library, site)

    assert 'class="listing-item house-style"' in (site / "index.html").read_text(encoding="utf-8")
    assert "index.html" in report.changed_files
