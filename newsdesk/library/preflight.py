"""Preflight: the checks an article must pass before it is exported as published."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from newsdesk.library.models import Article, utcnow
from newsdesk.library.related import related_problems
from newsdesk.render.text import slugify

HEADLINE_BUDGET = 70
DEK_BUDGET = 160
SEO_TITLE_BUDGET = 70
SEO_DESCRIPTION_BUDGET = 160
_IMAGE_REF = re.compile(r"!\[[^\]]*\]\(([^)\s]+)")


@dataclass(frozen=True, slots=True)
class Problem:
    """One failed check: a stable code for scripts and a sentence for people."""

    code: str
    message: str

    def __str__(self) -> str:
        return self.message


def preflight(library, article: Article, *, now: datetime | None = None) -> list[Problem]:
    """Every reason the article cannot be published yet; empty when it can.

    `article` must be fully loaded (Library.get_article).
    """
    now = now or utcnow()
    problems: list[Problem] = []

    def fail(code: str, message: str) -> None:
        problems.append(Problem(code, message))

    if not article.headline.strip():
        fail("headline-missing", "The headline is empty.")
    elif len(article.headline) > HEADLINE_BUDGET * 2:
        fail(
            "headline-long",
            f"The headline is {len(article.headline)} characters; keep it under {HEADLINE_BUDGET * 2}.",
        )
    if not article.dek.strip():
        fail("dek-missing", "The dek (standfirst) is empty.")
    elif len(article.dek) > DEK_BUDGET:
        fail("dek-long", f"The dek is {len(article.dek)} characters; the limit is {DEK_BUDGET}.")
    if not article.byline.strip():
        fail("byline-missing", "The byline is empty.")
    if not article.body.strip():
        fail("body-missing", "The body is empty.")

    hero = article.hero
    if hero is None:
        fail("hero-missing", "There is no hero image.")
    else:
        if not hero.image.alt_text.strip():
            fail(
                "hero-alt-missing",
                f"The hero image ({hero.image.original_name or hero.image.sha256[:12]}) has no alt text.",
            )
        if not hero.image.credit.strip():
            fail(
                "hero-credit-missing",
                f"The hero image ({hero.image.original_name or hero.image.sha256[:12]}) has no credit.",
            )
    for fig in article.figures:
        if fig is hero:
            continue
        name = fig.image.original_name or fig.image.sha256[:12]
        if not fig.image.credit.strip():
            fail("figure-credit-missing", f"The image {name} has no credit.")
        if not fig.image.alt_text.strip():
            fail("figure-alt-missing", f"The image {name} has no alt text.")

    placed = {f.image.uid for f in article.figures}
    for target in _IMAGE_REF.findall(article.body):
        if target.startswith("image:"):
            uid = target[len("image:") :]
            if uid not in placed:
                _check_body_image(library, uid, fail)
        else:
            fail(
                "body-image-external",
                f"The body shows an image that is not in the library: {target}.",
            )

    problems.extend(Problem("related", msg) for msg in related_problems(library, article))

    if article.embargo_until is not None and article.embargo_until > now:
        fail(
            "embargoed",
            f"The article is under embargo until {article.embargo_until.isoformat(timespec='minutes')}.",
        )
    # Uniqueness is the library's constraint; what is left to check is that a
    # slug set by hand (or by an older version) is still a safe folder name.
    if slugify(article.slug) != article.slug:
        fail(
            "slug-unsafe",
            f"The slug {article.slug!r} is not a safe folder name; try {slugify(article.slug)!r}.",
        )
    return problems


def _check_body_image(library, uid: str, fail) -> None:
    from newsdesk.library.errors import NotFound

    try:
        image = library.get_image(uid)
    except NotFound:
        fail(
            "body-image-missing",
            f"The body shows an image that is no longer in the library ({uid}).",
        )
        return
    name = image.original_name or image.sha256[:12]
    if not image.credit.strip():
        fail("figure-credit-missing", f"The image {name} has no credit.")
    if not image.alt_text.strip():
        fail("figure-alt-missing", f"The image {name} has no alt text.")
