"""The live preview: a reporter's article shown as the published page, patched as they type."""

from __future__ import annotations

import json
import sys

import pytest

# QtWebEngine must be imported before the QApplication exists.
from PySide6.QtWebEngineCore import QWebEngineSettings
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QLabel, QTextBrowser

from newsdesk.render import i18n
from newsdesk.render.markdown import BlockRenderer
from newsdesk.render.page import Assets, build_page, render_page
from newsdesk.text import word_count
from newsdesk.ui.preview import PreviewPane
from newsdesk.ui.preview import web as web_preview
from newsdesk.ui.preview.jobs import BodyMeasure

BODY = """The council agreed its budget on Tuesday after months of talks.

## What changes

Schools get twelve new teachers, paid for by a levy on parking.[^levy]

> We listened to parents, the mayor said.

- Smaller classes
- Safer crossings

[^levy]: The levy was first proposed in 2019.
"""


@pytest.fixture
def article(library):
    created = library.create_article(
        headline="Council agrees school budget",
        dek="Twelve new teachers after months of talks",
        byline="By Ana Ruiz",
        section="Local",
        body=BODY,
    )
    return library.get_article(created.id)


@pytest.fixture
def pane(qtbot, library):
    widget = PreviewPane(library)
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    return widget


def js(qtbot, pane: PreviewPane, script: str):
    """Evaluate an expression in the page; the value comes back through JSON (lists included)."""
    box: list = []
    pane.run_js(f"JSON.stringify({script})", box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=10_000)
    return json.loads(box[0]) if box[0] else None  # undefined comes back empty


def scroll_settled(qtbot, pane: PreviewPane) -> int:
    """The page's scroll position once a smooth scroll has come to rest (the same twice, a
    moment apart: a loaded machine draws the animation slowly)."""
    last = None
    for _ in range(50):
        now = js(qtbot, pane, "window.scrollY")
        if now == last:
            return now
        last = now
        qtbot.wait(150)
    raise AssertionError("the page kept scrolling")


def open_article(qtbot, pane: PreviewPane, article) -> None:
    with qtbot.waitSignal(pane.sig_ready, timeout=20000):
        pane.show_article(article)


def type_body(qtbot, pane: PreviewPane, text: str) -> None:
    with qtbot.waitSignal(pane.sig_updated, timeout=10000):
        pane.update_body(text)


def exported_page(library, article) -> str:
    view = build_page(
        article,
        library.publication(),
        Assets(library.root),
        templates_override=library.templates_dir,
    )
    return render_page(view, templates_override=library.templates_dir)


def preview_matches_export(qtbot, pane, exported_html: str) -> tuple[str, str]:
    """The <article> element of the preview and of the exported page, as the browser parses each."""
    script = (
        "(function (src) {"
        " const norm = s => s.replace(/>\\s+</g, '><').trim();"
        " const doc = new DOMParser().parseFromString(src, 'text/html');"
        " return [norm(document.querySelector('article').outerHTML),"
        "         norm(doc.querySelector('article').outerHTML)];"
        f"}})({json.dumps(exported_html)})"
    )
    shown, exported = js(qtbot, pane, script)
    return shown, exported


def test_the_web_view_is_made_after_the_first_paint(qtbot, library):
    pane = PreviewPane(library)
    qtbot.addWidget(pane)
    assert pane.findChild(QWebEngineView) is None, "constructing the pane must stay cheap"
    assert pane.findChild(QLabel).text() == "Loading preview…"
    pane.show()
    qtbot.waitUntil(lambda: pane.findChild(QWebEngineView) is not None, timeout=10_000)
    assert pane.status_message == ""


def test_the_preview_shows_the_article_as_published(qtbot, pane, article, library):
    open_article(qtbot, pane, article)
    assert js(qtbot, pane, "document.getElementById('story-headline').textContent") == (
        "Council agrees school budget"
    )
    body_text = js(qtbot, pane, "document.getElementById('story-body').textContent")
    assert "Schools get twelve new teachers" in body_text
    assert "The levy was first proposed in 2019." in body_text
    shown, exported = preview_matches_export(qtbot, pane, exported_page(library, article))
    assert shown == exported
    pane.grab().save("/tmp/preview-pane.png")


