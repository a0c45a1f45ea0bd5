"""Opening a library's SQLite file safely: checks, pragmas, backups and migrations."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text

from newsdesk.library.errors import LibraryDamaged, LibraryError, NewerLibrary

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The newest migration. Opening a library that is already there needs no
# Alembic at all (a tenth of a second at start-up); a test keeps this in step.
SCHEMA_HEAD = "0029"
BUSY_TIMEOUT_MS = 10_000


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """What schema comparisons look at: each engine's search index lives outside the models.

    SQLite's FTS5 tables and the article list's section and tag counts (kept by
    triggers), and PostgreSQL's search columns, their index and word counts (library/search_pg.py),
    and its index of each tag's newest stories (migration 0022, related_pg.py).
    """
    if (
        type_ == "table"
        and name
        and (
            name.startswith("articles_fts")
            or name in ("section_counts", "tag_counts", "counts_paused", "term_stats")
        )
    ):
        return False
    return not (
        type_ in ("column", "index")
        and name
        in (
            "search_doc",
            "rank_doc",
            "ix_articles_search_doc",
            "ix_articles_rank_doc",
            "ix_article_tags_tag_id_article_id",
        )
    )


def alembic_config():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    """The newest migration, as Alembic reads it from the migration files."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


@dataclass(frozen=True, slots=True)
class FileState:
    """What a look at an existing library file (without changing it) found."""

    revision: str | None
    read_only: bool


def is_read_only(db_path: Path) -> bool:
    """Whether this process may not write the database (read-only mount or permissions).

    The folder counts too: SQLite writes its journal files beside the database.
    access() answers EROFS on a read-only mount even for root.
    """
    return not (os.access(db_path, os.W_OK) and os.access(db_path.parent, os.W_OK))


def connect_read_only(db_path: Path, *, read_only_disk: bool) -> sqlite3.Connection:
    """A connection that can never change the file.

    A WAL database needs its -shm file to be read; on a read-only disk where it
    cannot be made, the file is opened as immutable (nothing else can write it there).
    """
    uri = f"{db_path.absolute().as_uri()}?mode=ro"
    con = sqlite3.connect(uri, uri=True, check_same_thread=False)
    if not read_only_disk:
        return con
    try:
        con.execute("PRAGMA schema_version").fetchone()  # SQLite opens the WAL at the first read
        return con
    except sqlite3.OperationalError:
        con.close()
    return sqlite3.connect(uri + "&immutable=1", uri=True, check_same_thread=False)


def journal_files(db_path: Path) -> set[Path]:
    """SQLite's -wal and -shm files that are beside the database now."""
    return {p for p in (Path(f"{db_path}-wal"), Path(f"{db_path}-shm")) if p.exists()}


