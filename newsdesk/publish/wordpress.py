"""Publishing one story into a WordPress site: its pictures, section and tags, the post, and what we sent.

The post's content is the body exactly as the exported page has it — our
renderer's sanitised HTML, figures with caption and credit — with the pictures
uploaded to the site's media library and referenced by their WordPress
addresses. The hero becomes the featured image. WordPress has no credit field:
the credit goes into the media item's caption (after the caption, as the page
shows it), into its description with the creator and copyright, and into a
registered `credit` meta field when the site has one.

Publishing is idempotent: the library records, per site and story, the post
id, each picture's media id (by SHA-256) and a hash of everything the post was
made from. An unchanged story sends nothing; a changed one updates the same
post; a post someone edited in WordPress since our last publish is left alone
unless forced.
"""

from __future__ import annotations

import hashlib
import html
import json
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import PurePath

from newsdesk.export.page_input import article_input, picture, publication_input
from newsdesk.library.models import Article, Image, utcnow
from newsdesk.preflight import preflight
from newsdesk.publish.wp_api import NotFoundOnSite, WordPressAPI, WordPressError
from newsdesk.render.page import Assets, ImageRef, build_page
from newsdesk.rules import under_embargo
from newsdesk.text import slugify

STATUSES = ("draft", "publish", "future")
SITE_SETTING, USER_SETTING = "wordpress.site", "wordpress.user"
PASSWORD_ENV = "NEWSDESK_WP_PASSWORD"
# Pictures stand at this address in the content until they have their WordPress one.
_PLACEHOLDER = "https://newsdesk.invalid/picture/"
# Meta keys a site may register on attachments for a picture's credit.
CREDIT_META_KEYS = ("credit", "media_credit", "photo_credit")
# Bumped when what we send for the same story changes shape: every post is sent again once.
FORMAT = 1
_IMAGE_REF = re.compile(r"\]\(\s*image:([0-9A-Za-z-]+)")

Progress = Callable[[str], None]


class NotPublishable(Exception):
    """The story may not go out as asked (preflight failed, nothing to schedule for)."""

    def __init__(self, slug: str, problems: list[str]) -> None:
        self.slug = slug
        self.problems = problems
        listed = "; ".join(problems)
        super().__init__(f"{slug} was not published to WordPress: {listed}")


@dataclass
class Outcome:
    """What happened to one story: created, updated, unchanged, or left alone (changed there)."""

    slug: str
    action: str
    post_id: int | None
    link: str
    status: str
    message: str

    @property
    def ok(self) -> bool:
        return self.action != "left-alone"


@dataclass
class _Picture:
    """A picture the post shows, with the words its media item carries."""

    image: Image
    caption: str  # this story's caption (plain text)
    alt: str
    featured: bool = False

    @property
    def sha(self) -> str:
        return self.image.sha256

    def words(self) -> dict[str, str]:
        """The media item's fields, as WordPress stores them (caption and description are HTML)."""
        credit = self.image.credit.strip()
        caption = html.escape(self.caption.strip(), quote=False)
        if credit:
            credit_html = f"Credit: {html.escape(credit, quote=False)}"
            caption = f"{caption} {credit_html}" if caption else credit_html
        lines = [f"Credit: {credit}" if credit else ""]
        if self.image.creator.strip():
            lines.append(f"Photographer: {self.image.creator.strip()}")
        if self.image.copyright.strip():
            lines.append(self.image.copyright.strip())
        description = "<br>".join(html.escape(line, quote=False) for line in lines if line)
        return {
            "caption": caption,
            "alt_text": self.alt.strip(),
            "description": description,
            "title": self.image.title.strip() or PurePath(self.image.original_name).stem,
            "credit": credit,
        }


@dataclass
class Plan:
    """Everything the post is made from, with pictures at placeholder addresses."""

    article: Article
    status: str
    date_gmt: str
    title: str
    excerpt: str
    content: str
    tags: list[str]
    category: str
    pictures: list[_Picture] = field(default_factory=list)

    def digest(self) -> str:
        data = {
            "format": FORMAT,
            "title": self.title,
            "excerpt": self.excerpt,
            "content": self.content,
            "slug": self.article.slug,
            "status": self.status,
            "date_gmt": self.date_gmt,
            "tags": self.tags,
            "category": self.category,
            "pictures": [[p.sha, p.featured, p.words()] for p in self.pictures],
        }
        blob = json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()


