"""Records as flat snapshots that can travel between libraries, and writing them back.

Sync (newsdesk/sync/) merges snapshots and never touches the tables itself:
what a library stores (and how it indexes it for search) stays behind the
facade. An article's snapshot is a flat dict of JSON values keyed by field:
its text fields; "tags" (names); "figures" (figure uids in order) and for
each figure "figure:<uid>:image|role|caption|alt_text"; "related" (target
uids in order) and "related:<uid>" (the target's headline); "authors"
(author slugs in byline order); "updates" and "notes" (uids) with, for each,
"update:<uid>:kind|text|at" and "note:<uid>:text|quote|…" — update notes and
corrections, and the desk's notes, travel with their story. An image's
snapshot holds its photo-desk fields and is keyed by its SHA-256, so the same
picture imported on two laptops is one picture everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, selectinload

from newsdesk.library.errors import LibraryError
from newsdesk.library.models import (
    ARTICLE_STATUSES,
    FIGURE_ROLES,
    UPDATE_KINDS,
    Article,
    ArticleAuthor,
    ArticleNote,
    ArticleTag,
    ArticleUpdate,
    Author,
    Figure,
    Image,
    RelatedStory,
    Tag,
    utcnow,
)
from newsdesk.text import numbered_slug, slugify

TEXT_FIELDS = (
    "headline",
    "dek",
    "slug",
    "byline",
    "section",
    "body",
    "status",
    "language",
    "seo_title",
    "seo_description",
    "deleted_by",
)
TIME_FIELDS = ("embargo_until", "published_at", "created_at", "deleted_at", "purged_at")
FIGURE_FIELDS = ("image", "role", "caption", "alt_text")
UPDATE_FIELDS = ("kind", "text", "at")
NOTE_FIELDS = ("text", "quote", "prefix", "suffix", "start", "resolved", "author")
IMAGE_SYNC_FIELDS = (
    "ext",
    "original_name",
    "format",
    "mime",
    "width",
    "height",
    "size_bytes",
    "caption",
    "credit",
    "creator",
    "copyright",
    "source",
    "usage_terms",
    "alt_text",
    "headline",
    "title",
    "instructions",
    "keywords",
    "date_created",
    "city",
    "country",
    "focal_x",
    "focal_y",
    "crops",
    "dhash",
)
_CHUNK = 500

Snapshot = dict[str, Any]


class PictureMissing(LibraryError):
    """A story names a picture this library does not hold (yet)."""

    def __init__(self, sha256: str) -> None:
        super().__init__(f"The picture {sha256[:12]}… is not in this library.")
        self.sha256 = sha256


class VersionMoved(LibraryError):
    """A record changed since its snapshot was read: merge again."""

    def __init__(self, uid: str) -> None:
        super().__init__(f"The story {uid} changed while it was being synced.")
        self.uid = uid


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def article_snapshot(article: Article, notes: Sequence[ArticleNote] = ()) -> Snapshot:
    snap: Snapshot = {name: getattr(article, name) for name in TEXT_FIELDS}
    for name in TIME_FIELDS:
        snap[name] = _iso(getattr(article, name))
    snap["updated_at"] = _iso(article.updated_at)
    snap["tags"] = [link.tag.name for link in article.tag_links]
    snap["figures"] = [f.uid for f in article.figures]
    for f in article.figures:
        snap[f"figure:{f.uid}:image"] = f.image.sha256
        snap[f"figure:{f.uid}:role"] = f.role
        snap[f"figure:{f.uid}:caption"] = f.caption
        snap[f"figure:{f.uid}:alt_text"] = f.alt_text
    snap["related"] = [r.target_uid for r in article.related]
    for r in article.related:
        snap[f"related:{r.target_uid}"] = r.target_headline
    snap["authors"] = [link.author.slug for link in article.author_links]
    snap["updates"] = [u.uid for u in article.updates]
    for u in article.updates:
        snap[f"update:{u.uid}:kind"] = u.kind
        snap[f"update:{u.uid}:text"] = u.text
        snap[f"update:{u.uid}:at"] = _iso(u.at)
    snap["notes"] = [n.uid for n in notes]
    for n in notes:
        for name in NOTE_FIELDS:
            snap[f"note:{n.uid}:{name}"] = getattr(n, name)
    return snap


def image_snapshot(image: Image) -> Snapshot:
    return {name: getattr(image, name) for name in IMAGE_SYNC_FIELDS}


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def read_articles(library, uids: Iterable[str]) -> dict[str, tuple[int, Snapshot]]:
    """uid -> (version, snapshot) for the articles that exist (trashed ones included)."""
    out: dict[str, tuple[int, Snapshot]] = {}
    with library._session() as s:
        for chunk in _chunks(sorted(set(uids))):
            stmt = (
                select(Article)
                .where(Article.uid.in_(chunk))
                .options(
                    selectinload(Article.tag_links).joinedload(ArticleTag.tag),
                    selectinload(Article.figures).joinedload(Figure.image),
                    selectinload(Article.related),
                    selectinload(Article.updates),
                    selectinload(Article.author_links),
                )
            )
            found = list(s.scalars(stmt))
            notes: dict[int, list[ArticleNote]] = {}
            if found:
                stmt = (
                    select(ArticleNote)
                    .where(ArticleNote.article_id.in_([a.id for a in found]))
                    .order_by(ArticleNote.id)
                )
                for n in s.scalars(stmt):
                    notes.setdefault(n.article_id, []).append(n)
            for a in found:
                out[a.uid] = (a.version, article_snapshot(a, notes.get(a.id, ())))
    return out


def read_images(library, shas: Iterable[str]) -> dict[str, Snapshot]:
    out: dict[str, Snapshot] = {}
    with library.engine.connect() as conn:
        columns = [getattr(Image, n) for n in IMAGE_SYNC_FIELDS]
        for chunk in _chunks(sorted(set(shas))):
            for row in conn.execute(select(Image.sha256, *columns).where(Image.sha256.in_(chunk))):
                out[row[0]] = dict(zip(IMAGE_SYNC_FIELDS, row[1:], strict=True))
    return out


def all_article_uids(library) -> set[str]:
    with library.engine.connect() as conn:
        return set(conn.execute(select(Article.uid)).scalars())


def all_image_shas(library) -> set[str]:
    with library.engine.connect() as conn:
        return set(conn.execute(select(Image.sha256)).scalars())


def image_shas_of_uids(library, uids: Iterable[str]) -> dict[str, str]:
    """image uid -> sha256."""
    out: dict[str, str] = {}
    with library.engine.connect() as conn:
        for chunk in _chunks(sorted(set(uids))):
            rows = conn.execute(select(Image.uid, Image.sha256).where(Image.uid.in_(chunk)))
            out.update(rows.all())  # a list: a result has keys(), so update took it for a mapping
    return out


def figure_shas_of_articles(library, uids: Iterable[str]) -> set[str]:
    """The SHA-256s of the pictures these articles' figures show (one query per chunk)."""
    out: set[str] = set()
    with library.engine.connect() as conn:
        for chunk in _chunks(sorted(set(uids))):
            stmt = (
                select(Image.sha256)
                .join(Figure, Figure.image_id == Image.id)
                .join(Article, Article.id == Figure.article_id)
                .where(Article.uid.in_(chunk))
            )
            out.update(conn.execute(stmt).scalars())
    return out


