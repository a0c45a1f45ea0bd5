"""Plain blocks converted together in one pass come out exactly as each block does alone."""

from __future__ import annotations

import random

import markdown
import nh3
import pytest

from newsdesk.render.blocks import split_blocks
from newsdesk.render.markdown import (
    _BATCH_MARK,
    _NEEDS_EXTENSIONS,
    EXTENSION_CONFIGS,
    BlockRenderer,
    batchable,
    convert_batch,
)
from newsdesk.render.safety import unwrap_dead_links
from newsdesk.render.sanitize import _options


def _reference(text: str) -> str:
    """What Python-Markdown (smarty only, as for plain text) and nh3 make of one block alone."""
    md = markdown.Markdown(
        extensions=["smarty"],
        extension_configs={"smarty": EXTENSION_CONFIGS["smarty"]},
        output_format="html",
    )
    return unwrap_dead_links(nh3.clean(md.convert(text), **_options()))


PROSE = [
    "The council met on Tuesday.", "It's the harbour's 'oldest' boat.", '"Quoted," she said.',
    "Dashes -- and --- more.", "Wait... what?", "*emphasis* and **strong** and _under_.",
    "a_b_c snake_case", "'90s music", "Rock 'n' roll", "l'été dernier", "ﬁne ligatures",
    "Ελληνικά και 日本語", "مرحبا بالعالم", "emoji 🎉 here", "x * y * z", "trailing  ",
    "two  \nlines", "___", "_ _ _", "***not*** a rule", "end.", "'", '"', "--", "...",
    "word,word", "1984", "(parenthesis)", "{braces}", "50% off!", "a@b.org", "http://x.org",
]  # fmt: skip
HOSTILE = [
    "<b>raw</b>", "<script>alert(1)</script>", "&amp; &#8212; &x", "[link](http://x.org)",
    "![pic](image:x-1)", "`code`", "\\*escaped\\*", "- item", "1. item", "> quote", "# heading",
    "line\n===", "    indented code", "\tTabbed", "| a | b |", "```", "~~~", "[^1]", "[^1]: note",
    "[r]: http://r.org", "\x00nul", "\x07bell", "a\rb", "a\x0cb", "\x02stx\x03", _BATCH_MARK,
    f"<p>{_BATCH_MARK}</p>", "\ufffe", "\U0001fffe",
]  # fmt: skip


def _body(rng: random.Random, hostile: bool) -> str:
    atoms = PROSE + (HOSTILE if hostile else [])
    blocks = []
    for _ in range(rng.randint(1, 12)):
        lines = [
            " ".join(rng.choice(atoms) for _ in range(rng.randint(1, 6)))
            for _ in range(rng.randint(1, 3))
        ]
        blocks.append("\n".join(lines))
    return rng.choice(["\n\n", "\n\n\n", "\n \n"]).join(blocks)


@pytest.mark.parametrize("hostile", [False, True], ids=["prose", "prose and hostile blocks"])
def test_a_body_renders_each_block_exactly_as_that_block_renders_alone(hostile):
    rng = random.Random(1729 + hostile)
    together = 0
    for _ in range(300):
        body = _body(rng, hostile)
        rendered = BlockRenderer().render(body)
        source = split_blocks(body)
        texts = [sb.text for sb in source]
        # A block that may use the body's link definitions renders with them: not alone.
        definitions = any(sb.is_definitions for sb in source)
        for text, block in zip(texts, rendered.blocks, strict=True):
            alone = BlockRenderer().render(text)
            if len(alone.blocks) == 1 and not (definitions and "[" in text):
                assert block.html == alone.blocks[0].html, text
        together += sum(batchable(t) for t in texts) >= 2
        # What may be converted together needs only the plain converter.
        assert not any(batchable(t) and _NEEDS_EXTENSIONS.search(t) for t in texts)
    # Bodies that had blocks converted together: most of the prose ones, some of the others.
    assert together > (10 if hostile else 200)


def test_plain_blocks_converted_together_are_what_markdown_and_nh3_make_of_each():
    rng = random.Random(7)
    for _ in range(200):
        texts = [
            t
            for t in (
                " ".join(rng.choice(PROSE) for _ in range(rng.randint(1, 8)))
                for _ in range(rng.randint(2, 10))
            )
            if batchable(t)
        ]
        if len(texts) < 2:
            continue
        assert convert_batch(texts) == [_reference(t) for t in texts], texts


def test_a_block_with_markup_or_the_marker_is_never_converted_with_others():
    for text in HOSTILE:
        if text not in ("\ufffe", "\U0001fffe"):  # removed before conversion, wherever they are
            assert not batchable(f"Some words\n{text}\nand more"), text
    # The marker itself, written in a body, is shown as written.
    body = f"One.\n\n{_BATCH_MARK}\n\nTwo."
    html = BlockRenderer().render(body).html
    assert html.count(_BATCH_MARK) == 1
    assert [b.html for b in BlockRenderer().render(body).blocks] == [
        "<p>One.</p>",
        f"<p>{_BATCH_MARK}</p>",
        "<p>Two.</p>",
    ]


# Lines plain prose may hold that the converter for prose batches must still read as the
# full converter does: rules, unicode spaces, breaks, blank-looking and marker-like lines.
PROSE_LINES = [
    "___", "_ _ _", "__ __ __", "_____ text", "\u00a0 1. not a list", "\u2003- not an item",
    "\u3000    not code", "trailing two  ", "a line", "‘curly’ “quotes”", "*a*", "**b**",
    "__c__", "x_y", "...", "-- dash", "'single'", '"double"', "it's", "Q&A".replace("&", "+"),
    "( ) { } ! ? % $ @ / ; :", "ends with a backslash-like slash /", "🎉", "نص عربي",
]  # fmt: skip


def test_plain_prose_batches_convert_exactly_as_with_every_block_processor():
    from newsdesk.render.markdown import _plain_md, _prose_md

    rng = random.Random(4207)
    converted = 0
    for _ in range(400):
        texts = [
            "\n".join(
                " ".join(rng.choice(PROSE_LINES + PROSE) for _ in range(rng.randint(1, 3)))
                for _ in range(rng.randint(1, 4))
            )
            for _ in range(rng.randint(1, 6))
        ]
        texts = [t for t in texts if batchable(t)]
        if not texts:
            continue
        source = f"\n\n{_BATCH_MARK}\n\n".join(texts)
        prose, plain = _prose_md(), _plain_md()
        prose.reset()
        plain.reset()
        assert prose.convert(source) == plain.convert(source), source
        converted += 1
    assert converted > 300


def test_a_noncharacter_before_a_list_marker_is_converted_as_the_list_it_leaves():
    # Removed before conversion, it leaves a line opening with "- ": no prose then.
    texts = ["Words first.", "\ufffe- an item\n\ufffe- another", "\uffff1. one"]
    assert all(batchable(t) for t in texts)
    parts = convert_batch(texts)
    assert parts == [_reference(t.replace("\ufffe", "").replace("\uffff", "")) for t in texts]
    assert parts[1].startswith("<ul>") and parts[2].startswith("<ol>")
