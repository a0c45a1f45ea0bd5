"""One Markdown file read for import: its front matter checked key by key, each problem named
with its line, before anything is written (importing.py writes what this reads)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from newsdesk.import_words import yaml_advice
from newsdesk.library import ARTICLE_STATUSES
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
BODY_IMAGE = re.compile(r"(!\[[^\]]*\]\()([^)\s]+)((?:\s+\"([^\"]*)\")?\))")


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
    for m in BODY_IMAGE.finditer(body):
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
