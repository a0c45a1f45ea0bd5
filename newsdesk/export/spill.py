"""A list that keeps its first items in memory and the rest in a private scratch file.

An export's report names every story it wrote and every file it changed: at
100,000 stories that is some 50 MiB of Python objects, the largest thing
left in the main process once the pages are made. A SpillList holds the
first IN_MEMORY items as a plain list (a one-edit export never touches the
disk) and moves the rest, encoded as text, into a private SQLite database
that lives on the disk beyond a small page cache and disappears when it is
closed or collected (SQLite's "" database, as export/file_log.py). It reads
like a list: len, iteration, indexing, `in`, equality with a list.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, TypeVar

T = TypeVar("T")

IN_MEMORY = 1000  # items kept as objects before the rest go to the scratch file
_CHUNK = 1000  # items written or read per statement
_CACHE_KIB = 256  # the scratch file's page cache (SQLite's default is 2 MiB)


def _same(value: Any) -> Any:
    return value


class SpillList(Generic[T]):
    """An append-only list of T, spilled to disk past IN_MEMORY items.

    encode/decode turn an item into text and back (identity for strings).
    """

    def __init__(
        self,
        items: Iterable[T] = (),
        *,
        encode: Callable[[T], str] = _same,
        decode: Callable[[str], T] = _same,
    ) -> None:
        self._encode, self._decode = encode, decode
        self._head: list[T] = []
        self._conn: sqlite3.Connection | None = None
        self._spilled = 0
        self.extend(items)

    # ---- adding ------------------------------------------------------------
    def append(self, item: T) -> None:
        self.extend((item,))

    def extend(self, items: Iterable[T]) -> None:
        batch: list[T] = []
        for item in items:
            if self._conn is None and len(self._head) < IN_MEMORY:
                self._head.append(item)
                continue
            batch.append(item)
            if len(batch) >= _CHUNK:
                self._spill(batch)
                batch = []
        if batch:
            self._spill(batch)

    def __iadd__(self, items: Iterable[T]) -> SpillList[T]:
        self.extend(items)
        return self

    def _spill(self, batch: list[T]) -> None:
        if self._conn is None:
            # Read and written by whichever thread holds the report (an export runs on a worker).
            self._conn = sqlite3.connect("", isolation_level=None, check_same_thread=False)
            self._conn.executescript(
                f"PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
                f"PRAGMA cache_size=-{_CACHE_KIB}; "
                "CREATE TABLE items (n INTEGER PRIMARY KEY, v TEXT NOT NULL);"
            )
        encode = self._encode
        self._conn.executemany(
            "INSERT INTO items (n, v) VALUES (?, ?)",
            [(self._spilled + i, encode(item)) for i, item in enumerate(batch)],
        )
        self._spilled += len(batch)

    # ---- reading -----------------------------------------------------------
    def __len__(self) -> int:
        return len(self._head) + self._spilled

    def __bool__(self) -> bool:
        return len(self) > 0

    def __iter__(self) -> Iterator[T]:
        yield from self._head
        if self._conn is None:
            return
        decode, n = self._decode, 0
        while n < self._spilled:
            rows = self._conn.execute(
                "SELECT v FROM items WHERE n >= ? ORDER BY n LIMIT ?", (n, _CHUNK)
            ).fetchall()
            if not rows:
                return
            for (v,) in rows:
                yield decode(v)
            n += len(rows)

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return list(self)[index]
        size = len(self)
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError("list index out of range")
        if index < len(self._head):
            return self._head[index]
        assert self._conn is not None
        (v,) = self._conn.execute(
            "SELECT v FROM items WHERE n = ?", (index - len(self._head),)
        ).fetchone()
        return self._decode(v)

    def __contains__(self, item: object) -> bool:
        return any(x == item for x in self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SpillList | list | tuple):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, as a list

    def __repr__(self) -> str:
        shown = ", ".join(repr(x) for x in self._head[:5])
        more = f", … {len(self) - 5:,} more" if len(self) > 5 else ""
        return f"SpillList([{shown}{more}])"

    def __reduce__(self):
        # Sent to another process (or copied) as the plain list it stands for.
        return (list, (list(self),))