def write_images(library, snaps: dict[str, Snapshot], session: Session) -> None:
    """Insert or update images by SHA-256 (their files must already be in place)."""
    existing = {
        i.sha256: i
        for chunk in _chunks(sorted(snaps))
        for i in session.scalars(select(Image).where(Image.sha256.in_(chunk)))
    }
    for sha, snap in snaps.items():
        image = existing.get(sha)
        if image is None:
            image = Image(sha256=sha)
            session.add(image)
        changed = False
        for name in IMAGE_SYNC_FIELDS:
            if name in snap and getattr(image, name) != snap[name]:
                setattr(image, name, snap[name])
                changed = True
        if changed and image.id is not None:
            image.updated_at = utcnow()


def write_articles(
    library,
    items: Sequence[tuple[str, Snapshot, int | None]],
    *,
    images: dict[str, Snapshot] | None = None,
    also: Callable[[Session, dict[str, Snapshot]], None] | None = None,
) -> dict[str, Snapshot]:
    """Write (uid, snapshot, expected version) in ONE transaction; the snapshots as written.

    expected version None: the article must not exist yet. If any article's
    version moved (someone saved it since it was read), VersionMoved is raised
    and nothing is written. `images` are written first in the same
    transaction; `also(session, written)` runs last, inside it, for the
    caller's own bookkeeping (a laptop's sync bases and cursors).

    A batch costs a handful of statements, not a dozen per story: versions are
    claimed in one executemany, tags and slugs looked up for the whole batch,
    and every new story inserted by one flush (multi-row INSERT … RETURNING).
    Sync writes 10,000 stories this way.
    """
    written: dict[str, Snapshot] = {}
    with library._session() as s, s.begin():
        # Nothing is flushed until every story is in place: one INSERT for them all.
        with s.no_autoflush:
            created, batch = _write_all(s, items, images, written, library)
        s.flush()
        if batch.later_targets or batch.later_notes:
            # Links to stories new in this batch, and their notes: the stories'
            # ids came with the flush.
            for link, target in batch.later_targets:
                link.target_id = target.id
            for note, article in batch.later_notes:
                note.article_id = article.id
                s.add(note)
            s.flush()
        for article in created:
            library._index(s, article)
        library._read_back_server_fields(s, written)  # what a shared library's server wrote
        if also is not None:
            also(s, written)
    return written


