"""Pictures travel by SHA-256: copied once, resumably, and verified by hash on arrival.

Resumable means mid-file, both ways: to and from a library folder a
`.partial` file grows; a large picture pushed to PostgreSQL goes in pieces
(SharedLibrary.store_media_parts), and one fetched from it grows a partial
file (SharedLibrary.fetch_media).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from newsdesk.library.errors import LibraryError
from newsdesk.library.incoming import incoming
from newsdesk.library.pg import ServerUnreachable

CHUNK = 1 << 20
PARTS_FROM = 4 << 20  # a picture larger than this goes to a shared library a piece at a time


class PictureProblem(Exception):
    """A picture could not be sent or fetched; the message is one sentence."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def copy_verified(src: Path, dest: Path, sha256: str) -> None:
    """Copy src to dest through dest.partial, resuming a copy a killed sync left half done.

    The file only takes its real name once its SHA-256 is the one asked for;
    another program copying it at the same moment writes a file of its own
    (library/incoming.py).
    """
    if dest.exists():
        return
    if not src.is_file():
        raise PictureProblem(f"The picture {src.name} is missing from {src.parent}.")
    with incoming(dest, dest.with_name(dest.name + ".partial")) as into:
        if into is None:
            return
        done = into.size
        if done > src.stat().st_size:
            into.restart()
            done = 0
        with src.open("rb") as fin:
            fin.seek(done)
            for block in iter(lambda: fin.read(CHUNK), b""):
                into.fh.write(block)
        if not into.finish(dest, sha256):
            raise PictureProblem(
                f"The picture {dest.name} arrived damaged (its SHA-256 does not match); "
                "it was not kept. Sync again to fetch it once more."
            )


def push_picture(laptop, server, sha256: str, ext: str) -> None:
    """Put the laptop's picture file where the server library keeps pictures."""
    name = f"{sha256}{ext}"
    src = laptop.media_dir / name
    store = getattr(server, "store_media_blob", None)
    if store is not None:  # a shared library keeps pictures in its database
        if server.has_media_blob(sha256):
            return  # sent before (by anyone): pictures travel once
        if not src.is_file():
            raise PictureProblem(f"The picture {name} is missing from {src.parent}.")
        in_parts = getattr(server, "store_media_parts", None)
        if in_parts is not None and src.stat().st_size > PARTS_FROM:
            # A large picture goes a piece at a time: cut off, it goes on from the
            # pieces already there next time, not from its first byte.
            if _sha256(src) != sha256:
                raise PictureProblem(
                    f"The picture {name} on this laptop is damaged; it was not sent."
                )
            try:
                in_parts(sha256, src)
            except ServerUnreachable:
                raise  # the server went away: the whole sync stops, saying so
            except LibraryError as exc:
                raise PictureProblem(str(exc)) from None
            return
        data = src.read_bytes()  # read once: hashed here, then sent as it was hashed
        if hashlib.sha256(data).hexdigest() != sha256:
            raise PictureProblem(f"The picture {name} on this laptop is damaged; it was not sent.")
        store(sha256, data, verified=True)
        return
    copy_verified(src, server.media_dir / name, sha256)


def pull_picture(laptop, server, sha256: str, ext: str) -> None:
    """Fetch the server's picture file into the laptop's media/ folder."""
    dest = laptop.media_dir / f"{sha256}{ext}"
    if dest.exists():
        return
    fetch = getattr(server, "fetch_media", None)
    if fetch is not None:  # a shared library: from its database
        try:
            # Checks the bytes' SHA-256 before it writes them, and writes them durably.
            fetch(sha256, dest)
        except ServerUnreachable:
            raise  # the server went away: the whole sync stops, saying so
        except Exception as exc:  # the shared library's own sentence
            raise PictureProblem(str(exc)) from None
        return
    copy_verified(server.media_dir / dest.name, dest, sha256)
