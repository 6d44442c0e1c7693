"""projects: the deadline index carries a summary line's columns (issue 11: the overdue list)

The overdue list (`parkflow project list --overdue`, the web list's filter) reads
`WHERE due_at <= ? ORDER BY due_at, id` with a project's summary columns and its owner. The
index on due_at found the rows in order, but each one was then fetched from the table,
wherever it lies: for 5,002 overdue projects of 100k that was most of the query's time on
both databases. The index now holds those columns after (due_at, id): the read is an index
scan alone (SQLite "COVERING INDEX", PostgreSQL "Index Only Scan"), and PostgreSQL gets the
id order from it too (it added an incremental sort). It replaces the index on due_at, which
the min/max and "any overdue" probes of the reminders read as well as before.

Revision ID: d2a6f0b4c9e1
Revises: c8d4e2f6a1b7
Create Date: 2026-12-06
"""
from collections.abc import Sequence

from alembic import op

revision: str = 'd2a6f0b4c9e1'
down_revision: str | None = 'c8d4e2f6a1b7'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# a frozen copy of db.models.DUE_SUMMARY_INDEX
DUE_SUMMARY = ['due_at', 'id', 'name', 'category', 'state', 'group', 'stars', 'owner_id']


def upgrade() -> None:
    # indexes alone: no table copy on SQLite
    op.drop_index('ix_projects_due_at', table_name='projects')
    op.create_index('ix_projects_due_summary', 'projects', DUE_SUMMARY, unique=False)


def downgrade() -> None:
    op.drop_index('ix_projects_due_summary', table_name='projects')
    op.create_index('ix_projects_due_at', 'projects', ['due_at'], unique=False)
