"""The picture renditions a site's pages show: made once, kept in the library's cache, linked in."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from newsdesk.export.assets import IMG_DIR, RENDITION_FORMATS, RENDITION_WIDTHS, SiteImage, site_key
from newsdesk.export.fingerprint import _images_of
from newsdesk.export.writer import SiteWriter
from newsdesk.library.models import Image

# Which rendition files an export made for each image and credits, kept beside
# the images package's own cache so an export to a new folder finds them.
RENDITION_INDEX = "export-index.json"


class SiteRenditions:
    """The renditions step of an export (export/site.py's _Export, which provides library,
    workers, cancel, _step, _check_cancel and _total)."""

    def _renditions(
        self, writer: SiteWriter, selected: list[Any], extra: dict[str, Image]
    ) -> tuple[dict[str, SiteImage], dict[str, str]]:
        """Every rendition set these candidates' pages need (see _make_renditions)."""
        wanted: dict[str, tuple[Image, Any]] = {}
        heroes: set[str] = set()
        for cand in selected:
            self._want(cand.article, extra, wanted, heroes)
        return self._make_renditions(writer, wanted, heroes, len(selected))

    @staticmethod
    def _want(article: Any, extra: dict[str, Image], wanted: dict, heroes: set[str]) -> None:
        """Add the rendition sets this story's page shows to wanted (and its hero's to heroes).

        A set is one picture with the words embedded in its files: the
        picture's own, or a story's where its figure has its own caption or
        alt text (assets.site_key). A set that shows some story's hero also
        gets the 16:9, 4:3, 1:1 and social-card crops.
        """
        from newsdesk.images.model import Credits

        hero = article.hero
        for fig in article.figures:
            img = fig.image
            words = (fig.caption or "", fig.alt_text or "")
            key = site_key(img, words)
            wanted.setdefault(key, (img, _credits(Credits, img, *words)))
            if fig is hero:
                heroes.add(key)
        for img in _images_of(article, extra)[len(article.figures) :]:
            wanted.setdefault(img.sha256, (img, _credits(Credits, img)))

    def _make_renditions(
        self, writer: SiteWriter, wanted: dict, heroes: set[str], stories: int
    ) -> tuple[dict[str, SiteImage], dict[str, str]]:
        """Every rendition set in wanted, made once and reused across exports; returns the
        sets by key and, for each picture that could not be made, why (by its sha256)."""
        from newsdesk.crops import ALL_RATIOS, crop_for
        from newsdesk.images.model import RenditionJob

        previous: dict[str, list] = writer.previous.get("renditions", {})
        cache_dir = self.library.renditions_dir
        cache_index = _read_json(cache_dir / RENDITION_INDEX)
        site_images: dict[str, SiteImage] = {}
        self._rendition_keys: dict[str, SiteImage] = {}
        jobs: list[tuple[str, str, RenditionJob]] = []
        for skey, (img, credits) in wanted.items():
            sha = img.sha256
            boxes = {n: crop_for(img, n) for n in ALL_RATIOS} if skey in heroes else {}
            key = _rendition_key(sha, asdict(credits), {n: b.as_list() for n, b in boxes.items()})
            files = previous.get(key)
            if files and all(writer.can_reuse(f"{IMG_DIR}/{f[0]}") for f in files):
                site_image = SiteImage.from_entries(files)
                for f in files:
                    writer.reuse(f"{IMG_DIR}/{f[0]}")
                site_images[skey] = self._rendition_keys[key] = site_image
                continue
            files = cache_index.get(key)
            if files and all((cache_dir / f[0]).is_file() for f in files):
                # Made by an earlier export to another folder: no need to even
                # start the image workers to find that out.
                site_image = SiteImage.from_entries(files)
                for f in files:
                    path = cache_dir / f[0]
                    writer.link_in(f"{IMG_DIR}/{f[0]}", path, path.stem)
                site_images[skey] = self._rendition_keys[key] = site_image
                continue
            job = RenditionJob(
                src=self.library.media_path(img),
                out_dir=self.library.renditions_dir,
                credits=credits,
                widths=RENDITION_WIDTHS,
                formats=RENDITION_FORMATS,
                sha256=sha,
                crops=boxes,
            )
            jobs.append((skey, key, job))

        self._total = len(jobs) + stories + 4
        failures: dict[str, str] = {}
        if jobs:
            from newsdesk.images.bulk import make_renditions_many  # Pillow: only to make some

            results = make_renditions_many(
                [j for _s, _k, j in jobs],
                workers=self.workers,
                progress=lambda done, total: self._step(1),
                cancel=self.cancel,
            )
            self._check_cancel()
            for (skey, key, _job), result in zip(jobs, results, strict=True):
                img = wanted[skey][0]
                if not isinstance(result, list):
                    failures[img.sha256] = (
                        f"image {img.original_name or img.sha256[:12]}: {result.message}"
                    )
                    continue
                whole = sorted(
                    (r for r in result if not r.ratio), key=lambda r: (r.width, r.format)
                )
                cut = [r for r in result if r.ratio]
                site_image = SiteImage(
                    tuple((r.path.name, r.width, r.height, r.format) for r in whole),
                    tuple((r.path.name, r.width, r.height, r.format, r.ratio) for r in cut),
                )
                for r in [*whole, *cut]:
                    # The file name carries its content's key, so it stands for its hash.
                    writer.link_in(f"{IMG_DIR}/{r.path.name}", r.path, r.path.stem)
                site_images[skey] = self._rendition_keys[key] = site_image
                cache_index[key] = site_image.entries()
            _write_json(cache_dir / RENDITION_INDEX, cache_index)
        return site_images, failures


def _credits(credits_type, img: Image, caption: str | None = None, alt_text: str | None = None):
    """What a rendition set embeds: the photograph's credits and these words (default: its own)."""
    return credits_type(
        caption=img.caption if caption is None else caption,
        credit=img.credit,
        creator=img.creator,
        copyright=img.copyright,
        alt_text=img.alt_text if alt_text is None else alt_text,
    )


def _rendition_key(sha: str, credits: dict[str, str], boxes: dict[str, list[int]]) -> str:
    from newsdesk.images import settings as pipeline

    # The images package's own settings too: when its pipeline changes, so do the files.
    settings = [
        pipeline.PIPELINE_VERSION,
        pipeline.JPEG_QUALITY,
        pipeline.WEBP_QUALITY,
        pipeline.CROP_VERSION,
    ]
    spec = json.dumps(
        [sha, credits, RENDITION_WIDTHS, RENDITION_FORMATS, settings, boxes], sort_keys=True
    )
    return hashlib.sha256(spec.encode()).hexdigest()[:32]


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """Best effort (it is only a cache), and atomic so a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
