"""several co-organizers per Fabrique, and the history of its corrections

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "coorganizer",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("fabrique_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fabrique_id"], ["fabrique.id"], name=op.f("fk_coorganizer_fabrique_id_fabrique"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coorganizer")),
        sa.UniqueConstraint("fabrique_id", "user_id", name=op.f("uq_coorganizer_fabrique_id")),
    )
    with op.batch_alter_table("coorganizer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coorganizer_user_id"), ["user_id"], unique=False)
    # The single co-organizer of each existing Fabrique becomes its first co-organizer.
    op.execute(
        "INSERT INTO coorganizer (fabrique_id, user_id) "
        "SELECT id, coorganizer_id FROM fabrique WHERE coorganizer_id IS NOT NULL ORDER BY id"
    )
    # Not in batch mode: on SQLite a batch drop rebuilds ``fabrique`` (DROP TABLE then rename), and with foreign keys
    # on, dropping it deletes every row that cascades from it (registrations, audit, the co-organizers just copied).
    # SQLite ≥ 3.35 (Debian 12: 3.40) drops an unindexed column in place, as PostgreSQL does.
    op.drop_index(op.f("ix_fabrique_coorganizer_id"), table_name="fabrique")
    op.drop_column("fabrique", "coorganizer_id")
    op.create_table(
        "fabrique_edit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("fabrique_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=False),
        sa.Column("by_team", sa.Boolean(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("undoable", sa.Boolean(), nullable=False),
        sa.Column("undo_of", sa.Integer(), nullable=True),
        sa.Column("undone_by", sa.BigInteger(), nullable=True),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["fabrique_id"], ["fabrique.id"], name=op.f("fk_fabrique_edit_fabrique_id_fabrique"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fabrique_edit")),
        sa.UniqueConstraint("fabrique_id", "version", name=op.f("uq_fabrique_edit_fabrique_id")),
    )


def downgrade() -> None:
    op.drop_table("fabrique_edit")
    # In place, never by rebuilding ``fabrique`` (see upgrade): adding a nullable column needs no rebuild anywhere.
    op.add_column("fabrique", sa.Column("coorganizer_id", sa.BigInteger(), nullable=True))
    op.create_index(op.f("ix_fabrique_coorganizer_id"), "fabrique", ["coorganizer_id"], unique=False)
    # Only one co-organizer fits the old column: the first one added.
    op.execute(
        "UPDATE fabrique SET coorganizer_id = (SELECT c.user_id FROM coorganizer c WHERE c.fabrique_id = fabrique.id "
        "ORDER BY c.id LIMIT 1)"
    )
    with op.batch_alter_table("coorganizer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coorganizer_user_id"))
    op.drop_table("coorganizer")
