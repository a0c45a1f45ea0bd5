"""A Markdown block rendered in a child process that is abandoned when it overruns its deadline.

A thread cannot be stopped from outside and Python-Markdown has no
cancellation hook, so only a process can be abandoned. The deadline is the
child's processor time (a busy machine slows the child, not its verdict), with
a wall-clock wait as the backstop. render/limits.py decides which blocks need it.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

from newsdesk.concurrency import process_pool_context

if TYPE_CHECKING:  # loaded when a block is converted in a child process
    import multiprocessing.context

# Processor time the child may spend converting, on top of what starting it took; the
# limits in render/limits.py keep every block they let through well inside it (the largest, a
# 16,000-element table, takes about 1.5 s here).
DEADLINE_SECONDS = 2.0
# Wall-clock time the parent waits at most, whatever the load: a child starved of the
# processor by other work is abandoned too.
WALL_DEADLINE_SECONDS = 30.0


def convert_with_deadline(source: str, seconds: float = DEADLINE_SECONDS) -> str | None:
    """Markdown to (unsanitised) HTML in a child process; None when it overran or failed.

    The child may spend `seconds` of processor time converting (a busy machine
    slows it, not its verdict) and the parent waits WALL_DEADLINE_SECONDS at most.
    """
    ctx = _context()
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_convert_in_child, args=(source, sender, seconds), daemon=True)
    proc.start()
    sender.close()
    try:
        if receiver.poll(max(seconds, WALL_DEADLINE_SECONDS)):
            return receiver.recv()
        return None
    except (EOFError, OSError):
        return None  # the child died (out of processor time or memory): refuse the block
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        receiver.close()


def _convert_in_child(source: str, sender, seconds: float) -> None:
    from newsdesk.render.markdown import convert_unbounded

    _limit_processor_time(seconds)
    sender.send(convert_unbounded(source))
    sender.close()


def _limit_processor_time(seconds: float) -> None:
    """Let the system end this process once it has spent `seconds` more processor time."""
    try:
        import resource
    except ImportError:  # Windows: the parent's wall-clock wait is the only bound
        return
    used = time.process_time()
    soft = math.ceil(used + seconds)
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY and soft >= hard:
        return
    # SIGXCPU at the soft limit ends the process (Python leaves its default action).
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _context() -> multiprocessing.context.BaseContext:
    # Never fork: the preview calls this from a worker thread of a Qt process.
    return process_pool_context()
