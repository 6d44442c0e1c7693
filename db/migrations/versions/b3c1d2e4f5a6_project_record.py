"""project record and credit code: the project's own fields; its registered code, indexed

`record`: a JSON column on projects, keyed by the definition's `project_fields` (contact,
phone, industry, source, …); existing projects start with an empty record.
`uscc`: the credit code of the project's latest `register` event, indexed, so that a second
project registering a code another holds is found at once (workflow.duplicates). Existing
projects get theirs from their history here.

Revision ID: b3c1d2e4f5a6
Revises: b5e1c0a7d2f4
Create Date: 2026-12-10
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision: str = 'b3c1d2e4f5a6'
down_revision: str | None = 'b5e1c0a7d2f4'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql')
_BATCH = 1000


def upgrade() -> None:
    # plain ALTER TABLE … ADD COLUMN on both databases: a batch would copy the table on
    # SQLite, which the history's foreign keys refuse
    op.add_column('projects', sa.Column('record', _JSON, nullable=False,
                                        server_default=sa.text("'{}'")))
    op.add_column('projects', sa.Column('uscc', sa.String(length=18), nullable=True))
    op.create_index('ix_projects_uscc', 'projects', ['uscc'], unique=False)

    bind = op.get_bind()
    projects = sa.table('projects', sa.column('id', sa.Integer), sa.column('uscc', sa.String))
    events = sa.table('project_events', sa.column('id', sa.Integer),
                      sa.column('project_id', sa.Integer), sa.column('event', sa.String),
                      sa.column('fields', _JSON))
    codes = {}  # project id → the credit code of its latest registration
    for row in bind.execute(sa.select(events.c.project_id, events.c.fields)
                            .where(events.c.event == 'register').order_by(events.c.id)):
        code = (row.fields or {}).get('uscc')
        if code:
            codes[row.project_id] = str(code)
    change = (sa.update(projects).where(projects.c.id == sa.bindparam('b_id'))
              .values(uscc=sa.bindparam('b_uscc')))
    rows = [{'b_id': pid, 'b_uscc': code} for pid, code in codes.items()]
    for start in range(0, len(rows), _BATCH):
        bind.execute(change, rows[start:start + _BATCH])


def downgrade() -> None:
    op.drop_index('ix_projects_uscc', table_name='projects')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_column('uscc')
        batch_op.drop_column('record')
