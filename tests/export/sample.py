"""A sample library for the export tests: real JPEGs, related stories, Unicode and right-to-left text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.generate import sample_photo
from newsdesk.images.library_import import import_image
from newsdesk.library import Library
from newsdesk.library.models import Image

NOW = datetime.now(UTC)


def make_jpeg(path: Path, size: tuple[int, int], colour: tuple[int, int, int]) -> Path:
    """A real, photograph-like JPEG (sky, sun, hills, water, grain); the colour picks its scene."""
    return sample_photo(path, size[0], size[1], seed=sum(c * 31**i for i, c in enumerate(colour)))


def add_image(library: Library, path: Path, **fields: str) -> Image:
    """Import one picture file the way the image panel does, then set its photo-desk fields."""
    image = import_image(library, path)
    return library.update_image(image.id, **fields) if fields else image


def published(library: Library, *, hero: Image | None = None, tags=(), **fields):
    """A published article (with a hero picture when given)."""
    fields.setdefault("status", "published")
    fields.setdefault("byline", "By Ana Ruiz")
    fields.setdefault("published_at", NOW - timedelta(hours=3))
    article = library.create_article(tags=tags, **fields)
    if hero is not None:
        library.add_figure(article.id, hero.id, role="hero")
    return library.get_article(article.id)


BODY = """The harbour wall gave way at 4 a.m., and by sunrise the fish market stood in a metre of water.

## What happened

Engineers had warned about the wall for a decade.[^1] "We told them every winter," said Marta Quiroga, who runs the café on the quay.

> It was not a question of if, but when. Everyone on this street knew it.

![Fishing boats pushed onto the quay by the storm]({inline})

| Day | Rain (mm) | Wind (km/h) |
|:----|----------:|------------:|
| Monday | 41 | 88 |
| Tuesday | 67 | 112 |

### What comes next

The council meets on Thursday. Repairs are expected to cost **€4.2 million**, according to [the council's estimate](https://example.org/estimate).

[^1]: A 2016 report by the port authority rated the wall "critical".
"""


def build_sample_library(root: Path, images_dir: Path) -> Library:
    """The library the checker tests export: every kind of page content the site must handle."""
    library = Library.open(root)
    library.update_publication(
        name="The Harbour Gazette",
        base_url="https://gazette.example/",
        language="en",
        timezone="Europe/Madrid",
    )
    desk = dict(
        credit="Ana Ruiz / Gazette", creator="Ana Ruiz", copyright="© 2026 The Harbour Gazette"
    )
    storm = add_image(
        library,
        make_jpeg(images_dir / "storm.jpg", (2400, 1600), (40, 70, 120)),
        caption="Waves break over the harbour wall in Puerto Viejo on Monday night.",
        alt_text="Grey waves crash over a stone harbour wall under a dark sky",
        **desk,
    )
    boats = add_image(
        library,
        make_jpeg(images_dir / "boats.jpg", (1800, 1200), (120, 60, 40)),
        caption="Boats pushed onto the quay.",
        alt_text="Three small fishing boats lying on their sides on a flooded quay",
        **desk,
    )
    council = add_image(
        library,
        make_jpeg(images_dir / "council.jpg", (1600, 1067), (60, 110, 60)),
        caption="The council chamber before Thursday's vote.",
        alt_text="Rows of empty wooden seats in a council chamber",
        credit="Luis Pardo / Gazette",
        creator="Luis Pardo",
    )
    market = add_image(
        library,
        make_jpeg(images_dir / "market.jpg", (1200, 800), (150, 120, 40)),
        caption="Stalls reopen in the fish market.",
        alt_text="Fishmongers setting out ice and fish on market stalls",
        credit="Ana Ruiz / Gazette",
    )
    cafe = add_image(
        library,
        make_jpeg(images_dir / "cafe.jpg", (1500, 1000), (110, 80, 130)),
        caption="Marta Quiroga outside her café.",
        alt_text="A woman standing in the doorway of a café with sandbags at the step",
        credit="Luis Pardo / Gazette",
    )
    quiet = published(
        library,
        hero=cafe,
        headline="Harbour café owners count the cost",
        dek="Three businesses on the quay say they cannot reopen before summer.",
        section="Business",
        body="Owners on the quay met on Tuesday.\n\nMost say insurance will not cover the repairs.",
        published_at=NOW - timedelta(days=3),
    )
    council_story = published(
        library,
        hero=council,
        headline="Council to vote on emergency repairs",
        dek="A special session will decide how to pay for the harbour wall.",
        section="Politics",
        body="The vote is on Thursday.\n\nThe opposition wants an independent survey first.",
        published_at=NOW - timedelta(days=1),
        tags=["council", "harbour"],
    )
    market_story = published(
        library,
        hero=market,
        headline="Fish market reopens: «Ça va mieux» — Zürich buyers return",
        dek="Traders from Zürich, Kraków and Ålesund came back on Wednesday.",
        section="Business",
        body="Buyers returned on Wednesday morning.\n\nPrices were up by a fifth.",
        published_at=NOW - timedelta(hours=20),
    )
    arabic = published(
        library,
        hero=boats,
        headline="العاصفة تغلق الميناء لثلاثة أيام",
        dek="الصيادون يقولون إن الأضرار أكبر مما توقعوا.",
        byline="بقلم سارة حداد",
        section="World",
        language="ar",
        slug="storm-closes-harbour-arabic",
        body="أغلقت العاصفة الميناء صباح الاثنين.\n\n> قال أحد الصيادين: لم نر شيئا كهذا من قبل.",
        published_at=NOW - timedelta(hours=10),
    )
    lead = published(
        library,
        hero=storm,
        headline="Storm breaches harbour wall, flooding the old town",
        dek="The sea wall that engineers warned about for a decade gave way before dawn on Monday.",
        section="News",
        body=BODY.format(inline=f"image:{boats.uid}"),
        tags=["storm", "harbour", "Puerto Viejo"],
        published_at=NOW - timedelta(hours=5),
    )
    library.add_figure(lead.id, boats.id, role="inline")
    library.set_related(lead.id, [council_story.id, quiet.id, market_story.id, arabic.id])
    library.set_related(arabic.id, [lead.id])
    # Not part of the site: a draft, and a published story still under embargo.
    library.create_article(headline="Draft: wall inspection notes", section="News", body="Notes.")
    published(
        library,
        hero=storm,
        headline="Embargoed: the engineers' report",
        section="News",
        embargo_until=NOW + timedelta(days=2),
        body="Not yet.",
    )
    return library
