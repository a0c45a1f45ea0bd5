"""A keystroke's patch, worked out from the blocks the edit changed, turns the page into the new body."""

from __future__ import annotations

import json
import random

from newsdesk.render.blocks import BlockSplitter, split_blocks
from newsdesk.render.markdown import BlockRenderer, render_blocks
from newsdesk.ui.preview import jobs

PIECES = [
    "A paragraph of news copy that says what happened.",
    "- first item\n- second item",
    "> a quote\n> that goes on",
    "```\ncode\n\nstill code\n```",
    "## A subhead",
    "[^1]: A footnote definition.",
    "Text with a footnote.[^1] and a [ref] link.",
    "[ref]: https://example.org/ref",
    "| a | b |\n|---|---|\n| 1 | 2 |",
]
TYPED = ["x", " word", "\n", "\n\n", "- ", "> ", "#", "[^1]", "```"]


def story(rng: random.Random, paragraphs: int) -> str:
    parts = []
    for i in range(paragraphs):
        if rng.random() < 0.25:
            parts.append(rng.choice(PIECES))
        else:
            parts.append(f"Paragraph {i} says *what* happened, [here](https://example.org/{i}).")
    return "\n\n".join(parts)


def edit(rng: random.Random, text: str) -> str:
    """A reporter's edit: mostly typing, sometimes a cut or a pasted paragraph."""
    at = rng.randint(0, len(text))
    roll = rng.random()
    if roll < 0.7:
        return text[:at] + rng.choice(TYPED) + text[at:]
    if roll < 0.85:
        return text[:at] + text[min(len(text), at + rng.randint(1, 60)) :]
    return text[:at] + "\n\nA pasted paragraph.\n\nAnd another one.\n\n" + text[at:]


def apply_patch(page: list[tuple[str, str]], script: str, new: dict[str, str]) -> list:
    """What bridge.js's newsdesk.patch does to the body's blocks, step by step, on (id, html) pairs.

    New markup is the block wrapped by the template; the pair takes the block's own
    html from `new` (the state the patch was made for) so pages compare as pairs.
    """
    assert script.startswith("newsdesk.patch(") and script.endswith(")")
    patch = json.loads(script[len("newsdesk.patch(") : -1])
    ids = [bid for bid, _ in page]
    blocks = dict(page)
    for bid in patch["remove"]:
        if bid in ids:
            ids.remove(bid)
    cursor = patch["after"] if patch["after"] in ids else None
    for bid, markup in patch["put"]:
        if markup is not None:
            assert f'id="{bid}"' in markup, "new markup is the block that was asked for"
            blocks[bid] = new[bid]
        wanted = ids.index(cursor) + 1 if cursor is not None else 0
        if bid not in ids:
            ids.insert(wanted, bid)
        elif ids.index(bid) != wanted:  # out of place: moved after the cursor
            ids.remove(bid)
            ids.insert(ids.index(cursor) + 1 if cursor is not None else 0, bid)
        cursor = bid
    return [(bid, blocks[bid]) for bid in ids]


def test_every_keystrokes_patch_leaves_the_page_as_a_fresh_render_of_the_body():
    taken_from_the_edit = 0
    for seed in range(5):
        rng = random.Random(seed)
        text = story(rng, 30)
        renderer, measure = BlockRenderer(), jobs.BodyMeasure()
        state = jobs.render_body(
            0, text, renderer, measure, jobs.PageState(), templates_dir=None
        ).state
        page = list(state.blocks)
        for version in range(30):
            text = edit(rng, text)
            before = state
            result = jobs.render_body(
                0, text, renderer, measure, before, templates_dir=None, version=version
            )
            state = result.state
            fresh = [(b.id, b.html) for b in render_blocks(text).blocks]
            assert list(state.blocks) == fresh, (seed, version)
            page = apply_patch(page, result.script, dict(state.blocks))
            assert page == fresh, (seed, version, text)
            kept = [p for p in state.blocks if any(p is q for q in before.blocks)]
            taken_from_the_edit += len(kept) > len(state.blocks) // 2
    assert taken_from_the_edit > 80, "few keystrokes took the edit's quick path: this proves little"


def test_a_keystroke_in_a_long_story_keeps_the_pages_other_blocks_as_they_were():
    body = "\n\n".join(f"Paragraph {i} of a long story, with *words*." for i in range(1200))
    renderer, measure = BlockRenderer(), jobs.BodyMeasure()
    base = jobs.render_body(0, body, renderer, measure, jobs.PageState(), templates_dir=None).state
    at = body.index("Paragraph 600 ") + len("Paragraph 600")
    text = body[:at] + " more" + body[at:]
    result = jobs.render_body(0, text, renderer, measure, base, templates_dir=None, version=1)
    # The state is the page's old pairs with the one typed-in block swapped, not a new list
    # of 1,200; and the patch names that block alone.
    changed = [
        n
        for n, (new, old) in enumerate(zip(result.state.blocks, base.blocks, strict=True))
        if new is not old
    ]
    assert changed == [600]
    patch = json.loads(result.script[len("newsdesk.patch(") : -1])
    assert [bid for bid, _markup in patch["put"]] == [result.body.blocks[600].id]
    assert patch["after"] == base.blocks[599][0]
    assert patch["remove"] == [base.blocks[600][0]]


def test_a_state_from_another_render_is_never_taken_for_the_page():
    # The page's state came from a different renderer (another story opened meanwhile):
    # the patch is worked out from the whole body, and still turns that page into this one.
    first, second = "One.\n\nTwo.\n\nThree.", "One.\n\nTwo!\n\nThree."
    other = jobs.render_body(
        0,
        "Something else.\n\nTwo.",
        BlockRenderer(),
        jobs.BodyMeasure(),
        jobs.PageState(),
        templates_dir=None,
    ).state
    renderer, measure = BlockRenderer(), jobs.BodyMeasure()
    jobs.render_body(0, first, renderer, measure, jobs.PageState(), templates_dir=None)
    result = jobs.render_body(0, second, renderer, measure, other, templates_dir=None, version=1)
    page = apply_patch(list(other.blocks), result.script, dict(result.state.blocks))
    assert page == [(b.id, b.html) for b in render_blocks(second).blocks]


def test_the_splitter_says_which_blocks_it_kept_at_each_end():
    body = "\n\n".join(f"Paragraph {i}." for i in range(100))
    splitter = BlockSplitter()
    first = splitter.split(body)
    at = body.index("Paragraph 50.") + len("Paragraph 50")
    typed = body[:at] + "\n\nA new line" + body[at:]
    blocks = splitter.split(typed)
    assert blocks == split_blocks(typed)
    assert all(blocks[i] is first[i] for i in range(splitter.same_head))
    assert 45 <= splitter.same_head <= 50 and 45 <= splitter.moved_tail <= 49
    for n in range(1, splitter.moved_tail + 1):
        assert blocks[-n].text == first[-n].text and blocks[-n].start == first[-n].start + 2
