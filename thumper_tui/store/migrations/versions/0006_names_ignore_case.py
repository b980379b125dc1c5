"""deer: live names unique whatever their case (an index on lower(name))

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

LIVE = "status = 'active' AND name IS NOT NULL"


def upgrade() -> None:
    op.drop_index("uq_deer_live_name", table_name="deer")
    op.create_index(
        "uq_deer_live_name",
        "deer",
        [sa.text("lower(name)")],
        unique=True,
        sqlite_where=sa.text(LIVE),
        postgresql_where=sa.text(LIVE),
    )


def downgrade() -> None:
    op.drop_index("uq_deer_live_name", table_name="deer")
    op.create_index(
        "uq_deer_live_name",
        "deer",
        ["name"],
        unique=True,
        sqlite_where=sa.text(LIVE),
        postgresql_where=sa.text(LIVE),
    )
