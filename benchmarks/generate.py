"""Synthetic libraries and photos for benchmarks and tests: realistic sizes, skewed vocabulary."""

from __future__ import annotations

import math
import os
import random
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SECTIONS = [
    "Local",
    "Politics",
    "Business",
    "Science",
    "Culture",
    "Sport",
    "World",
    "Health",
    "Climate",
    "Opinion",
]
_SYLLABLES = [
    "ka",
    "lo",
    "mir",
    "sen",
    "ta",
    "vel",
    "dor",
    "an",
    "quo",
    "ri",
    "bel",
    "mun",
    "pra",
    "tes",
    "il",
    "gor",
    "ne",
    "sul",
    "har",
    "bo",
    "fen",
    "lis",
    "tro",
    "cam",
    "del",
    "ova",
    "ush",
    "ren",
]
COMMON = [
    "the",
    "of",
    "and",
    "to",
    "a",
    "in",
    "said",
    "for",
    "on",
    "that",
    "with",
    "was",
    "as",
    "by",
    "council",
    "city",
    "government",
    "people",
    "year",
    "new",
    "police",
    "report",
    "minister",
    "school",
]


def vocabulary(size: int, rng: random.Random) -> list[str]:
    words = list(COMMON)
    seen = set(words)
    while len(words) < size:
        w = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


def zipf_weights(n: int, s: float = 1.07) -> list[float]:
    cum, total = [], 0.0
    for rank in range(1, n + 1):
        total += 1.0 / rank**s
        cum.append(total)
    return cum


class TextMaker:
    """Paragraphs whose word frequencies follow Zipf's law, as news prose roughly does."""

    def __init__(self, seed: int = 0, vocab_size: int = 30_000) -> None:
        self.rng = random.Random(seed)
        self.words = vocabulary(vocab_size, self.rng)
        self.cum = zipf_weights(len(self.words))

    def words_n(self, n: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cum, k=n)

    def sentence(self, n: int) -> str:
        w = self.words_n(n)
        w[0] = w[0].capitalize()
        return " ".join(w) + "."

    def headline(self) -> str:
        return self.sentence(self.rng.randint(5, 11))[:-1]

    def body(self, words: int) -> str:
        parts, left, i = [], words, 0
        while left > 0:
            i += 1
            if i % 7 == 0:
                parts.append("## " + self.sentence(self.rng.randint(3, 6))[:-1])
            if i % 11 == 0:
                parts.append("> " + self.sentence(self.rng.randint(8, 18)))
            n = min(left, self.rng.randint(35, 90))
            sentences, m = [], n
            while m > 0:
                k = min(m, self.rng.randint(8, 24))
                sentences.append(self.sentence(k))
                m -= k
            parts.append(" ".join(sentences))
            left -= n
        return "\n\n".join(parts)


def article_length(rng: random.Random) -> int:
    """Mostly briefs and standard stories, a long tail of features."""
    return int(min(6000, max(80, rng.lognormvariate(math.log(350), 0.6))))