def _write_all(
    s: Session,
    items: Sequence[tuple[str, Snapshot, int | None]],
    images: dict[str, Snapshot] | None,
    written: dict[str, Snapshot],
    library,
) -> tuple[list[Article], _Batch]:
    """Put every snapshot on its article (new ones added).

    The articles written, and the batch: its related links to new articles
    and new articles' notes wait for the flush that gives those their ids.
    """
    _claim_versions(s, items)
    if images:
        write_images(library, images, s)
        s.flush()
    uids = [uid for uid, _snap, _v in items]
    found = {
        a.uid: a
        for chunk in _chunks(uids)
        for a in s.scalars(select(Article).where(Article.uid.in_(chunk)))
    }
    shas = {
        snap[f"figure:{f}:image"]
        for _u, snap, _v in items
        for f in snap.get("figures", [])
        if f"figure:{f}:image" in snap
    }
    image_ids = dict(s.execute(select(Image.sha256, Image.id).where(Image.sha256.in_(shas))).all())
    for sha in shas - image_ids.keys():
        raise PictureMissing(sha)
    targets = {t for _u, snap, _v in items for t in snap.get("related", [])} | set(uids)
    target_ids: dict[str, int | Article] = {
        uid: aid
        for chunk in _chunks(sorted(targets))
        for uid, aid in s.execute(select(Article.uid, Article.id).where(Article.uid.in_(chunk)))
    }
    batch = _Batch(
        s,
        tags={n for _u, snap, _v in items for n in snap.get("tags", []) if n},
        slugs={snap.get("slug") or uid for uid, snap, _v in items},
        authors={a for _u, snap, _v in items for a in snap.get("authors", []) if a},
        noted=[a.id for a in found.values()],
    )
    created: dict[str, Article] = {}
    for uid, snap, version in items:  # the new ones first: any story may list them
        if uid not in found:
            if version is not None:
                raise VersionMoved(uid)
            article = Article(uid=uid, slug=batch.free_slug(snap.get("slug") or uid, uid))
            s.add(article)
            created[uid] = target_ids[uid] = article  # its id comes with the flush
    for uid, snap, _version in items:
        article = found.get(uid) or created[uid]
        written[uid] = _apply(s, article, snap, image_ids, target_ids, batch)
    return [*found.values(), *created.values()], batch


def _claim_versions(s: Session, items: Sequence[tuple[str, Snapshot, int | None]]) -> None:
    """Claim each existing article's version: this takes the write locks, and a save
    made since the snapshot was read is noticed here (VersionMoved, nothing written)."""
    claims = [{"u": uid, "v": version} for uid, _snap, version in items if version is not None]
    if not claims:
        return
    now: dict[str, int] = {}
    for chunk in _chunks([c["u"] for c in claims]):
        now.update(
            (uid, version)
            for uid, version in s.execute(
                select(Article.uid, Article.version).where(Article.uid.in_(chunk))
            )
        )
    moved = next((c["u"] for c in claims if now.get(c["u"]) != c["v"]), None)
    if moved is not None:
        raise VersionMoved(moved)
    table = Article.__table__
    stmt = (
        update(table)
        .where(table.c.uid == bindparam("u"), table.c.version == bindparam("v"))
        .values(version=table.c.version + 1)
    )
    if s.connection().execute(stmt, claims).rowcount != len(claims):
        # Saved by someone else between the look and the claim.
        raise VersionMoved(claims[0]["u"])


