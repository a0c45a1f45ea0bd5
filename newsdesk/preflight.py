"""Preflight: the checks an article must pass before it is exported as published.

It sits above library/ and render/ (it reads the library and asks the renderer
whether a body can be published), below export/, cli.py and ui/, which run it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from newsdesk.crops import narrow_ratios
from newsdesk.library.models import Article, utcnow
from newsdesk.library.related import related_problems
from newsdesk.picture_refs import ref_matches
from newsdesk.rules import under_embargo
from newsdesk.text import slugify

HEADLINE_BUDGET = 70
DEK_BUDGET = 160
SEO_TITLE_BUDGET = 70
SEO_DESCRIPTION_BUDGET = 160
# Social cards (summary_large_image) and Google Discover want a lead picture at
# least this wide; a narrower one is published, with a warning.
HERO_MIN_WIDTH = 1200
_IMAGE_REF = re.compile(r"!\[[^\]]*\]\(([^)\s]+)")


@dataclass(frozen=True, slots=True)
class Problem:
    """One failed check: a stable code for scripts and a sentence for people.

    An "error" keeps the article from being published; a "warning" is worth
    fixing but does not (`newsdesk check` prints it and still exits 0).
    """

    code: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return self.message

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def preflight(library, article: Article, *, now: datetime | None = None) -> list[Problem]:
    """Every reason the article cannot be published yet; empty when it can.

    `article` must be fully loaded (Library.get_article).
    """
    now = now or utcnow()
    problems: list[Problem] = []

    def fail(code: str, message: str) -> None:
        problems.append(Problem(code, message))

    def warn(code: str, message: str) -> None:
        problems.append(Problem(code, message, "warning"))

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
    elif 0 < hero.image.width < HERO_MIN_WIDTH:
        warn(
            "hero-narrow",
            f"The hero image ({hero.image.original_name or hero.image.sha256[:12]}) is "
            f"{hero.image.width} px wide; social cards and Google Discover want at least "
            f"{HERO_MIN_WIDTH} px.",
        )
    if hero is not None and hero.image.width >= HERO_MIN_WIDTH:
        # Wide enough as a whole, yet a crop may not be (a panorama's 1:1). Narrower
        # pictures already have the warning above; one is enough.
        narrow = narrow_ratios(hero.image)
        if narrow:
            which = ", ".join(f"{name} ({width} px)" for name, width in narrow)
            warn(
                "hero-crop-narrow",
                f"The hero image's crops cannot be published {HERO_MIN_WIDTH} px wide in "
                f"{which}; choose a larger picture, or widen the crop in the crop editor.",
            )
    for fig in article.figures:
        role = "hero" if fig is hero else "figure"
        # The alt text is this story's own (the figure's); the credit is the photograph's.
        _check_image(fig.image, role, fail, alt_text=fig.alt_text)
        _check_media(library, fig.image, role, fail)

    placed = {f.image.uid for f in article.figures}
    for target in _IMAGE_REF.findall(article.body):
        if target.startswith("image:"):
            ref = target[len("image:") :]
            if ref not in placed and not any(ref_matches(ref, uid) for uid in placed):
                _check_body_image(library, ref, fail)
        else:
            fail(
                "body-image-external",
                f"The body shows an image that is not in the library: {target}.",
            )

    reported = {t for t in _IMAGE_REF.findall(article.body) if not t.startswith("image:")}
    problems.extend(body_problems(article.body, already_reported=reported))
    problems.extend(Problem("related", msg) for msg in related_problems(library, article))

    if under_embargo(article, now):
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
    problems.extend(preflight_warnings(library, article))
    return problems


def _check_body_image(library, uid: str, fail) -> None:
    from newsdesk.library.errors import NotFound

    try:
        image = library.get_image(uid)
    except NotFound:
        image = library.find_image_by_ref(uid) if library is not None else None
    if image is None:
        fail(
            "body-image-missing",
            f"The body shows an image that is no longer in the library ({uid}).",
        )
        return
    _check_image(image, "figure", fail)
    _check_media(library, image, "figure", fail)


def _picture_name(image, role: str) -> str:
    name = image.original_name or image.sha256[:12]
    return f"The hero image ({name})" if role == "hero" else f"The image {name}"


def _check_media(library, image, role: str, fail) -> None:
    """A picture whose file was deleted from media/ cannot be published: a failure, not a warning."""
    if library is None or not library.media_missing(image):
        return
    fail(
        f"{role}-file-missing",
        f"{_picture_name(image, role)} has lost its file ({image.filename} is not in the "
        "library's media folder); import the picture again or take it out of the story.",
    )


def preflight_warnings(library, article: Article) -> list[Problem]:
    """What an editor must read before publishing but that does not stop it.

    A picture's instructions (IPTC "Special Instructions": embargoes, "MANDATORY
    CREDIT" notes) come from the agency and bind whoever publishes the picture.
    """
    warnings: list[Problem] = []
    hero = article.hero
    seen: set[str] = set()
    for fig in article.figures:
        image = fig.image
        text = " ".join((image.instructions or "").split())
        if not text or image.uid in seen:
            continue
        seen.add(image.uid)
        if fig is hero:
            what = "The hero's instructions say"
        else:
            what = f"The instructions of {image.original_name or image.sha256[:12]} say"
        warnings.append(Problem("image-instructions", f"{what}: {text}", "warning"))
    return warnings


def _check_image(image, role: str, fail, *, alt_text: str | None = None) -> None:
    """Every published picture carries a credit and alt text.

    `alt_text` is the story's own (its figure's); a body image that is not a
    figure of the story has only the image's.
    """
    name = image.original_name or image.sha256[:12]
    what = f"The hero image ({name})" if role == "hero" else f"The image {name}"
    if alt_text is None:
        alt_text = image.alt_text
    if not (alt_text or "").strip():
        fail(f"{role}-alt-missing", f"{what} has no alt text.")
    if not image.credit.strip():
        fail(f"{role}-credit-missing", f"{what} has no credit.")


def body_problems(body: str, *, already_reported: set[str] = frozenset()) -> list[Problem]:
    """Blocks the page cannot publish and pictures it would leave out, each with its line.

    The renderer's own rules (newsdesk.render.markdown.unpublishable), so
    preflight fails exactly what the preview shows as a notice or leaves out.
    """
    from newsdesk.render.limits import REMEDIES
    from newsdesk.render.markdown import unpublishable

    problems: list[Problem] = []
    for f in unpublishable(body):
        if f.kind == "block":
            # The preview's own remedy for the block, as the end of this sentence.
            remedy = REMEDIES.get(f.what, "Split it into shorter paragraphs.")
            advice = remedy[0].lower() + remedy[1:].rstrip(".")
            problems.append(
                Problem(
                    "body-block-unpublishable",
                    f"Line {f.line} of the body: {f.what[0].lower() + f.what[1:]}; {advice}.",
                )
            )
        elif f.target not in already_reported:
            problems.append(
                Problem(
                    "body-picture-not-in-library",
                    f"Line {f.line} of the body shows {f.what}; it is left out of the page, "
                    "so import the picture and place it from the library, or remove it.",
                )
            )
    return problems


def publish_article(library, article_id: int, *, override_reason: str = "", **fields):
    """Set the status to published only if preflight passes, or with a recorded reason.

    Raises PublishRefused (its problems listed) when preflight finds errors and
    no reason is given; with a reason the story is published and the reason is
    kept in its history as a revision. Warnings never stop it.
    """
    from newsdesk.library.errors import PublishRefused

    fields.pop("status", None)
    article = library.get_article(article_id)
    for key, value in fields.items():
        setattr(article, key, value)  # check what is about to be saved (detached copy)
    problems = [p for p in preflight(library, article) if p.is_error]
    override_reason = override_reason.strip()
    if problems and not override_reason:
        raise PublishRefused(problems)
    if problems:
        listed = "; ".join(p.message for p in problems)
        library.add_revision(
            article_id,
            reason="published over preflight",
            note=f"{override_reason} (preflight said: {listed})",
        )
    return library.update_article(article_id, status="published", **fields)


def settle_conflict(
    library, conflict, choice: str, value: str | None = None, *, override_reason=""
):
    """Settle a sync conflict as `newsdesk resolve` does; one that publishes passes the gate first.

    A status conflict settled to published (keeping mine, or a typed value) is
    a publication like `newsdesk status SLUG published`: refused with
    PublishRefused when preflight finds errors and no reason is given; with a
    reason, the reason is kept in the story's history. Returns the sentence
    saying what was settled.
    """
    from newsdesk.library.errors import PublishRefused
    from newsdesk.sync.conflicts import publishes, resolve

    if not publishes(conflict, choice, value):
        return resolve(library, conflict, choice, value)
    article = library.get_article(conflict.article_uid)
    article.status = "published"  # check it as it is about to be (a detached copy)
    problems = [p for p in preflight(library, article) if p.is_error]
    override_reason = override_reason.strip()
    if problems and not override_reason:
        raise PublishRefused(problems)
    said = resolve(library, conflict, choice, value)
    if problems:
        listed = "; ".join(p.message for p in problems)
        library.add_revision(
            article.id,
            reason="published over preflight",
            note=f"{override_reason} (preflight said: {listed})",
        )
    return said
