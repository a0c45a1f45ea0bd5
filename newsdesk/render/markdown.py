"""Markdown to safe HTML, whole or block by block: the one body renderer for preview and export."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from html import escape as html_escape

from newsdesk.render import limits
from newsdesk.render.blocks import (  # noqa: F401
    BlockSplitter,
    SourceBlock,
    split_blocks,
    split_definitions,
)
from newsdesk.render.body_ids import RESERVED_IDS, UsedIds, dedupe_ids, footnote_div_at
from newsdesk.render.convert import (  # noqa: F401  (the converters, public here too)
    _BATCH_MARK,
    _NEEDS_EXTENSIONS,
    EXTENSION_CONFIGS,
    EXTENSIONS,
    _convert,
    _md,
    _plain_md,
    _prose_md,
    batchable,
    convert_batch,
    convert_unbounded,
)
from newsdesk.render.safety import (  # noqa: F401  (IMAGE_SCHEME, ImageResolver: public here)
    IMAGE_SCHEME,
    ImageResolver,
    PictureReport,
    place_images,
    strip_forbidden,
)
from newsdesk.render.sanitize import sanitize


def refusal_html(reason: str) -> str:
    """The notice shown instead of a block that cannot be published, and what to do about it."""
    remedy = html_escape(limits.REMEDIES[reason], quote=False)  # it names marks such as <
    return f'<p class="refused-block"><strong>{reason}.</strong> {remedy}</p>'


def render_markdown(source: str, *, resolve_image: ImageResolver | None = None) -> str:
    """The whole body rendered in one pass: the reference the block renderer must equal."""
    refusal = limits.check_block(source)
    html = None if refusal else _convert(source)
    if html is None:
        return refusal_html(refusal.reason if refusal else limits.TOO_LARGE)
    return place_images(sanitize(html), resolve_image)


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
