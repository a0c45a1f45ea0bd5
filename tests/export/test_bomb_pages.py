"""Stories whose bodies are Markdown bombs export as valid pages, and preflight and export agree on them.

One published story per hostile shape (benchmarks/bombs.py), each followed by
an ordinary paragraph. A story whose body holds a block the limits refuse is
refused by the export, naming the block's line, exactly when preflight
refuses it; the rest are written. Every page (the written ones, and the
refused ones rendered as the preview shows them) keeps the closing paragraph
and passes the Nu HTML checker.
"""

from __future__ import annotations

import html5lib
import pytest

from benchmarks.bombs import SHAPES
from newsdesk.export import export_site
from newsdesk.library import Library
from newsdesk.preflight import body_problems
from newsdesk.render.markdown import split_blocks
from newsdesk.render.page import Assets, build_page, render_page
from newsdesk.text import slugify
from tests.checkers import format_vnu_errors, vnu_errors
from tests.export.sample import add_image, make_jpeg, published

MARKER = "Intact closing paragraph"
SIZE = 20_000  # past where every super-linear shape is refused, small enough for the checker


def _body(name: str) -> str:
    return f"{SHAPES[name](SIZE)}\n\n{MARKER}."


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    base = tmp_path_factory.mktemp("bombs")
    library = Library.open(base / "library")
    library.update_publication(name="The Bomb Gazette", base_url="https://bombs.example/")
    hero = add_image(
        library,
        make_jpeg(base / "hero.jpg", (1200, 800), (90, 40, 10)),
        alt_text="A quay",
        credit="Staff",
    )
    slugs = {}
    for i, name in enumerate(SHAPES):
        slug = f"{i:02d}-{slugify(name, fallback='bomb')}"  # "setext =" and "setext -" differ
        slugs[name] = slug
        published(
            library, hero=hero, slug=slug, headline=f"Story {name}", dek="A dek.", body=_body(name)
        )
    out = base / "site"
    report = export_site(library, out)
    yield library, out, report, base, slugs
    library.close()


def test_export_refuses_exactly_the_stories_preflight_refuses_naming_the_line(site):
    _library, _out, report, _base, slugs = site
    failed = {o.slug: o.reasons for o in report.failed}
    written = {o.slug for o in report.written}
    assert len(written) + len(failed) == len(SHAPES)
    for name, slug in slugs.items():
        problems = body_problems(_body(name))
        if problems:
            assert slug in failed, name
            assert any(
                r.startswith("Line ") and ("too large" in r or "too deeply" in r)
                for r in failed[slug]
            ), (name, failed[slug])
        else:
            assert slug in written, (name, failed.get(slug))
    # The shapes that grow faster than their size are refused at this size already.
    for name in ("setext =", "rules ***", "unclosed fences", "table: thousands of columns"):
        assert slugs[name] in failed, name


def test_every_page_keeps_its_closing_paragraph_and_passes_the_nu_checker(site):
    library, out, report, base, slugs = site
    pages = [out / o.path for o in report.written]
    folder = base / "refused"
    folder.mkdir(exist_ok=True)
    for outcome in report.failed:
        article = library.get_article(library.find_article(outcome.slug).id)
        html = render_page(build_page(article, library.publication(), Assets(library.root)))
        path = folder / f"{outcome.slug}.html"
        path.write_text(html, encoding="utf-8")
        pages.append(path)
    # A line opening a fence (even one Python-Markdown never closes, such as a run of
    # 20,000 backticks) holds the rest of the body in its block: those keep no marker.
    apart = {slugs[n] for n in SHAPES if split_blocks(_body(n))[-1].text == f"{MARKER}."}
    assert len(apart) > len(SHAPES) - 5
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    for page in pages:
        doc = html5lib.parse(page.read_bytes(), treebuilder="etree", namespaceHTMLElements=True)
        body = doc.find(".//h:div[@id='story-body']", ns)
        assert body is not None, page
        slug = page.parent.name if page.name == "index.html" else page.stem
        assert slug not in apart or MARKER in "".join(body.itertext()), page
    errors = vnu_errors(pages)
    assert errors == [], format_vnu_errors(errors)
