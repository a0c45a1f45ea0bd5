"""The article page wraps its body blocks exactly as the body template says, ours or a library's own."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from newsdesk.paths import resource
from newsdesk.render.markdown import Block, RenderedBody
from newsdesk.render.page import Assets, build_page, render_block, render_page
from newsdesk.render.page_input import ArticleInput, PublicationInput

BODY = (
    "A paragraph with 'quotes' -- and *emphasis*.\n\n## A heading\n\n- one\n- two\n\n"
    "A paragraph.\n\nA paragraph.\n\nNotes[^1] and <b>bold</b> & more.\n\n[^1]: The note."
)


def _view(tmp_path: Path, body: str, override: Path | None = None):
    article = ArticleInput(
        id=1, uid="s-1", slug="ferry", headline="Ferry back", dek="", byline="By Ana Ruiz",
        section="News", body=body, status="published",
        published_at=datetime(2026, 3, 1, tzinfo=UTC),
    )  # fmt: skip
    return build_page(
        article, PublicationInput("Harbour Gazette"), Assets(tmp_path), templates_override=override
    )


def _copy_of_our_body_template(tmp_path: Path) -> Path:
    # The same macro, read from a library's folder: the page then calls it block by block.
    folder = tmp_path / "templates"
    folder.mkdir()
    shutil.copy(resource("templates", "body.html"), folder / "body.html")
    return folder


def test_a_page_wraps_its_blocks_as_our_body_template_does_block_by_block(tmp_path):
    folder = _copy_of_our_body_template(tmp_path)
    for body in (BODY, "", "One line.", "\x07Bell\ufffe and NUL\x00 removed.\n\nTwo."):
        ours = render_page(_view(tmp_path, body))
        through_the_macro = render_page(_view(tmp_path, body, folder), templates_override=folder)
        assert ours == through_the_macro, body
        assert '<div class="blk" id="b' in ours or not body


def test_blocks_with_odd_ids_and_forbidden_characters_are_wrapped_as_the_macro_wraps_them(
    tmp_path,
):
    folder = _copy_of_our_body_template(tmp_path)
    view = _view(tmp_path, "Words.")
    view.body = RenderedBody(
        [
            Block('b"<&>', 0, 1, "<p>fine</p>"),
            Block("b\x01x", 1, 2, "<p>bell\x07 and \ufdd0 noncharacter</p>"),
            Block("b2", 2, 3, ""),
        ]
    )
    assert render_page(view) == render_page(view, templates_override=folder)
    for block in view.body.blocks:
        assert render_block(block) == render_block(block, templates_override=folder)
    assert 'id="b&#34;&lt;&amp;&gt;"' in render_page(view)


def test_a_librarys_own_body_template_wraps_the_blocks(tmp_path):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "body.html").write_text(
        '{% macro block(b) %}<section data-block="{{ b.id }}">{{ b.html|safe }}</section>'
        "{% endmacro %}"
    )
    view = _view(tmp_path, "One.\n\nTwo.", folder)
    html = render_page(view, templates_override=folder)
    assert html.count("<section data-block=") == 2 and 'class="blk"' not in html
    assert render_block(view.body.blocks[0], templates_override=folder).startswith("<section")
