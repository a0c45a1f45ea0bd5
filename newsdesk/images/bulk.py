"""Bulk import and bulk renditions on every core, with progress, cancellation and per-file failures."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, TypeVar

from newsdesk.concurrency import CancelFlag, die_with_parent, process_pool_context

from .importer import prepare_image
from .model import ImageError, ImportFailure, PreparedImage, Rendition, RenditionJob, StorageError
from .pixels import RESAVE, damage_reason, unreadable
from .renditions import make_renditions

T = TypeVar("T")
Progress = Callable[[int, int], None]


def _context() -> multiprocessing.context.BaseContext:
    # Workers start with this module (and so Pillow) already imported.
    return process_pool_context([__name__])


def _prepare_one(
    path: str, media_dir: str, thumbs_dir: str, existing_dir: str | None = None
) -> PreparedImage | ImportFailure:
    try:
        return prepare_image(path, media_dir, thumbs_dir, existing_dir=existing_dir)
    except StorageError as exc:
        return ImportFailure(Path(path), str(exc), storage=True)
    except ImageError as exc:
        return ImportFailure(Path(path), str(exc))
    except Exception as exc:  # one odd file must never stop the batch
        return ImportFailure(Path(path), unreadable(Path(path).name, exc).args[0])


def _render_one(job: RenditionJob) -> list[Rendition] | ImportFailure:
    try:
        return make_renditions(
            job.src,
            job.out_dir,
            credits=job.credits,
            widths=job.widths,
            formats=job.formats,
            sha256=job.sha256,
            crops=job.crops,
            crop_width=job.crop_width,
        )
    except ImageError as exc:
        return ImportFailure(Path(job.src), str(exc))
    except Exception as exc:
        name = Path(job.src).name
        return ImportFailure(
            Path(job.src),
            f"Renditions of {name} could not be made: {damage_reason(exc)}; {RESAVE}.",
        )


def _run(
    fn: Callable[..., T | ImportFailure],
    calls: Sequence[tuple[Any, ...]],
    paths: Sequence[Path],
    *,
    workers: int | None,
    progress: Progress | None,
    cancel: CancelFlag | None,
) -> list[T | ImportFailure]:
    """Run fn(*call) for every call on a process pool; results come back in input order."""
    total = len(calls)
    results: list[T | ImportFailure | None] = [None] * total
    done = 0

    storage_failed = False

    def finish(i: int, result: T | ImportFailure) -> None:
        nonlocal done, storage_failed
        results[i] = result
        done += 1
        if isinstance(result, ImportFailure) and result.storage:
            # The library cannot store anything more (full disk): every later
            # file would fail the same way, so stop starting new ones.
            storage_failed = True
        if progress is not None:
            progress(done, total)

    def cancelled() -> bool:
        return storage_failed or (cancel is not None and cancel.is_set())

    n = max(1, min(workers or os.cpu_count() or 1, total or 1))
    if n == 1 or total <= 1:
        # No pool for a single worker: same results, without process start-up.
        for i, call in enumerate(calls):
            if cancelled():
                break
            finish(i, fn(*call))
    else:
        next_i = 0
        with ProcessPoolExecutor(
            max_workers=n,
            mp_context=_context(),
            initializer=die_with_parent,
            initargs=(os.getpid(),),
        ) as pool:
            pending: dict[Future[Any], int] = {}
            while True:
                # Keep only a short queue ahead of the workers, so cancelling
                # stops new work promptly instead of after a long backlog.
                while next_i < total and len(pending) < 2 * n and not cancelled():
                    try:
                        pending[pool.submit(fn, *calls[next_i])] = next_i
                    except BrokenProcessPool:
                        break
                    next_i += 1
                if not pending:
                    break
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    i = pending.pop(fut)
                    try:
                        finish(i, fut.result())
                    except BrokenProcessPool:
                        # A worker died (e.g. a decoder crashed on a hostile
                        # file): report it for this file and keep the rest.
                        finish(
                            i, ImportFailure(paths[i], f"{paths[i].name} crashed the image worker.")
                        )
                    except Exception as exc:
                        finish(i, ImportFailure(paths[i], unreadable(paths[i].name, exc).args[0]))
                if cancelled():
                    for fut in list(pending):
                        if fut.cancel():  # queued but not started: drop it
                            del pending[fut]
                    next_i = total
            # a broken pool leaves unsent work behind; it is reported below
    out: list[T | ImportFailure] = []
    for i, result in enumerate(results):
        if result is None:
            if cancelled():
                result = ImportFailure(paths[i], "cancelled")
            else:
                result = ImportFailure(
                    paths[i], f"{paths[i].name} was not processed because the image worker stopped."
                )
        out.append(result)
    return out


def prepare_many(
    paths: Sequence[str | Path],
    media_dir: str | Path,
    thumbs_dir: str | Path,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    cancel: CancelFlag | None = None,
    existing_dir: str | Path | None = None,
) -> list[PreparedImage | ImportFailure]:
    """Import many files on every core; one result per path, in input order.

    A failing file becomes an ImportFailure in its place and never stops the
    batch; after cancel is set no new file is started and the unstarted ones
    come back as ImportFailure(path, "cancelled").
    """
    ps = [Path(p) for p in paths]
    existing = str(existing_dir) if existing_dir is not None else None
    calls = [(str(p), str(media_dir), str(thumbs_dir), existing) for p in ps]
    return _run(_prepare_one, calls, ps, workers=workers, progress=progress, cancel=cancel)


def make_renditions_many(
    jobs: Sequence[RenditionJob],
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    cancel: CancelFlag | None = None,
) -> list[list[Rendition] | ImportFailure]:
    """make_renditions for many images on every core; results in job order."""
    ps = [Path(j.src) for j in jobs]
    calls = [(j,) for j in jobs]
    return _run(_render_one, calls, ps, workers=workers, progress=progress, cancel=cancel)
