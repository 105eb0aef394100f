"""the team's welcome rule, and the date each welcome session was made for

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "welcome_rule",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("at_minutes", sa.Integer(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("ahead", sa.Integer(), nullable=False),
        sa.Column("zoom_url", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("alerted_occurrence", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_welcome_rule")),
        sa.UniqueConstraint("guild_id", name=op.f("uq_welcome_rule_guild_id")),
    )
    with op.batch_alter_table("fabrique", schema=None) as batch_op:
        batch_op.add_column(sa.Column("welcome_rule_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("welcome_occurrence", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_fabrique_welcome_rule_id_welcome_rule"),
            "welcome_rule",
            ["welcome_rule_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_fabrique_welcome_rule_id"), ["welcome_rule_id", "welcome_occurrence"]
        )


def downgrade() -> None:
    with op.batch_alter_table("fabrique", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_fabrique_welcome_rule_id"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_fabrique_welcome_rule_id_welcome_rule"), type_="foreignkey")
        batch_op.drop_column("welcome_occurrence")
        batch_op.drop_column("welcome_rule_id")
    op.drop_table("welcome_rule")
