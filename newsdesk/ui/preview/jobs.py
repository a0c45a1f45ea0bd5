"""The preview's off-GUI-thread work: build the page, re-render the body, diff it into one DOM patch.

Nothing here imports Qt: these functions run on the preview's worker thread
and hand back plain results that the GUI thread applies.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsdesk.export.page_input import article_input
from newsdesk.render import i18n
from newsdesk.render.markdown import (
    Block,
    BlockRenderer,
    RenderedBody,
    SourceBlock,
    split_blocks,
)
from newsdesk.render.page import Assets, PageView, build_page, render_block, render_page
from newsdesk.render.page_input import ArticleInput, PublicationInput
from newsdesk.text import may_span_paragraphs, word_count

BRIDGE_JS = (Path(__file__).with_name("bridge.js")).read_text(encoding="utf-8")
# The only thing the preview adds to the published page: its own script, in the head.
EXTRA_HEAD = f"<script>\n{BRIDGE_JS}</script>"

FOOTNOTES_ID = "story-footnotes"  # the wrapper article.html gives the footnotes
# The fields the page shows in its header and head; others (slug, status...) change nothing visible.
PAGE_FIELDS = frozenset(
    {"headline", "dek", "byline", "section", "tags", "seo_title", "seo_description", "language"}
)
_HEADER_OPEN = '<header class="story-head">'
_HERO_OPEN = '<figure class="figure figure-hero"'
_LD_OPEN = '<script type="application/ld+json">'
_TAGS_OPEN = '<ul class="story-tags"'
_FOOTNOTE_DEF = re.compile(r"^\[\^[^\]]+\]:", re.M)


@dataclass(frozen=True, slots=True)
class PageState:
    """What the page in the view holds: its body blocks in order, its footnotes, its reading time."""

    blocks: tuple[tuple[str, str], ...] = ()  # (block id, block html)
    footnotes: str = ""
    reading_time: str = ""
    # The renderer call the blocks came from (id of the BlockRenderer, its serial), so the
    # next call's edit can be laid over them instead of listing every block again.
    made_by: tuple[int, int] = (0, -1)


@dataclass
class PageSource:
    """Everything a job needs to build the article's page, with the editor's latest values."""

    article: ArticleInput  # as the library holds it (export/page_input.article_input)
    publication: PublicationInput | None  # None until the page's first build has read it
    library_root: Path
    templates_dir: Path | None
    body: str
    fields: dict[str, Any] = field(default_factory=dict)

    def article_view(self) -> ArticleInput:
        """The page input with the editor's unsaved fields and body laid over the library's."""
        return article_input(self.article, **self.fields, body=self.body)


@dataclass
class PageResult:
    """A whole page, ready to load (after show_article) or to take its header from (after a field edit)."""

    generation: int
    html: str
    view: PageView
    state: PageState
    footnotes_line: int | None
    header_html: str = ""
    tags_html: str = ""  # the topics list under the body; empty when there are no tags
    script: str = ""  # after a figure change: the one call that patches the page in the view
    partial: bool = False  # only the body's first screen: the rest follows as a patch
    publication: PublicationInput | None = None  # as read for a new page (show_article)


@dataclass
class BodyResult:
    """One body update: the DOM patch (or, for the simple preview, the whole page) and the new state."""

    generation: int
    body: RenderedBody
    state: PageState
    words: int
    footnotes_line: int | None
    script: str = ""
    html: str = ""
    render_ms: float = 0.0
    render_cpu_ms: float = 0.0  # the worker thread's own processor time (load disturbs it less)
    converted: int = 0


class BodyMeasure:
    """Words in a body, and where its footnotes are defined, worked out per block.

    Block ids are a hash of the block's text (the BlockRenderer contract the
    patching relies on too), so what is cached by id is true of that text:
    one edit re-measures one block. After a renderer call that changed only a
    few blocks (its `last_edit`), the totals are adjusted by those blocks alone.
    """

    def __init__(self) -> None:
        self._cache: dict[str, tuple[int, bool, bool]] = {}
        self._facts: list[tuple[int, bool, bool]] = []  # per block of the last call, in order
        self._ids: list[str] = []  # and those blocks' ids
        self._total = 0  # words in blocks
        self._spans = 0  # blocks whose link or image markup may run on into the next
        self._notes: int | None = None  # index of the first footnote definition block
        self._serial = -1  # the renderer call the last measure was of
        self.looked_at_last = 0  # blocks the last call looked at one by one

    def measure(
        self,
        source: str,
        blocks: Sequence[Block],
        edit: tuple[int, int, int] | None = None,
        serial: int | None = None,
        sources: Sequence[SourceBlock] = (),
    ) -> tuple[int, int | None]:
        """(word count as word_count(source) gives it, 0-based line of the first footnote definition).

        edit, serial and sources are the renderer's `last_edit`, `serial` and
        `source_blocks` for these blocks; without them every block is looked at.
        """
        counted = None
        if edit is not None and serial == self._serial + 1 and len(sources) == len(blocks):
            counted = self._measure_edit(sources, blocks, edit)
        if counted is None:
            counted = self._measure_all(source, blocks)
            self.looked_at_last = len(blocks)
        else:
            self.looked_at_last = edit[1] + edit[2]  # type: ignore[index]
        self._serial = serial if serial is not None else -1
        total, spans, notes = counted
        self._total, self._spans, self._notes = total, spans, notes
        # A link or image whose brackets open in one block and close in a later one is
        # stripped across the gap by word_count; count the whole text then, to stay exact.
        return (word_count(source) if spans else total), (
            blocks[notes].start if notes is not None else None
        )

    @staticmethod
    def _facts_of(text: str) -> tuple[int, bool, bool]:
        return (word_count(text), may_span_paragraphs(text), text.startswith("[^"))

    def _measure_all(self, source: str, blocks: Sequence[Block]) -> tuple[int, int, int | None]:
        lines: list[str] | None = None
        fresh: dict[str, tuple[int, bool, bool]] = {}
        facts_list = []
        total, spans, notes = 0, 0, None
        for n, b in enumerate(blocks):
            facts = self._cache.get(b.id) or fresh.get(b.id)
            if facts is None:
                if lines is None:
                    lines = source.split("\n")
                facts = self._facts_of("\n".join(lines[b.start : b.end]))
            fresh[b.id] = facts
            facts_list.append(facts)
            total += facts[0]
            spans += facts[1]
            if notes is None and facts[2]:
                notes = n
        self._cache, self._facts, self._ids = fresh, facts_list, [b.id for b in blocks]
        return total, spans, notes

    def _measure_edit(
        self, sources: Sequence[SourceBlock], blocks: Sequence[Block], edit: tuple[int, int, int]
    ) -> tuple[int, int, int | None] | None:
        head, removed, added = edit
        if len(self._facts) - removed + added != len(blocks):
            return None
        old_mid = self._facts[head : head + removed]
        new_mid = [
            self._cache.get(blocks[i].id) or self._facts_of(sources[i].text)
            for i in range(head, head + added)
        ]
        if any(f[2] for f in old_mid) or any(f[2] for f in new_mid):
            return None  # a footnote definition came or went: look for the first one again
        for block_id in self._ids[head : head + removed]:
            self._cache.pop(block_id, None)
        mid_ids = [b.id for b in blocks[head : head + added]]
        self._cache.update(zip(mid_ids, new_mid, strict=True))
        self._ids = self._ids[:head] + mid_ids + self._ids[head + removed :]
        self._facts = self._facts[:head] + new_mid + self._facts[head + removed :]
        total = self._total - sum(f[0] for f in old_mid) + sum(f[0] for f in new_mid)
        spans = self._spans - sum(f[1] for f in old_mid) + sum(f[1] for f in new_mid)
        notes = self._notes
        if notes is not None and notes >= head:
            notes += added - removed  # it lies after the edit (the edit holds none)
        return total, spans, notes


def footnotes_line(source: str) -> int | None:
    """The 0-based line of the first footnote definition (where a click on the footnotes leads)."""
    m = _FOOTNOTE_DEF.search(source) if "[^" in source else None
    return source.count("\n", 0, m.start()) if m else None


def state_of(body: RenderedBody, reading: str, renderer: BlockRenderer | None = None) -> PageState:
    made_by = (id(renderer), renderer.serial) if renderer is not None else (0, -1)
    return PageState(
        tuple((b.id, b.html) for b in body.blocks), body.footnotes_html, reading, made_by
    )


def _edited_state(
    base: PageState, body: RenderedBody, reading: str, renderer: BlockRenderer
) -> tuple[PageState, tuple[int, int, int]] | None:
    """The page's state after the renderer's last call, from `base` and that call's edit
    alone (the blocks it kept are base's own pairs); None when base is not the state of
    the call before or the call walked the whole body."""
    edit = renderer.last_edit
    if edit is None or base.made_by != (id(renderer), renderer.serial - 1):
        return None
    head, removed, added = edit
    blocks = body.blocks
    if len(base.blocks) - removed + added != len(blocks):
        return None
    # Where the edit meets the kept blocks they must agree, or base is not what it claims.
    if head and base.blocks[head - 1][0] != blocks[head - 1].id:
        return None
    if head + added < len(blocks) and base.blocks[head + removed][0] != blocks[head + added].id:
        return None
    mid = tuple((b.id, b.html) for b in blocks[head : head + added])
    pairs = base.blocks[:head] + mid + base.blocks[head + removed :]
    made_by = (id(renderer), renderer.serial)
    return PageState(pairs, body.footnotes_html, reading, made_by), edit


def build_full_page(
    generation: int, src: PageSource, renderer: BlockRenderer, *, whole_body: str | None = None
) -> PageResult:
    """The page exactly as the exporter renders it, plus the preview's script in the head.

    `whole_body`: `src` holds only the opening of this body (the first screen); the
    header still counts the whole story's words, so its reading time never jumps."""
    assert src.publication is not None, "the publication is read before a page is built"
    view = build_page(
        src.article_view(),
        src.publication,
        Assets(src.library_root),
        renderer=renderer,
        templates_override=src.templates_dir,
    )
    if whole_body is not None:
        view.word_count = word_count(whole_body)
        view.reading_time = i18n.reading_time(view.word_count, view.lang)
    view.extra_head = EXTRA_HEAD
    html = render_page(view, templates_override=src.templates_dir)
    return PageResult(
        generation,
        html,
        view,
        state_of(view.body, view.reading_time, renderer),
        footnotes_line(src.body),
    )


# Opening an article shows this much of its body first (a tall screen's worth, and some),
# cut at a block boundary; the rest is patched in right after the first paint. The pane
# asks for what fills its own size (first_screen_chars), within these bounds.
FIRST_SCREEN_CHARS = 6000
FIRST_SCREEN_MIN_CHARS = 2000
# The page's body text as the stylesheet sets it, roughly: a line's height and an
# average character's width, in CSS pixels.
_LINE_PX, _CHAR_PX = 29, 9


def first_screen_chars(width_px: int, height_px: int) -> int:
    """About how much Markdown fills a pane this size, with half as much again to spare."""
    lines = max(1, height_px) / _LINE_PX
    per_line = max(1, width_px) / _CHAR_PX
    return int(min(FIRST_SCREEN_CHARS, max(FIRST_SCREEN_MIN_CHARS, 1.5 * lines * per_line)))


def first_screen(body: str, chars: int = FIRST_SCREEN_CHARS) -> str | None:
    """The body's opening blocks, about `chars` long; None when the body is no longer than that."""
    if len(body) <= chars * 2:
        return None  # short enough to show whole at once
    cut = body.find("\n\n", chars)
    if cut < 0:
        return None
    # split_blocks joins some blocks across blank lines (lists, quotes, fences); cut after
    # the block that holds `cut`, so no block is shown in halves.
    head = body[:cut]
    lines = head.count("\n") + 1
    for block in split_blocks(body):
        if block.end >= lines:
            return "\n".join(body.split("\n")[: block.end]) if block.end else None
    return None


def build_first_screen(
    generation: int, src: PageSource, renderer: BlockRenderer, chars: int = FIRST_SCREEN_CHARS
) -> PageResult:
    """The page with only the body's first screen (about `chars` of it): what a long article shows first."""
    head = first_screen(src.body, chars)
    if head is None:
        return build_full_page(generation, src, renderer)
    result = build_full_page(
        generation, dataclasses.replace(src, body=head), renderer, whole_body=src.body
    )
    result.partial = True
    return result


def build_header(generation: int, src: PageSource, renderer: BlockRenderer) -> PageResult:
    """The page's header after a field edit; the body is left out of the rendering (it is unchanged)."""
    assert src.publication is not None, "the publication is read before a page is built"
    view = build_page(
        src.article_view(),
        src.publication,
        Assets(src.library_root),
        renderer=renderer,
        templates_override=src.templates_dir,
    )
    view.extra_head = EXTRA_HEAD
    body = view.body
    html = render_page(
        dataclasses.replace(view, body=RenderedBody([]), related=[]),
        templates_override=src.templates_dir,
    )
    return PageResult(
        generation,
        html,
        view,
        state_of(body, view.reading_time, renderer),
        footnotes_line(src.body),
        header_html=_element(html, _HEADER_OPEN, "</header>"),
        tags_html=_element(html, _TAGS_OPEN, "</ul>"),
    )


def build_figures(
    generation: int, src: PageSource, renderer: BlockRenderer, base: PageState
) -> PageResult:
    """The page after the article's figures or their pictures changed, and the patch that shows it.

    Only what a picture changes is re-rendered: the hero, the body blocks that
    place a picture (the rest come from the renderer's cache) and the
    structured data; `script` carries them to the page in one call.
    """
    renderer.forget_pictures()
    result = build_full_page(generation, src, renderer)
    body = result.view.body
    patch = patch_script(base, result.state, body, templates_dir=src.templates_dir)
    hero = _element(result.html, _HERO_OPEN, "</figure>")
    json_ld = _element(result.html, _LD_OPEN, "</script>")[len(_LD_OPEN) : -len("</script>")]
    args = ", ".join(json.dumps(a, ensure_ascii=False) for a in (hero, json_ld.strip()))
    result.script = f"{patch};newsdesk.setHero({args})"
    return result


def _element(html: str, opening: str, closing: str) -> str:
    """The first element that starts with `opening`, up to its (unnested) closing tag."""
    start = html.find(opening)
    if start < 0:
        return ""
    end = html.find(closing, start)
    return html[start : end + len(closing)] if end >= 0 else ""


def header_script(result: PageResult) -> str:
    args = [result.header_html, result.view.title, result.tags_html]
    return f"newsdesk.setHeader({', '.join(json.dumps(a) for a in args)})"


def render_body(
    generation: int,
    text: str,
    renderer: BlockRenderer,
    measure: BodyMeasure,
    base: PageState,
    *,
    templates_dir: Path | None,
    page_view: PageView | None = None,
    lang: str = "en",
    version: int | None = None,
) -> BodyResult:
    """Re-render the body (unchanged blocks come from the cache) and diff it against the page.

    With page_view (the simple preview, which cannot be patched) the whole page is
    rendered instead of a patch.
    """
    started, cpu = time.perf_counter(), time.thread_time()
    body = renderer.render(text)
    converted = renderer.rendered_last
    words, notes_line = measure.measure(
        text,
        body.blocks,
        edit=renderer.last_edit,
        serial=renderer.serial,
        sources=renderer.source_blocks,
    )
    reading = i18n.reading_time(words, lang)  # in the page's language, as the export says it
    # A keystroke's edit touches a block or two: the new state and the patch come from those
    # blocks alone (the page's other blocks are the renderer's, unchanged).
    edited = _edited_state(base, body, reading, renderer) if page_view is None else None
    state = edited[0] if edited is not None else state_of(body, reading, renderer)
    result = BodyResult(generation, body, state, words, notes_line, converted=converted)
    if page_view is not None:
        view = dataclasses.replace(page_view, body=body, reading_time=reading, word_count=words)
        result.html = render_page(view, templates_override=templates_dir)
    else:
        result.script = patch_script(
            base,
            state,
            body,
            templates_dir=templates_dir,
            version=version,
            edit=edited[1] if edited is not None else None,
        )
    result.render_ms = (time.perf_counter() - started) * 1000
    result.render_cpu_ms = (time.thread_time() - cpu) * 1000
    return result


# Runs of equal blocks are compared this many at a time (tuple slices compare at C speed,
# and a kept block's id and markup are the very same strings, so most compare by identity).
_RUN_CHUNK = 64


def _equal_run(old: Sequence[Any], new: Sequence[Any], limit: int, *, from_end: bool) -> int:
    """How many items are equal at the start (or the end) of both, up to limit."""
    n_old, n_new = len(old), len(new)

    def same(i: int, j: int) -> bool:  # items [i, j) from the start or the end
        if from_end:
            return old[n_old - j : n_old - i] == new[n_new - j : n_new - i]
        return old[i:j] == new[i:j]

    at = 0
    while at < limit and same(at, min(limit, at + _RUN_CHUNK)):
        at = min(limit, at + _RUN_CHUNK)
    while at < limit and same(at, at + 1):
        at += 1
    return at


def diff_blocks(
    old: Sequence[tuple[str, str]],
    new: Sequence[Block],
    new_pairs: Sequence[tuple[str, str]] | None = None,
    before: str | None = None,
) -> tuple[list[str], str | None, list[tuple[Block, bool]]]:
    """The smallest change turning the page's blocks into the new ones.

    Returns (ids to remove, id of the kept block the changed run follows or None
    for the start of the body, the changed run in order as (block, needs new markup)).
    Blocks equal at the start and the end are not mentioned at all. new_pairs, when
    given, are the new blocks as (id, html) (PageState.blocks), to compare faster.
    `before`: old and new are a window of the body; this is the id of the block
    just before it (None: the window starts the body).
    """
    # Tuples on both sides: a tuple slice never equals a list slice.
    old = tuple(old)
    pairs = tuple(new_pairs) if new_pairs is not None else tuple((b.id, b.html) for b in new)
    n_old, n_new = len(old), len(new)
    head = _equal_run(old, pairs, min(n_old, n_new), from_end=False)
    tail = _equal_run(old, pairs, min(n_old, n_new) - head, from_end=True)
    old_mid = {bid: html for bid, html in old[head : n_old - tail]}
    new_mid = new[head : n_new - tail]
    new_ids = {b.id for b in new_mid}
    remove = [bid for bid in old_mid if bid not in new_ids]
    run = [(b, old_mid.get(b.id) != b.html) for b in new_mid]
    after = old[head - 1][0] if head else before
    return remove, after, run


def patch_script(
    base: PageState,
    state: PageState,
    body: RenderedBody,
    *,
    templates_dir: Path | None,
    version: int | None = None,
    edit: tuple[int, int, int] | None = None,
) -> str:
    """One JavaScript call that patches the page from `base` to `state`.

    With a version, the page reports it back from the next animation frame. With
    `edit` (the renderer's last_edit, base being the state of the call before it)
    only the blocks the edit replaced are compared.
    """
    if edit is None:
        remove, after, run = diff_blocks(base.blocks, body.blocks, state.blocks)
    else:
        head, removed, added = edit
        remove, after, run = diff_blocks(
            base.blocks[head : head + removed],
            body.blocks[head : head + added],
            state.blocks[head : head + added],
            before=base.blocks[head - 1][0] if head else None,
        )
    put = [
        [b.id, render_block(b, templates_override=templates_dir) if fresh else None]
        for b, fresh in run
    ]
    patch: dict[str, Any] = {"remove": remove, "after": after, "put": put}
    if state.footnotes != base.footnotes:
        patch["footnotes"] = (
            render_block(
                Block(FOOTNOTES_ID, 0, 0, state.footnotes), templates_override=templates_dir
            )
            if state.footnotes
            else ""
        )
    if state.reading_time != base.reading_time:
        patch["reading"] = state.reading_time
    if version is not None:
        patch["v"] = version
    return f"newsdesk.patch({json.dumps(patch, ensure_ascii=False)})"
