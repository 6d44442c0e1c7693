"""projects: a state's projects in board order from an index (issue 11: the board's sort)

Each board column (web.queries.board) and a state's list sorted by deadline read
`WHERE state = ? ORDER BY due_at IS NULL, due_at, stars DESC, id LIMIT n`. The index on
(state, due_at) found the state's rows but left every one of them to a sort (SQLite: "USE
TEMP B-TREE FOR ORDER BY"). An index on exactly that order, expressions included, hands
over the first n rows without sorting. It replaces (state, due_at), which served nothing the
new index does not (a state's rows; the board's counts, covering), so an event still updates
as many projects indexes as before.

Revision ID: c8d4e2f6a1b7
Revises: f1c3a5e7b9d2
Create Date: 2026-12-06
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'c8d4e2f6a1b7'
down_revision: str | None = 'f1c3a5e7b9d2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# a frozen copy of db.models.URGENT_INDEX
URGENT = ['state', sa.text('(due_at IS NULL)'), 'due_at', sa.text('stars DESC'), 'id']


def upgrade() -> None:
    # indexes alone: no table copy on SQLite
    op.drop_index('ix_projects_state_due_at', table_name='projects')
    op.create_index('ix_projects_state_urgent', 'projects', URGENT, unique=False)


def downgrade() -> None:
    op.drop_index('ix_projects_state_urgent', table_name='projects')
    op.create_index('ix_projects_state_due_at', 'projects', ['state', 'due_at'], unique=False)
