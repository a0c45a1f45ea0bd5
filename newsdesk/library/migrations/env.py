"""Alembic environment: migrations run on the connection the Library hands over."""

from __future__ import annotations

from alembic import context

from newsdesk.library.models import Base

FTS_PREFIX = "articles_fts"


def include_object(obj, name, type_, reflected, compare_to):
    # The full-text index is SQLite-only and lives outside the models.
    return not (type_ == "table" and name and name.startswith(FTS_PREFIX))


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("newsdesk migrations run only through newsdesk.library")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
