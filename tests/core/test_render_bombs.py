"""Markdown bombs (benchmarks/bombs.py) are refused before Python-Markdown sees them, or render in a moment.

Every hostile shape is made at the largest size one block may be. A shape
the limits refuse must never reach Python-Markdown (its converter is counted,
not timed); a shape they let through must be one whose work grows with its
size only, so it renders within a processor-time bound. Either way the rest
of the page renders, preflight names the refused block by line, and news
copy of the largest ordinary sizes is never refused.
"""

from __future__ import annotations

import time

import markdown
import pytest

from benchmarks.bombs import MANY_BLOCKS, SHAPES, ordinary_bodies
from newsdesk.preflight import body_problems
from newsdesk.render import limits
from newsdesk.render.markdown import BlockRenderer, convert_unbounded, render_blocks, split_blocks

AFTER = "The paragraph after the block."
# Processor seconds a block the limits let through may take, at the largest size, on a
# busy two-core machine (the limits aim at well under a second; most take a tenth).
CPU_BOUND = 1.5


@pytest.fixture
def conversions(monkeypatch):
    """How many texts Python-Markdown converts (its own method, counted in place)."""
    seen: list[str] = []
    original = markdown.Markdown.convert

    def counted(self, source):
        seen.append(source)
        return original(self, source)

    monkeypatch.setattr(markdown.Markdown, "convert", counted)
    return seen


def _largest(name: str) -> str:
    """The shape at the largest size one block may be (many-block shapes: 30 KB of blocks)."""
    return SHAPES[name](30_000 if name in MANY_BLOCKS else limits.MAX_BLOCK_CHARS - 10)


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_every_markdown_bomb_is_refused_unread_or_renders_within_a_bound(name, conversions):
    body = _largest(name)
    blocks = split_blocks(body)
    refused = [b for b in blocks if limits.check_block(b.text) is not None]
    if refused:
        source = f"{body}\n\n{AFTER}"
        html = render_blocks(source).html
        assert "to publish." in html
        if split_blocks(source)[-1].text == AFTER:  # not held in an opened fence's block
            assert f"<p>{AFTER}</p>" in html
        # Python-Markdown never saw a refused block: only the blocks let through reached it.
        assert not any(b.text in text for b in refused for text in conversions)
        problems = body_problems(source)
        assert problems and all(p.code == "body-block-unpublishable" for p in problems)
        assert problems[0].message.startswith(f"Line {refused[0].start + 1} of the body")
    allowed = [b.text for b in blocks if limits.check_block(b.text) is None]
    if allowed:
        started = time.process_time()
        for text in allowed:
            convert_unbounded(text)
        used = time.process_time() - started
        if name in MANY_BLOCKS:  # work per block, the same at any length of body
            assert used / len(allowed) < 0.002, f"{name}: {used:.2f} s for {len(allowed)}"
        else:
            assert used < CPU_BOUND, f"{name}: {used:.2f} s of processor time"


def test_the_superlinear_shapes_are_refused_at_the_largest_size():
    # Each took from 8 s to minutes before the limits measured it (benchmarks/bench_bombs.py).
    for name in [
        "setext =",
        "setext -",
        "hash headings",
        "rules ***",
        "rules - - -",
        "unclosed fences",
        "closed fences",
        "table: thousands of columns",
        "table: header, no rows, pipes",
        "list items",
        "single quotes",
        "double quotes",
        "backslash run",
        "hard breaks",
        "brackets",
        "<a run",
        "emphasis: *a* dense",
    ]:
        body = _largest(name)
        assert any(limits.check_block(b.text) for b in split_blocks(body)), name


@pytest.mark.parametrize("name", sorted(ordinary_bodies()))
def test_large_news_copy_is_never_refused(name):
    body = ordinary_bodies()[name]
    assert body_problems(body) == []
    for block in split_blocks(body):
        assert limits.check_block(block.text) is None, block.text[:80]


def test_a_fence_that_is_not_closed_does_not_hide_what_follows():
    # Python-Markdown closes a fence only with the very same fence: ```` is not closed
    # by ```, so the lines between are Markdown, and are measured as such.
    hidden = "````\n" + "- " * 10_000 + "item\n```"
    assert limits.nesting_depth(hidden) > limits.MAX_DEPTH
    assert not limits.is_code_block(hidden)
    closed = "````\n" + "- " * 10_000 + "item\n````"
    assert limits.is_code_block(closed) and limits.check_block(closed) is None


def test_an_indented_block_is_code_only_while_every_line_is_indented():
    # A line that is not indented ends the code; Python-Markdown reads it and the rest
    # as Markdown, so it is measured like any other block.
    assert limits.is_code_block("    a = 1\n\n    b = 2")
    bomb = "    code\n" + "'" * 60_000
    assert not limits.is_code_block(bomb)
    assert limits.check_block(bomb) == limits.Refusal(limits.TOO_LARGE)


def test_two_fenced_blocks_in_a_row_are_measured_not_taken_for_one():
    two = "```\na\n```\ntext\n```\nb\n```"
    assert not limits.is_code_block(two)
    assert limits.fenced_ranges(two.split("\n")) == [(0, 2), (4, 6)]


