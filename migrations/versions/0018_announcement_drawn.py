"""what each announcement showed when last drawn, so that a start-up edits only those that changed

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("fabrique") as batch:
        batch.add_column(sa.Column("announcement_drawn", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("fabrique") as batch:
        batch.drop_column("announcement_drawn")