def generate_library(
    path: Path, n: int, *, seed: int = 1, images: int = 0, published_share: float = 0.85
):
    """A library of n articles written straight through the engine (fast), then indexed.

    With images > 0, that many distinct photos are imported and used as heroes
    for about two thirds of the articles.
    """
    from sqlalchemy import insert

    from newsdesk.library import Library
    from newsdesk.library.models import Article, ArticleTag, Figure, Tag

    lib = Library.open(path)
    rng = random.Random(seed)
    text = TextMaker(seed)
    tag_names = [f"{w}" for w in vocabulary(400, random.Random(seed + 7))[len(COMMON) :][:300]]
    tag_cum = zipf_weights(len(tag_names), 0.9)
    now = datetime.now(UTC)
    image_ids: list[int] = []
    if images:
        from newsdesk.images.library_import import import_image

        photo_dir = path / "_photos"
        photo_dir.mkdir(parents=True, exist_ok=True)
        for i in range(images):
            p = photo_dir / f"photo-{i}.jpg"
            sample_photo(p, 1600, 1067, seed=seed + i)
            img = import_image(lib, p)
            lib.update_image(
                img.id,
                credit=f"Photographer {i % 17}",
                alt_text=f"Scene number {i} from the archive",
                caption=text.sentence(12),
            )
            image_ids.append(img.id)
    with lib.engine.begin() as conn:
        conn.execute(
            insert(Tag),
            [
                {"name": t, "uid": str(uuid.uuid4()), "created_at": now, "updated_at": now}
                for t in tag_names
            ],
        )
        tag_ids = {name: i + 1 for i, name in enumerate(tag_names)}
        batch: list[dict] = []
        links: list[dict] = []
        figures: list[dict] = []
        for i in range(1, n + 1):
            when = now - timedelta(minutes=rng.randint(0, 5 * 365 * 24 * 60))
            status = (
                "published"
                if rng.random() < published_share
                else rng.choice(["draft", "editing", "ready"])
            )
            headline = text.headline()
            batch.append(
                {
                    "id": i,
                    "uid": str(uuid.uuid4()),
                    "headline": headline,
                    "dek": text.sentence(rng.randint(14, 24)),
                    "slug": f"story-{i}",
                    "byline": f"By Reporter {rng.randint(1, 120)}",
                    "section": rng.choice(SECTIONS),
                    "body": text.body(article_length(rng)),
                    "status": status,
                    "language": "en",
                    "seo_title": "",
                    "seo_description": "",
                    "embargo_until": None,
                    "published_at": when if status == "published" else None,
                    "version": 1,
                    "created_at": when,
                    "updated_at": when,
                }
            )
            for pos, t in enumerate(
                dict.fromkeys(rng.choices(tag_names, cum_weights=tag_cum, k=rng.randint(1, 5)))
            ):
                links.append({"article_id": i, "tag_id": tag_ids[t], "position": pos})
            if image_ids and rng.random() < 0.66:
                figures.append(
                    {
                        "article_id": i,
                        "image_id": rng.choice(image_ids),
                        "role": "hero",
                        "position": 0,
                        # A story's own words for its picture (the figure's, not the image's).
                        "caption": "A scene from the archive.",
                        "alt_text": "A scene from the archive, as the photographer framed it",
                        "uid": str(uuid.uuid4()),
                        "created_at": when,
                        "updated_at": when,
                    }
                )
            if len(batch) >= 2000:
                conn.execute(insert(Article), batch)
                batch.clear()
        if batch:
            conn.execute(insert(Article), batch)
        conn.execute(insert(ArticleTag), links)
        if figures:
            conn.execute(insert(Figure), figures)
    lib.rebuild_search_index()
    return lib


BENCH_CACHE = Path(os.environ.get("NEWSDESK_BENCH_CACHE", "/tmp/newsdesk-bench"))


def cached_library(n: int, *, images: int = 0, seed: int = 1) -> Path:
    """A generated library of n articles, made once and reused by every benchmark.

    A lock file keeps two benchmarks from generating the same library at once.
    """
    import fcntl
    import shutil

    BENCH_CACHE.mkdir(parents=True, exist_ok=True)
    path = BENCH_CACHE / f"lib-{n}-img{images}-s{seed}"
    done = path / ".complete"
    with open(BENCH_CACHE / f".lock-{path.name}", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(path, ignore_errors=True)
            generate_library(path, n, images=images, seed=seed).close()
            done.touch()
    return path


def sample_photo(path: Path, width: int, height: int, *, seed: int = 0, quality: int = 88) -> Path:
    """A photographic-looking landscape: sky gradient, sun, hills, water and grain."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)
    top = (rng.randint(20, 90), rng.randint(60, 140), rng.randint(150, 230))
    horizon = (rng.randint(230, 255), rng.randint(150, 210), rng.randint(90, 160))
    sky = Image.linear_gradient("L").resize((width, height))
    im = Image.composite(
        Image.new("RGB", (width, height), horizon), Image.new("RGB", (width, height), top), sky
    )
    draw = ImageDraw.Draw(im)
    sun_x, sun_y, r = (
        rng.randint(width // 5, 4 * width // 5),
        int(height * 0.45),
        max(8, width // 18),
    )
    draw.ellipse((sun_x - r, sun_y - r, sun_x + r, sun_y + r), fill=(255, 240, 200))
    for layer in range(3):
        shade = 40 + layer * 30
        base = int(height * (0.5 + layer * 0.06))
        pts = [(0, height)]
        for x in range(0, width + 40, max(8, width // 60)):
            pts.append(
                (x, base - int(abs(math.sin(x / width * (3 + layer) + seed)) * height * 0.12))
            )
        pts.append((width, height))
        draw.polygon(pts, fill=(shade, shade + 20, shade + 10))
    water_top = int(height * 0.72)
    draw.rectangle((0, water_top, width, height), fill=(30, 70, 110))
    for _ in range(width // 6):
        x, y = rng.randint(0, width), rng.randint(water_top, height)
        draw.line((x, y, x + rng.randint(10, 60), y), fill=(200, 210, 230), width=1)
    im = im.filter(ImageFilter.GaussianBlur(1.2))
    noise = Image.effect_noise((width, height), 18).convert("RGB")
    im = Image.blend(im, noise, 0.06)
    path.parent.mkdir(parents=True, exist_ok=True)
    im.save(path, "JPEG", quality=quality)
    return path


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="Generate a synthetic newsdesk library.")
    ap.add_argument("path", type=Path)
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--images", type=int, default=0)
    args = ap.parse_args()
    generate_library(args.path, args.n, images=args.images).close()
