"""A full export reads its stories with Core queries (export/plain.py): what it reads must be what
the library's own fully loaded records say, down to the order of every list."""

from __future__ import annotations

from datetime import timedelta

from newsdesk.export.fingerprint import _fingerprint, _images_of
from newsdesk.export.page_input import article_input
from newsdesk.export.plain import load_articles
from newsdesk.export.story import preflight_messages
from tests.export.sample import NOW, add_image, make_jpeg, published


def _newsroom_with_everything(library, photos):
    pics = [
        add_image(
            library,
            make_jpeg(photos / f"p{i}.jpg", (640, 427), (30 + 40 * i, 90, 140)),
            alt_text=f"Harbour view {i}",
            credit="Ana Ruiz / Gazette" if i else "",  # the first has no credit: preflight says so
            caption=f"On the quay, {i}.",
        )
        for i in range(3)
    ]
    library.add_author("Ana Ruiz", bio="Covers the port.", url="https://example.org/ana")
    library.add_author("Luis Gómez")
    main = published(
        library,
        hero=pics[1],
        headline="The wall gave way",
        dek="By sunrise the market stood in water.",
        byline="By Ana Ruiz and Luis Gómez",
        section="News",
        tags=("Storms", "Harbour", "Ports"),
        body=f"One.\n\n![A boat](image:{pics[2].uid})\n\nTwo.",
    )
    library.add_figure(main.id, pics[2].id, caption="A story's own words.", alt_text="Its own alt")
    library.add_figure(main.id, pics[0].id)
    library.add_update(main.id, "Later note.", at=NOW - timedelta(minutes=5))
    library.add_update(
        main.id, "Earlier correction.", kind="correction", at=NOW - timedelta(hours=1)
    )
    others = [
        published(library, hero=pics[i % 3], headline=f"Other {i}", dek="Dek.", section="Politics")
        for i in range(4)
    ]
    library.update_article(others[1].id, status="draft")
    library.update_article(others[2].id, embargo_until=NOW + timedelta(days=2))
    library.set_related(main.id, [o.id for o in reversed(others)])
    library.trash_article(others[3].id)
    library.set_related(others[0].id, [main.id])
    return main


def test_stories_read_by_core_queries_are_the_librarys_stories(library, tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    main = _newsroom_with_everything(library, photos)
    with library.engine.connect() as conn:
        ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM articles ORDER BY id DESC")]
        plain = load_articles(conn, ids + ids[:2])
    orm = library.articles_by_ids(ids)

    assert [a.id for a in plain] == sorted(ids)
    first = next(p for p in plain if p.id == main.id)
    # Not a vacuous comparison: the story has every kind of list, in a telling order.
    assert first.tags == ["Storms", "Harbour", "Ports"]
    assert [f.role for f in first.figures] == ["hero", "inline", "inline"]
    assert len(first.related) == 4 and len(first.updates) == 2 and len(first.authors) == 2
    assert first.hero is first.figures[0]
    extra = {}
    for a, p in zip(orm, plain, strict=True):
        assert article_input(p) == article_input(a)
        assert _fingerprint(p, extra, NOW, "env") == _fingerprint(a, extra, NOW, "env")
        assert preflight_messages(library, p, now=NOW) == preflight_messages(library, a, now=NOW)
        assert [i.uid for i in _images_of(p, extra)] == [i.uid for i in _images_of(a, extra)]
        assert [(au.uid, au.bio, au.url) for au in p.authors] == [
            (au.uid, au.bio, au.url) for au in a.authors
        ]
    assert any(preflight_messages(library, p, now=NOW) for p in plain)


def test_a_picture_many_stories_show_is_read_once(library, tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    _newsroom_with_everything(library, photos)
    images: dict = {}
    with library.engine.connect() as conn:
        ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM articles")]
        first = load_articles(conn, ids[:2], images=images)
        second = load_articles(conn, ids[2:], images=images)
    shown = {id(f.image) for a in first + second for f in a.figures}
    assert len(shown) == len(images) == 3
