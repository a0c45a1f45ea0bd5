"""Markdown to safe HTML, whole or block by block: the one body renderer for preview and export."""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass, field
from html import escape as html_escape

import markdown
from markdown.preprocessors import Preprocessor

from newsdesk.render import limits
from newsdesk.render.blocks import (  # noqa: F401
    BlockSplitter,
    SourceBlock,
    split_blocks,
    split_definitions,
)
from newsdesk.render.body_ids import RESERVED_IDS, UsedIds, dedupe_ids, footnote_div_at
from newsdesk.render.inline_gates import gate_inline_patterns
from newsdesk.render.safety import (  # noqa: F401  (IMAGE_SCHEME, ImageResolver: public here)
    IMAGE_SCHEME,
    ImageResolver,
    PictureReport,
    place_images,
    strip_forbidden,
)
from newsdesk.render.sanitize import sanitize

EXTENSIONS = ["tables", "footnotes", "smarty", "toc", "fenced_code", "sane_lists"]
EXTENSION_CONFIGS = {
    "toc": {"permalink": False},
    "smarty": {"smart_angled_quotes": False},
    "footnotes": {"BACKLINK_TITLE": "Back to reference %d"},
}

# One converter per thread: a Markdown instance keeps state while it converts, and the
# preview renders on its own worker thread while an export may render on another.
_md_local = threading.local()


def _md() -> markdown.Markdown:
    md = getattr(_md_local, "md", None)
    if md is None:
        md = _md_local.md = markdown.Markdown(
            extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html"
        )
        gate_inline_patterns(md)
    return md


def _plain_md() -> markdown.Markdown:
    """A converter with only the extension every text needs (smarty), for _PLAIN texts."""
    md = getattr(_md_local, "plain", None)
    if md is None:
        md = _md_local.plain = markdown.Markdown(
            extensions=["smarty"],
            extension_configs={"smarty": EXTENSION_CONFIGS["smarty"]},
            output_format="html",
        )
        gate_inline_patterns(md)
    return md


class _ProseLines(Preprocessor):
    """NormalizeWhitespace for a text it would leave as it is: the two blank lines it adds.

    Only for _prose_md's texts, which hold no STX, ETX, carriage return or tab and no
    line that opens with a space (what NormalizeWhitespace rewrites).
    """

    def run(self, lines: list[str]) -> list[str]:
        return [*lines, "", ""]


# Block processors that never claim a batch of plain prose (see _prose_md), by their names in
# Python-Markdown's registry: each looks for something such text cannot hold.
_NOT_IN_PROSE = (
    "indent",  # a line opening with four spaces
    "code",  # the same
    "hashheader",  # "#"
    "setextheader",  # a line of "=" or "-"
    "olist",  # a digit opening a line
    "ulist",  # "*", "+" or "-" opening a line
    "quote",  # ">"
    "reference",  # "[" (it claims every block, then gives back those without a definition)
)


def _prose_md() -> markdown.Markdown:
    """The smarty-only converter without the processors plain prose can never call on.

    Only for convert_batch's texts (see batchable): no markup character, control
    character or noncharacter, and no line opening with indentation, a list marker or
    a digit. Python-Markdown tries its block processors in turn on every paragraph and
    runs its raw-HTML and unescaping passes over every text, most of a plain batch's
    time; on such text each of those finds nothing, so leaving them out changes no
    byte (the HTML block preprocessor passes text without "<" or "&" through as it
    is; the unescaper only undoes backslash escapes).
    """
    md = getattr(_md_local, "prose", None)
    if md is None:
        md = _md_local.prose = markdown.Markdown(
            extensions=["smarty"],
            extension_configs={"smarty": EXTENSION_CONFIGS["smarty"]},
            output_format="html",
        )
        gate_inline_patterns(md)
        for name in _NOT_IN_PROSE:
            md.parser.blockprocessors.deregister(name)
        md.preprocessors.deregister("html_block")
        md.preprocessors.register(_ProseLines(md), "normalize_whitespace", 30)
        md.treeprocessors.deregister("unescape")
    return md


