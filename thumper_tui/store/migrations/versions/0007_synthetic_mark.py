"""images.synthetic: whether a photo carries the synthetic ranch's mark

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL: imported before the mark was read; the engine reads those files when it must know.
    with op.batch_alter_table("images") as batch:
        batch.add_column(sa.Column("synthetic", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("images") as batch:
        batch.drop_column("synthetic")
