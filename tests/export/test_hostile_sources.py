"""Hostile article sources still export as valid, accessible pages, judged by html5lib, vnu and axe.

Each story hides a trap in its body or fields; the pages the exporter writes
(and the pages of stories preflight refuses, rendered anyway) must parse with
the body and footer intact, carry JSON-LD that parses, pass the Nu checker and
axe with zero errors, and never load anything from off the page.
"""

from __future__ import annotations

from pathlib import Path

import html5lib
import pytest

from newsdesk.export import export_site
from newsdesk.library import Library
from newsdesk.render.page import Assets, build_page, render_page
from tests.checkers import (
    axe_violations,
    external_requests,
    format_axe_violations,
    format_vnu_errors,
    vnu_errors,
)
from tests.export.ld import ld_of_type
from tests.export.sample import add_image, make_jpeg, published

COMMENT_SCRIPT = "<!--<script>"
MARKER = "Intact paragraph marker"  # every body ends with this paragraph

# (slug, fields, body): bodies that preflight lets through.
PUBLISHABLE = [
    (
        "script-tags",
        {},
        "<script>alert(1)</script>\n\nBefore <script>document.write('x')</script> after.",
    ),
    (
        "event-handlers",
        {},
        '<p onclick="steal()" onmouseover="x()">Hover</p>\n\n<a href="#" onfocus="x()">focus</a>',
    ),
    (
        "unsafe-links",
        {},
        "[js](javascript:alert(1)) and [data](data:text/html;base64,PHNjcmlwdD4=) and "
        '<a href="JaVaScRiPt:alert(1)">raw</a> and [vb](vbscript:x) and [pic](image:nope) and '
        "[space](<https://exa mple.org/a b>) and [bad host](http://[oops/) and [fine](https://example.org/a b).",
    ),
    (
        "raw-embeds",
        {},
        '<iframe src="https://evil.example/"></iframe>\n\n<svg onload="x()"><script>x()</script>'
        '<text>svg words</text></svg>\n\n<object data="https://evil.example/x.swf"></object>\n\n'
        "<style>body{display:none}</style>\n\n<math><mi>x</mi></math>",
    ),
    (
        "comment-script-everywhere",
        {
            "headline": f"Headline {COMMENT_SCRIPT} </script> & \u2028 more",
            "dek": f"Dek {COMMENT_SCRIPT} <b>bold</b> & done",
            "byline": f"By Ana {COMMENT_SCRIPT} Ruiz",
            "section": f"News {COMMENT_SCRIPT}",
            "seo_description": f"Description {COMMENT_SCRIPT}",
        },
        f"Body {COMMENT_SCRIPT} text and `{COMMENT_SCRIPT}` code.\n\n## Sub {COMMENT_SCRIPT}\n\n"
        f"```\n{COMMENT_SCRIPT}\n```",
    ),
    (
        "unbalanced-tags",
        {},
        "<div><p><b>open <i>never closed\n\n</div></div></span> <table><tr><td>cell\n\n"
        '<ol start="nine"><li>x</ol>\n\n<table><tr><td colspan="zero" rowspan="-2">c</td>'
        '<th scope="sideways">h</th></tr></table>\n\n<h2 id="main">Main</h2>\n\n<h2 id="a b">Spaced</h2>',
    ),
    (
        "rtl-overrides",
        {
            "headline": "Over\u202ende \u2066isolate\u2069 headline",
            "dek": "\u202bembedded\u202c dek",
        },
        "Text with \u202eoverride\u202c and \u200fmarks\u200e and עברית inline.",
    ),
    (
        "control-characters",
        {
            "headline": "Null\x00 and bell\x07 headline",
            "dek": "Escape\x1b dek\x7f",
            "byline": "By\x0b Ana",
        },
        "Para with NUL\x00, bell\x07, C1\x85 and noncharacter\ufffe.\n\n\x01\x02\x03 stash markers",
    ),
    ("huge-line", {}, "word " * 40_000),
    ("empty-looking", {}, "<p></p>\n\n&nbsp;\n\n<!-- a comment -->"),
]

# Bodies preflight must refuse (named by line), whose pages must still be valid.
REFUSED = [
    (
        "tracking-pixel-footnote",
        'Claim.[^1]\n\n[^1]: Source <img src="https://tracker.example/p.gif">',
    ),
    ("raw-image", 'Before\n\n<img src="https://tracker.example/a.gif" alt="pixel">\n\nafter'),
    (
        "table-image",
        "| a | b |\n|---|---|\n| ![chart](https://evil.example/c.png) | <img src=x.png> |",
    ),
    ("deep-list", "- " * 10_000 + "item"),
    ("deep-numbers", "1. " * 10_000),
    ("deep-quote", ">" * 10_000 + " q"),
    ("deep-indent", "\n".join("    " * i + "- level" for i in range(1000))),
    ("brackets", "[" * 20_000 + "]" * 20_000),
]