def test_typing_a_paragraph_patches_only_that_block(qtbot, pane, article, library):
    open_article(qtbot, pane, article)
    # Mark every block node; a patch must leave the untouched ones in place.
    count = js(
        qtbot,
        pane,
        "(() => { const b = [...document.querySelectorAll('#story-body > .blk')];"
        " b.forEach(e => e.__kept = true); return b.length; })()",
    )
    text = BODY.replace(
        "## What changes", "Parents had asked for smaller classes.\n\n## What changes"
    )
    type_body(qtbot, pane, text)

    assert pane.renderer.rendered_last == 1
    assert "Parents had asked for smaller classes." in js(
        qtbot, pane, "document.getElementById('story-body').textContent"
    )
    kept = js(
        qtbot,
        pane,
        "[...document.querySelectorAll('#story-body > .blk')].map(e => e.__kept === true)",
    )
    assert len(kept) == count + 1
    assert kept.count(False) == 1, "only the new paragraph is a new element"
    article.body = text  # this test's own copy, rendered the way the exporter would
    shown, exported = preview_matches_export(qtbot, pane, exported_page(library, article))
    assert shown == exported


def test_a_key_typed_in_a_paragraph_changes_its_text_in_place(qtbot, pane, article, library):
    # The paragraph stays the same element, and so do its link and emphasis: Chromium
    # repaints the text that changed, not the whole block.
    text = BODY.replace(
        "paid for by a levy on parking.", "paid for by *a levy* on [parking](https://p.org)."
    )
    open_article(qtbot, pane, article)
    type_body(qtbot, pane, text)
    js(
        qtbot,
        pane,
        "(() => { const p = document.querySelector('#story-body sup').closest('.blk');"
        " window.__para = p; window.__em = p.querySelector('em');"
        " window.__a = p.querySelector('a[href=\"https://p.org\"]'); return true; })()",
    )
    for typed in (" I", " It", " It starts in May."):  # keys, each patched in
        text = BODY.replace(
            "paid for by a levy on parking.",
            f"paid for by *a levy* on [parking](https://p.org).{typed}",
        )
        type_body(qtbot, pane, text)
    same = js(
        qtbot,
        pane,
        "(() => { const p = document.querySelector('#story-body sup').closest('.blk');"
        " return [p === window.__para, p.querySelector('em') === window.__em,"
        " p.querySelector('a[href=\"https://p.org\"]') === window.__a, p.textContent]; })()",
    )
    assert same[:3] == [True, True, True], same
    assert "It starts in May." in same[3]
    article.body = text
    shown, exported = preview_matches_export(qtbot, pane, exported_page(library, article))
    assert shown == exported


def test_blocks_made_over_in_place_match_the_export_after_many_edits(qtbot, pane, article, library):
    # Lists, quotes, headings and paragraphs typed into, retyped as another kind of block,
    # split and joined: the page made over node by node is the page the exporter writes.
    text = BODY
    steps = [
        ("- Safer crossings", "- Safer crossings near *schools*"),
        ("- Smaller classes\n", "- Smaller classes\n- More [buses](https://b.org)\n"),
        ("> We listened to parents, the mayor said.", "> We listened to *parents*."),
        ("## What changes", "## What **really** changes"),
        ("## What **really** changes", "What **really** changes"),
        ("What **really** changes", "1. What **really** changes"),
        ("on Tuesday after", "on Tuesday.\n\nAfter"),
        ("on Tuesday.\n\nAfter", "on Tuesday after"),
        ("> We listened to *parents*.", "> We listened to *parents*, she said.\n> Twice."),
        ("- More [buses](https://b.org)", "- More buses"),
    ]
    open_article(qtbot, pane, article)
    for old, new in steps:
        assert old in text, old
        text = text.replace(old, new, 1)
        type_body(qtbot, pane, text)
        article.body = text
        shown, exported = preview_matches_export(qtbot, pane, exported_page(library, article))
        assert shown == exported, f"after {new!r}"


def test_editing_and_deleting_blocks(qtbot, pane, article, library):
    open_article(qtbot, pane, article)
    edited = BODY.replace("after months of talks", "after a year of talks").replace(
        "> We listened to parents, the mayor said.\n\n", ""
    )
    type_body(qtbot, pane, edited)
    body_text = js(qtbot, pane, "document.getElementById('story-body').textContent")
    assert "after a year of talks" in body_text
    assert "after months of talks" not in body_text
    assert "We listened to parents" not in body_text
    assert js(qtbot, pane, "document.querySelectorAll('#story-body blockquote').length") == 0
    article.body = edited
    shown, exported = preview_matches_export(qtbot, pane, exported_page(library, article))
    assert shown == exported


