"""project search keys: pinyin initials of the name; name, company and credit code

Two columns the search box and `project list --search` match with LIKE (workflow.search):
`name_initials` ("量子精密测量" → "lzjmcl") and `search_text` (the name, the company name and
the credit code of the latest `register` event, each NFKC-normalised, case-folded and
without whitespace, joined by a space). Existing projects get theirs here.

The keys are computed by a frozen copy of workflow.search's rules: a migration must give the
same result whatever the engine becomes, and the db layer does not import the engine.
tests/db/test_storage.py checks that both agree.

Revision ID: 695912c7a64c
Revises: 2def7056303d
Create Date: 2026-12-04
"""
import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy import Text  # noqa: F401  (JSONB astext_type)
import sqlmodel  # noqa: F401  (autogenerate renders sqlmodel.sql.sqltypes.AutoString)
from alembic import op
from pypinyin import Style, lazy_pinyin
from sqlalchemy.dialects import postgresql

import db.types  # noqa: F401

revision: str = '695912c7a64c'
down_revision: str | None = '2def7056303d'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql')
_SPACE = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")
_BATCH = 1000


def _normalise(text):
    if not text:
        return ""
    return _SPACE.sub("", unicodedata.normalize("NFKC", str(text)).casefold())


def _initials(name):
    letters = "".join(lazy_pinyin(_normalise(name), style=Style.FIRST_LETTER)).lower()
    return "".join(ch for ch in letters if ch.isascii() and ch.isalnum())


def _keys(name, company_name, uscc):
    parts = (_normalise(part) for part in (name, company_name, uscc))
    return _initials(name), " ".join(part for part in parts if part)


def upgrade() -> None:
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_initials', sqlmodel.sql.sqltypes.AutoString(length=200),
                                      nullable=False, server_default=''))
        batch_op.add_column(sa.Column('search_text', sqlmodel.sql.sqltypes.AutoString(),
                                      nullable=False, server_default=''))

    bind = op.get_bind()
    projects = sa.table('projects', sa.column('id', sa.Integer), sa.column('name', sa.String),
                        sa.column('name_initials', sa.String),
                        sa.column('search_text', sa.String))
    events = sa.table('project_events', sa.column('id', sa.Integer),
                      sa.column('project_id', sa.Integer), sa.column('event', sa.String),
                      sa.column('fields', _JSON))
    company = {}  # project id → (company name, credit code) of its latest registration
    for row in bind.execute(sa.select(events.c.project_id, events.c.fields)
                            .where(events.c.event == 'register').order_by(events.c.id)):
        fields = row.fields or {}
        company[row.project_id] = (fields.get('company_name'), fields.get('uscc'))
    change = (sa.update(projects).where(projects.c.id == sa.bindparam('b_id'))
              .values(name_initials=sa.bindparam('b_initials'),
                      search_text=sa.bindparam('b_text')))
    batch = []
    for row in bind.execute(sa.select(projects.c.id, projects.c.name)
                            .order_by(projects.c.id)).all():
        initials, text = _keys(row.name, *company.get(row.id, (None, None)))
        batch.append({'b_id': row.id, 'b_initials': initials, 'b_text': text})
        if len(batch) >= _BATCH:
            bind.execute(change, batch)
            batch = []
    if batch:
        bind.execute(change, batch)


def downgrade() -> None:
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_column('search_text')
        batch_op.drop_column('name_initials')