def test_a_flood_of_unclosed_fences_is_measured_in_linear_time():
    lines = ["```a"] * 100_000
    started = time.process_time()
    assert limits.fenced_ranges(lines) == []
    assert time.process_time() - started < 0.5


def test_a_thousand_headings_named_alike_get_numbered_ids_in_a_moment():
    # Each repeated id looked for a free number from 1 upwards: 6,000 headings "a"
    # took 7 s; now each takes the next number.
    body = "# a\n\n" * 6000 + AFTER
    started = time.process_time()
    html = render_blocks(body).html
    assert time.process_time() - started < 4.0
    assert 'id="a"' in html and 'id="a_5999"' in html and 'id="a_6000"' not in html


def test_a_long_run_of_spaces_in_a_code_block_renders_in_a_moment():
    # The footnote section was cut off with a pattern that tried every start in a run of
    # whitespace: 5,000 tabs (20,000 spaces of code) took two seconds, 30,000 over thirty.
    started = time.process_time()
    html = render_blocks("\t" * 30_000 + "a\n\n" + AFTER).html
    assert time.process_time() - started < 1.0
    assert "<pre><code>" in html and f"<p>{AFTER}</p>" in html


def test_footnotes_still_follow_the_body_once():
    html = render_blocks("Claim.[^1]\n\n    code\n\n[^1]: The source.").html
    assert html.count('class="footnote"') == 1
    assert html.index("The source.") > html.index("code")


def test_preflight_of_a_flood_of_picture_openers_answers_in_a_moment():
    # "<![CDATA[" holds "![": looking for a library picture's "](image:" read to the end
    # of the body from each one, 40 s of preflight for 300 KB.
    body = SHAPES["HTML: CDATA openers"](limits.MAX_BLOCK_CHARS - 10) + f"\n\n{AFTER}"
    started = time.process_time()
    problems = body_problems(body)
    assert time.process_time() - started < 1.0
    assert [p.code for p in problems] == ["body-block-unpublishable"]


def _cited(paragraphs: int, footnotes: int = 30) -> str:
    defs = "\n".join(f"[^{i}]: Source {i}." for i in range(footnotes))
    uses = "\n\n".join(f"Paragraph {i} cites.[^{i % footnotes}]" for i in range(paragraphs))
    return f"{defs}\n\n{uses}"


def test_footnotes_cited_by_every_paragraph_are_refused_past_their_budget_and_named_by_line():
    # Each paragraph citing a footnote was converted with all of them: 278 footnotes cited
    # by 357 paragraphs took 23 s. Past the budget the definitions are refused instead.
    body = _cited(400, footnotes=300)
    started = time.process_time()
    html = render_blocks(body).html
    assert time.process_time() - started < 2.0
    assert "This block is too large to publish" in html and "Paragraph 399 cites." in html
    assert [p.message[:24] for p in body_problems(body)] == ["Line 1 of the body: this"]


def test_a_keystroke_that_cites_the_footnotes_once_too_often_renders_as_a_fresh_render_does():
    units = limits.definition_units([_cited(0)])
    within = limits.MAX_DEFINITION_USES // units
    body = _cited(within)
    renderer = BlockRenderer()
    assert "to publish" not in renderer.render(body).html
    edited = body + "\n\nOne more.[^1]"
    assert "too large to publish" in renderer.render(edited).html
    assert renderer.render(edited).html == render_blocks(edited).html
    assert body_problems(edited) and not body_problems(body)


@pytest.mark.parametrize("tags", ["<div>\n" * 3000, "<b>" * 3000, "<table><tr><td>" * 600])
def test_raw_html_left_open_thousands_deep_is_refused_as_too_deeply_nested(tags):
    # Browsers flatten a page past 513 elements deep, and the HTML checker rejects it.
    source = f"Before.\n\n{tags}\n\n{AFTER}"
    html = render_blocks(source).html
    assert "This block is too deeply nested to publish" in html and f"<p>{AFTER}</p>" in html
    assert [p.code for p in body_problems(source)] == ["body-block-unpublishable"]


def test_pasted_html_of_ordinary_depth_is_let_through():
    pasted = "<div><table><tr><td><p>A <b><i>cell</i></b><br>line</td></tr></table></div>\n" * 200
    assert limits.html_depth(pasted) <= 6
    assert limits.check_block(pasted) is None


def test_a_block_too_short_to_pass_the_inline_cost_limit_could_not_pass_it_with_any_marks():
    # check_block does not measure the inline cost of a block this short: no run of marks
    # that long reaches the limit (the densest and heaviest of them, at the length).
    import random

    n = limits.INLINE_COST_FREE_CHARS
    marks = ["'", '"', "*", "_", "`", "\\", "[", "<", "&", "--", "...", "  \n", "](", "*_"]
    rng = random.Random(68)
    texts = [(m * n)[:n] for m in marks] + [
        "".join(rng.choice(marks) for _ in range(n))[:n] for _ in range(20)
    ]
    for text in texts:
        assert limits.inline_cost(text) <= limits.MAX_INLINE_COST, text[:20]
    # A longer block is measured: the densest of them is refused for its inline cost alone.
    assert limits.check_block("'" * 20 * n) == limits.Refusal(limits.TOO_LARGE)
