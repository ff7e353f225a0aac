"""field test (issue 10 item 11): a case note's 상담일, 방법 and 장소

Adds ``case_note.counselled_on`` (상담일), ``case_note.method`` (내방/방문/전화/문자) and
``case_note.place_ciphertext`` (장소, encrypted like the note).

Revision ID: 3f8a2c6e1b47
Revises: 7c3e9a1f5d20
Create Date: 2026-12-16 00:00:00.000000+00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '3f8a2c6e1b47'
down_revision: str | None = '7c3e9a1f5d20'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('case_note', schema=None) as batch_op:
        batch_op.add_column(sa.Column('counselled_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('method', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True))
        batch_op.add_column(sa.Column('place_ciphertext', sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('case_note', schema=None) as batch_op:
        batch_op.drop_column('place_ciphertext')
        batch_op.drop_column('method')
        batch_op.drop_column('counselled_on')
