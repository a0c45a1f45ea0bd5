"""Listing pages made on every core: a full export's pages of sections, tags, authors and months.

A full export of a large site makes thousands of listing pages after its
story pages; made in one process they were a sixth of a warm export, with
the other core idle. Here the pages whose signature is new are sent, a few
at a time, to worker processes that build the same view with the same code
(export/listings.Listings) and render it with the same templates; the main
process writes what comes back. Only the pages in flight are held: at most
a few tasks per worker. The first pages are made here: a small site (or an
incremental export, which makes a handful) never starts a process.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from newsdesk.concurrency import die_with_parent, process_pool_context
from newsdesk.render.page import environment

# The pool (and multiprocessing with it) loads when a site has pages enough to send out:
# one edit's few listing pages are made here and never load it.
if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

# Pages made here before the work is worth starting processes for: a 1,000-story site
# (some 400 listing pages) is done sooner without starting them (measured: 1-3 s sooner, and
# 7 MiB less in the main process, on a loaded 2-core machine).
INLINE_PAGES = 500
PAGES_PER_TASK = 8  # (a task's pages come back as one message: 8 are a quarter of a MiB)

# (rel, template, listing, chunk, number, total, folder): one page to make
Task = tuple[str, str, Any, list, int, int, str]


@dataclass
class ListingSetup:
    """What a worker needs to build listing pages as the main process would (plain data)."""

    library_root: Path
    publication: SimpleNamespace  # name, language, timezone, uid
    base_url: str
    now: Any
    page_size: int
    logo: Any
    names: dict[str, str]
    templates_override: Path | None


def make_pages(setup: ListingSetup, tasks: list[Task]) -> list[tuple[str, bytes]]:
    """Build and render these pages; (rel, HTML) of each."""
    from newsdesk.export.listings import Listings  # (listings imports nothing from here)

    listings = Listings(
        setup.library_root,
        setup.publication,  # type: ignore[arg-type]
        setup.base_url,
        setup.now,
        _unused,
        _unused,
        page_size=setup.page_size,
        logo=setup.logo,
    )
    listings.set_section_names(setup.names)
    env = environment(setup.templates_override, setup.publication.language or "en")
    out = []
    for rel, template, listing, chunk, number, total, folder in tasks:
        view = listings._page_view(listing, chunk, number, total, folder)
        out.append((rel, env.get_template(template).render(page=view).encode("utf-8")))
    return out


def _unused(*_args, **_kw) -> None:
    raise AssertionError("a listing worker only builds pages")


_SETUP: ListingSetup | None = None


def _start_worker(main_pid: int, setup: ListingSetup) -> None:
    global _SETUP
    die_with_parent(main_pid)
    _SETUP = setup


def _make_in_worker(tasks: list[Task]) -> list[tuple[str, bytes]]:
    assert _SETUP is not None, "a listing worker is started with its setup"
    return make_pages(_SETUP, tasks)


class ListingPool:
    """Makes listing pages, in worker processes once there are many; `write(rel, html)` for each.

    put() the pages as they are found new, then finish(). Pages come back in
    no particular order (each is its own file).
    """

    def __init__(
        self,
        setup: Callable[[], ListingSetup],
        make_here: Callable[[Task], bytes],
        write: Callable[[str, bytes], None],
        *,
        workers: int | None = None,
        check: Callable[[], None] = lambda: None,
    ) -> None:
        self.setup = setup  # called once, when the workers start
        self.make_here = make_here
        self.write = write
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.check = check  # raises when the export was cancelled
        self._made_here = 0
        self._batch: list[Task] = []
        self._pool: ProcessPoolExecutor | None = None
        self._pending: dict[Future, list[Task]] = {}

    def put(self, task: Task) -> None:
        if self.workers == 1 or self._made_here < INLINE_PAGES:
            self._made_here += 1
            self._write_all([(task[0], self.make_here(task))])
            return
        self._batch.append(task)
        if len(self._batch) >= PAGES_PER_TASK:
            self._submit()

    def finish(self) -> None:
        """Wait for every page sent out, write them, and stop the workers."""
        try:
            if self._batch:
                self._submit()
            while self._pending:
                self._collect()
        finally:
            self.close()

    def close(self) -> None:
        if self._pool is not None:
            for fut in self._pending:
                fut.cancel()
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._pending.clear()

    def _submit(self) -> None:
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        batch, self._batch = self._batch, []
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=process_pool_context([__name__]),
                initializer=_start_worker,
                initargs=(os.getpid(), self.setup()),
            )
        # Only a few tasks per worker in flight: what waits to be written stays small.
        while len(self._pending) >= 2 * self.workers:
            self._collect()
        try:
            self._pending[self._pool.submit(_make_in_worker, batch)] = batch
        except BrokenProcessPool:
            self._write_all([(t[0], self.make_here(t)) for t in batch])

    def _collect(self) -> None:
        from concurrent.futures.process import BrokenProcessPool

        done, _ = wait(self._pending, return_when=FIRST_COMPLETED)
        for fut in done:
            batch = self._pending.pop(fut)
            try:
                pages = fut.result()
            except BrokenProcessPool:
                # A worker died (killed, out of memory): these pages are made here instead.
                pages = [(t[0], self.make_here(t)) for t in batch]
            self._write_all(pages)

    def _write_all(self, pages: list[tuple[str, bytes]]) -> None:
        for rel, html in pages:
            self.write(rel, html)
        self.check()


def pool_for(
    listings: Any,
    write: Callable[[str, bytes], None],
    *,
    templates_override: Path | None,
    workers: int | None,
    check: Callable[[], None],
) -> ListingPool:
    """A pool making the pages of these Listings (export/listings.py) as they would."""
    env = environment(templates_override, listings.lang)

    def make_here(task: Task) -> bytes:
        _rel, template, listing, chunk, number, total, folder = task
        view = listings._page_view(listing, chunk, number, total, folder)
        return env.get_template(template).render(page=view).encode("utf-8")

    def setup() -> ListingSetup:
        pub = listings.pub
        return ListingSetup(
            library_root=listings.library_root,
            publication=SimpleNamespace(
                name=pub.name, language=pub.language, timezone=pub.timezone, uid=pub.uid
            ),
            base_url=listings.base_url,
            now=listings.now,
            page_size=listings.page_size,
            logo=listings.logo,
            names=dict(listings._names),  # known once the listings are being written
            templates_override=templates_override,
        )

    return ListingPool(setup, make_here, write, workers=workers, check=check)
