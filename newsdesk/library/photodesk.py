"""The Library's photo-desk methods: batch edits with their undo, templates, code replacements, field search.

A mixin of the Library facade (it uses the facade's sessions, so every write
is one transaction and lands in the change log like any other).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from newsdesk.library.codes import CodeError, normalise_code
from newsdesk.library.errors import NotFound
from newsdesk.library.image_query import image_conditions, parse_query
from newsdesk.library.image_templates import TemplateError, applied_values, check_template
from newsdesk.library.models import CodeReplacement, Image, ImageTemplate, utcnow
from newsdesk.library.pictures import IMAGE_FIELDS

CHUNK = 500  # ids per IN (...): SQLite caps the number of parameters
ImageValues = dict[int, dict[str, str]]


def _image_fields() -> frozenset[str]:
    return frozenset(IMAGE_FIELDS)


def _load_images(s: Session, ids: Iterable[int]) -> dict[int, Image]:
    wanted = list(dict.fromkeys(ids))
    found: dict[int, Image] = {}
    for i in range(0, len(wanted), CHUNK):
        for image in s.scalars(select(Image).where(Image.id.in_(wanted[i : i + CHUNK]))):
            found[image.id] = image
    missing = [i for i in wanted if i not in found]
    if missing:
        n = len(missing)
        raise NotFound(
            f"{n} of the selected pictures {'is' if n == 1 else 'are'} no longer in the library; "
            "nothing was changed. Select the pictures again and repeat the change."
        )
    return found


def _write_values(s: Session, images: Mapping[int, Image], values: Mapping[int, Mapping[str, str]]):
    """Set each picture's own values; returns what each changed field held before."""
    previous: ImageValues = {}
    now = utcnow()
    for image_id, fields in values.items():
        image = images[image_id]
        before: dict[str, str] = {}
        for name, value in fields.items():
            old = getattr(image, name) or ""
            if old != value:
                before[name] = old
                setattr(image, name, value)
        if before:
            image.updated_at = now
            previous[image_id] = before
    s.flush()
    return previous


