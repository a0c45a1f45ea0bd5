"""Alembic environment: migrations run on the connection the Library hands over."""

from __future__ import annotations

from alembic import context

from newsdesk.library.database import include_object
from newsdesk.library.models import Base


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