# Python-Markdown runs every extension's processors on every call, whatever the text; a
# body renders block by block, so that is most of a short block's time. A text with none of
# what the other extensions react to converts to the same HTML without them (a third faster):
# headings (toc: "#", setext "=" or "-" lines, the [TOC] marker), tables ("|"), fenced code
# ("`", "~"), footnotes ("[^", and the placeholders it swaps back), lists (sane_lists: a
# marker or a digit opening a line, inside quotes too).
_NEEDS_EXTENSIONS = re.compile(
    r"[#|`~=]|\[\^|\[TOC\]|qq3936677670287331zz|zz1337820767766393qq|^[ \t>]*(?:[-*+]|\d)",
    re.M,
)


_H1_OPEN = re.compile(r"<h1(?=[\s>])")


def convert_unbounded(source: str) -> str:
    """Markdown to unsanitised HTML with no limits: only for text that passed `limits`."""
    md = _md() if _NEEDS_EXTENSIONS.search(source) else _plain_md()
    md.reset()
    # NUL and other control characters can never appear on a valid page.
    html = md.convert(strip_forbidden(source))
    # The page's only <h1> is the headline: a level-one heading in the body is a subhead.
    if "<h1" in html:
        html = _H1_OPEN.sub("<h2", html).replace("</h1>", "</h2>")
    return html


def _convert(source: str) -> str | None:
    """Markdown to unsanitised HTML, or None when the text may not be rendered in time.

    The caller has already checked the text against `limits.check_block`.
    """
    if limits.needs_deadline(source):
        return limits.convert_with_deadline(source)
    try:
        return convert_unbounded(source)
    except RecursionError:
        # Nesting the limits' model did not foresee: refuse the block, never the page.
        return None


def render_markdown(source: str, *, resolve_image: ImageResolver | None = None) -> str:
    """The whole body rendered in one pass: the reference the block renderer must equal."""
    refusal = limits.check_block(source)
    html = None if refusal else _convert(source)
    if html is None:
        return refusal_html(refusal.reason if refusal else limits.TOO_LARGE)
    return place_images(sanitize(html), resolve_image)


# ---------------------------------------------------------------- many plain blocks at once
# Python-Markdown's fixed cost per conversion (resetting, its pre- and postprocessors, the
# serialiser) and nh3's per call are most of a short paragraph's time, so the blocks of a
# body that only hold plain prose are converted and sanitised together, one marker
# paragraph between each two, and the result cut at the markers. Each block is then
# exactly what it is alone: the parser reads a text chunk by chunk (one per blank-line
# run), and what a chunk of plain prose becomes depends on it alone (a chunk reads the one
# before only when it is indented, a list or a quote), and the inline patterns and smarty
# read one paragraph's text at a time. A block with anything else (markup characters,
# indentation, control characters, what the other extensions react to) is converted alone.
_BATCH_MARK = "qqbatchmark4207zz"
_BATCH_SPLIT = f"\n<p>{_BATCH_MARK}</p>\n"
# Characters that make a block more than plain prose: markup, and control characters.
_NOT_PROSE = re.compile(r"[<>&\[\]`\\|#=~^\x00-\x09\x0b-\x1f\x7f-\x9f]")
# A line opening with indentation, a list marker or a digit (a list, code, a rule).
_LINE_OPENS_BLOCK = re.compile(r"\n[ \t*+\-\d]")
_PLACEHOLDERS = ("qq3936677670287331zz", "zz1337820767766393qq", _BATCH_MARK)


def batchable(text: str) -> bool:
    """Whether the block may be converted together with others (see convert_batch).

    Such a block never holds what _NEEDS_EXTENSIONS looks for (its characters, its line
    openings and its placeholders are all refused here, by cheaper tests).
    """
    return (
        _NOT_PROSE.search(text) is None
        and _LINE_OPENS_BLOCK.search("\n" + text) is None
        and not any(p in text for p in _PLACEHOLDERS)
        and not limits.needs_deadline(text)
    )


def convert_batch(texts: list[str]) -> list[str] | None:
    """The safe HTML of each batchable block, as each renders alone, from one conversion.

    None when the batch cannot be cut back into as many blocks (then each is converted
    alone): never a block's HTML taken from the wrong place.
    """
    stripped = [strip_forbidden(t) for t in texts]
    # A noncharacter removed may leave a line opening with what _prose_md leaves out.
    clean = all(s is t for s, t in zip(stripped, texts, strict=True))
    md = _prose_md() if clean else _plain_md()
    md.reset()
    try:
        html = md.convert(f"\n\n{_BATCH_MARK}\n\n".join(stripped))
    except RecursionError:
        return None
    parts = sanitize(html).split(_BATCH_SPLIT)
    return parts if len(parts) == len(texts) else None


