"""What every worker shares, Qt or not: the cancel flag it polls and the way it starts processes."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

# multiprocessing and ctypes load when a pool is made: a one-page export or a command
# that starts no worker skips them.
if TYPE_CHECKING:
    import multiprocessing.context


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
    import multiprocessing

    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        if preload:
            ctx.set_forkserver_preload(list(preload))
        return ctx
    return multiprocessing.get_context("spawn")


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
PARENT_WATCH_SECONDS = 0.5


def _start_time(pid: int) -> str | None:
    """The process's start time from /proc (tells a live process from a reused pid), or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    if fields[0] in ("Z", "X"):  # killed but not yet reaped: it is gone
        return None
    return fields[19]


def _alive(pid: int, started: str | None) -> bool:
    if started is not None:  # Linux: /proc also sees zombies and reused pids
        return _start_time(pid) == started
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def die_with_parent(main_pid: int) -> None:
    """Pool initializer: a worker must not outlive the process that started the pool.

    A parent killed with SIGKILL runs no clean-up, so its workers would go on
    writing files nobody will record. With forkserver the worker's parent is
    the fork server, which itself stays alive as long as any worker holds its
    "alive" pipe; so besides PR_SET_PDEATHSIG (Linux: the kernel kills us when
    our parent dies) a watch thread exits the worker when the process that
    started the pool is gone or the worker was re-parented.
    """
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the watch thread below still works
    started = _start_time(main_pid)
    if os.getppid() != parent or not _alive(main_pid, started):
        os._exit(1)  # the parent died before we got here

    def watch() -> None:
        while True:
            time.sleep(PARENT_WATCH_SECONDS)
            if os.getppid() != parent or not _alive(main_pid, started):
                os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
