"""A block converted without the extensions it does not use comes out exactly as with all of them."""

from __future__ import annotations

import random

import markdown
import pytest

from newsdesk.render.markdown import EXTENSION_CONFIGS, EXTENSIONS, convert_unbounded


def _reference(text: str) -> str:
    md = markdown.Markdown(
        extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html"
    )
    html = md.convert(text)
    return html.replace("<h1", "<h2").replace("</h1>", "</h2>")


TEXTS = [
    "Plain words, 'quoted' and \"double\" -- dashes... and <<angles>>.",
    "A [link](https://example.org/a?b=1&c=2) and ![a picture](image:harbour-3f2a9c1e).",
    "Reference [link][r] here.\n\n[r]: https://example.org/r",
    "> A quote\n> on two lines",
    "> # A heading in a quote",
    "> 1. one\n> * two",
    "Line\n===",
    "Line\n---",
    "## Heading\n\ntext",
    "Text[^1]\n\n[^1]: The note.",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "```\ncode\n```",
    "~~~\ncode\n~~~",
    "- a\n- b",
    "3. three\n4. four",
    "2026 was a year.",
    "[TOC]",
    "A qq3936677670287331zz and zz1337820767766393qq placeholder.",
    "<div>raw <b>html</b></div>",
    "&copy; &amp; & < > \\* \\_",
    "    indented code",
    "Trailing spaces  \nmake a break",
    "Ünïcode — ‘quotes’ 東京",
]


@pytest.mark.parametrize("text", TEXTS)
def test_a_block_converts_as_it_would_with_every_extension(text):
    assert convert_unbounded(text) == _reference(text)


def test_random_blocks_convert_as_they_would_with_every_extension():
    atoms = [
        "word", "'q'", '"dq"', "--", "...", "*em*", "**b**", "_u_", "[l](http://x.org)",
        "[r]", "![a](image:x-1)", "<b>x</b>", "&amp;", "\\*", "\n", "> ", "1. ", "- ",
        "#", "|", "`", "=", "[^1]", "<https://a.org>", "'90s", "  \n", "\t", ":", "(", ")",
    ]  # fmt: skip
    rng = random.Random(17)
    for _ in range(600):
        text = " ".join(rng.choice(atoms) for _ in range(rng.randint(1, 12))).strip()
        assert convert_unbounded(text) == _reference(text), text