def test_every_kind_of_edit_leaves_the_page_as_the_exporter_renders_it(
    qtbot, pane, article, library
):
    paragraphs = BODY.split("\n\n")
    edits = [
        "New first line.\n\n" + BODY,  # insert at the very start
        BODY + "\n" + paragraphs[0] + "\n",  # the same paragraph twice
        "\n\n".join([paragraphs[2], paragraphs[0], paragraphs[1], *paragraphs[3:]]),  # moved
        BODY.replace("## What changes", "## What changes\n\n## What changes"),  # twin headings
        BODY.replace("## What changes\n\n", ""),  # a heading removed
        BODY.replace("[^levy]: The levy", "[^levy]: The parking levy"),  # footnote text
        BODY.replace("paid for by", "paid for [in part](https://example.org/levy) by"),
        "",  # everything deleted
        BODY,  # and pasted back
    ]
    open_article(qtbot, pane, article)
    for text in edits:
        type_body(qtbot, pane, text)
        article.body = text
        shown, exported = preview_matches_export(qtbot, pane, exported_page(library, article))
        assert shown == exported, f"after typing {text[:40]!r}"


def test_words_counted_block_by_block_match_the_whole_count():
    measure = BodyMeasure()
    for text in [
        BODY,
        BODY + "\n\nA [link that runs on\n\ninto the next block](https://example.org) ends.",
        "![a photo](image:abc\n\nstill the target) after.",
        "",
    ]:
        body = BlockRenderer().render(text)
        words, notes_line = measure.measure(text, body.blocks)
        assert words == word_count(text)
    words, notes_line = measure.measure(BODY, BlockRenderer().render(BODY).blocks)
    assert notes_line == BODY.split("\n").index("[^levy]: The levy was first proposed in 2019.")


def test_words_and_footnotes_counted_after_each_edit_match_a_fresh_count():
    # After a keystroke only the blocks the renderer changed are measured again; the
    # totals must still be those of the whole text, whatever the edits did.
    import random

    from newsdesk.ui.preview.jobs import footnotes_line

    rng = random.Random(5)
    pieces = [
        "A plain paragraph of news copy.",
        "Text with a note.[^a]",
        "[^a]: The note itself.",
        "A [link](https://example.org/runs",
        "on) into the next block.",
        "## A subhead",
        "- a list item\n- another",
    ]
    paragraphs = [f"Paragraph {i} says what happened." for i in range(60)]
    text = "\n\n".join(paragraphs)
    renderer, measure = BlockRenderer(), BodyMeasure()
    quick = 0
    for _ in range(80):
        body = renderer.render(text)
        words, notes_line = measure.measure(
            text,
            body.blocks,
            edit=renderer.last_edit,
            serial=renderer.serial,
            sources=renderer.source_blocks,
        )
        assert (words, notes_line) == (word_count(text), footnotes_line(text)), text
        quick += measure.looked_at_last < len(body.blocks)
        at = rng.choice([m for m in range(len(text)) if text.startswith("\n\n", m)] or [0])
        roll = rng.random()
        if roll < 0.6:
            text = text[:at] + rng.choice(["x", " more words", "\n\nNew para."]) + text[at:]
        elif roll < 0.8:
            text = text[:at] + "\n\n" + rng.choice(pieces) + text[at:]
        else:
            end = text.find("\n\n", at + 2)
            text = text[:at] + (text[end:] if end > 0 else "")
    assert quick > 20


def test_footnotes_follow_their_definitions(qtbot, pane, article, library):
    open_article(qtbot, pane, article)
    text = BODY.replace("first proposed in 2019.", "first proposed in 2019 and dropped.")
    text += "\nAnother claim.[^poll]\n\n[^poll]: A poll of 400 parents.\n"
    type_body(qtbot, pane, text)
    notes = js(qtbot, pane, "document.getElementById('story-footnotes').textContent")
    assert "first proposed in 2019 and dropped." in notes
    assert "A poll of 400 parents." in notes
    article.body = text
    shown, exported = preview_matches_export(qtbot, pane, exported_page(library, article))
    assert shown == exported

    without = "The council agreed its budget on Tuesday.\n"
    type_body(qtbot, pane, without)
    assert js(qtbot, pane, "document.getElementById('story-footnotes')") is None
    assert js(qtbot, pane, "document.querySelectorAll('#story-body > .blk').length") == 1


