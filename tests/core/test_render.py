"""The one renderer: safe HTML from Markdown, block by block equal to the whole, and text measures."""

from __future__ import annotations

import pytest

from newsdesk.render.markdown import BlockRenderer, render_blocks, render_markdown, split_blocks
from newsdesk.render.text import reading_time, slugify, word_count

RICH = """# Harbour report

Para one with a [link](https://example.org/a?b=1&c=2) and *emph* and "quotes" and a note[^n].

Second paragraph
continues on a second line.

- item one
- item two

- item three, loose

1. first
2. second

> A quote
>
> that goes on.

| Crossing | Time |
|:--|--:|
| First | 06:10 |

```
code block

with a blank line
```

    indented code

## Harbour report

Setext heading
--------------

A [reference link][ref] here.

* * *

[ref]: https://example.org/ref "Ref"
[^n]: The note text.
"""


def test_block_by_block_equals_the_whole_document():
    whole = render_markdown(RICH)
    blocks = render_blocks(RICH)
    assert blocks.html.split() == whole.split()
    assert len(blocks.blocks) > 10


def test_blocks_carry_their_source_lines():
    blocks = render_blocks(RICH).blocks
    lines = RICH.split("\n")
    table = next(b for b in blocks if "<table>" in b.html)
    assert lines[table.start].startswith("| Crossing")
    assert table.end - table.start == 3
    fence = next(b for b in blocks if "with a blank line" in b.html)
    assert lines[fence.start] == "```" and lines[fence.end - 1] == "```"


def test_block_ids_are_stable_when_other_blocks_change():
    before = {b.html: b.id for b in render_blocks("One.\n\nTwo.\n\nThree.").blocks}
    after = {b.html: b.id for b in render_blocks("One.\n\nTwo, edited.\n\nThree.").blocks}
    assert before["<p>One.</p>"] == after["<p>One.</p>"]
    assert before["<p>Three.</p>"] == after["<p>Three.</p>"]


def test_repeated_blocks_get_distinct_ids():
    ids = [b.id for b in render_blocks("Same.\n\nSame.\n\nSame.").blocks]
    assert len(set(ids)) == 3


def test_only_changed_blocks_are_rendered_again():
    r = BlockRenderer()
    text = "\n\n".join(f"Paragraph {i} of the story." for i in range(200))
    r.render(text)
    assert r.rendered_last == 200
    r.render(text.replace("Paragraph 50 of", "Paragraph fifty of"))
    assert r.rendered_last == 1


def test_repeated_headings_get_unique_ids_like_the_whole_document():
    html = render_blocks("## Intro\n\nx\n\n## Intro").html
    assert 'id="intro"' in html and 'id="intro_1"' in html


def test_body_headings_start_below_the_headline():
    assert render_markdown("# Sub").startswith("<h2")


@pytest.mark.parametrize(
    "source, forbidden",
    [
        ("<script>alert(1)</script>", ["<script", "alert(1)"]),
        ('<img src="x" onerror="alert(1)">', ["onerror", "alert"]),
        ('<a href="#" onclick="steal()">x</a>', ["onclick", "steal"]),
        ("[click](javascript:alert(1))", ["javascript:"]),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', ["avascript", "alert"]),
        ('<iframe src="https://evil.example/"></iframe>', ["<iframe", "evil.example"]),
        ("<style>body{display:none}</style>", ["<style", "display:none"]),
        ('<form action="https://evil.example/"><input name=q></form>', ["<form", "<input"]),
        ('<p style="position:fixed">x</p>', ["position"]),
        ("![pixel](https://tracker.example/p.gif)", ["tracker.example"]),
    ],
)
def test_dangerous_markup_comes_out_harmless(source, forbidden):
    for html in (render_markdown(source), render_blocks(source).html):
        for bad in forbidden:
            assert bad.lower() not in html.lower(), html


def test_links_get_rel_noopener():
    assert 'rel="noopener"' in render_markdown("[a](https://example.org)")


def test_library_images_become_figures_through_the_resolver():
    def resolve(uid, alt, standalone):
        return (
            f'<figure data-uid="{uid}"><img alt="{alt}" src="x.jpg"></figure>'
            if uid == "u1"
            else None
        )

    html = render_markdown("![A boat](image:u1)\n\n![Gone](image:u2)", resolve_image=resolve)
    assert '<figure data-uid="u1">' in html
    assert "<p><figure" not in html
    assert "Image not in the library: Gone" in html


def test_split_keeps_a_loose_list_and_a_fenced_block_whole():
    blocks = split_blocks("- a\n\n- b\n\n```\nx\n\ny\n```\n\n    code\n\n    more\n\nafter")
    assert [b.text for b in blocks] == [
        "- a\n\n- b",
        "```\nx\n\ny\n```",
        "    code\n\n    more",
        "after",
    ]


def test_word_count_ignores_markup_and_link_targets():
    assert (
        word_count("# Title here\n\nA [link](https://example.org/long/path) and ![alt](image:x).")
        == 5
    )


def test_reading_time_is_never_zero_minutes():
    assert reading_time(0) == "1 min read"
    assert reading_time(230) == "1 min read"
    assert reading_time(231) == "2 min read"


@pytest.mark.parametrize(
    "headline, slug",
    [
        ("Zürich council votes 7–2 on “bridge” plan", "zurich-council-votes-7-2-on-bridge-plan"),
        ("Москва: новости дня", "москва-новости-дня"),
        ("🚀🔥 launch", "launch"),
        ("🚀🔥", "article"),
        ("?!…—", "article"),
        ("CON", "con-article"),
        ("../../etc/passwd", "etc-passwd"),
        ("  Hello,   World!  ", "hello-world"),
    ],
)
def test_slugs_are_safe_folder_names(headline, slug):
    assert slugify(headline) == slug


def test_long_headlines_make_short_slugs_cut_at_a_word():
    slug = slugify("word " * 100)
    assert len(slug) <= 80 and not slug.endswith("-") and slug.endswith("word")
    assert len(slugify("x" * 500)) == 80


def test_slugs_never_hold_path_separators_or_dots():
    for text in ["a/b\\c", ".hidden", "a..b", "C:\\x", "name\x00null"]:
        s = slugify(text)
        assert (
            "/" not in s
            and "\\" not in s
            and not s.startswith(".")
            and "\x00" not in s
            and ":" not in s
        )