def refusal_html(reason: str) -> str:
    """The notice shown instead of a block that cannot be published, and what to do about it."""
    remedy = html_escape(limits.REMEDIES[reason], quote=False)  # it names marks such as <
    return f'<p class="refused-block"><strong>{reason}.</strong> {remedy}</p>'


# ---------------------------------------------------------------- blocks


@dataclass(frozen=True, slots=True)
class Block:
    """One rendered top-level block: a stable id, its source lines and its safe HTML."""

    id: str
    start: int
    end: int
    html: str


@dataclass
class RenderedBody:
    blocks: list[Block]
    footnotes_html: str = ""

    @property
    def html(self) -> str:
        parts = [b.html for b in self.blocks if b.html]
        if self.footnotes_html:
            parts.append(self.footnotes_html)
        return "\n".join(parts)

    def line_range(self, block_id: str) -> tuple[int, int] | None:
        for b in self.blocks:
            if b.id == block_id:
                return b.start, b.end
        return None

    def block_at_line(self, line: int) -> Block | None:
        """The block holding a 0-based source line, or the nearest one before it."""
        found = None
        for b in self.blocks:
            if b.start <= line:
                found = b
            else:
                break
        return found


@dataclass(frozen=True, slots=True)
class Finding:
    """Something in the body the published page cannot show: a refused block or a left-out picture.

    `line` is 1-based, for people; `what` is a sentence fragment naming it.
    """

    line: int
    kind: str  # "block" or "picture"
    what: str
    target: str = ""  # a left-out picture's address, as written


# An edit that changes more blocks than this (a paste, a join) walks the whole body.
_EDIT_BLOCKS = 16


@dataclass
class _LastRender:
    """What BlockRenderer.render made last time: the source and result of every block."""

    source_blocks: list[SourceBlock]
    blocks: list[Block]
    digests: list[str]  # each block's id digest, in order
    counts: dict[str, int]  # how many blocks have each digest
    definitions: str
    defs_key: str
    footnotes: str
    findings: list[Finding]
    def_units: int = 0  # what the definitions cost each block that uses them (limits)
    uses: int = 0  # blocks converted with the definitions


