"""What every worker shares, Qt or not: the cancel flag it polls and the way it starts processes."""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from typing import Protocol


class CancelFlag(Protocol):
    """Anything with is_set(), such as threading.Event: long work polls it between steps."""

    def is_set(self) -> bool: ...


def process_pool_context(preload: Sequence[str] = ()) -> multiprocessing.context.BaseContext:
    """The start method for worker processes: never "fork".

    The GUI starts pools from worker threads of a Qt process, and forking a
    multi-threaded process can deadlock the child on a lock another thread held.
    forkserver forks from a clean single-threaded server (with `preload`, the
    modules the workers need, already imported there); spawn is the portable
    fallback (Windows, macOS).
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        if preload:
            ctx.set_forkserver_preload(list(preload))
        return ctx
    return multiprocessing.get_context("spawn")
