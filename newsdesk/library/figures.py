"""What a story says about its pictures: the figure list as plain values, for setting and undo.

A figure's caption and alt text belong to its story. The image's own caption
and alt text are only the defaults a new figure starts from: they are copied
when the figure is made and never read again when a page is shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from newsdesk.library.models import Article


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


__all__ = ["FigureSpec", "figure_specs"]
