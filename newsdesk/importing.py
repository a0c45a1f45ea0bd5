"""Importing articles from Markdown files with YAML front matter (the CLI and the sample library)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from newsdesk.import_words import FileProblem, yaml_advice
from newsdesk.library import ARTICLE_STATUSES, FigureSpec, Library
from newsdesk.library.models import Article
from newsdesk.picture_refs import readable_ref
from newsdesk.render.dates import SUPPORTED_RANGE_TEXT, in_supported_range, zone
from newsdesk.text import slugify

KNOWN_KEYS = (
    "headline",
    "dek",
    "byline",
    "section",
    "tags",
    "status",
    "slug",
    "published",
    "updated",
    "hero",
    "related",
    "embargo",
    "seo_title",
    "seo_description",
    "language",
)
HERO_KEYS = ("file", "caption", "credit", "alt", "creator", "copyright")
# Front matter is a few dozen lines; anything far larger is a mistake or an attack,
# and YAML's cost grows with it, so it is refused before it is parsed.
FRONT_MATTER_LIMIT = 64 * 1024
# Deeper than any real front matter (hero: is two levels), shallow enough that
# the YAML composer, which recurses per level, can never run out of stack.
FRONT_MATTER_DEPTH = 20
_BODY_IMAGE = re.compile(r"(!\[[^\]]*\]\()([^)\s]+)((?:\s+\"([^\"]*)\")?\))")


class _FrontMatterLoader(yaml.SafeLoader):
    """YAML's safe loader, except that a date that does not exist stays text.

    PyYAML turns `2026-02-30` into a date and raises ValueError on the way;
    kept as text, the value reaches the date check, which names the key and line.
    """

    def construct_yaml_timestamp(self, node):  # type: ignore[override]
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)


_FrontMatterLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", _FrontMatterLoader.construct_yaml_timestamp
)


class ImportProblem(Exception):
    """A Markdown file cannot be imported; the message names the file, and the key and line."""


@dataclass
class ParsedArticle:
    path: Path
    fields: dict[str, Any]
    tags: list[str]
    hero: dict[str, str] | None
    related: list[str]
    body: str
    body_images: list[str] = field(default_factory=list)


def _read(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportProblem(f"{path}: no such file.") from None
    except IsADirectoryError:
        raise ImportProblem(f"{path} is a folder, not a Markdown file.") from None
    except OSError as exc:
        raise ImportProblem(f"{path}: cannot be read ({exc.strerror}).") from None
    if not data.strip():
        raise ImportProblem(f"{path} is empty; there is nothing to import.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportProblem(f"{path} is UTF-16 text; save it as UTF-8 and import it again.")
    if b"\x00" in data:
        # Valid UTF-8 can still be binary (NUL bytes never occur in Markdown).
        raise ImportProblem(f"{path} is a binary file, not Markdown text.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportProblem(f"{path} is not UTF-8 text (byte {exc.start}).") from None


def split_front_matter(text: str, path: Path) -> tuple[str, str, int]:
    """(front matter, body, line where the body starts); front matter may be absent."""
    text = text.replace("\r\n", "\n")
    if not text.startswith("---\n"):
        return "", text, 1
    end = re.search(r"^(---|\.\.\.)[ \t]*$", text[4:], re.M)
    if end is None:
        raise ImportProblem(
            f"{path}: the front matter that opens on line 1 is never closed with '---'."
        )
    front = text[4 : 4 + end.start()]
    body = text[4 + end.end() :].lstrip("\n")
    return front, body, front.count("\n") + 3


def _check_yaml_shape(front: str, path: Path) -> None:
    """Refuse, before anything is built, YAML that could cost more than its size.

    Anchors and aliases let a few hundred bytes expand into gigabytes (the
    "billion laughs"); front matter never needs them. Deep nesting is refused
    for the same reason. Only events are read here, so this costs one pass.
    """
    depth = 0
    for event in yaml.parse(front, Loader=yaml.SafeLoader):
        line = event.start_mark.line + 2  # +1 for '---', +1 for 1-based
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise ImportProblem(
                f"{path}: the front matter uses a YAML anchor or alias ('&' or '*') on line "
                f"{line}; write each value out in full."
            )
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > FRONT_MATTER_DEPTH:
                raise ImportProblem(
                    f"{path}: the front matter nests lists or mappings too deeply on line "
                    f"{line}; use plain 'key: value' lines."
                )
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _key_lines(front: str) -> dict[str, int]:
    """Line (1-based, in the file) of each top-level key, for error messages."""
    lines: dict[str, int] = {}
    try:
        node = yaml.compose(front, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return lines
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            lines[str(key_node.value)] = (
                key_node.start_mark.line + 2
            )  # +1 for '---', +1 for 1-based
    return lines


class _OutOfRange(ValueError):
    """A real date and time, but outside what every time zone can show."""


def _as_datetime(value: Any, tz_name: str) -> datetime:
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    else:
        dt = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=zone(tz_name))
    if not in_supported_range(dt):
        # Year 1 in UTC is year 0 in New York: such a date breaks every page
        # that shows it, so it is refused here, where the key and line are known.
        raise _OutOfRange
    return dt.astimezone(UTC)


def parse_markdown_file(path: Path, *, tz_name: str = "UTC") -> ParsedArticle:
    """Read and validate one file without touching any library."""
    text = _read(path)
    front, body, _ = split_front_matter(text, path)
    size = len(front.encode("utf-8"))
    if size > FRONT_MATTER_LIMIT:
        raise ImportProblem(
            f"{path}: the front matter is {size // 1024} KB; the limit is "
            f"{FRONT_MATTER_LIMIT // 1024} KB. Keep the story's text below the closing '---'."
        )
    try:
        if front.strip():
            _check_yaml_shape(front, path)
            meta = yaml.load(front, Loader=_FrontMatterLoader)
        else:
            meta = {}
    except yaml.YAMLError as exc:
        line, advice = yaml_advice(exc)
        where = f" on line {line}" if line else ""
        raise ImportProblem(
            f"{path}: the front matter is not valid YAML{where}: {advice}."
        ) from None
    except ValueError:
        # PyYAML builds numbers with int(), which refuses thousands of digits.
        raise ImportProblem(
            f"{path}: the front matter holds a number too long to read; put it in quotes."
        ) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ImportProblem(
            f"{path}: the front matter must be 'key: value' lines, not "
            f"{'a list' if isinstance(meta, list) else 'plain text'}; write each as "
            "'key: value' (headline: Ferry back)."
        )
    lines = _key_lines(front)

    def bad(key: str, why: str) -> ImportProblem:
        line = lines.get(key)
        return ImportProblem(
            f"{path}: front matter key '{key}'" + (f" on line {line}" if line else "") + f" {why}."
        )

    for key in meta:
        if key not in KNOWN_KEYS:
            raise bad(str(key), "is not a known key (known: " + ", ".join(KNOWN_KEYS) + ")")

    fields: dict[str, Any] = {}
    for key in (
        "headline",
        "dek",
        "byline",
        "section",
        "slug",
        "seo_title",
        "seo_description",
        "language",
    ):
        if key in meta and meta[key] is not None:
            if isinstance(meta[key], (dict, list)):
                raise bad(key, "must be text")
            fields[key] = str(meta[key]).strip()
    if fields.get("slug") and not slugify(fields["slug"], fallback=""):
        # Every such slug would name the same article ("article"), so one file
        # would quietly update another's story.
        raise bad(
            "slug", f"has no letters or digits ({fields['slug']!r}); write it like night-ferry"
        )
    if "status" in meta:
        status = str(meta["status"]).strip().lower()
        if status not in ARTICLE_STATUSES:
            raise bad("status", "must be one of " + ", ".join(ARTICLE_STATUSES))
        fields["status"] = status
    for key, target in (
        ("published", "published_at"),
        ("updated", "updated_at"),
        ("embargo", "embargo_until"),
    ):
        if meta.get(key) is not None:
            try:
                fields[target] = _as_datetime(meta[key], tz_name)
            except (_OutOfRange, OverflowError):
                raise bad(
                    key,
                    f"is a date newsdesk cannot publish ({meta[key]!s}); dates must be "
                    f"{SUPPORTED_RANGE_TEXT}",
                ) from None
            except (TypeError, ValueError):
                raise bad(
                    key,
                    f"is not a date and time ({meta[key]!r}); use e.g. 2026-11-26T09:30:00+01:00",
                ) from None

    tags = meta.get("tags") or []
    if isinstance(tags, str):
        tags = [t.strip() for t in tags.split(",")]
    if not isinstance(tags, list) or any(isinstance(t, (dict, list)) for t in tags):
        raise bad("tags", "must be a list of words")
    related = meta.get("related") or []
    if isinstance(related, str):
        related = [related]
    if not isinstance(related, list) or any(isinstance(r, (dict, list)) for r in related):
        raise bad("related", "must be a list of slugs")

    hero = meta.get("hero")
    if hero is not None:
        if isinstance(hero, str):
            hero = {"file": hero}
        if not isinstance(hero, dict):
            raise bad("hero", "must be a file name or a mapping with file, caption, credit and alt")
        unknown = [k for k in hero if k not in HERO_KEYS]
        if unknown:
            raise bad(
                "hero", f"has an unknown key '{unknown[0]}' (known: " + ", ".join(HERO_KEYS) + ")"
            )
        if not hero.get("file"):
            raise bad("hero", "needs a 'file'")
        hero = {k: str(v) for k, v in hero.items() if v is not None}
        if not (path.parent / hero["file"]).is_file():
            raise bad("hero", f"names a file that does not exist: {hero['file']}")

    body_images = []
    for m in _BODY_IMAGE.finditer(body):
        target = m.group(2)
        if target.startswith(("image:", "http:", "https:", "data:")):
            continue
        if not (path.parent / target).is_file():
            line = body[: m.start()].count("\n") + 1
            raise ImportProblem(
                f"{path}: the body's image on line {line} names a file that does not exist: {target}."
            )
        body_images.append(target)

    return ParsedArticle(
        path,
        fields,
        [str(t) for t in tags if str(t).strip()],
        hero,
        [str(r).strip() for r in related],
        body,
        body_images,
    )


@dataclass
class ImportResult:
    article: Article
    created: bool
    warnings: list[str] = field(default_factory=list)
    # `status: published` asked for a story that preflight refuses: its reasons,
    # one sentence each (the story is imported, but not published).
    refused: list[str] = field(default_factory=list)
    # Publishing was refused otherwise (on a shared library: this user may not publish).
    publish_error: str = ""
    wants_publishing: bool = False


def report_lines(results: list[ImportResult]) -> list[str]:
    """The import report, line by line, as the window shows it (the command line prints
    the same lines, with the warnings on stderr)."""
    lines: list[str] = []
    for r in results:
        lines += result_lines(r)
        lines += [f"warning: {w}" for w in r.warnings]
    return lines


def result_lines(r: ImportResult) -> list[str]:
    """What happened to one story: imported or updated, and why it was not published."""
    verb = "imported" if r.created else "updated"
    lines = [f"{verb} {r.article.slug}: {r.article.headline}"]
    if r.refused:
        n = len(r.refused)
        lines.append(
            f"not published {r.article.slug} (it stays {r.article.status}): preflight found "
            f"{n} problem{'' if n == 1 else 's'}; fix {'it' if n == 1 else 'them'} and set "
            "its status to published, or publish it anyway with a reason:"
        )
        lines += [f"  - {reason}" for reason in r.refused]
    if r.publish_error:
        lines.append(
            f"not published {r.article.slug} (it stays {r.article.status}): {r.publish_error}"
        )
    return lines


def import_markdown_files(
    library: Library,
    paths: list[Path],
    *,
    override_reason: str = "",
    problems: list[FileProblem] | None = None,
) -> list[ImportResult]:
    """Import files in order; an existing slug is updated, not duplicated.

    Every file is parsed and checked before anything is written, so one bad
    file leaves the library exactly as it was. Related stories are linked after
    all files are in, so files may name each other in any order.

    With `problems` (the window's import), a bad file is left out instead, named
    there with its reason, and the good ones are imported: all or nothing per file.

    A story whose front matter says `status: published` becomes published only
    as the window publishes it: through preflight (`publish_article`). When
    preflight fails it is imported unpublished and `refused` says why, unless
    `override_reason` is given, which is then kept in the story's history.
    (Publishing happens inside the import's transaction, before the stories'
    times are stamped from their files.)
    """
    from newsdesk.images.library_import import record_prepared

    tz_name = library.publication().timezone
    parsed: list[ParsedArticle] = []
    for p in paths:
        try:
            parsed.append(parse_markdown_file(Path(p), tz_name=tz_name))
        except ImportProblem as exc:
            if problems is None:
                raise
            problems.append(FileProblem(Path(p), str(exc)))
    # Images are validated (and copied into a staging batch) before any record is
    # written; leaving the batch moves only recorded pictures into media/, so a
    # refused batch leaves no file behind (see newsdesk/library/media.py).
    from newsdesk.images.importer import prepare_image

    prepared: dict[Path, Any] = {}
    results: list[ImportResult] = []
    with library.stage() as batch:
        for item in list(parsed):
            names = ([item.hero["file"]] if item.hero else []) + item.body_images
            for name in names:
                file = (item.path.parent / name).resolve()
                if file not in prepared:
                    try:
                        prepared[file] = prepare_image(
                            file, batch.dir, library.thumbs_dir, existing_dir=library.media_dir
                        )
                    except Exception as exc:  # ImageError and OS errors carry a clear message
                        if problems is None:
                            raise ImportProblem(f"{item.path}: {exc}") from None
                        # Left out whole; a picture staged for it alone never reaches media/.
                        problems.append(FileProblem(item.path, f"{item.path}: {exc}"))
                        parsed.remove(item)
                        break
        if not parsed:
            return results

        def import_image(library: Library, path: Path):
            return record_prepared(library, prepared[Path(path).resolve()])

        # One transaction for the whole batch: a failure or a killed process
        # half-way leaves the library as it was, not with the first files in.
        # It commits before the staging batch settles, so every picture moved
        # into media/ has its record.
        with library.transaction():
            for item in parsed:
                results.append(_write_article(library, item, import_image))
                if results[-1].created and not item.fields.get("headline"):
                    results[-1].warnings.append(
                        f"{item.path}: the front matter has no 'headline', so the article has none yet."
                    )
            _link_related(library, parsed, results)
            for item, result in zip(parsed, results, strict=True):
                # Placing figures and related stories stamps the update time; an imported
                # story was last updated when its file says, not when it was imported.
                stamp = item.fields.get("updated_at") or item.fields.get("published_at")
                if stamp is not None:
                    library.update_article(result.article.id, updated_at=stamp)
                _import_update_note(library, result.article.id, item.fields)
                result.article = library.get_article(result.article.id)
    # Publishing comes last: preflight looks for the pictures' files, which reach
    # media/ only as the staging batch settles.
    pending = [(r, item) for item, r in zip(parsed, results, strict=True) if r.wants_publishing]
    _publish_all(library, pending, override_reason)
    return results


def _link_related(
    library: Library, parsed: list[ParsedArticle], results: list[ImportResult]
) -> None:
    """Related stories are linked once every file is in, so files may name each other."""
    for item, result in zip(parsed, results, strict=True):
        if not item.related:
            continue
        ids = []
        for slug in item.related:
            target = library.find_article(slug)
            if target is None or target.id == result.article.id:
                result.warnings.append(
                    f"{item.path}: related story '{slug}' is not in the library; it was left out."
                )
                continue
            ids.append(target.id)
        library.set_related(result.article.id, ids)


IMPORTED_UPDATE_TEXT = "This story has been updated."


def _publish_all(
    library: Library, pending: list[tuple[ImportResult, ParsedArticle]], override_reason: str
) -> None:
    """Publish imported stories through preflight, as the window does.

    Stories that name each other as related each need the other published
    first, so publishing goes round again while a round publishes something.
    A refusal other than preflight's (on a shared library, only an editor may
    publish) leaves that story imported but unpublished, and says why.
    """
    from newsdesk.library.errors import LibraryError, PublishRefused
    from newsdesk.preflight import publish_article

    while pending:
        refused: list[tuple[ImportResult, ParsedArticle]] = []
        for result, item in pending:
            try:
                publish_article(library, result.article.id, override_reason=override_reason)
                # Last updated when its file says, not when it was published here.
                stamp = item.fields.get("updated_at") or item.fields.get("published_at")
                if stamp is not None:
                    library.update_article(result.article.id, updated_at=stamp)
                result.article = library.get_article(result.article.id)
                result.refused = []
            except PublishRefused as exc:
                result.refused = [p.message for p in exc.problems]
                refused.append((result, item))
            except LibraryError as exc:
                result.publish_error = str(exc)
        if len(refused) == len(pending):
            return
        pending = refused


def _import_update_note(library: Library, article_id: int, fields: dict[str, Any]) -> None:
    """Front matter `updated:` later than `published:` is an update note at that time.

    The page says "Updated" only for such notes; importing the file again
    does not add the same note twice.
    """
    updated, published = fields.get("updated_at"), fields.get("published_at")
    if updated is None or (published is not None and updated <= published):
        return
    if any(u.at == updated for u in library.updates(article_id)):
        return
    library.add_update(article_id, IMPORTED_UPDATE_TEXT, kind="update", at=updated)


# What an import may say about a photograph itself; these change every story
# that uses it, so the import report says when they do.
PHOTO_FIELDS = (("credit", "credit"), ("creator", "creator"), ("copyright", "copyright"))


def _existing_article(library: Library, fields: dict[str, Any], source: str) -> Article | None:
    """The article this file updates: the one with its slug, else the one made from this file."""
    slug = fields.get("slug")
    if slug:
        # Stored slugs are normalised, so `slug: Night-Ferry` is `night-ferry`.
        fields["slug"] = slug = slugify(slug)
        found = library.find_article(slug)
        if found is not None:
            return found
    return library.find_article_by_source(source)


def _photo_updates(
    library: Library, item: ParsedArticle, image, article_id: int | None, warnings: list[str]
) -> dict[str, str]:
    """The hero's credit, creator and copyright to write to the image, with a warning
    naming the other stories whose pages change with them."""
    assert item.hero is not None
    updates: dict[str, str] = {}
    changed: list[str] = []
    for key, name in PHOTO_FIELDS:
        value = item.hero.get(key)
        if not value or value == getattr(image, name):
            continue
        updates[name] = value
        if getattr(image, name):
            changed.append(f"{key} from '{getattr(image, name)}' to '{value}'")
    if changed:
        others = library.articles_using_image(image.id, exclude_id=article_id)
        if others:
            names = ", ".join(f"'{a.slug}'" for a in others)
            picture = image.original_name or item.hero["file"]
            warnings.append(
                f"{item.path}: the picture {picture} is also used by {names}, so changing its "
                + " and ".join(changed)
                + " changes those stories too."
            )
    return updates


def _fill_defaults(library: Library, image, caption: str | None, alt: str | None):
    """The first story to describe a picture gives it the defaults later stories start from."""
    defaults = {
        k: v for k, v in (("caption", caption), ("alt_text", alt)) if v and not getattr(image, k)
    }
    return library.update_image(image.id, **defaults) if defaults else image


def _write_article(library: Library, item: ParsedArticle, import_image) -> ImportResult:
    fields = dict(item.fields)
    source = str(item.path.resolve())
    existing = _existing_article(library, fields, source)
    article_id = existing.id if existing is not None else None
    warnings: list[str] = []
    # This story's own figures, in the file's order (hero first). A caption or
    # alt text of None keeps what the figure says, or starts from the image's.
    wanted: list[FigureSpec] = []

    if item.hero:
        image = import_image(library, item.path.parent / item.hero["file"])
        caption, alt = item.hero.get("caption"), item.hero.get("alt")
        updates = _photo_updates(library, item, image, article_id, warnings)
        if updates:
            image = library.update_image(image.id, **updates)
        image = _fill_defaults(library, image, caption, alt)
        wanted.append(FigureSpec(image.id, "hero", caption, alt))

    def rewrite(m: re.Match[str]) -> str:
        target = m.group(2)
        if target.startswith(("image:", "http:", "https:", "data:")):
            return m.group(0)
        image = import_image(library, item.path.parent / target)
        alt = m.group(1)[2:-2].strip() or None  # ![alt](
        caption = (m.group(4) or "").strip() or None  # ![alt](photo.jpg "caption")
        image = _fill_defaults(library, image, caption, alt)
        if all(f.image_id != image.id for f in wanted):
            # The writer described the picture in the Markdown: in this story,
            # that is its alt text, and the title is its caption.
            wanted.append(FigureSpec(image.id, "inline", caption, alt))
        ref = readable_ref(image.uid, image.title, image.original_name)
        return f"{m.group(1)}image:{ref}{m.group(3)}"

    fields["body"] = _BODY_IMAGE.sub(rewrite, item.body)
    fields["source_path"] = source
    created = existing is None
    # Becoming published goes through preflight once everything is in (see _publish);
    # a story that is already published stays so.
    wants_publishing = fields.get("status") == "published" and (
        existing is None or existing.status != "published"
    )
    if wants_publishing:
        del fields["status"]
    if existing is None:
        article = library.create_article(tags=item.tags, **fields)
    else:
        if not item.fields.get("slug"):
            fields.pop("slug", None)
        article = library.update_article(existing.id, tags=item.tags, **fields)
    # Figures placed in the editor that the file does not name stay where they
    # were (a hero the file replaces becomes an inline figure).
    named = {f.image_id for f in wanted}
    has_hero = any(f.role == "hero" for f in wanted)
    kept = [
        FigureSpec(f.image_id, "inline" if has_hero and f.role == "hero" else f.role)
        for f in article.figures
        if f.image_id not in named
    ]
    specs = [k for k in kept if k.role == "hero"] + wanted + [k for k in kept if k.role != "hero"]
    if wanted:
        library.set_figures(article.id, specs)
    return ImportResult(
        library.get_article(article.id), created, warnings, wants_publishing=wants_publishing
    )
