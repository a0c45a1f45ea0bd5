"""Re-splitting a body after each edit finds exactly the blocks a fresh split finds, reusing the rest."""

from __future__ import annotations

import random

import pytest

from newsdesk.render.blocks import BlockSplitter, split_blocks
from newsdesk.render.markdown import BlockRenderer, render_blocks
from newsdesk.text import WordTally, word_count

PIECES = [
    "A paragraph of news copy that says what happened.",
    "- first item\n- second item",
    "1. one\n2. two",
    "> a quote\n> that goes on",
    "```\ncode\n\nstill code\n```",
    "    indented code\n\n    more of it",
    "## A subhead",
    "[^1]: A footnote definition.",
    "[ref]: https://example.org/ref",
    "Text with a footnote.[^1] and a [ref] link.",
    "- item\n\n    continued in the item",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "",
    "~~~\nfenced\n~~~",
]
EDITS = ["x", "\n", "\n\n", "- ", "> ", "```", "    ", "#", "[^1]", "~~~\n", "1. ", "](", "!["]


def random_body(rng: random.Random) -> str:
    return "\n\n".join(rng.choice(PIECES) for _ in range(rng.randint(0, 25)))


def edited(rng: random.Random, text: str) -> str:
    at = rng.randint(0, len(text))
    roll = rng.random()
    if roll < 0.6:
        return text[:at] + rng.choice(EDITS) + text[at:]
    end = min(len(text), at + rng.randint(1, 12))
    return text[:at] + text[end:]


@pytest.mark.parametrize("seed", range(40))
def test_typing_anywhere_splits_like_a_fresh_split(seed):
    rng = random.Random(seed)
    text = random_body(rng)
    splitter = BlockSplitter()
    for _ in range(60):
        assert splitter.split(text) == split_blocks(text), repr(text)
        text = edited(rng, text)


def test_a_keystroke_in_a_long_body_reuses_every_other_block():
    body = "\n\n".join(f"Paragraph {i} of a long story, with words." for i in range(2000))
    splitter = BlockSplitter()
    splitter.split(body)
    at = body.index("Paragraph 1000 ") + len("Paragraph 1000")
    typed = body[:at] + " more" + body[at:]
    assert splitter.split(typed) == split_blocks(typed)
    assert splitter.reused_last >= 1998


@pytest.mark.parametrize("seed", range(10))
def test_the_block_renderer_renders_edits_like_a_fresh_render(seed):
    rng = random.Random(100 + seed)
    text = random_body(rng)
    renderer = BlockRenderer()
    for _ in range(25):
        kept = renderer.render(text)
        fresh = render_blocks(text)
        assert kept.blocks == fresh.blocks and kept.footnotes_html == fresh.footnotes_html
        text = edited(rng, text)


@pytest.mark.parametrize("seed", range(10))
def test_the_word_tally_counts_edits_like_word_count(seed):
    rng = random.Random(200 + seed)
    text = random_body(rng)
    tally = WordTally()
    for _ in range(60):
        assert tally.count(text) == word_count(text), repr(text)
        text = edited(rng, text)


def long_body(rng: random.Random, blocks: int = 60) -> str:
    """Mostly distinct paragraphs (the renderer's quick path), with every other kind of block."""
    parts = []
    for i in range(blocks):
        if rng.random() < 0.3:
            parts.append(rng.choice(PIECES))
        else:
            parts.append(
                f"Paragraph {i} says *what* happened, [with a link](https://example.org/{i})."
            )
    return ("\n\n" + "\n" * rng.randint(0, 1)).join(parts)


def test_several_edits_between_renders_render_like_a_fresh_render():
    # The preview renders only the newest text, so one render may follow several edits
    # in different places (blank lines added in two gaps, a block typed in and another cut).
    quick = 0
    for seed in range(6):
        rng = random.Random(300 + seed)
        text = long_body(rng, 40)
        renderer = BlockRenderer()
        for _ in range(15):
            kept = renderer.render(text)
            fresh = render_blocks(text)
            assert kept.blocks == fresh.blocks, (seed, text)
            assert kept.footnotes_html == fresh.footnotes_html
            quick += renderer.walked_last < len(kept.blocks)
            for _ in range(rng.randint(1, 3)):
                text = edited(rng, text)
    assert quick > 15, "few renders took the quick path: the test proves little about it"