@dataclass
class BlockRenderer:
    """Renders a body block by block, reusing the HTML of blocks that did not change.

    The cache is keyed by the block's text (and by the link and footnote
    definitions when the block could use them), so typing in one paragraph of
    a 20,000-word article re-renders one paragraph. Every block is measured
    against `limits` before Python-Markdown sees it; a block over them renders
    as a notice and the rest of the page renders as usual.
    """

    resolve_image: ImageResolver | None = None
    _cache: dict[tuple[str, str], tuple[str, tuple[Finding, ...]]] = field(default_factory=dict)
    # What is true of a block's text whatever its neighbours: (is definitions, refusal, id digest).
    _facts: dict[str, tuple[bool, limits.Refusal | None, str]] = field(default_factory=dict)
    _splitter: BlockSplitter = field(default_factory=BlockSplitter)
    rendered_last: int = 0  # blocks converted on the last call (not served from the cache)
    walked_last: int = 0  # blocks the last call looked at one by one (the rest were kept whole)
    # What the last call changed: blocks [head, head + removed) of the call before were
    # replaced by [head, head + added); None when it walked the whole body. `serial` counts
    # the calls, so a caller can tell whether the call before was the one it saw.
    last_edit: tuple[int, int, int] | None = None
    serial: int = 0
    findings: list[Finding] = field(default_factory=list)  # of the last call
    _last: _LastRender | None = None  # the previous call's result, for an edit's fast path

    @property
    def source_blocks(self) -> list[SourceBlock]:
        """The source blocks of the last call, in the order of its blocks."""
        return self._last.source_blocks if self._last is not None else []

    def clear(self) -> None:
        self._cache.clear()
        self._facts.clear()
        self._last = None

    def forget_pictures(self) -> None:
        """Render again the blocks that may place a picture (the article's figures or pictures changed)."""
        # A block names its picture itself, or through a reference definition (key[1]).
        self._cache = {k: v for k, v in self._cache.items() if "image:" not in k[0] and not k[1]}
        self._last = None  # the kept blocks may show a picture that changed

    def render(self, source: str) -> RenderedBody:
        # Re-splitting, measuring and hashing are per changed block too: a keystroke in a
        # 20,000-word body costs one paragraph's work plus look-ups for the rest.
        previous = self._splitter.blocks
        source_blocks = self._splitter.split(source)
        self.serial += 1
        # What the splitter already knows is unchanged need not be compared again (at
        # 100,000 words that is a walk over some 1,700 blocks per keystroke).
        known = (
            (self._splitter.same_head, self._splitter.moved_tail)
            if self._last is not None and self._last.source_blocks is previous
            else (0, 0)
        )
        edited = self._render_edit(source_blocks, known)
        if edited is not None:
            return edited
        self.last_edit = None
        self.walked_last = len(source_blocks)
        old_facts, facts = self._facts, {}
        block_facts = []
        for sb in source_blocks:
            known = old_facts.get(sb.text) or facts.get(sb.text)
            if known is None:
                known = (
                    sb.is_definitions,
                    limits.check_block(sb.text),
                    hashlib.sha1(sb.text.encode()).hexdigest()[:10],
                )
            facts[sb.text] = known
            block_facts.append(known)
        self._facts = facts
        # A definition block over the limits is left out of every block that would use it.
        usable_defs = [
            sb
            for sb, (is_defs, refusal, _d) in zip(source_blocks, block_facts, strict=True)
            if is_defs and refusal is None
        ]
        # Every block holding "[" is converted with all the definitions: past a budget
        # (a flood of footnotes cited everywhere) the definitions are refused instead.
        uses = sum(
            1
            for sb, (is_defs, refusal, _d) in zip(source_blocks, block_facts, strict=True)
            if not is_defs and refusal is None and "[" in sb.text
        )
        def_units = limits.definition_units([b.text for b in usable_defs])
        if usable_defs and limits.definitions_too_costly(def_units, uses):
            too_costly = limits.Refusal(limits.TOO_LARGE)
            block_facts = [
                (is_defs, too_costly, d) if is_defs and refusal is None else (is_defs, refusal, d)
                for is_defs, refusal, d in block_facts
            ]
            usable_defs, def_units = [], 0
        definitions = "\n\n".join(split_definitions(b.text)[0] for b in usable_defs)
        defs_key = hashlib.sha1(definitions.encode()).hexdigest() if definitions else ""
        seen_hashes: dict[str, int] = {}
        used_ids = UsedIds(RESERVED_IDS)
        blocks: list[Block] = []
        new_cache: dict[tuple[str, str], tuple[str, tuple[Finding, ...]]] = {}
        findings: list[Finding] = []
        converted = 0
        batched = self._convert_batchable(source_blocks, block_facts)
        for sb, (_is_defs, refusal, digest) in zip(source_blocks, block_facts, strict=True):
            needs_defs = bool(definitions) and "[" in sb.text
            key = (sb.text, defs_key if needs_defs else "")
            cached = self._cache.get(key)
            if cached is None:
                cached = batched.get(sb.text) if not needs_defs else None
                if cached is None:
                    cached = self._render_source_block(
                        sb, refusal, definitions if needs_defs else ""
                    )
                converted += 1
            new_cache[key] = cached
            html, block_findings = cached
            if block_findings:
                findings.extend(Finding(sb.start + 1, f.kind, f.what) for f in block_findings)
            n = seen_hashes.get(digest, 0)
            seen_hashes[digest] = n + 1
            block_id = f"b{digest}-{n}" if n else f"b{digest}"
            blocks.append(Block(block_id, sb.start, sb.end, dedupe_ids(html, used_ids)))
        self._cache = new_cache
        self.rendered_last = converted
        footnotes = ""
        if definitions and "[^" in definitions:
            report = PictureReport()
            footnotes = dedupe_ids(self._footnotes_html(definitions, report), used_ids)
            first = usable_defs[0].start if usable_defs else 0
            findings.extend(
                Finding(first + 1, "picture", f"{what} in the footnotes", src)
                for what, src in zip(report.dropped, report.sources, strict=True)
            )
        self.findings = findings
        digests = [d for _i, _r, d in block_facts]
        counts: dict[str, int] = {}
        for d in digests:
            counts[d] = counts.get(d, 0) + 1
        self._last = _LastRender(
            source_blocks, blocks, digests, counts, definitions, defs_key, footnotes, findings
        )
        self._last.def_units, self._last.uses = def_units, uses
        return RenderedBody(blocks, footnotes)

    def _convert_batchable(
        self, source_blocks: list[SourceBlock], block_facts: list
    ) -> dict[str, tuple[str, tuple[Finding, ...]]]:
        """text -> (HTML, no findings) of the blocks to convert that convert_batch can take."""
        texts = list(
            dict.fromkeys(
                sb.text
                for sb, (is_defs, refusal, _d) in zip(source_blocks, block_facts, strict=True)
                if not is_defs
                and refusal is None
                and (sb.text, "") not in self._cache
                and batchable(sb.text)
            )
        )
        if len(texts) < 2:
            return {}
        parts = convert_batch(texts)
        if parts is None:
            return {}
        return {text: (html, ()) for text, html in zip(texts, parts, strict=True)}

    def _render_edit(
        self, source_blocks: list[SourceBlock], known: tuple[int, int] = (0, 0)
    ) -> RenderedBody | None:
        """The body after a small edit, touching only the blocks it changed; None when it cannot.

        Blocks before the edit are kept as they were, and blocks after it are kept
        with their lines moved. That is only the full loop's answer when the changed
        blocks bear on no other block: none is a definition, none repeats a block
        elsewhere (a repeat takes a numbered id), none carries an element id (a
        heading's id may be taken by a later one) and nothing was refused. Otherwise
        the caller walks every block. `known`: how many blocks at the start are
        unchanged and how many at the end are only moved, as the splitter found them.
        """
        last = self._last
        if last is None or last.findings:
            return None
        old, new = last.source_blocks, source_blocks
        n_old, n_new = len(old), len(new)
        limit = min(n_old, n_new)
        head = min(known[0], limit)
        while head < limit and (new[head] is old[head] or new[head] == old[head]):
            head += 1
        # The blocks after the edit, unchanged and all moved by the same number of lines.
        shift = new[-1].start - old[-1].start if limit else 0
        tail = min(known[1], limit - head)
        while tail < limit - head:
            moved, was = new[n_new - 1 - tail], old[n_old - 1 - tail]
            if moved.text != was.text or moved.start - was.start != shift:
                break
            tail += 1
        old_mid = range(head, n_old - tail)
        new_mid = new[head : n_new - tail]
        if len(old_mid) > _EDIT_BLOCKS or len(new_mid) > _EDIT_BLOCKS:
            return None
        old_digests = [last.digests[i] for i in old_mid]
        if any(last.counts[d] > 1 for d in old_digests):
            return None  # a repeated block: the other copy's id number would change
        if any('id="' in last.blocks[i].html or old[i].is_definitions for i in old_mid):
            return None
        # The blocks converted with the definitions, after the edit: past their budget the
        # whole body decides (the definitions are refused).
        uses = last.uses
        if last.def_units:
            uses += sum("[" in sb.text for sb in new_mid) - sum("[" in old[i].text for i in old_mid)
            if limits.definitions_too_costly(last.def_units, uses):
                return None
        facts = []
        for sb in new_mid:
            known = self._facts.get(sb.text)
            if known is None:
                known = (
                    sb.is_definitions,
                    limits.check_block(sb.text),
                    hashlib.sha1(sb.text.encode()).hexdigest()[:10],
                )
            is_defs, refusal, digest = known
            taken = last.counts.get(digest, 0) - (digest in old_digests)
            if is_defs or refusal is not None or taken or any(f[2] == digest for f in facts):
                return None
            facts.append(known)
        mid_blocks: list[Block] = []
        mid_cache = []
        converted = 0
        for sb, (_d, _r, digest) in zip(new_mid, facts, strict=True):
            needs_defs = bool(last.definitions) and "[" in sb.text
            key = (sb.text, last.defs_key if needs_defs else "")
            cached = self._cache.get(key)
            if cached is None:
                cached = self._render_source_block(sb, None, last.definitions if needs_defs else "")
                converted += 1
            html, block_findings = cached
            if block_findings or 'id="' in html:
                return None
            mid_cache.append((key, cached))
            mid_blocks.append(Block(f"b{digest}", sb.start, sb.end, html))
        # Nothing can fail from here on: forget what the edit removed, keep what it made.
        for i in old_mid:
            text = old[i].text
            self._facts.pop(text, None)
            for key in [(text, ""), (text, last.defs_key)]:
                self._cache.pop(key, None)
            del last.counts[last.digests[i]]
        for sb, known, (key, cached) in zip(new_mid, facts, mid_cache, strict=True):
            self._facts[sb.text] = known
            self._cache[key] = cached
            last.counts[known[2]] = 1
        kept_tail = last.blocks[n_old - tail :]
        if shift:
            kept_tail = [Block(b.id, b.start + shift, b.end + shift, b.html) for b in kept_tail]
        last.blocks = last.blocks[:head] + mid_blocks + kept_tail
        last.digests = last.digests[:head] + [f[2] for f in facts] + last.digests[n_old - tail :]
        last.source_blocks = new
        last.uses = uses
        self.rendered_last = converted
        self.walked_last = len(old_mid) + len(new_mid)
        self.last_edit = (head, len(old_mid), len(new_mid))
        self.findings = []
        return RenderedBody(last.blocks, last.footnotes)

    def _render_source_block(
        self, sb: SourceBlock, refusal: limits.Refusal | None, definitions: str
    ) -> tuple[str, tuple[Finding, ...]]:
        if refusal is not None:
            where = "block" if not sb.is_definitions else "footnote or link definitions"
            return refusal_html(refusal.reason), (
                Finding(0, "block", f"{refusal.reason.lower().replace('this block', where)}"),
            )
        text = sb.text
        if sb.is_definitions:
            text = split_definitions(text)[1]  # the text among the definitions, if any
            if not text:
                return "", ()
        report = PictureReport()
        html = self._render_block(text, definitions, report)
        if html is None:
            return refusal_html(limits.TOO_LARGE), (
                Finding(0, "block", "block is too slow to render, so it cannot be published"),
            )
        found = tuple(
            Finding(0, "picture", what, src)
            for what, src in zip(report.dropped, report.sources, strict=True)
        )
        return html, found

    def _render_block(self, text: str, definitions: str, report: PictureReport) -> str | None:
        html = _convert(f"{text}\n\n{definitions}" if definitions else text)
        if html is None:
            return None
        at = footnote_div_at(html)
        if at is not None:
            html = html[:at].rstrip()  # the footnotes are shown once, after the body
        return place_images(sanitize(html), self.resolve_image, report)

    def _footnotes_html(self, definitions: str, report: PictureReport) -> str:
        html = _convert(definitions)
        at = footnote_div_at(html) if html is not None else None
        if at is None:
            return ""
        # The same picture rule as the body: only library pictures, placed as figures.
        return place_images(sanitize(html[at:].strip()), self.resolve_image, report)


