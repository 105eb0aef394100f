"""outside registrants, and the scheduled event's index

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outside_registrant",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outside_registrant")),
        sa.UniqueConstraint("guild_id", "email", name=op.f("uq_outside_registrant_guild_id")),
    )
    # « Intéressé » on a scheduled event finds its session by the event's id.
    with op.batch_alter_table("fabrique", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fabrique_scheduled_event_id"), ["scheduled_event_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("fabrique", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fabrique_scheduled_event_id"))
    op.drop_table("outside_registrant")
