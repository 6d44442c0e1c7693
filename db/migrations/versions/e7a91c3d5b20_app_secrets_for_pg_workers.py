"""app secrets: keys the server draws once and keeps (issue 11 §2, several web workers)

`app_secrets`: one row per named secret. The session cookie's key lives here when
PARKFLOW_SECRET_KEY is unset, so sign-ins survive a restart and work across workers.

Revision ID: e7a91c3d5b20
Revises: b3c1d2e4f5a6
Create Date: 2026-12-05
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = 'e7a91c3d5b20'
down_revision: str | None = 'b3c1d2e4f5a6'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'app_secrets',
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('value', sa.String(length=255), nullable=False),
        sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )


def downgrade() -> None:
    op.drop_table('app_secrets')
