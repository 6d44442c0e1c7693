"""project record: the project's own fields (contact, phone, industry, source, …)

A JSON column `record` on projects, keyed by the definition's `project_fields`; existing
projects start with an empty record.

Revision ID: b3c1d2e4f5a6
Revises: 695912c7a64c
Create Date: 2026-12-10
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision: str = 'b3c1d2e4f5a6'
down_revision: str | None = '695912c7a64c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql')


def upgrade() -> None:
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('record', _JSON, nullable=False,
                                      server_default=sa.text("'{}'")))


def downgrade() -> None:
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_column('record')