def test_a_keystroke_in_a_long_body_looks_only_at_the_block_typed_in():
    body = "\n\n".join(f"Paragraph {i} of a long story, with *words*." for i in range(400))
    renderer = BlockRenderer()
    renderer.render(body)
    at = body.index("Paragraph 200 ") + len("Paragraph 200")
    for typed in (" m", " mo", " mor"):
        text = body[:at] + typed + body[at:]
        rendered = renderer.render(text)
        assert renderer.walked_last == 2 and renderer.rendered_last == 1
        assert rendered.blocks == render_blocks(text).blocks
    # A new paragraph moves every block after it down two lines, and is still one block's work.
    text = body[:at] + "\n\nA new paragraph." + body[at:]
    rendered = renderer.render(text)
    assert renderer.walked_last <= 3 and rendered.blocks == render_blocks(text).blocks


def test_blank_lines_added_in_two_places_at_once_move_each_later_block_by_its_own_lines():
    paragraphs = [f"Paragraph {i} of the story." for i in range(10)]
    renderer = BlockRenderer()
    renderer.render("\n\n".join(paragraphs))
    text = (
        "\n\n".join(paragraphs[:3])
        + "\n\n\n"
        + "\n\n".join(paragraphs[3:6])
        + "\n\n\n\n"
        + "\n\n".join(paragraphs[6:])
    )
    assert renderer.render(text).blocks == render_blocks(text).blocks


@pytest.mark.parametrize("seed", range(6))
def test_typing_anywhere_in_a_long_body_splits_like_a_fresh_split(seed):
    # Long enough that the splitter reads only a window of lines after each edit.
    rng = random.Random(500 + seed)
    text = "\n\n".join(rng.choice(PIECES) for _ in range(400))
    splitter = BlockSplitter()
    for _ in range(40):
        assert splitter.split(text) == split_blocks(text)
        text = edited(rng, text)


def test_a_fence_opened_early_in_a_long_body_is_text_until_it_is_closed():
    body = "\n\n".join(f"Paragraph {i} of a long story." for i in range(2000))
    splitter = BlockSplitter()
    splitter.split(body)
    at = body.index("Paragraph 10 ")
    fenced = body[:at] + "```\n" + body[at:]
    assert splitter.split(fenced) == split_blocks(fenced)
    # Python-Markdown leaves an opener that is never closed as text: the blocks stay as they
    # were (the fence joins its paragraph), and a keystroke still re-renders one paragraph.
    assert len(splitter.blocks) == 2000
    assert splitter.blocks[10].text.startswith("```\nParagraph 10 ")
    closed = fenced + "\n```\n\nAfter the code."
    assert splitter.split(closed) == split_blocks(closed)
    assert len(splitter.blocks) == 12  # ten paragraphs, the code to the closer, the last one
    assert splitter.split(body) == split_blocks(body)


def test_a_fence_opened_far_before_its_closer_is_paired_like_a_fresh_split():
    # The closer lies well past the lines a keystroke's re-split reads.
    body = "\n\n".join(f"Paragraph {i} of a long story." for i in range(2000))
    body = body.replace("Paragraph 1500 ", "```\n\nParagraph 1500 ")
    splitter = BlockSplitter()
    assert splitter.split(body) == split_blocks(body)
    assert len(splitter.blocks) == 2001  # the fence before 1500 is never closed: text
    at = body.index("Paragraph 10 ")
    opened = body[:at] + "```\n" + body[at:]  # now the fence before 1500 closes it
    assert splitter.split(opened) == split_blocks(opened)
    assert len(splitter.blocks) == 10 + 1 + 500  # the code runs from 10 to the closer
    assert splitter.split(body) == split_blocks(body)


FENCED_PIECES = [
    "A paragraph of news copy.",
    "```",
    "````",
    "~~~",
    "```python",
    "  ```",
    "``` not an opener ```",
    "code line",
    "- a list item",
    "",
]


@pytest.mark.parametrize("seed", range(60))
def test_bodies_full_of_fences_render_in_blocks_as_python_markdown_renders_them_whole(seed):
    from newsdesk.render.markdown import render_markdown

    rng = random.Random(seed)
    body = "\n".join(rng.choice(FENCED_PIECES) for _ in range(rng.randint(1, 40)))
    assert render_blocks(body).html == render_markdown(body), repr(body)
    splitter = BlockSplitter()
    for _ in range(30):
        assert splitter.split(body) == split_blocks(body), repr(body)
        at = rng.randint(0, len(body))
        body = body[:at] + rng.choice(["```\n", "\n\n", "~~~", "````\n", "x"]) + body[at:]
