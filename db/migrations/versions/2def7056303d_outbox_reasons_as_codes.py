"""outbox reasons as codes: no rendered sentence stored

The outbox kept a Chinese sentence in `reason`; it now keeps `reason_code` and
`reason_params`, rendered in the reader's language when read (notifications.reasons). Rows
written before keep their sentence as the parameter of the code `legacy`. The unused
`space_requests.reason` goes (the path's reason is derived when read). `recalculated` history
entries keep the calendar years and source as facts instead of a sentence.

Revision ID: 2def7056303d
Revises: 44dd4d87b773
Create Date: 2026-12-04
"""
import re
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy import Text  # noqa: F401  (JSONB astext_type)
import sqlmodel  # noqa: F401  (autogenerate renders sqlmodel.sql.sqltypes.AutoString)
from alembic import op
from sqlalchemy.dialects import postgresql

import db.types  # noqa: F401

revision: str = '2def7056303d'
down_revision: str | None = '44dd4d87b773'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql')
_CALENDAR = re.compile(r"^calendar ([\d, ]+) \((.*)\)$")


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason_code', sqlmodel.sql.sqltypes.AutoString(length=32),
                                      nullable=False, server_default=''))
        batch_op.add_column(sa.Column('reason_params', _JSON, nullable=True))
    outbox = sa.table('outbox', sa.column('id', sa.Integer), sa.column('reason', sa.String),
                      sa.column('reason_code', sa.String), sa.column('reason_params', _JSON))
    bind = op.get_bind()
    for row in bind.execute(sa.select(outbox.c.id, outbox.c.reason)).all():
        code, params = ('legacy', {'text': row.reason}) if row.reason else ('', {})
        bind.execute(sa.update(outbox).where(outbox.c.id == row.id)
                     .values(reason_code=code, reason_params=params))
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('reason_params', existing_type=_JSON, nullable=False)
        batch_op.drop_column('reason')

    with op.batch_alter_table('space_requests', schema=None) as batch_op:
        batch_op.drop_column('reason')

    events = sa.table('project_events', sa.column('id', sa.Integer),
                      sa.column('event', sa.String), sa.column('fields', _JSON))
    for row in bind.execute(sa.select(events.c.id, events.c.fields)
                            .where(events.c.event == 'recalculated')).all():
        fields = dict(row.fields or {})
        match = _CALENDAR.match(str(fields.get('reason', '')))
        if match is None:
            continue
        fields.pop('reason')
        fields = {'calendar_years': [int(y) for y in re.findall(r'\d+', match.group(1))],
                  'source': match.group(2), **fields}
        bind.execute(sa.update(events).where(events.c.id == row.id).values(fields=fields))


def downgrade() -> None:
    with op.batch_alter_table('space_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.VARCHAR(length=500), nullable=False,
                                      server_default=''))

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.VARCHAR(length=500), nullable=False,
                                      server_default=''))
    outbox = sa.table('outbox', sa.column('id', sa.Integer), sa.column('reason', sa.String),
                      sa.column('reason_code', sa.String), sa.column('reason_params', _JSON))
    bind = op.get_bind()
    for row in bind.execute(sa.select(outbox.c.id, outbox.c.reason_code,
                                      outbox.c.reason_params)).all():
        text = (row.reason_params or {}).get('text', '') if row.reason_code == 'legacy' \
            else row.reason_code
        bind.execute(sa.update(outbox).where(outbox.c.id == row.id).values(reason=text[:500]))
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('reason_params')
        batch_op.drop_column('reason_code')