class _Batch:
    """Tags and slugs looked up once for a whole batch of articles being written."""

    def __init__(
        self,
        s: Session,
        *,
        tags: set[str],
        slugs: set[str],
        authors: set[str] = frozenset(),
        noted: Sequence[int] = (),
    ) -> None:
        self.s = s
        self.tags: dict[str, Tag] = {}
        for chunk in _chunks(sorted(tags)):
            self.tags.update((t.name, t) for t in s.scalars(select(Tag).where(Tag.name.in_(chunk))))
        self.authors: dict[str, Author] = {}
        for chunk in _chunks(sorted(authors)):
            self.authors.update(
                (a.slug, a) for a in s.scalars(select(Author).where(Author.slug.in_(chunk)))
            )
        # The existing articles' notes (not a relationship of Article), by article id.
        self.notes: dict[int, list[ArticleNote]] = {}
        for chunk in _chunks(list(noted)):
            stmt = select(ArticleNote).where(ArticleNote.article_id.in_(chunk))
            for note in s.scalars(stmt.order_by(ArticleNote.id)):
                self.notes.setdefault(note.article_id, []).append(note)
        self.later_notes: list[tuple[ArticleNote, Article]] = []
        # slug -> uid of the article holding it (None: free). Slugs given out
        # in this batch count as taken, even ones a story is leaving: the
        # rows are flushed only at the end, so no two may share one meanwhile.
        self.owners: dict[str, str | None] = {}
        self.later_targets: list[tuple[RelatedStory, Article]] = []
        self._look_up({slugify(w) or "story" for w in slugs})

    def _look_up(self, slugs: set[str]) -> None:
        wanted = sorted(slugs - self.owners.keys())
        for chunk in _chunks(wanted):
            rows = self.s.execute(select(Article.slug, Article.uid).where(Article.slug.in_(chunk)))
            self.owners.update((slug, uid) for slug, uid in rows)
        for slug in wanted:
            self.owners.setdefault(slug, None)

    def free_slug(self, wanted: str, uid: str) -> str:
        base = slugify(wanted) or "story"
        candidate, n = base, 1
        while True:
            self._look_up({candidate})
            if self.owners[candidate] in (None, uid):
                self.owners[candidate] = uid
                return candidate
            n += 1
            candidate = numbered_slug(base, n)

    def tag(self, name: str) -> Tag:
        tag = self.tags.get(name)
        if tag is None:
            tag = self.tags[name] = Tag(name=name)
            self.s.add(tag)
        return tag


def _apply(
    s: Session,
    article: Article,
    snap: Snapshot,
    image_ids: dict[str, int],
    target_ids: dict[str, int | Article],
    batch: _Batch,
) -> Snapshot:
    """Make the article say what the snapshot says; the snapshot as written (its slug may differ)."""
    snap = dict(snap)
    if snap.get("status") not in ARTICLE_STATUSES:
        snap["status"] = article.status or "draft"
    if "slug" in snap:
        # Two laptops may each have made a story called the same thing: the
        # second to arrive takes the next free slug rather than being refused.
        snap["slug"] = batch.free_slug(snap["slug"] or article.uid, article.uid)
    for name in TEXT_FIELDS:
        if name in snap and getattr(article, name) != (snap[name] or ""):
            setattr(article, name, snap[name] or "")
    for name in TIME_FIELDS:
        if name in snap:
            value = _time(snap[name])
            if getattr(article, name) != value:
                if name == "created_at" and value is None:
                    continue
                setattr(article, name, value)
    article.updated_at = _time(snap.get("updated_at")) or utcnow()
    if "tags" in snap and [link.tag.name for link in article.tag_links] != snap["tags"]:
        _set_tags(article, snap["tags"], batch)
    if "figures" in snap:
        _set_figures(article, snap, image_ids)
    if "authors" in snap and [link.author.slug for link in article.author_links] != snap["authors"]:
        _set_authors(article, snap["authors"], batch)
    if "updates" in snap:
        _set_updates(article, snap)
    if "notes" in snap:
        _set_notes(s, article, snap, batch)
    if "related" in snap and [r.target_uid for r in article.related] != snap["related"]:
        _set_related(article, snap, target_ids, batch)
    return snap


