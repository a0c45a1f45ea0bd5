"""Errors the library raises, each with a message fit to show a user as it is."""

from __future__ import annotations


class LibraryError(Exception):
    """The library cannot be opened or used; the message names the problem."""


class NotFound(LibraryError):
    """No article, image or revision matches what was asked for."""


class StaleArticleError(LibraryError):
    """The article changed in the library since this copy was loaded (another window saved it)."""

    def __init__(self, article_id: int, expected: int, found: int) -> None:
        super().__init__(
            f"The article was changed elsewhere (version {found}, this copy is version {expected})."
        )
        self.article_id = article_id
        self.expected = expected
        self.found = found


class SlugTaken(LibraryError):
    """Another article already uses this slug."""


class PublishRefused(LibraryError):
    """Preflight failed, so the story was not published; `problems` says why."""

    def __init__(self, problems) -> None:
        self.problems = list(problems)
        reasons = "; ".join(p.message for p in self.problems)
        super().__init__(f"Not published: preflight failed ({reasons}).")


class LibraryDamaged(LibraryError):
    """The database file is damaged (or is not a database at all); it was left as it is."""

    def __init__(self, db_path, detail: str, *, repairable: bool = True) -> None:
        root = db_path.parent
        advice = (
            f"run `newsdesk --library {root} repair` to rebuild it from what can be read"
            if repairable
            else "move it aside to start a new library"
        )
        super().__init__(
            f"The library at {root} is damaged ({detail}); it was left untouched: restore "
            f"{db_path.name} from a backup, or {advice}."
        )
        self.db_path = db_path


class LibraryReadOnly(LibraryError):
    """A command that writes was asked of a library this process can only read."""

    def __init__(self, root, why: str = "") -> None:
        super().__init__(
            f"The library at {root} is read-only{why}; nothing was changed "
            "(copy it somewhere writable, or mount it read-write, to change it)."
        )
        self.root = root


class NewerLibrary(LibraryError):
    """The library's schema comes from a newer newsdesk than this one."""

    def __init__(self, root, revision: str) -> None:
        super().__init__(
            f"The library at {root} was made by a newer newsdesk (schema {revision}); "
            "update newsdesk to open it. Nothing was changed."
        )
        self.revision = revision


class Cancelled(LibraryError):
    """The user cancelled a change to many stories before it committed: nothing was changed."""

    def __init__(self) -> None:
        super().__init__("Cancelled; nothing was changed.")
