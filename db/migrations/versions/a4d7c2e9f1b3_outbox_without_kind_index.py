"""outbox without its index on kind (issue 11: the event path's writes)

Every event upserts a few outbox rows, and each index is one more b-tree to write and fsync.
No query selects outbox rows by kind alone: the one that filters on kind (the cancel of a
stage's reminders) finds its rows by project_id. Measured on the event benchmark with the
reminder observers: about 8% more events a second without it.

Revision ID: a4d7c2e9f1b3
Revises: e7a91c3d5b20
Create Date: 2026-12-06
"""
from collections.abc import Sequence

from alembic import op

revision: str = 'a4d7c2e9f1b3'
down_revision: str | None = 'e7a91c3d5b20'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index('ix_outbox_kind', table_name='outbox')  # an index alone: no table copy


def downgrade() -> None:
    op.create_index('ix_outbox_kind', 'outbox', ['kind'], unique=False)
