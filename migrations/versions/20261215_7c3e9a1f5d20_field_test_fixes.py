"""field test (issue 10): a manager's 평가 on each target line

Adds ``target.remarks`` (평가, a manager's words on one line of the year's target table).

Revision ID: 7c3e9a1f5d20
Revises: d0a052e6431b
Create Date: 2026-12-15 00:00:00.000000+00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '7c3e9a1f5d20'
down_revision: str | None = 'd0a052e6431b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.add_column(sa.Column('remarks', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.drop_column('remarks')
