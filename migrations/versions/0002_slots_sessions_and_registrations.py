"""slots, sessions and registrations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "slot",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slot")),
    )
    with op.batch_alter_table("slot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_slot_guild_id"), ["guild_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_slot_starts_at"), ["starts_at"], unique=False)

    op.create_table(
        "registration",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("fabrique_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dm_failed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fabrique_id"], ["fabrique.id"], name=op.f("fk_registration_fabrique_id_fabrique"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration")),
        sa.UniqueConstraint("fabrique_id", "user_id", name=op.f("uq_registration_fabrique_id")),
    )
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registration_fabrique_id"), ["fabrique_id"], unique=False)

    with op.batch_alter_table("fabrique", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=16), server_default="fabrique", nullable=False))
        batch_op.add_column(sa.Column("slot_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("capacity", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("zoom_url", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("announcement_channel_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("announcement_message_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("scheduled_event_id", sa.BigInteger(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_fabrique_announcement_message_id"), ["announcement_message_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_fabrique_starts_at"), ["starts_at"], unique=False)
        batch_op.create_unique_constraint(batch_op.f("uq_fabrique_slot_id"), ["slot_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_fabrique_slot_id_slot"), "slot", ["slot_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("fabrique", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_fabrique_slot_id_slot"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_fabrique_slot_id"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_fabrique_starts_at"))
        batch_op.drop_index(batch_op.f("ix_fabrique_announcement_message_id"))
        batch_op.drop_column("scheduled_event_id")
        batch_op.drop_column("announcement_message_id")
        batch_op.drop_column("announcement_channel_id")
        batch_op.drop_column("zoom_url")
        batch_op.drop_column("capacity")
        batch_op.drop_column("ends_at")
        batch_op.drop_column("starts_at")
        batch_op.drop_column("slot_id")
        batch_op.drop_column("kind")

    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registration_fabrique_id"))

    op.drop_table("registration")
    with op.batch_alter_table("slot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slot_starts_at"))
        batch_op.drop_index(batch_op.f("ix_slot_guild_id"))

    op.drop_table("slot")
