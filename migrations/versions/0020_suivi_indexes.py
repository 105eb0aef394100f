"""indexes for /equipe suivi over years of history: the documentations owed and the attendance Zoom gave

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03

- ``ix_fabrique_guild_state_kind_end`` (guild_id, state, kind, ends_at): the documentations owed the longest are
  read per state in end order and cut at what the dashboard shows (``FabriqueRepository.owing``), instead of
  sorting every session never documented, which pile up over the years.
- ``ix_fabrique_guild_attended_start`` (guild_id, starts_at) WHERE zoom_participants IS NOT NULL: the latest
  sessions whose attendance Zoom gave come from the sessions it counted, newest first; without it, a guild whose
  Zoom never counted anyone read its whole history to find that out.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ATTENDED = sa.text("zoom_participants IS NOT NULL")


def upgrade() -> None:
    op.create_index("ix_fabrique_guild_state_kind_end", "fabrique", ["guild_id", "state", "kind", "ends_at"])
    op.create_index(
        "ix_fabrique_guild_attended_start",
        "fabrique",
        ["guild_id", "starts_at"],
        sqlite_where=ATTENDED,
        postgresql_where=ATTENDED,
    )


def downgrade() -> None:
    op.drop_index("ix_fabrique_guild_attended_start", table_name="fabrique")
    op.drop_index("ix_fabrique_guild_state_kind_end", table_name="fabrique")