@contextmanager
def peek(db_path: Path, *, read_only_disk: bool = True) -> Iterator[sqlite3.Connection]:
    """A short read-only look at the file that creates nothing beside it.

    A read-only connection to a WAL database would create -wal and -shm files
    it cannot remove again. With no -wal beside the file, everything committed
    is in the file itself, so it is read as immutable; with a -wal (another
    process has it open, or one was killed), the journal files are there already.
    """
    if Path(f"{db_path}-wal").exists():
        con = connect_read_only(db_path, read_only_disk=read_only_disk)
    else:
        con = sqlite3.connect(f"{db_path.absolute().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        yield con
    finally:
        con.close()


def quick_check(db_path: Path) -> str | None:
    """None when SQLite's quick_check passes; otherwise its first finding, short."""
    try:
        with peek(db_path, read_only_disk=is_read_only(db_path)) as con:
            rows = con.execute("PRAGMA quick_check(3)").fetchall()
    except sqlite3.Error as exc:
        return str(exc)
    findings = [r[0] for r in rows if r[0] != "ok"]
    if not findings:
        return None
    # SQLite heads its report "*** in database main ***" and lists a finding a line.
    lines = [line for line in findings[0].splitlines() if line.strip() and "***" not in line]
    first = lines[0] if lines else findings[0].replace("\n", " ")
    return first if len(first) <= 80 else first[:77] + "..."


def damage_detail(db_path: Path, exc: BaseException | None = None) -> str:
    """A few words on the damage for the message: what quick_check found, else SQLite's error."""
    finding = quick_check(db_path)
    if finding:
        return f"SQLite's check finds: {finding}"
    return f"SQLite says: {exc}" if exc is not None else "SQLite cannot read part of it"


def known_revisions() -> set[str]:
    """Every schema revision this newsdesk has a migration for (read without Alembic)."""
    pattern = re.compile(r"^revision\s*=\s*[\"']([^\"']+)[\"']", re.M)
    found = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        match = pattern.search(path.read_text(encoding="utf-8"))
        if match:
            found.add(match.group(1))
    return found


def inspect_file(db_path: Path) -> FileState:
    """Look at an existing library file without changing it: damaged, foreign, newer, read-only?

    Read-only, so a damaged or foreign file is never modified by the attempt,
    and nothing (no -wal, no -shm) is created beside it.
    """
    root = db_path.parent
    if db_path.is_dir():
        raise LibraryError(f"{db_path} is a folder, not a library database; move it aside.")
    try:
        size = db_path.stat().st_size
    except OSError as exc:
        raise LibraryError(f"Cannot read the library {db_path}: {exc.strerror}.") from exc
    if size == 0:
        raise LibraryDamaged(db_path, "the database file is empty, 0 bytes", repairable=False)
    read_only = is_read_only(db_path)
    try:
        with peek(db_path, read_only_disk=read_only) as con:
            tables = {
                r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            revision = None
            if "alembic_version" in tables:
                row = con.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
    except sqlite3.DatabaseError as exc:
        if _disk_is_full(db_path):
            raise disk_full_on_open(db_path) from exc
        if not _is_damage(exc):
            raise LibraryError(f"Cannot read the library {db_path}: {exc}.") from exc
        if "not a database" in str(exc):
            raise LibraryError(
                f"{db_path} is damaged or not a newsdesk library (SQLite says: {exc}); "
                "it was left untouched: restore it from a backup, or move it aside to start anew."
            ) from exc
        raise LibraryDamaged(db_path, damage_detail(db_path, exc)) from exc
    if "alembic_version" not in tables:
        raise LibraryError(
            f"{db_path} is an SQLite database, but not a newsdesk library; it was left untouched."
        )
    if revision is not None and revision != SCHEMA_HEAD and revision not in known_revisions():
        raise NewerLibrary(root, revision)
    return FileState(revision, read_only)


def disk_full_on_open(db_path: Path) -> LibraryError:
    """SQLite cannot make its shared-memory file and says "disk I/O error": the disk is full."""
    return LibraryError(
        f"The disk holding the library {db_path.parent} is full, so it cannot be "
        "opened; it was left untouched. Free some space and try again."
    )


def _is_empty(path: Path) -> bool:
    try:
        return path.stat().st_size == 0
    except OSError:
        return False


def _disk_is_full(db_path: Path) -> bool:
    """Less room left than SQLite needs to open a library (its -shm file is 32 KB)."""
    try:
        return shutil.disk_usage(db_path.parent).free < 64 * 1024
    except OSError:
        return False


def _on_connect(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA foreign_keys = ON")
    # NORMAL in WAL mode keeps every committed transaction across an application
    # crash; only a power cut can lose the last commits, never corrupt the file.
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.close()


def _on_connect_read_only(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA query_only = ON")
    cur.close()


# SQLite's own words for a failed write, and what a user should read instead.
WRITE_FAILURES = (
    (
        "database or disk is full",
        "The disk holding the library is full; nothing was saved. Free some space and save again.",
    ),
    ("readonly database", "The library is read-only here; nothing was saved."),
    ("query_only", "The library is read-only here; nothing was saved."),
    (
        "database is locked",
        "Another program kept the library busy (it is locked); nothing was saved. Try again.",
    ),
    (
        "disk i/o error",
        "The disk reported an error while the library was written; nothing was saved.",
    ),
)


def _is_damage(exc: BaseException) -> bool:
    """SQLITE_CORRUPT and SQLITE_NOTADB arrive as the plain DatabaseError class."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    return type(exc) is sqlite3.DatabaseError or "malformed" in str(exc).lower()


def _explain_failure(db_path: Path):
    def explain(context) -> None:
        """SQLite's failures as one clear LibraryError; the transaction is rolled back."""
        original = context.original_exception
        if _is_damage(original):
            raise LibraryDamaged(db_path, damage_detail(db_path, original)) from original
        if isinstance(original, sqlite3.OperationalError):
            text_ = str(original).lower()
            for needle, message in WRITE_FAILURES:
                if needle in text_:
                    raise LibraryError(message) from original

    return explain


def make_engine(db_path: Path, *, read_only: bool = False) -> Engine:
    """The engine for a library file; read_only opens it so that nothing can change it."""
    connect_args = {"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
    if read_only:
        # The file URL still tells SQLAlchemy this is a file (a pool per engine, not per thread).
        engine = create_engine(
            f"sqlite:///{db_path}",
            creator=lambda: connect_read_only(db_path, read_only_disk=is_read_only(db_path)),
        )
        event.listen(engine, "connect", _on_connect_read_only)
    else:
        engine = create_engine(f"sqlite:///{db_path}", connect_args=connect_args)
        event.listen(engine, "connect", _on_connect)
    event.listen(engine, "handle_error", _explain_failure(db_path))
    return engine


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        has_table = conn.execute(
            text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'")
        ).first()
        if has_table is None:
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def backup_database(db_path: Path, revision: str | None) -> Path:
    """A consistent copy of the database (WAL included), beside it, before a migration."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = db_path.with_name(f"{db_path.stem}.before-{revision or 'empty'}-{stamp}.sqlite")
    tmp = target.with_suffix(".partial")
    src = sqlite3.connect(db_path)
    try:
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    shutil.move(tmp, target)
    return target


NOTICE_LISTENERS: list[Callable[[str], None]] = []
"""Who else hears the notices: the editor's upgrade window shows them (from the upgrading thread)."""


def notice(message: str) -> None:
    """One line on stderr about a long step of opening a library (a migration rebuilding an index).

    The command line's output stays the command's own; the editor, which has no
    main window yet while a library upgrades, shows them in its upgrade window.
    """
    print(f"newsdesk: {message}", file=sys.stderr, flush=True)
    for listener in list(NOTICE_LISTENERS):
        listener(message)


def needs_upgrade(root: Path) -> bool:
    """Whether opening this library folder will migrate its schema (a library that is not
    there, or cannot be read, is for Library.open to create or to explain)."""
    db_path = Path(root).expanduser().absolute() / "library.sqlite"
    if not db_path.is_file():
        return False
    try:
        state = inspect_file(db_path)
    except LibraryError:
        return False
    return not state.read_only and state.revision != SCHEMA_HEAD


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def migrate(engine: Engine, db_path: Path, *, existed: bool) -> Path | None:
    """Bring the schema to head; back the file up first when it already held a library."""
    current = current_revision(engine)
    if current == SCHEMA_HEAD:
        return None
    if current is not None and current not in known_revisions():
        raise NewerLibrary(db_path.parent, current)  # before any backup: nothing is written
    backup = backup_database(db_path, current) if existed and current is not None else None
    try:
        upgrade(engine)
    except Exception as exc:
        hint = f" A copy from before the upgrade is at {backup}." if backup else ""
        raise LibraryError(f"Upgrading the library {db_path} failed: {exc}.{hint}") from exc
    return backup