class _PlaceholderAssets(Assets):
    """The page's assets with every picture at a placeholder address named by its SHA-256."""

    def image_ref(
        self, image: Image, *, alt: str, purpose: str, words: tuple[str, str] | None = None
    ) -> ImageRef:
        return ImageRef(
            src=f"{_PLACEHOLDER}{image.sha256}", width=image.width, height=image.height, alt=alt
        )


def default_status(article: Article, now: datetime | None = None) -> str:
    """What a story becomes in WordPress unless told: scheduled under embargo, else as it is here."""
    if under_embargo(article, now):
        return "future"
    return "publish" if article.status == "published" else "draft"


def make_plan(library, article: Article, *, status: str | None = None, now=None) -> Plan:
    """Check the story and gather the post; raises NotPublishable with the reasons it may not go."""
    now = now or utcnow()
    if getattr(article, "deleted_at", None) is not None:
        raise NotPublishable(article.slug, ["it is in the trash; restore it first"])
    status = status or default_status(article, now)
    if status not in STATUSES:
        raise NotPublishable(article.slug, [f"{status!r} is not a WordPress status"])
    if status in ("publish", "future"):
        # The same gate as the export; an embargo is what a scheduled post waits for.
        errors = [
            p.message
            for p in preflight(library, article, now=now)
            if p.is_error and not (status == "future" and p.code == "embargoed")
        ]
        if errors:
            raise NotPublishable(article.slug, errors)
    date_gmt = ""
    if status == "future":
        when = article.embargo_until if under_embargo(article, now) else article.published_at
        if when is None or when <= now:
            raise NotPublishable(
                article.slug,
                [
                    "it has no embargo or publication time in the future to schedule it for; "
                    "set an embargo, or publish it with --status publish"
                ],
            )
        date_gmt = _gmt(when)
    elif status == "publish" and article.published_at is not None:
        date_gmt = _gmt(article.published_at)

    extra = _body_images(library, article)
    templates = library.templates_dir if library.templates_dir.is_dir() else None
    view = build_page(
        article_input(article),
        publication_input(library.publication()),
        _PlaceholderAssets(library.root),
        templates_override=templates,
        images_by_uid={uid: picture(image) for uid, image in extra.items()},
    )
    pictures: dict[str, _Picture] = {}
    hero = article.hero
    if hero is not None:
        pictures[hero.image.sha256] = _Picture(hero.image, hero.caption, hero.alt_text, True)
    for fig in article.figures:
        pictures.setdefault(fig.image.sha256, _Picture(fig.image, fig.caption, fig.alt_text))
    for image in extra.values():
        pictures.setdefault(image.sha256, _Picture(image, image.caption, image.alt_text))
    # Only pictures the post shows: the hero, and those the content names.
    content = view.body.html
    shown = [p for p in pictures.values() if p.featured or f"{_PLACEHOLDER}{p.sha}" in content]
    return Plan(
        article=article,
        status=status,
        date_gmt=date_gmt,
        title=html.escape(article.headline.strip(), quote=False),
        excerpt=html.escape(article.dek.strip(), quote=False),
        content=content,
        tags=list(dict.fromkeys(t.strip() for t in article.tags if t.strip())),
        category=article.section.strip(),
        pictures=shown,
    )