def _body(text: str) -> str:
    return f"{text}\n\n{MARKER}."


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    library = Library.open(base / "library")
    library.update_publication(name="The Hostile Gazette", base_url="https://hostile.example/")
    hero = add_image(
        library,
        make_jpeg(base / "hero.jpg", (1200, 800), (10, 80, 160)),
        caption=f"Caption {COMMENT_SCRIPT} </figcaption> & \x07 bell",
        alt_text=f"Alt {COMMENT_SCRIPT} text",
        credit=f"Credit {COMMENT_SCRIPT}",
    )
    for slug, fields, body in PUBLISHABLE:
        fields = {"headline": f"Story {slug}", "dek": "A dek.", **fields}
        published(library, hero=hero, slug=slug, body=_body(body), **fields)
    for slug, body in REFUSED:
        published(
            library, hero=hero, slug=slug, headline=f"Story {slug}", dek="A dek.", body=_body(body)
        )
    out = base / "site"
    report = export_site(library, out)
    yield library, out, report, base
    library.close()


def test_stories_with_hostile_markup_are_published_and_the_rest_refused_by_line(site):
    _library, _out, report, _base = site
    written = {o.slug for o in report.written}
    failed = {o.slug: o.reasons for o in report.failed}
    assert written == {slug for slug, _f, _b in PUBLISHABLE}, report.problem_lines()
    assert set(failed) == {slug for slug, _b in REFUSED}
    assert any(
        "tracker.example/p.gif in the footnotes" in r for r in failed["tracking-pixel-footnote"]
    )
    assert any("Line 3" in r and "tracker.example/a.gif" in r for r in failed["raw-image"])
    table = " ".join(failed["table-image"])
    assert "evil.example/c.png" in table and "x.png" in table
    for slug in ("deep-list", "deep-numbers", "deep-quote", "deep-indent"):
        assert any("Line 1" in r and "too deeply nested" in r for r in failed[slug]), failed[slug]
    assert any("too large to publish" in r for r in failed["brackets"])


def _pages(site) -> list[Path]:
    """Every exported article page, plus the refused stories' pages rendered as the preview would."""
    library, out, _report, base = site
    pages = sorted(out.glob("*/*/index.html"))
    folder = base / "refused"
    folder.mkdir(exist_ok=True)
    for slug, _body_text in REFUSED:
        article = library.get_article(library.find_article(slug).id)
        html = render_page(build_page(article, library.publication(), Assets(library.root)))
        path = folder / f"{slug}.html"
        path.write_text(html, encoding="utf-8")
        pages.append(path)
    return pages


def test_every_page_parses_whole_in_an_html5_parser(site):
    pages = _pages(site)
    assert len(pages) == len(PUBLISHABLE) + len(REFUSED)
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    for page in pages:
        doc = html5lib.parse(page.read_bytes(), treebuilder="etree", namespaceHTMLElements=True)
        body_text = "".join(doc.find(".//h:div[@id='story-body']", ns).itertext())
        assert MARKER in body_text, page
        assert doc.find(".//h:footer", ns) is not None, page
        assert doc.find(".//h:h1", ns) is not None, page
        scripts = [
            s for s in doc.iterfind(".//h:script", ns) if s.get("type") == "application/ld+json"
        ]
        assert len(scripts) == 1, page  # nothing else became a script
        ld = ld_of_type(scripts[0].text)
        assert ld["@type"] == "NewsArticle" and ld["headline"].startswith(
            ("Story", "Headline", "Over", "Null")
        )
        text = page.read_text(encoding="utf-8")
        for bad in (
            "alert(",
            "steal()",
            "tracker.example",
            "evil.example",
            "javascript:",
            "\x00",
            "\x07",
        ):
            assert bad.lower() not in text.lower(), (page, bad)
        assert "Image not in the library" not in text


def test_the_comment_script_headline_leaves_the_whole_page_intact(site):
    _library, out, _report, _base = site
    page = next(out.glob("*/comment-script-everywhere/index.html"))
    doc = html5lib.parse(page.read_bytes(), treebuilder="etree", namespaceHTMLElements=False)
    ld = ld_of_type(next(s for s in doc.iter("script")).text)
    # JSON-LD's headline has its whitespace collapsed (a line separator is whitespace).
    assert ld["headline"] == f"Headline {COMMENT_SCRIPT} </script> & more"
    assert doc.find(".//h1").text == f"Headline {COMMENT_SCRIPT} </script> & \u2028 more"
    assert COMMENT_SCRIPT in "".join(doc.find(".//figcaption").itertext())


def test_unsafe_links_keep_their_words_without_a_link(site):
    _library, out, _report, _base = site
    page = next(out.glob("*/unsafe-links/index.html"))
    doc = html5lib.parse(page.read_bytes(), treebuilder="etree", namespaceHTMLElements=False)
    body = doc.find(".//div[@id='story-body']")
    links = {a.text: a.get("href") for a in body.iter("a")}
    assert links == {"fine": "https://example.org/a%20b"}, links
    text = "".join(body.itertext())
    for words in ("js", "data", "raw", "vb", "pic", "bad host"):
        assert f"{words} and" in text or f"{words}." in text or f" {words} " in text, words


def test_every_page_passes_the_nu_checker(site):
    errors = vnu_errors(_pages(site))
    assert errors == [], format_vnu_errors(errors)


def test_every_page_passes_axe_and_loads_nothing_from_elsewhere(site, browser):
    for page in _pages(site):
        violations = axe_violations(page, browser=browser)
        assert violations == [], f"{page}\n{format_axe_violations(violations)}"
        assert external_requests(page, browser=browser) == [], page
