"""Opening a library's SQLite file safely: checks, pragmas, backups and migrations."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text

from newsdesk.library.errors import LibraryError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The newest migration. Opening a library that is already there needs no
# Alembic at all (a tenth of a second at start-up); a test keeps this in step.
SCHEMA_HEAD = "0008"
BUSY_TIMEOUT_MS = 10_000


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """What schema comparisons look at: SQLite-only tables kept by triggers live outside the models.

    They are the full-text index and the article list's section and tag counts.
    """
    if type_ != "table" or not name:
        return True
    return not (name.startswith("articles_fts") or name in ("section_counts", "tag_counts"))


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


def check_readable(db_path: Path) -> None:
    """Open an existing file read-only and make sure it is an SQLite database we can read.

    Read-only, so a corrupt or foreign file is never modified by the attempt.
    """
    if db_path.is_dir():
        raise LibraryError(f"{db_path} is a folder, not a library database.")
    try:
        con = sqlite3.connect(f"{db_path.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise LibraryError(f"Cannot open the library {db_path}: {exc}.") from exc
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise LibraryError(
            f"The library {db_path} is damaged or not a newsdesk library ({exc}); "
            "it was left untouched."
        ) from exc
    finally:
        con.close()
    if tables and "alembic_version" not in tables:
        raise LibraryError(
            f"{db_path} is an SQLite database, but not a newsdesk library; it was left untouched."
        )


def _on_connect(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA foreign_keys = ON")
    # NORMAL in WAL mode keeps every committed transaction across an application
    # crash; only a power cut can lose the last commits, never corrupt the file.
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.close()


# SQLite's own words for a failed write, and what a user should read instead.
WRITE_FAILURES = (
    (
        "database or disk is full",
        "The disk holding the library is full; nothing was saved. Free some space and save again.",
    ),
    ("readonly database", "The library is read-only here; nothing was saved."),
    (
        "database is locked",
        "Another program kept the library busy (it is locked); nothing was saved. Try again.",
    ),
    (
        "disk i/o error",
        "The disk reported an error while the library was written; nothing was saved.",
    ),
)


def _explain_failure(context) -> None:
    """Turn SQLite's failures to write into one clear LibraryError; the transaction is rolled back."""
    original = context.original_exception
    if isinstance(original, sqlite3.OperationalError):
        text_ = str(original).lower()
        for needle, message in WRITE_FAILURES:
            if needle in text_:
                raise LibraryError(message) from original


def make_engine(db_path: Path) -> Engine:
    engine = create_engine(
        f"sqlite:///{db_path}",
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
    )
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "handle_error", _explain_failure)
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
    backup = backup_database(db_path, current) if existed and current is not None else None
    try:
        upgrade(engine)
    except Exception as exc:
        hint = f" A copy from before the upgrade is at {backup}." if backup else ""
        raise LibraryError(f"Upgrading the library {db_path} failed: {exc}.{hint}") from exc
    return backup
