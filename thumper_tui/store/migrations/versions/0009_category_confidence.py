"""detections.category_confidence: how sure a category the detector's class did not decide is

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL: the detector's own class decided the category (its confidence is the detection's).
    with op.batch_alter_table("detections") as batch:
        batch.add_column(sa.Column("category_confidence", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("detections") as batch:
        batch.drop_column("category_confidence")
