"""Importing articles from Markdown files with YAML front matter (the CLI, the window and the
sample library): each story written with its pictures, related links and update notes, the whole
batch in one transaction. Reading and checking each file is front_matter.py's."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsdesk.front_matter import BODY_IMAGE, ImportProblem, ParsedArticle, parse_markdown_file
from newsdesk.import_words import FileProblem
from newsdesk.library import FigureSpec, Library
from newsdesk.library.models import Article
from newsdesk.picture_refs import readable_ref
from newsdesk.text import slugify


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

    fields["body"] = BODY_IMAGE.sub(rewrite, item.body)
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