def test_reading_time_follows_the_body(qtbot, pane, article):
    open_article(qtbot, pane, article)
    reading = "document.getElementById('story-reading-time').textContent"
    assert js(qtbot, pane, reading) == "1 min read"
    long_text = BODY + "\n\n" + "\n\n".join(["word " * 100] * 6)  # 600 more words
    type_body(qtbot, pane, long_text)
    assert js(qtbot, pane, reading) == "3 min read"


def test_fast_typing_renders_only_the_newest_text(qtbot, pane, article):
    open_article(qtbot, pane, article)
    updates: list[None] = []
    pane.sig_updated.connect(lambda: updates.append(None))
    for n in range(1, 21):
        pane.update_body(BODY + "\n\nTyping" + "!" * n)
    qtbot.waitUntil(
        lambda: (
            js(qtbot, pane, "document.getElementById('story-body').textContent").count("!") == 20
        ),
        timeout=10000,
    )
    assert len(updates) <= 2, "stale texts must not be rendered one by one"


def test_each_patch_waits_for_the_frame_that_draws_the_one_before(qtbot, pane, article):
    from PySide6.QtCore import QTimer

    open_article(qtbot, pane, article)
    events: list[tuple[str, int]] = []
    pane.sig_updated.connect(lambda: events.append(("patched", pane.text_version)))
    pane.sig_frame.connect(lambda version, _at: events.append(("frame", version)))
    frame_times: list[tuple[int, float]] = []
    pane.sig_frame.connect(lambda version, at: frame_times.append((version, at)))
    typed = {"n": 0}

    def key() -> None:  # a key every 2 ms, faster than frames come
        typed["n"] += 1
        pane.update_body(BODY + "\n\nTyping" + "!" * typed["n"])

    timer = QTimer()
    timer.timeout.connect(key)
    timer.start(2)
    # Typing goes on until a few patches were drawn (a loaded machine draws fewer a second).
    qtbot.waitUntil(lambda: sum(kind == "patched" for kind, _v in events) >= 3, timeout=30_000)
    timer.stop()
    qtbot.waitUntil(lambda: ("frame", pane.text_version) in events, timeout=20_000)
    patches = [v for kind, v in events if kind == "patched"]
    assert len(patches) >= 3
    # Each patch reports the frame that draws it (by the frame's start time): no frame
    # ever drew two patches, and the keys typed in between were coalesced.
    frames = [at for _version, at in frame_times]
    assert len(frames) == len(set(frames)), frame_times
    assert len(patches) < typed["n"] / 2
    assert (
        js(qtbot, pane, "document.getElementById('story-body').textContent").count("!")
        == (typed["n"])
    )


def test_a_long_article_shows_its_first_screen_first_then_the_rest(qtbot, pane, library):
    paragraphs = [
        f"Paragraph {i} of the long read, with enough words to fill a line." for i in range(800)
    ]
    created = library.create_article(headline="A long read", body="\n\n".join(paragraphs))
    article = library.get_article(created.id)
    count = "document.querySelectorAll('#story-body > .blk').length"
    version = pane.text_version
    open_article(qtbot, pane, article)
    shown_first = js(qtbot, pane, count)
    assert 0 < shown_first < 300  # a screen's worth and some, not 800 paragraphs
    text = "document.getElementById('story-body').textContent"
    assert "Paragraph 0 of the long read" in js(qtbot, pane, text)
    # The first screen's header already tells the whole story's reading time (it said
    # the first screen's, then jumped when the rest came).
    reading = "document.getElementById('story-reading-time').textContent"
    whole = i18n.reading_time(word_count(article.body), "en")
    assert js(qtbot, pane, reading) == whole
    qtbot.waitUntil(lambda: js(qtbot, pane, count) == 800, timeout=20_000)
    assert "Paragraph 799 of the long read" in js(qtbot, pane, text)
    assert pane.text_version == version  # filling in the rest is not an edit
    # And the whole page is what the exporter writes for it.
    shown, exported = preview_matches_export(qtbot, pane, exported_page(library, article))
    assert shown == exported


def test_a_small_preview_starts_with_less_of_a_long_article_than_a_tall_one(qtbot, library):
    paragraphs = [
        f"Paragraph {i} of the long read, with enough words to fill a line." for i in range(800)
    ]
    created = library.create_article(headline="A long read", body="\n\n".join(paragraphs))
    article = library.get_article(created.id)
    count = "document.querySelectorAll('#story-body > .blk').length"
    shown_first = []
    for size in ((420, 500), (1200, 1500)):
        widget = PreviewPane(library)
        qtbot.addWidget(widget)
        widget.resize(*size)
        widget.show()
        open_article(qtbot, widget, article)
        shown_first.append(js(qtbot, widget, count))
    # What fills the pane comes first: a small one renders and lays out less of it.
    assert 0 < shown_first[0] < shown_first[1] < 800


