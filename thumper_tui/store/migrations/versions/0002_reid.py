"""re-identification: exemplar banks, prior profiles, "not the same deer"

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import thumper_tui.store.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("exemplars", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("bank_version", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("built_by_run", sa.Integer(), nullable=True))
    with op.batch_alter_table("detections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prior_deer_id", sa.Integer(), nullable=True))
    op.create_table(
        "not_same_deer",
        sa.Column("deer_a", sa.Integer(), nullable=False),
        sa.Column("deer_b", sa.Integer(), nullable=False),
        sa.Column("created_at", thumper_tui.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["deer_a"], ["deer.id"], name=op.f("fk_not_same_deer_deer_a_deer"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["deer_b"], ["deer.id"], name=op.f("fk_not_same_deer_deer_b_deer"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("deer_a", "deer_b", name=op.f("pk_not_same_deer")),
    )


def downgrade() -> None:
    op.drop_table("not_same_deer")
    with op.batch_alter_table("detections", schema=None) as batch_op:
        batch_op.drop_column("prior_deer_id")
    with op.batch_alter_table("deer", schema=None) as batch_op:
        batch_op.drop_column("built_by_run")
        batch_op.drop_column("bank_version")
        batch_op.drop_column("exemplars")
