"""a Fabrique may be a series: every session a row, linked to the first; absences from one date of a series

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03

Every Fabrique made before is a single session: no series, rank 1 of 1. Nothing is copied or moved, so every
registration, due item, documentation job and copy stays where it is.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("fabrique", schema=None) as batch_op:
        batch_op.add_column(sa.Column("series_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("series_rank", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("series_size", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(
            sa.Column("series_rhythm", sa.String(length=200), server_default=sa.text("''"), nullable=False)
        )
        batch_op.create_foreign_key(batch_op.f("fk_fabrique_series_id_fabrique"), "fabrique", ["series_id"], ["id"])
        batch_op.create_index(batch_op.f("ix_fabrique_series_id"), ["series_id"], unique=False)
        batch_op.create_unique_constraint(batch_op.f("uq_fabrique_series_id"), ["series_id", "series_rank"])
    op.create_table(
        "absence",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("fabrique_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["fabrique_id"], ["fabrique.id"], name=op.f("fk_absence_fabrique_id_fabrique"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_absence")),
        sa.UniqueConstraint("fabrique_id", "user_id", name=op.f("uq_absence_fabrique_id")),
    )
    with op.batch_alter_table("absence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_absence_fabrique_id"), ["fabrique_id"], unique=False)


def downgrade() -> None:
    """Back to one session per Fabrique: the later sessions of a series become Fabriques of their own (their rows
    stay, with their dates and documentation), each with the series' registrants who had not said they would miss
    it; the absences go."""
    op.execute(
        "INSERT INTO registration (fabrique_id, user_id, status, source, created_at, dm_failed) "
        "SELECT f.id, r.user_id, r.status, r.source, r.created_at, r.dm_failed "
        "FROM fabrique f JOIN registration r ON r.fabrique_id = f.series_id "
        "WHERE f.series_id IS NOT NULL AND f.id <> f.series_id AND NOT EXISTS "
        "(SELECT 1 FROM absence a WHERE a.fabrique_id = f.id AND a.user_id = r.user_id) "
        "ORDER BY f.id, r.id"
    )
    with op.batch_alter_table("absence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_absence_fabrique_id"))
    op.drop_table("absence")
    with op.batch_alter_table("fabrique", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_fabrique_series_id"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_fabrique_series_id"))
        batch_op.drop_constraint(batch_op.f("fk_fabrique_series_id_fabrique"), type_="foreignkey")
        batch_op.drop_column("series_rhythm")
        batch_op.drop_column("series_size")
        batch_op.drop_column("series_rank")
        batch_op.drop_column("series_id")