def test_field_edits_patch_the_header(qtbot, pane, library):
    created = library.create_article(headline="First draft", body="One paragraph.")
    article = library.get_article(created.id)
    open_article(qtbot, pane, article)
    assert js(qtbot, pane, "document.getElementById('story-dek')") is None
    with qtbot.waitSignal(pane.sig_updated, timeout=10000):
        pane.update_fields(
            headline="Bridge reopens", dek="Six months late", section="Local", tags=["transport"]
        )
    assert js(qtbot, pane, "document.getElementById('story-headline').textContent") == (
        "Bridge reopens"
    )
    assert js(qtbot, pane, "document.getElementById('story-dek').textContent") == (
        "Six months late"
    )
    assert js(qtbot, pane, "document.querySelector('.story-section').textContent") == "Local"
    assert js(qtbot, pane, "document.title").startswith("Bridge reopens | ")
    assert (
        js(qtbot, pane, "document.querySelector('.story-tags').textContent.trim()") == "transport"
    )
    library.update_article(
        article.id,
        headline="Bridge reopens",
        dek="Six months late",
        section="Local",
        tags=["transport"],
    )
    saved = library.get_article(article.id)
    saved.updated_at = article.updated_at  # the preview shows the times it opened with
    shown, exported = preview_matches_export(qtbot, pane, exported_page(library, saved))
    assert shown == exported
    with qtbot.waitSignal(pane.sig_updated, timeout=10000):
        pane.update_fields(tags=[], slug="ignored-here")
    assert js(qtbot, pane, "document.querySelector('.story-tags')") is None


def test_clicking_a_block_reports_its_source_line(qtbot, pane, article):
    open_article(qtbot, pane, article)
    quote_line = BODY.split("\n").index("> We listened to parents, the mayor said.")
    with qtbot.waitSignal(pane.sig_block_clicked, timeout=10_000) as clicked:
        js(qtbot, pane, "document.querySelector('#story-body blockquote p').click()")
    assert clicked.args == [quote_line]
    with qtbot.waitSignal(pane.sig_block_clicked, timeout=10_000) as clicked:
        js(qtbot, pane, "document.querySelector('#story-footnotes li').click()")
    assert clicked.args == [BODY.split("\n").index("[^levy]: The levy was first proposed in 2019.")]


def test_moving_the_cursor_scrolls_the_preview(qtbot, pane, library):
    paragraphs = [f"Paragraph {n}: " + "the council met again to talk. " * 12 for n in range(80)]
    created = library.create_article(headline="A long read", body="\n\n".join(paragraphs))
    open_article(qtbot, pane, library.get_article(created.id))
    assert js(qtbot, pane, "window.scrollY") == 0
    last_line = 2 * 79  # paragraphs sit on even lines
    pane.scroll_to_line(last_line)
    qtbot.waitUntil(lambda: js(qtbot, pane, "window.scrollY") > 1000, timeout=10000)
    target = js(
        qtbot,
        pane,
        "(() => { const r = document.querySelectorAll('#story-body > .blk')[79]"
        ".getBoundingClientRect(); return r.top < innerHeight && r.bottom > 0; })()",
    )
    assert target, "the block holding the line is on screen"
    # Moving within a block already on screen leaves the page where it is.
    settled = scroll_settled(qtbot, pane)
    pane.scroll_to_line(last_line)
    qtbot.wait(300)
    assert js(qtbot, pane, "window.scrollY") == settled


