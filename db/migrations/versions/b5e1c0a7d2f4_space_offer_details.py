"""space offer details: who offered a listing for a request, when, and the note

Before this, the note of an offer went out in the mail and was not kept; requests offered
earlier keep NULLs (the listing they were offered is still the one reserved for them).

Revision ID: b5e1c0a7d2f4
Revises: b6d24e81c0f3
Create Date: 2026-12-08
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate renders sqlmodel.sql.sqltypes.AutoString)
from alembic import op

import db.types  # noqa: F401

revision: str = 'b5e1c0a7d2f4'
down_revision: str | None = 'b6d24e81c0f3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('space_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('offered_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('offered_at', db.types.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('offer_note',
                                      sqlmodel.sql.sqltypes.AutoString(length=2000),
                                      nullable=True))
        batch_op.create_foreign_key('fk_space_requests_offered_by_users', 'users',
                                    ['offered_by'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('space_requests', schema=None) as batch_op:
        batch_op.drop_constraint('fk_space_requests_offered_by_users', type_='foreignkey')
        batch_op.drop_column('offer_note')
        batch_op.drop_column('offered_at')
        batch_op.drop_column('offered_by')