# <image> is <img> to an HTML parser.
_PICTURE_SYNTAX = re.compile(r"<im(?:g|age)\b|!\[", re.I)
# Alt text holds no bracket here, so no "![" is looked for past the next one (`[^\]]*`
# read to the end of the body from each of 30,000 "<![CDATA[" openers: 40 s). An alt
# text with brackets only means the body is rendered to find its pictures.
_LIBRARY_PICTURE = re.compile(r"!\[[^\]\[]*\]\(image:[^)\s]+\)")


def unpublishable(source: str) -> list[Finding]:
    """Every block the page would refuse and every non-library picture it would leave out.

    What preflight reports, with 1-based lines. Block limits are a linear scan;
    the body is only rendered when it holds picture syntax other than
    `![alt](image:UID)` (whether those UIDs exist is preflight's own check).
    """
    blocks = split_blocks(source)
    found = []
    usable_defs = []
    uses = 0
    for sb in blocks:
        refusal = limits.check_block(sb.text)
        if refusal is not None:
            found.append(Finding(sb.start + 1, "block", refusal.reason))
        elif sb.is_definitions:
            usable_defs.append(sb)
        elif "[" in sb.text:
            uses += 1
    # The renderer's own rule for definitions every block is converted with (see render).
    if usable_defs and limits.definitions_too_costly(
        limits.definition_units([b.text for b in usable_defs]), uses
    ):
        found += [Finding(b.start + 1, "block", limits.TOO_LARGE) for b in usable_defs]
        found.sort(key=lambda f: f.line)
    pictures = len(_PICTURE_SYNTAX.findall(source))
    if pictures and pictures > len(_LIBRARY_PICTURE.findall(source)):
        renderer = BlockRenderer(resolve_image=lambda uid, alt, standalone: "")
        renderer.render(source)
        found += [f for f in renderer.findings if f.kind == "picture"]
    return found


def render_blocks(source: str, *, resolve_image: ImageResolver | None = None) -> RenderedBody:
    return BlockRenderer(resolve_image=resolve_image).render(source)