def test_the_cursor_deep_in_a_tall_block_shows_that_part_of_it_not_its_top(qtbot, pane, library):
    code = "\n".join(f"line_{n} = {n}" for n in range(400))
    long_paragraph = "The council met again to talk about the levy. " * 400  # one source line
    body = f"An opening paragraph.\n\n```\n{code}\n```\n\n{long_paragraph}\n\nThe end."
    created = library.create_article(headline="Tall blocks", body=body)
    open_article(qtbot, pane, library.get_article(created.id))
    where = (
        "((i, at) => {{ const r = document.querySelectorAll('#story-body > .blk')[i]"
        ".getBoundingClientRect(); const y = r.top + at * r.height;"
        " return [r.height > innerHeight, r.top < 0, y >= 0 && y < innerHeight]; }})({}, {})"
    )
    # The cursor on the code block's 390th line: the page shows that line, not the fence.
    pane.scroll_to_line(2 + 1 + 390)
    qtbot.waitUntil(
        lambda: js(qtbot, pane, where.format(1, 391 / 402)) == [True, True, True], timeout=30_000
    )
    # Nine tenths along the long paragraph, typed as one line.
    pane.scroll_to_line(2 + 402 + 1, 0.9)
    qtbot.waitUntil(
        lambda: js(qtbot, pane, where.format(2, 0.9)) == [True, True, True], timeout=30_000
    )
    # Moving the cursor a little within what is on screen leaves the page where it is.
    settled = scroll_settled(qtbot, pane)
    pane.scroll_to_line(2 + 402 + 1, 0.88)
    qtbot.wait(300)
    assert js(qtbot, pane, "window.scrollY") == settled


def test_the_preview_never_reaches_the_network(qtbot, pane, article):
    open_article(qtbot, pane, article)
    fetch = (
        "(() => { window.outcome = 'pending'; fetch('http://example.invalid/tracker.js')"
        ".then(() => { outcome = 'loaded'; }, () => { outcome = 'failed'; }); return 1; })()"
    )
    # Local pages may not reach remote URLs at all: the request fails before it is made.
    js(qtbot, pane, fetch)
    qtbot.waitUntil(lambda: js(qtbot, pane, "window.outcome") != "pending", timeout=10_000)
    assert js(qtbot, pane, "window.outcome") == "failed"
    # Behind that, the profile's interceptor blocks any request that is not local.
    blocker = pane.interceptor
    assert blocker is not None and blocker.blocked == []
    page = pane.findChild(QWebEngineView).page()
    page.settings().setAttribute(
        QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls, True
    )

    def fetched_and_blocked() -> bool:
        # The changed setting reaches the page's renderer process asynchronously: retry.
        js(qtbot, pane, fetch)
        qtbot.wait(50)
        return bool(blocker.blocked)

    qtbot.waitUntil(fetched_and_blocked, timeout=10000)
    assert set(blocker.blocked) == {"http://example.invalid/tracker.js"}
    qtbot.waitUntil(lambda: js(qtbot, pane, "window.outcome") == "failed", timeout=10_000)
    # Links in the body do not navigate away from the preview.
    type_body(qtbot, pane, BODY + "\n\nSee [the report](https://example.org/report).\n")
    url = js(qtbot, pane, "location.href")
    js(qtbot, pane, "document.querySelector('#story-body a[href^=\"https\"]').click()")
    qtbot.wait(500)
    assert js(qtbot, pane, "location.href") == url
    assert js(qtbot, pane, "document.getElementById('story-headline') !== null")


def test_a_page_too_big_for_sethtml_is_loaded_from_a_file(
    qtbot, pane, article, library, monkeypatch
):
    monkeypatch.setattr(web_preview, "SETHTML_LIMIT_BYTES", 1000)
    open_article(qtbot, pane, article)
    spilled = library.cache_dir / "preview" / f"{article.uid}.html"
    assert spilled.is_file()
    assert js(qtbot, pane, "location.protocol") == "file:"
    assert js(qtbot, pane, "document.getElementById('story-headline').textContent") == (
        "Council agrees school budget"
    )
    type_body(qtbot, pane, BODY + "\n\nStill patched in place.\n")
    assert "Still patched in place." in js(
        qtbot, pane, "document.getElementById('story-body').textContent"
    )


def test_without_qtwebengine_a_simple_preview_says_why(qtbot, library, article, monkeypatch):
    # As on a system whose Qt has no QtWebEngine: the import fails.
    monkeypatch.setitem(sys.modules, "PySide6.QtWebEngineWidgets", None)
    pane = PreviewPane(library)
    qtbot.addWidget(pane)
    assert "QtWebEngine is not available" in pane.status_message
    pane.resize(900, 700)
    pane.show()
    open_article(qtbot, pane, article)
    assert pane.findChild(QWebEngineView) is None
    browser = pane.findChild(QTextBrowser)
    assert "Council agrees school budget" in browser.toPlainText()
    type_body(qtbot, pane, BODY + "\n\nAdded in the simple preview.\n")
    assert "Added in the simple preview." in browser.toPlainText()
    pane.grab().save("/tmp/preview-pane-simple.png")
