"""export state: what each exported site was made from, so an edit republishes only the pages it touches

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "export_targets",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("folder", sa.Text(), nullable=False),
        sa.Column("meta", sa.Text(), nullable=False, server_default="{}"),
        sa.PrimaryKeyConstraint("id", name="pk_export_targets"),
        sa.UniqueConstraint("folder", name="uq_export_targets_folder"),
    )
    op.create_table(
        "export_state",
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(36), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("folder", sa.Text(), nullable=False),
        sa.Column("seg", sa.Text(), nullable=False),
        sa.Column("when_us", sa.BigInteger(), nullable=False),
        sa.Column("lastmod_us", sa.BigInteger(), nullable=False),
        sa.Column("card_fp", sa.String(64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["export_targets.id"],
            name="fk_export_state_target_id_export_targets",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("target_id", "uid", name="pk_export_state"),
    )
    op.create_index("ix_export_state_order", "export_state", ["target_id", "when_us", "article_id"])
    op.create_index(
        "ix_export_state_section", "export_state", ["target_id", "seg", "when_us", "article_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_export_state_section", table_name="export_state")
    op.drop_index("ix_export_state_order", table_name="export_state")
    op.drop_table("export_state")
    op.drop_table("export_targets")