def _gmt(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _body_images(library, article: Article) -> dict[str, Image]:
    """Library pictures the body shows with ![alt](image:REF) without a figure for them."""
    placed = {f.image.uid for f in article.figures}
    found: dict[str, Image] = {}
    for ref in _IMAGE_REF.findall(article.body):
        if ref in placed or ref in found:
            continue
        image = library.find_image_by_ref(ref)
        if image is not None and image.uid not in placed:
            found[image.uid] = image
            found[ref] = image
    return found


# ---- talking to the site ------------------------------------------------------------


def check_login(api: WordPressAPI) -> str:
    """The logged-in user's display name; raises WordPressError when the login is refused."""
    me = api.get("wp/v2/users/me", context="edit")
    return str(me.get("name") or api.user)


def publish_story(
    library,
    api: WordPressAPI,
    article: Article,
    *,
    status: str | None = None,
    force: bool = False,
    progress: Progress | None = None,
    force_hint: str = "publish with --force",
) -> Outcome:
    """Create or update the story's post; send nothing when nothing changed.

    Raises NotPublishable (the story may not go) or WordPressError (the site
    could not be used). A post edited in WordPress since our last publish is
    left alone (action "left-alone") unless `force`; `force_hint` says how to force.
    """
    say = progress or (lambda _text: None)
    plan = make_plan(library, article, status=status)
    digest = plan.digest()
    record = library.remote_post(api.site, article.uid)
    remote = None
    if record is not None and record.post_id:
        say(f"Checking post {record.post_id} on the site…")
        try:
            remote = api.get(f"wp/v2/posts/{record.post_id}", context="edit")
        except NotFoundOnSite:
            remote = None  # deleted in WordPress: made again below
    edited = remote is not None and _changed_since(remote, record.remote_modified)
    if edited and not force:
        when = str(remote.get("modified_gmt", "")).replace("T", " ")
        return Outcome(
            article.slug,
            "left-alone",
            record.post_id,
            str(remote.get("link", "")),
            str(remote.get("status", "")),
            f"{article.slug}: the post was changed in WordPress ({when} UTC) since newsdesk "
            f"last published it, so it was left alone; {force_hint} to overwrite it.",
        )
    if remote is not None and not edited and record.sent_hash == digest:
        return Outcome(
            article.slug,
            "unchanged",
            record.post_id,
            record.link,
            record.status,
            f"{article.slug}: unchanged since the last publish; nothing was sent.",
        )

    media: dict[str, dict] = json.loads(record.media) if record is not None else {}
    sent_media = dict(media)
    try:
        for n, picture in enumerate(plan.pictures, 1):
            say(f"Picture {n} of {len(plan.pictures)}…")
            media[picture.sha] = _send_picture(library, api, picture, media.get(picture.sha))
        say("Sections and tags…")
        category_ids = [_term(api, "categories", plan.category)] if plan.category else []
        tag_ids = [_term(api, "tags", name) for name in plan.tags]
        content = plan.content
        for picture in plan.pictures:
            content = content.replace(f"{_PLACEHOLDER}{picture.sha}", media[picture.sha]["url"])
        featured = next((media[p.sha]["id"] for p in plan.pictures if p.featured), 0)
        post = {
            "title": plan.title,
            # One Custom HTML block: WordPress shows our markup as it is (no wpautop).
            "content": f"<!-- wp:html -->\n{content}\n<!-- /wp:html -->",
            "excerpt": plan.excerpt,
            "slug": article.slug,
            "status": plan.status,
            "categories": category_ids,
            "tags": tag_ids,
            "featured_media": featured,
        }
        if plan.date_gmt:
            post["date_gmt"] = plan.date_gmt
        if remote is not None:
            say(f"Updating post {record.post_id}…")
            saved = api.post(f"wp/v2/posts/{record.post_id}", post)
            action = "updated"
        else:
            say("Creating the post…")
            saved = api.post("wp/v2/posts", post)
            action = "created"
    except BaseException:
        if media != sent_media:
            # Pictures already on the site are remembered, so trying again never uploads twice.
            _keep_media(library, api.site, article.uid, media, record)
        raise
    for picture in plan.pictures:
        _attach(api, media[picture.sha], saved["id"])
    library.save_remote_post(
        api.site,
        article.uid,
        post_id=int(saved["id"]),
        link=str(saved.get("link", "")),
        status=str(saved.get("status", "")),
        sent_hash=digest,
        remote_modified=_remote_state(saved),
        media=json.dumps(media, sort_keys=True),
    )
    state = {"publish": "published", "future": "scheduled", "draft": "a draft"}.get(
        str(saved.get("status")), str(saved.get("status"))
    )
    verb = "Created" if action == "created" else "Updated"
    return Outcome(
        article.slug,
        action,
        int(saved["id"]),
        str(saved.get("link", "")),
        str(saved.get("status", "")),
        f"{article.slug}: {verb} post {saved['id']} ({state}) at {saved.get('link', api.site)}.",
    )


def _remote_state(post: dict) -> str:
    """What we remember of the post as WordPress holds it: its modified_gmt and a digest.

    WordPress keeps whole seconds, so an edit made in the same second as our
    publish leaves modified_gmt as it was; the digest of the words (raw title,
    content, excerpt) catches it. Status is left out: WordPress itself turns a
    scheduled post into a published one at its time.
    """
    words = [(post.get(k) or {}).get("raw", "") for k in ("title", "content", "excerpt")]
    digest = hashlib.sha256(json.dumps(words, ensure_ascii=False).encode("utf-8")).hexdigest()
    return f"{post.get('modified_gmt', '')} {digest[:16]}"


def _changed_since(remote: dict, remembered: str) -> bool:
    """The post was changed in WordPress since we recorded `remembered` (see _remote_state)."""
    modified, _, digest = remembered.partition(" ")
    now_modified, _, now_digest = _remote_state(remote).partition(" ")
    return now_modified != modified or bool(digest) and now_digest != digest


def _keep_media(library, site: str, article_uid: str, media: dict, record) -> None:
    fields = {"media": json.dumps(media, sort_keys=True)}
    if record is None:
        fields.update(post_id=None, sent_hash="", remote_modified="")
    library.save_remote_post(site, article_uid, **fields)


def _attach(api: WordPressAPI, entry: dict, post_id: int) -> None:
    """Mark a new picture as uploaded to the post (the media library's "Uploaded to")."""
    if entry.get("attached"):
        return
    try:
        api.post(f"wp/v2/media/{entry['id']}", {"post": post_id})
        entry["attached"] = post_id
    except WordPressError:
        pass  # only a convenience in WordPress's media library; the post is published


def _send_picture(library, api: WordPressAPI, picture: _Picture, entry: dict | None) -> dict:
    """Upload the picture once; set its words when they changed. Returns its media entry."""
    words = picture.words()
    words_hash = hashlib.sha256(json.dumps(words, sort_keys=True).encode()).hexdigest()
    if entry is not None:
        try:
            if entry.get("words") == words_hash:
                api.get(f"wp/v2/media/{entry['id']}", context="edit")  # still on the site?
            else:
                _set_words(api, entry, words)
            return {**entry, "words": words_hash}
        except NotFoundOnSite:
            pass  # deleted from the site's media library: uploaded again
    uploaded = _upload(library, api, picture.image)
    entry = {
        "id": int(uploaded["id"]),
        "url": str(uploaded.get("source_url", "")),
        "meta": sorted(k for k in (uploaded.get("meta") or {}) if k in CREDIT_META_KEYS),
    }
    _set_words(api, entry, words)
    return {**entry, "words": words_hash}


def _set_words(api: WordPressAPI, entry: dict, words: dict[str, str]) -> None:
    data: dict[str, object] = {k: v for k, v in words.items() if k != "credit"}
    if entry.get("meta"):
        data["meta"] = {key: words["credit"] for key in entry["meta"]}
    api.post(f"wp/v2/media/{entry['id']}", data)


def _upload(library, api: WordPressAPI, image: Image) -> dict:
    path = library.media_path(image)
    try:
        data = path.read_bytes()
    except OSError:
        name = image.original_name or image.sha256[:12]
        raise WordPressError(
            f"The picture {name} has lost its file ({image.filename} is not in the library's "
            "media folder); import it again or take it out of the story."
        ) from None
    suffix = PurePath(image.filename).suffix.lower() or ".jpg"
    stem = slugify(PurePath(image.original_name).stem, fallback="") or image.sha256[:16]
    mime = mimetypes.types_map.get(suffix, "application/octet-stream")
    return api.call(
        "POST",
        "wp/v2/media",
        body=data,
        headers={
            "Content-Type": mime,
            "Content-Disposition": f'attachment; filename="{stem[:80]}{suffix}"',
        },
    )


def _term(api: WordPressAPI, kind: str, name: str) -> int:
    """The id of the category or tag with this name, made when the site has none."""
    wanted = name.casefold()
    for term in api.get(f"wp/v2/{kind}", search=name, per_page=100, context="view"):
        if html.unescape(str(term.get("name", ""))).casefold() == wanted:
            return int(term["id"])
    try:
        return int(api.post(f"wp/v2/{kind}", {"name": name})["id"])
    except WordPressError as exc:
        # Another publisher made it a moment ago, or the search missed an odd name.
        if exc.code == "term_exists" and str(exc.data.get("term_id", "")).isdigit():
            return int(exc.data["term_id"])
        raise


__all__ = [
    "PASSWORD_ENV",
    "SITE_SETTING",
    "STATUSES",
    "USER_SETTING",
    "NotPublishable",
    "Outcome",
    "Plan",
    "check_login",
    "default_status",
    "make_plan",
    "publish_story",
]
