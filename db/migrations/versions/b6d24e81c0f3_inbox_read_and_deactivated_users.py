"""in-app messages read, users deactivated

`outbox.read_at`: when the recipient read the message in the app (the bell counts the rows
without one, through `ix_outbox_recipient_read`). `users.deactivated_at`: an admin
deactivated the person; they no longer sign in, their tokens are refused, their history stays.

Revision ID: b6d24e81c0f3
Revises: 695912c7a64c
Create Date: 2026-12-10
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = 'b6d24e81c0f3'
down_revision: str | None = '695912c7a64c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('read_at', db.types.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.create_index('ix_outbox_recipient_read', ['recipient', 'read_at'],
                              unique=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deactivated_at', db.types.UTCDateTime(timezone=True),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('deactivated_at')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_recipient_read')
        batch_op.drop_column('read_at')