class PhotoDeskMixin:
    """Batch edits, templates, code replacements and field search (part of Library)."""

    def _session(self) -> Session:  # provided by Library
        raise NotImplementedError

    # ---- batch edits -----------------------------------------------------------------------
    def update_images(self, ids: Sequence[int], **fields: str) -> ImageValues:
        """Set these fields on every one of these pictures, in ONE transaction.

        Returns each changed picture's previous values ({id: {field: old}}),
        which `set_image_values` writes back to undo the change.
        """
        return self.set_image_values({image_id: dict(fields) for image_id in ids})

    def set_image_values(self, values: Mapping[int, Mapping[str, str]]) -> ImageValues:
        """Each picture gets its own values (an undo restores these), in ONE transaction.

        All or nothing: an unknown field or a picture gone from the library
        changes nothing. Returns the previous values of what changed.
        """
        allowed = _image_fields()
        for fields in values.values():
            unknown = set(fields) - allowed
            if unknown:
                raise TypeError(f"unknown image fields: {', '.join(sorted(unknown))}")
        with self._session() as s, s.begin():
            images = _load_images(s, values.keys())
            return _write_values(s, images, values)

    def images_by_ids(self, ids: Sequence[int]) -> list[Image]:
        """These pictures (those still in the library), in the order asked."""
        wanted = list(dict.fromkeys(ids))
        found: dict[int, Image] = {}
        with self._session() as s:
            for i in range(0, len(wanted), CHUNK):
                for image in s.scalars(select(Image).where(Image.id.in_(wanted[i : i + CHUNK]))):
                    found[image.id] = image
        return [found[i] for i in wanted if i in found]

    # ---- templates -------------------------------------------------------------------------
    def list_templates(self) -> list[ImageTemplate]:
        with self._session() as s:
            return list(s.scalars(select(ImageTemplate).order_by(ImageTemplate.name)))

    @staticmethod
    def _find_template(s: Session, key: int | str) -> ImageTemplate:
        if isinstance(key, int):
            template = s.get(ImageTemplate, key)
        else:
            wanted = " ".join(key.split())
            template = s.scalar(select(ImageTemplate).where(ImageTemplate.name == wanted))
            if template is None:  # names are matched without regard to case as a fallback
                for t in s.scalars(select(ImageTemplate)):
                    if t.name.casefold() == wanted.casefold():
                        template = t
                        break
        if template is None:
            names = ", ".join(s.scalars(select(ImageTemplate.name).order_by(ImageTemplate.name)))
            known = f"the templates are: {names}" if names else "there are no templates yet"
            raise NotFound(f"There is no template called {key!r}; {known}.")
        return template

    def get_template(self, key: int | str) -> ImageTemplate:
        """A template by id or name; NotFound names the templates there are."""
        with self._session() as s:
            return self._find_template(s, key)

    def save_template(
        self, name: str, values: Mapping[str, str], *, template_id: int | None = None
    ) -> ImageTemplate:
        """Create a template, or change the one with this id; names are unique."""
        name, clean = check_template(name, values)
        with self._session() as s, s.begin():
            clash = s.scalar(select(ImageTemplate).where(ImageTemplate.name == name))
            if clash is not None and clash.id != template_id:
                raise TemplateError(
                    f"There is already a template called “{name}”; choose another name."
                )
            if template_id is None:
                template = ImageTemplate(name=name, **clean)
                s.add(template)
            else:
                template = self._find_template(s, template_id)
                template.name = name
                for key, value in clean.items():
                    setattr(template, key, value)
                template.updated_at = utcnow()
            s.flush()
            return template

    def delete_template(self, template_id: int) -> None:
        with self._session() as s, s.begin():
            s.delete(self._find_template(s, template_id))

    def apply_template(
        self, ids: Sequence[int], template: int | str, *, today: date | None = None
    ) -> ImageValues:
        """Apply the template to these pictures in ONE transaction; returns their previous values."""
        with self._session() as s, s.begin():
            values = self._find_template(s, template).values()
            images = _load_images(s, ids)
            wanted = {
                image_id: applied_values(values, _picture_fields(image), today=today)
                for image_id, image in images.items()
            }
            return _write_values(s, images, {k: v for k, v in wanted.items() if v})

    # ---- code replacements -----------------------------------------------------------------
    def code_replacements(self) -> dict[str, str]:
        """The newsroom's codes (without = signs) and what each becomes."""
        with self._session() as s:
            rows = s.execute(select(CodeReplacement.code, CodeReplacement.text)).all()
            return {code: text for code, text in sorted(rows)}

    def set_code_replacements(self, table: Mapping[str, str]) -> dict[str, str]:
        """Replace the whole table with this one, in one transaction; returns it as stored."""
        clean: dict[str, str] = {}
        for code, text in table.items():
            bare = normalise_code(code)
            if bare in clean:
                raise CodeError(f"The code ={bare}= is in the table twice; keep one of them.")
            if not text.strip():
                raise CodeError(
                    f"The code ={bare}= has no text to become; write it or remove the code."
                )
            clean[bare] = text
        with self._session() as s, s.begin():
            rows = {row.code: row for row in s.scalars(select(CodeReplacement))}
            for code, row in rows.items():
                if code not in clean:
                    s.delete(row)
            s.flush()
            for code, text in clean.items():
                row = rows.get(code)
                if row is None:
                    s.add(CodeReplacement(code=code, text=text))
                elif row.text != text:
                    row.text = text
                    row.updated_at = utcnow()
        return clean

    # ---- field search ----------------------------------------------------------------------
    def search_images(self, query: str = "", *, limit: int | None = None) -> list[Image]:
        """Pictures matching a field search (see library/image_query.py), newest first.

        Raises QueryError (one sentence) when the query cannot be read.
        """
        stmt = select(Image).order_by(Image.created_at.desc(), Image.id.desc())
        condition = image_conditions(parse_query(query))
        if condition is not None:
            stmt = stmt.where(condition)
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._session() as s:
            return list(s.scalars(stmt))


def _picture_fields(image: Image) -> dict[str, str]:
    names = (*_image_fields(), "original_name")
    return {name: getattr(image, name) or "" for name in names}


__all__ = ["ImageValues", "PhotoDeskMixin"]
