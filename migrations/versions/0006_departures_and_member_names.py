"""departures and member names

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "departure",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("fabrique_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["fabrique_id"], ["fabrique.id"], name=op.f("fk_departure_fabrique_id_fabrique"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departure")),
        sa.UniqueConstraint("fabrique_id", "user_id", name=op.f("uq_departure_fabrique_id")),
    )
    with op.batch_alter_table("departure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_departure_fabrique_id"), ["fabrique_id"], unique=False)
    op.create_table(
        "member_name",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", "user_id", name=op.f("pk_member_name")),
    )


def downgrade() -> None:
    op.drop_table("member_name")
    with op.batch_alter_table("departure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_departure_fabrique_id"))
    op.drop_table("departure")