def _set_tags(article: Article, names: Sequence[str], batch: _Batch) -> None:
    """The article's tags in this order; links to tags it keeps are kept (no flush needed)."""
    kept = {link.tag.name: link for link in article.tag_links}
    links: list[ArticleTag] = []
    seen: set[str] = set()
    for name in names:
        if not name or name.casefold() in seen:
            continue
        seen.add(name.casefold())
        link = kept.pop(name, None) or ArticleTag(tag=batch.tag(name))
        if link.position != len(links):
            link.position = len(links)
        links.append(link)
    article.tag_links = links  # leftovers go (delete-orphan)


def _set_related(
    article: Article, snap: Snapshot, target_ids: dict[str, int | Article], batch: _Batch
) -> None:
    """The article's related stories in this order, each kept by its target's uid."""
    kept = {r.target_uid: r for r in article.related}
    wanted: list[RelatedStory] = []
    for position, target in enumerate(dict.fromkeys(snap["related"])):
        link = kept.pop(target, None) or RelatedStory(target_uid=target)
        found = target_ids.get(target)
        if isinstance(found, Article):
            batch.later_targets.append((link, found))  # new in this batch: no id yet
        elif link.target_id != found:
            link.target_id = found
        link.target_headline = snap.get(f"related:{target}", "")
        if link.position != position:
            link.position = position
        wanted.append(link)
    article.related = wanted  # leftovers go (delete-orphan)


def _set_figures(article: Article, snap: Snapshot, image_ids: dict[str, int]) -> None:
    by_uid = {f.uid: f for f in article.figures}
    wanted: list[Figure] = []
    for position, uid in enumerate(snap["figures"]):
        fig = by_uid.get(uid)
        sha = snap.get(f"figure:{uid}:image")
        if fig is None:
            fig = Figure(uid=uid, image_id=image_ids[sha])
        elif sha and image_ids.get(sha) != fig.image_id:
            fig.image_id = image_ids[sha]
        role = snap.get(f"figure:{uid}:role", "inline")
        fig.role = role if role in FIGURE_ROLES else "inline"
        fig.caption = snap.get(f"figure:{uid}:caption", "") or ""
        fig.alt_text = snap.get(f"figure:{uid}:alt_text", "") or ""
        if fig.position != position:
            fig.position = position
        wanted.append(fig)
    if [f.uid for f in article.figures] != [f.uid for f in wanted]:
        article.figures = wanted  # leftovers go (delete-orphan)


def _set_authors(article: Article, slugs: Sequence[str], batch: _Batch) -> None:
    """The byline's authors by slug (sync brings the author records first; an unknown one is left out).

    Links to authors the article keeps are kept, so no flush is needed in between.
    """
    kept = {link.author.slug: link for link in article.author_links}
    links: list[ArticleAuthor] = []
    for slug in dict.fromkeys(slugs):
        author = batch.authors.get(slug)
        if author is None:
            continue
        link = kept.pop(slug, None) or ArticleAuthor(author=author)
        if link.position != len(links):
            link.position = len(links)
        links.append(link)
    article.author_links = links  # leftovers go (delete-orphan)


def _set_updates(article: Article, snap: Snapshot) -> None:
    by_uid = {u.uid: u for u in article.updates}
    wanted: list[ArticleUpdate] = []
    for uid in snap["updates"]:
        update = by_uid.get(uid) or ArticleUpdate(uid=uid)
        kind = snap.get(f"update:{uid}:kind") or "update"
        update.kind = kind if kind in UPDATE_KINDS else "update"
        update.text = snap.get(f"update:{uid}:text") or ""
        update.at = _time(snap.get(f"update:{uid}:at")) or update.at or utcnow()
        wanted.append(update)
    if [u.uid for u in article.updates] != [u.uid for u in wanted] or any(
        u.id is None for u in wanted
    ):
        article.updates = wanted  # leftovers go (delete-orphan)


def _set_notes(s: Session, article: Article, snap: Snapshot, batch: _Batch) -> None:
    existing = {n.uid: n for n in batch.notes.get(article.id, [])} if article.id else {}
    wanted = set(snap["notes"])
    for uid, note in existing.items():
        if uid not in wanted:
            s.delete(note)
    for uid in snap["notes"]:
        note = existing.get(uid)
        if note is None:
            note = ArticleNote(uid=uid)
            if article.id is None:  # new in this batch: added once the flush gives its id
                batch.later_notes.append((note, article))
            else:
                note.article_id = article.id
                s.add(note)
        for name in NOTE_FIELDS:
            key = f"note:{uid}:{name}"
            if key in snap and getattr(note, name) != snap[key]:
                setattr(note, name, snap[key])
