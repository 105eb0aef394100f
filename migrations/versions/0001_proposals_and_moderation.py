"""proposals and moderation

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fabrique",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("organizer_id", sa.BigInteger(), nullable=False),
        sa.Column("coorganizer_id", sa.BigInteger(), nullable=True),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("parcours", sa.String(length=16), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("speaker", sa.String(length=200), nullable=False),
        sa.Column("needs", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("last_reason", sa.Text(), nullable=True),
        sa.Column("card_channel_id", sa.BigInteger(), nullable=True),
        sa.Column("card_message_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fabrique")),
    )
    with op.batch_alter_table("fabrique", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fabrique_coorganizer_id"), ["coorganizer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fabrique_guild_id"), ["guild_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fabrique_organizer_id"), ["organizer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fabrique_state"), ["state"], unique=False)

    op.create_table(
        "guild_config",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("team_role_id", sa.BigInteger(), nullable=True),
        sa.Column("member_role_id", sa.BigInteger(), nullable=True),
        sa.Column("team_channel_id", sa.BigInteger(), nullable=True),
        sa.Column("agenda_channel_id", sa.BigInteger(), nullable=True),
        sa.Column("articles_forum_id", sa.BigInteger(), nullable=True),
        sa.Column("updated_by", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", name=op.f("pk_guild_config")),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("fabrique_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_state", sa.String(length=32), nullable=True),
        sa.Column("to_state", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["fabrique_id"], ["fabrique.id"], name=op.f("fk_audit_fabrique_id_fabrique"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit")),
    )
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_fabrique_id"), ["fabrique_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_fabrique_id"))

    op.drop_table("audit")
    op.drop_table("guild_config")
    with op.batch_alter_table("fabrique", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fabrique_state"))
        batch_op.drop_index(batch_op.f("ix_fabrique_organizer_id"))
        batch_op.drop_index(batch_op.f("ix_fabrique_guild_id"))
        batch_op.drop_index(batch_op.f("ix_fabrique_coorganizer_id"))

    op.drop_table("fabrique")
