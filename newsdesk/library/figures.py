"""What a story says about its pictures: the figure list as plain values, for setting and undo.

A figure's caption and alt text belong to its story. The image's own caption
and alt text are only the defaults a new figure starts from: they are copied
when the figure is made and never read again when a page is shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from newsdesk.library.article_lists import ArticleSummary
from newsdesk.library.errors import LibraryError, NotFound
from newsdesk.library.models import FIGURE_ROLES, Article, Figure, Image, utcnow


@dataclass(frozen=True, slots=True)
class FigureSpec:
    """One figure of an article as a list entry: which image, its role, this story's words.

    A caption or alt text of None means "keep what the figure says", or, for a
    figure that does not exist yet, "start from the image's defaults".
    """

    image_id: int
    role: str = "inline"
    caption: str | None = None
    alt_text: str | None = None


def figure_specs(article: Article) -> list[FigureSpec]:
    """The article's figures as they are now, in order (article fully loaded)."""
    return [
        FigureSpec(f.image_id, f.role, f.caption or "", f.alt_text or "") for f in article.figures
    ]


class FigureRecords:
    """Figures: place, update, reorder and remove them, set the whole list, the hero (part of
    Library). Every change is one transaction, so an undo (set_figures) is atomic."""

    def _session(self) -> Session:  # provided by Library
        raise NotImplementedError

    def add_figure(
        self,
        article_id: int,
        image_id: int,
        *,
        role: str = "inline",
        caption: str | None = None,
        alt_text: str | None = None,
    ) -> Figure:
        """Place the image in the article; caption and alt text default to the image's own."""
        if role not in FIGURE_ROLES:
            raise LibraryError(f"Unknown figure role {role!r}.")
        with self._session() as s, s.begin():
            article = s.get(Article, article_id)
            if article is None:
                raise NotFound(f"Article {article_id} is no longer in the library.")
            image = s.get(Image, image_id)
            if image is None:
                raise NotFound(f"Image {image_id} is no longer in the library.")
            if role == "hero":
                for fig in article.figures:
                    if fig.role == "hero":
                        fig.role = "inline"
            position = 0 if role == "hero" else len(article.figures)
            figure = self._new_figure(image, role, caption, alt_text)
            figure.position = position
            article.figures.insert(position, figure)
            self._renumber(article.figures)
            self._touch(article)
            s.flush()
            figure_id = figure.id
        return self.get_figure(figure_id)

    @staticmethod
    def _new_figure(image: Image, role: str, caption: str | None, alt_text: str | None) -> Figure:
        # The image's caption and alt text are copied once, here: afterwards the
        # figure's own words are all a page shows, so editing the image's
        # defaults never changes a story that already uses the picture.
        return Figure(
            image_id=image.id,
            role=role,
            caption=image.caption if caption is None else caption,
            alt_text=image.alt_text if alt_text is None else alt_text,
        )

    def articles_using_image(
        self, image_id: int, *, exclude_id: int | None = None
    ) -> list[ArticleSummary]:
        """The articles that place this image as a figure (oldest first)."""
        sub = select(Figure.article_id).where(Figure.image_id == image_id)
        if exclude_id is not None:
            sub = sub.where(Figure.article_id != exclude_id)
        ids = [r for (r,) in self._rows(sub.distinct())]
        return sorted(self.list_articles(ids=ids), key=lambda a: a.id)

    def get_figure(self, figure_id: int) -> Figure:
        with self._session() as s:
            fig = s.get(Figure, figure_id, options=[selectinload(Figure.image)])
            if fig is None:
                raise NotFound(f"Figure {figure_id} is no longer in the library.")
            return fig

    def update_figure(
        self,
        figure_id: int,
        *,
        caption: str | None = None,
        alt_text: str | None = None,
        role: str | None = None,
    ) -> Figure:
        """Change this story's caption, alt text or role of one figure (None leaves it)."""
        with self._session() as s, s.begin():
            fig = s.get(Figure, figure_id)
            if fig is None:
                raise NotFound(f"Figure {figure_id} is no longer in the library.")
            if caption is not None:
                fig.caption = caption
            if alt_text is not None:
                fig.alt_text = alt_text
            if role is not None:
                if role not in FIGURE_ROLES:
                    raise LibraryError(f"Unknown figure role {role!r}.")
                article = fig.article
                if role == "hero":
                    for other in article.figures:
                        if other.role == "hero" and other.id != fig.id:
                            other.role = "inline"
                    article.figures.remove(fig)
                    article.figures.insert(0, fig)
                    self._renumber(article.figures)
                fig.role = role
            fig.updated_at = utcnow()
            self._touch(fig.article)
        return self.get_figure(figure_id)

    def set_figures(self, article_id: int, specs: Sequence[FigureSpec]) -> Article:
        """Make the article's figures exactly `specs`, in this order, in one transaction.

        Figures already placed keep their identity (matched by image, in
        order); those not named are removed; new ones start from the image's
        defaults unless the spec says otherwise. Used by undo, so it must be
        idempotent and all-or-nothing.
        """
        specs = list(specs)
        for spec in specs:
            if spec.role not in FIGURE_ROLES:
                raise LibraryError(f"Unknown figure role {spec.role!r}.")
        if sum(1 for spec in specs if spec.role == "hero") > 1:
            raise LibraryError("An article has one hero picture; the list names more than one.")
        with self._session() as s, s.begin():
            article = s.get(Article, article_id)
            if article is None:
                raise NotFound(f"Article {article_id} is no longer in the library.")
            images = {
                i.id: i
                for i in s.scalars(select(Image).where(Image.id.in_({p.image_id for p in specs})))
            }
            missing = sorted({p.image_id for p in specs} - images.keys())
            if missing:
                raise NotFound(f"Pictures no longer in the library: {missing}.")
            groups: dict[int, list[Figure]] = {}
            for fig in article.figures:
                groups.setdefault(fig.image_id, []).append(fig)
            wanted: list[Figure] = []
            for spec in specs:
                group = groups.get(spec.image_id)
                if group:
                    fig = group.pop(0)
                    changed = False
                    for name in ("caption", "alt_text"):
                        value = getattr(spec, name)
                        if value is not None and getattr(fig, name) != value:
                            setattr(fig, name, value)
                            changed = True
                    if fig.role != spec.role:
                        fig.role = spec.role
                        changed = True
                    if changed:
                        fig.updated_at = utcnow()
                else:
                    fig = self._new_figure(
                        images[spec.image_id], spec.role, spec.caption, spec.alt_text
                    )
                wanted.append(fig)
            # Replacing the collection deletes the leftovers (delete-orphan).
            article.figures = wanted
            self._renumber(article.figures)
            self._touch(article)
        return self.get_article(article_id)

    def set_hero(self, article_id: int, image_id: int) -> Figure:
        """Make the image this article's hero, reusing its figure when it is already placed."""
        article = self.get_article(article_id)
        for fig in article.figures:
            if fig.image_id == image_id:
                return self.update_figure(fig.id, role="hero")
        return self.add_figure(article_id, image_id, role="hero")

    def remove_figure(self, figure_id: int) -> None:
        with self._session() as s, s.begin():
            fig = s.get(Figure, figure_id)
            if fig is None:
                return
            article = fig.article
            article.figures.remove(fig)
            self._renumber(article.figures)
            self._touch(article)

    def reorder_figures(self, article_id: int, figure_ids: Sequence[int]) -> None:
        with self._session() as s, s.begin():
            article = s.get(Article, article_id)
            if article is None:
                raise NotFound(f"Article {article_id} is no longer in the library.")
            by_id = {f.id: f for f in article.figures}
            if set(figure_ids) != by_id.keys():
                raise LibraryError("The new order must name each of the article's figures once.")
            for position, fid in enumerate(figure_ids):
                by_id[fid].position = position
            self._touch(article)

    @staticmethod
    def _renumber(figures: list[Figure]) -> None:
        for position, fig in enumerate(figures):
            fig.position = position


__all__ = ["FigureRecords", "FigureSpec", "figure_specs"]
